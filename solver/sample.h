/* solver/sample.h - `pinn sample`: synthetic measurements from a config's
 * exact solution (or its GSL reference when there is none), with the
 * unknown constants at their true values, for inverse problems. */
#ifndef PINN_SAMPLE_H
#define PINN_SAMPLE_H

#include <stdio.h>

typedef struct sample_args {
    const char *config;
    const char *output;           /* CSV path (required) */
    const char *const *overrides; /* --set path=value */
    size_t n_overrides;
    long long points;             /* N >= 1 */
    double noise;                 /* relative to each field's standard deviation, >= 0 */
    unsigned long seed;
    const char *fields;           /* "I" or "x,y" (NULL: every field) */
    FILE *out, *errs;
} sample_args;

/* Writes the CSV (atomically); returns the exit status (0, 1 I/O, 2 bad
 * usage or config). */
int sample_job(const sample_args *a);

#endif
