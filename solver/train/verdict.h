/* solver/train/verdict.h - the verdict on a finished run: the network's rel
 * L2 error against the exact solution (else the GSL reference), or, when
 * there is neither, the RMS of its PDE/ODE residual on a fresh point set,
 * compared with a tolerance. It judges; run.c prints and decides the exit. */
#ifndef PINN_VERDICT_H
#define PINN_VERDICT_H

#include <stddef.h>

#include "train/train.h"

/* Exit status of a strict run whose verdict fails (0, 1, 2 and 128 + signal
 * are taken). */
#define VERDICT_EXIT_FAIL 3

typedef struct verdict {
    const char *measure; /* "rel_l2_vs_exact", "rel_l2_vs_reference", "residual_rms", "none" */
    double value;        /* NaN when nothing could be measured */
    double tolerance;
    int pass;            /* value <= tolerance (a NaN value fails) */
    size_t points;       /* fresh residual points (residual_rms only) */
    char text[256];      /* "pass: ..." or "fail: ..." for the file and the WARNING */
} verdict;

/* Judges u (n values: grid points x outputs) against exact, else ref (either
 * may be NULL), with tolerance tol. With neither, the residual of the term
 * named "pde" is evaluated on a fresh draw of its points (the term's own
 * resample, from rng) of the same size and its RMS compared with rtol; a
 * pde term without resample (fixed points) is judged on its training points
 * and the text says so. tr must hold the trained network. Returns 0, or -1
 * when memory ran out (v then says "none"). */
int verdict_judge(verdict *v, trainer *tr, const double *u, const double *exact,
                  const double *ref, size_t n, double tol, double rtol, gsl_rng *rng);

#endif
