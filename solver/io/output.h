/* solver/io/output.h - the result file of a run (layout in DESIGN.md, "Output
 * file") and the error measures written into it. Writing goes through
 * h5io's atomic commit; reading a model back is in model_io. */
#ifndef PINN_OUTPUT_H
#define PINN_OUTPUT_H

#include "config/config.h"
#include "problems/problem.h"
#include "train/train.h"
#include "train/march.h"
#include "train/verdict.h"

#define PINN_FORMAT_VERSION 1

typedef struct error_stats {
    double rel_l2, max_abs;
} error_stats;

/* rel L2 = |u - v|_2 / |v|_2 (|u - v|_2 when v is zero), max |u - v|. */
error_stats error_between(const double *u, const double *v, size_t n);

typedef struct run_result {
    const cfg *c;
    const problem *p;
    const mlp *net;
    const trainer *tr;        /* NULL for `pinn reference` */
    const term *terms;
    size_t n_terms;
    const grid *g;
    const double *u;          /* network on the grid, g->n x n_out; NULL if none */
    const double *ref;        /* GSL reference, or NULL */
    const char *ref_method;
    double ref_seconds;
    const double *exact;      /* exact solution, or NULL */
    unsigned long seed;
    int threads;
    const char *status;       /* "ok", or why the run stopped */
    const verdict *verdict;   /* the check after training; NULL: not judged yet */
    const march *windows;     /* time-marching windows, or NULL */
} run_result;

/* Writes the whole result to path atomically. With a trainer the file is
 * also a checkpoint: /checkpoint holds what checkpoint_load needs beyond
 * /model and /history. 0, or -1 with err. */
int output_write(const char *path, const run_result *r, char *err, size_t errcap);

/* Removes "path.tmp.PID" temporaries whose process no longer exists (left
 * by a run killed while writing). Returns how many it removed. */
int output_remove_stale(const char *path);

#endif
