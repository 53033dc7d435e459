/* solver/io/inspect.h - reading result files back: `pinn info` (what a result
 * holds and how good it is) and `pinn eval` (the saved network at new
 * points). Writing results is output.c's job. */
#ifndef PINN_INSPECT_H
#define PINN_INSPECT_H

#include <stddef.h>
#include <stdio.h>

/* Prints a summary (problem, errors, timings) and the file's tree to out. */
int inspect_info(const char *path, FILE *out, char *err, size_t errcap);
/* Evaluates the saved network at points ("x,t" strings) or, when there are
 * none, at the lines of `in`; prints a CSV header naming the inputs and
 * outputs, then "inputs...,outputs..." rows with %.17g. Points outside the
 * trained domain (the span of /grid/<input>) get one warning on errs.
 * Returns 0, 1 when the file cannot be used, 2 for a malformed point
 * (the reason in err either way). */
int inspect_eval(const char *path, const char *const *points, size_t n_points, FILE *in,
                 FILE *out, FILE *errs, char *err, size_t errcap);

#endif
