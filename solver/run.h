/* solver/run.h - the `pinn run` and `pinn reference` jobs from a config file
 * to a result file, with exit statuses: 0 success, 1 the run failed
 * (diverged, I/O), 2 bad usage or bad config, 3 the verdict failed under
 * verdict.strict (train/verdict.h). The command line is main.c's. */
#ifndef PINN_RUN_H
#define PINN_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "train/train.h"

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
    const char *resume;           /* --resume FILE.h5: go on from its checkpoint */
    /* set to the signal number by main's SIGINT/SIGTERM handler: finish the
     * step, write the output, return 128 + the signal */
    const volatile sig_atomic_t *stop;
    long long test_stop_at_step;  /* PINN_TEST_STOP_AT_STEP (0: off) */
    const char *log_path;         /* --log FILE: the training log, machine-readable */
    int log_json;                 /* 1: JSON lines, 0: CSV */
} run_args;

/* Runs the job; returns the exit status (128 + signal when interrupted). */
int run_job(const run_args *a);

/* Loads a config from file (or from text, with file naming it in messages),
 * applies the overrides and validates it against the run settings and the
 * tables of its problem.type: what `pinn run` does first. NULL with
 * `FILE:LINE: setting: message` in err. The caller owns it: cfg_free. */
cfg *run_config_load(const char *file, const char *text, const char *const *overrides,
                     size_t n_overrides, char *err, size_t errcap);

/* The training options config c sets (schedule, optimizers, weighting,
 * adaptive points, hard constraints, checkpoint interval); where the log,
 * checkpoints and the stop flag go is left zero for the caller. */
train_options run_train_options(const cfg *c);

#endif
