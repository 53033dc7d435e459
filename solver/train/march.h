/* solver/train/march.h - time-marching: the time interval cut into equal
 * windows trained one after another, each window's initial condition taken
 * from the previous window's network at its start, the solution stitched on
 * one grid. Works through the problem interface (a time input named "t", an
 * "initial" term that is a value loss), so any time-dependent type has it. */
#ifndef PINN_MARCH_H
#define PINN_MARCH_H

#include <stdio.h>

#include "train/train.h"

typedef struct march {
    size_t n_windows, n_params, time_col;
    double *bounds;        /* n_windows x 2: [a, b] of each window */
    double *params;        /* n_windows x n_params: each window's trained net */
    size_t *hist_end;      /* rows of the joint history at the end of each window */
    size_t done;           /* windows trained */
    /* the last window's problem, terms and trainer; the trainer's history is
     * the whole run's (every window's rows, steps counted on) */
    problem *p;
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms;
    trainer *tr;
    char error[1024];
} march;

/* NULL when c asks for no marching (train.windows = 1) or it fits this
 * problem; else a static message for cfg_fail on train.windows (the problem
 * has no time input "t", or uses a data term, which marching does not cut). */
const char *march_check(const cfg *c, const problem *p);
/* An empty march over n_windows windows of p's time interval, for a net of
 * n_params parameters; NULL when memory runs out. */
march *march_alloc(const problem *p, size_t n_windows, size_t n_params);
void march_free(march *m);
/* Trains the windows in turn with the options opt (checkpoints off), on one
 * net: window w starts from window w-1's parameters and its "initial" term's
 * targets are window w-1's network at the window's start. Each window's
 * problem is made from c with its time interval cut to the window (points,
 * causal bins and input scaling follow). Writes the stitched network
 * solution on g into u (grid points in [a, b) to window w, the end point to
 * the last). Prints "window w of W" lines to opt->log unless opt->quiet.
 * A failed window ends the march with that status (m->error, or m->tr's
 * error, says why) and the later windows' values are the failed net's. */
train_status march_run(march *m, const cfg *c, mlp *net, gsl_rng *rng,
                       const train_options *opt, const grid *g, double *u);

#endif
