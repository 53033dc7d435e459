/* solver/train/parallel.h - data-parallel training over MPI ranks (docs/mpi.md):
 * which rows of each loss term this process trains on, the one all-reduce
 * per objective evaluation (per-term gradients and losses, the stop flag),
 * rank and size, agreeing on setup and stopping the job. Compiled twice:
 * with PINN_MPI into pinn-mpi (Open MPI), without it into pinn, where there
 * is one process and every call is trivial. It does not train or write. */
#ifndef PINN_PARALLEL_H
#define PINN_PARALLEL_H

#include <signal.h>
#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "problems/problem.h"

/* strong: the config's point counts are the job's, split over the ranks
 * (the result matches a 1-process run to rounding); weak: they are each
 * rank's, and every rank draws its own points. */
typedef enum { PAR_STRONG = 0, PAR_WEAK = 1 } par_scaling;

typedef struct parallel parallel;

/* Where the time of the all-reduces went (rank-local). */
typedef struct par_stats {
    long long reductions;   /* all-reduce calls */
    size_t doubles;         /* values in the last one */
    double reduce_seconds;  /* inside MPI_Allreduce */
    double wait_seconds;    /* in the barrier before it (PINN_PAR_PROFILE=1 only) */
    double mpi_cpu_seconds; /* CPU time spent in both (MPI polls while it waits) */
} par_stats;

/* 1 when this binary was built with MPI (pinn-mpi). */
int par_available(void);
/* Joins the job: MPI_Init_thread (funneled: only the main thread calls MPI)
 * unless MPI is initialised already. NULL with err on failure. Plain build:
 * a one-process object. The caller ends it with par_close, which calls
 * MPI_Finalize when par_open initialised MPI. */
parallel *par_open(char *err, size_t errcap);
void par_close(parallel *par);
/* 0 and 1 for NULL. */
int par_rank(const parallel *par);
int par_size(const parallel *par);
void par_set_scaling(parallel *par, par_scaling s);
par_scaling par_get_scaling(const parallel *par);
/* 1 when this rank draws points of its own (weak scaling, rank > 0): its
 * random stream is not rank 0's, so a checkpoint's random state (rank 0's)
 * must not replace it. 0 for NULL. */
int par_own_draws(const parallel *par);
/* Weak scaling, rank > 0: reseeds rng with a stream of this rank's own
 * (derived from seed and the rank); otherwise leaves it alone. Call it
 * after the net's initialisation and before the points are drawn. */
void par_seed_draws(const parallel *par, gsl_rng *rng, unsigned long seed);

/* Fills view with the part of term k (full, points of n_in coordinates)
 * this rank trains on and records its share of the term's global loss. Strong scaling: a term that
 * says it is pointwise (and is not causal) gets rows [lo, hi) of an even
 * block split, share (hi - lo) / n; any other term is trained whole by rank
 * k % size (share 1) and has no rows elsewhere (share 0). Weak scaling and
 * one process: the whole term, share 1 / size. The view shares full's
 * points and data (pointers into them) and has a residual buffer of its own
 * when it is a block (par owns it; par_close frees it). Call it again after
 * full's points are redrawn. NULL par: the whole term. 0, or -1 out of
 * memory or k >= PROBLEM_MAX_TERMS. */
int par_term_view(parallel *par, size_t k, const term *full, size_t n_in, term *view);

/* The objective's all-reduce: scales each term's loss[k] and gradient
 * (grad + k * np) by its share, sums both over the ranks in one
 * MPI_Allreduce, together with the local stop flag (see par_stop_flag).
 * Afterwards every rank holds the same global per-term losses and
 * gradients. Nothing to do for one process. 0, or -1 out of memory (the
 * job is aborted under MPI, as a rank cannot leave a collective alone). */
int par_reduce_terms(parallel *par, size_t n_terms, size_t np, double *loss, double *grad);

/* The stop flag the trainer should poll: for one process the local one
 * itself; under MPI a flag set on every rank at the same step, once any
 * rank's local flag (a signal) was seen by an all-reduce. */
const volatile sig_atomic_t *par_stop_flag(parallel *par, const volatile sig_atomic_t *local);

/* Setup agreement, collective: every rank passes its status (0 ok, else
 * the exit status it would return) and message. Returns the status of the
 * lowest failing rank (0: all ok) and, when that is not this rank, puts its
 * message in err as "rank R: message". */
int par_agree(parallel *par, int status, char *err, size_t errcap);
/* Collective: 1 when the bytes x[0..bytes) are the same on every rank
 * (compared by a 64-bit FNV-1a hash). */
int par_identical(parallel *par, const void *x, size_t bytes);
/* Prints "pinn: rank R: msg" to stderr and ends the whole job (MPI_Abort;
 * exit without MPI). */
void par_abort(parallel *par, int code, const char *msg);

void par_stats_get(const parallel *par, par_stats *st);

#endif
