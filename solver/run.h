/* solver/run.h - the `pinn run` and `pinn reference` jobs from a config file
 * to a result file, with exit statuses: 0 success, 1 the run failed
 * (diverged, I/O), 2 bad usage or bad config. The command line is main.c's. */
#ifndef PINN_RUN_H
#define PINN_RUN_H

#include <stddef.h>
#include <stdio.h>

typedef struct run_args {
    const char *config;
    const char *output;           /* NULL: output.file or outputs/NAME.h5 */
    const char *const *overrides; /* --set path=value */
    size_t n_overrides;
    long long threads;            /* < 0: from the config */
    long long seed;               /* < 0: from the config */
    int quiet;
    int reference_only;           /* pinn reference */
    FILE *out;                    /* progress and summary (stdout) */
    FILE *errs;                   /* messages (stderr) */
} run_args;

int run_job(const run_args *a);

#endif
