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
 * none, at the lines of `in`; prints "inputs...,outputs..." rows with %.17g. */
int inspect_eval(const char *path, const char *const *points, size_t n_points, FILE *in,
                 FILE *out, char *err, size_t errcap);

#endif
