/* solver/train/train.h - the training loop: evaluates every loss term through the
 * network (forward, residual, backward), combines them with their weights
 * (fixed, or adapted by a libpinnloss weighting scheme during Adam), runs
 * Adam then L-BFGS (liblbfgs), records the history and prints the progress
 * table. It does not read configs or write files. */
#ifndef PINN_TRAIN_H
#define PINN_TRAIN_H

#include <signal.h>
#include <stdio.h>

#include "mlp.h"
#include "pinnloss.h"
#include "train/adapt.h"
#include "train/optim.h"
#include "problems/problem.h"

/* Points per forward pass when predicting on a grid. */
#define TRAIN_PREDICT_CHUNK 4096

struct trainer;

typedef struct train_options {
    long long adam_iterations;
    double lr, beta1, beta2, epsilon;
    lr_decay decay;
    double decay_rate;
    long long decay_steps;
    long long lbfgs_iterations;
    int lbfgs_history, lbfgs_past, lbfgs_max_linesearch;
    double lbfgs_epsilon, lbfgs_delta;
    /* The second phase: NULL or "lbfgs" liblbfgs; "bfgs", "ssbfgs" or
     * "ssbroyden" the
     * dense quasi-Newton of train/qn.h, with the lbfgs_* iteration count,
     * stop tests and line-search limit (history is not used). */
    const char *second_phase;
    /* Every this many second-phase iterations (0: never) the pde points
     * are redrawn, by the adapt method when one is set, else by a fresh
     * draw; the dense methods go on with their H on the new points, L-BFGS
     * starts a new run (liblbfgs keeps its pairs to itself). */
    long long lbfgs_resample_every;
    /* Adaptive sampling of the pde term (train/adapt.h; kind ADAPT_NONE:
     * off): a round every adapt.every Adam steps, after any redraw. */
    adapt_options adapt;
    /* Hard constraints (train/hard.h): the problem type's u = g + D N
     * around the net's channels in every term and prediction. */
    int hard;
    long long resample_every;
    long long log_every;
    int scale_inputs;
    int quiet;          /* no table, no bar */
    FILE *log;          /* table rows (stdout) */
    FILE *log_file;     /* the same rows, machine-readable (NULL: none), even when quiet */
    int log_json;       /* log_file format: 1 JSON lines, 0 CSV */
    /* Loss weighting (docs/losses.md). weighting NULL or "fixed":
     * the terms' config weights, unchanged. Otherwise a libpinnloss scheme
     * adapts the weights after every Adam step (annealing: every
     * annealing_every steps); L-BFGS keeps the last Adam weights. */
    const char *weighting;   /* fixed|uncertainty|gradnorm|annealing|dwa */
    double uncertainty_init; /* s_k = log sigma_k^2 at the start */
    double gradnorm_alpha;   /* asymmetry, >= 0 */
    double gradnorm_lr;      /* weight learning rate (Adam on log lambda_k), > 0 */
    int gradnorm_all;        /* norms over all parameters, else the last hidden W */
    double annealing_beta;   /* lambda <- (1 - beta) lambda + beta lambda_hat */
    long long annealing_every; /* update period in Adam steps, >= 1 */
    double dwa_temperature;  /* > 0 */
    /* Divergence (docs/failure-modes.md). A non-finite
     * loss or gradient in Adam either stops the run with the parameters of
     * the last finite step restored (on_nan_recover 0), or restores them and
     * their Adam moments, halves the learning rate and goes on, at most
     * max_recoveries times; each recovery is written to errs (NULL: silent). */
    int on_nan_recover;
    long long max_recoveries;
    FILE *errs;
    /* Checkpoints: every checkpoint_every steps (0: never) the trainer calls
     * checkpoint(checkpoint_ctx, tr) between steps, with the net holding the
     * current parameters; a nonzero return is reported on errs once and
     * training goes on. */
    long long checkpoint_every;
    int (*checkpoint)(void *ctx, struct trainer *tr);
    void *checkpoint_ctx;
    /* Interruption: when *stop is nonzero (a signal handler sets it) the
     * trainer finishes the current step and returns TRAIN_INTERRUPTED.
     * test_stop_at_step > 0 raises SIGTERM on the process once that step is
     * done (a test hook: PINN_TEST_STOP_AT_STEP). */
    const volatile sig_atomic_t *stop;
    long long test_stop_at_step;
    /* MPI data parallelism (train/parallel.h; NULL: one process): each
     * objective trains this rank's rows of every term and all-reduces the
     * per-term losses and gradients, so every rank takes the same steps. */
    struct parallel *par;
} train_options;

/* One row per Adam step and per L-BFGS iteration. */
typedef struct train_history {
    size_t n, cap, n_terms;
    long long *step;
    int *phase;         /* 0 Adam, 1 L-BFGS */
    double *seconds, *loss;
    double *terms;      /* n x n_terms: unweighted L_k */
    double *weights;    /* n x n_terms */
    size_t n_unknowns;
    double *unknowns;   /* n x n_unknowns: the unknown constants */
} train_history;

typedef enum {
    TRAIN_OK = 0,
    TRAIN_DIVERGED = 1,   /* tr->error names the term and step */
    TRAIN_ENOMEM = 2,
    TRAIN_INTERRUPTED = 3 /* *opt.stop was set; the state is a step boundary */
} train_status;

/* Where training stands: enough, with the parameters, the Adam moments,
 * the weighting state and the random state, to go on from here. */
typedef enum { TRAIN_PHASE_ADAM = 0, TRAIN_PHASE_LBFGS = 1, TRAIN_PHASE_DONE = 2 } train_phase;

typedef struct train_progress {
    long long adam_done;   /* Adam iterations finished */
    long long lbfgs_done;  /* L-BFGS iterations finished */
    int phase;             /* train_phase */
    double lr_factor;      /* 0.5^recoveries: scales the Adam learning rate */
    long long resamples;   /* point-set redraws so far */
} train_progress;

typedef struct trainer {
    const problem *p;
    mlp *net;
    /* The optimizer's flat vector is net->params: the network's n_params
     * values, then the raw values of the problem's unknown constants
     * (problem.unknowns); n_vec = n_params + unknowns. */
    size_t n_vec;
    term *terms;
    size_t n_terms;
    term view[PROBLEM_MAX_TERMS]; /* the rows of each term this rank trains on */
    train_options opt;
    gsl_rng *rng;
    /* per term: workspace, scaled inputs, channel output and gradient */
    mlp_workspace *ws[PROBLEM_MAX_TERMS];
    double *xn[PROBLEM_MAX_TERMS], *out[PROBLEM_MAX_TERMS], *gout[PROBLEM_MAX_TERMS];
    double *term_grad;  /* n_terms x n_vec */
    double term_loss[PROBLEM_MAX_TERMS];
    double weight[PROBLEM_MAX_TERMS];
    double *grad;       /* n_vec */
    /* adaptive weighting (NULL wt: fixed weights) */
    pl_weighting *wt;
    double prescale[PROBLEM_MAX_TERMS]; /* the scheme sees prescale_k L_k */
    adam *wt_adam;      /* uncertainty: Adam on s_k; gradnorm: on log lambda_k */
    double *wt_buf;     /* 5 x n_terms scratch: x, grad, stats */
    size_t shared_off, shared_len; /* gradnorm: the shared parameter slice */
    double in_shift[PROBLEM_MAX_IN], in_scale[PROBLEM_MAX_IN];
    adam *adam;
    train_history hist;
    long long step;     /* Adam steps + L-BFGS iterations done */
    double seconds;     /* training time so far */
    char lbfgs_stop[96];
    char error[256];
    size_t forward_fail; /* 1 + the term whose mlp_forward failed in the last objective */
    train_progress prog;
    /* divergence recoveries: the step each happened at and the lr factor
     * after it (max_recoveries entries) */
    size_t n_recoveries;
    long long *recovery_step;
    double *recovery_lr;
    /* the last good Adam state (the step before the one in hand) */
    int has_good;
    long long good_it, good_step;
    size_t good_hist_n;
    double *good_params, *good_m, *good_v, *good_wt; /* np, np, np, weighting */
    long long good_adam_step;
    int checkpoint_failed;
    /* rel L2 against the exact solution while training (optional) */
    const grid *g;
    const double *exact;
    mlp_workspace *grid_ws;
    double *grid_out;
    double last_rel_l2;
    long long logged_step; /* the step of the last table / log-file row (-1: none) */
    /* hard constraints: g and D of each term's points, and of a predict chunk */
    double *hard_g[PROBLEM_MAX_TERMS], *hard_D[PROBLEM_MAX_TERMS];
    double *hard_pg, *hard_pD;
} trainer;

/* Returns NULL when the weighting options suit these terms, else a static
 * message (unknown scheme, a parameter out of range, a term weight <= 0
 * under an adaptive scheme). */
const char *train_options_check(const train_options *opt, const term *terms, size_t n_terms);
/* Takes the net, terms and rng (not owned). Returns NULL when
 * train_options_check fails or memory runs out. */
trainer *trainer_alloc(const problem *p, mlp *net, term *terms, size_t n_terms, gsl_rng *rng,
                       const train_options *opt);
void trainer_free(trainer *tr);
/* Optional: a grid and the exact solution on it, for rel L2 in the table. */
void trainer_watch(trainer *tr, const grid *g, const double *exact);
/* Total weighted loss at the net's parameters; fills tr->grad, term_loss. */
double trainer_objective(trainer *tr);
/* Adam, then L-BFGS, from where tr->prog says (the start, or a restored
 * checkpoint). On divergence tr->error says which term and step, and the
 * net holds the last finite parameters. TRAIN_INTERRUPTED leaves a state
 * trainer_run can continue from (also after trainer_restore in a new
 * process). */
train_status trainer_run(trainer *tr);

/* The state a checkpoint holds beyond the net's parameters; the arrays are
 * the caller's. */
typedef struct train_checkpoint {
    train_progress prog;
    long long step;
    double seconds;
    const double *adam_m, *adam_v;   /* n_vec each */
    long long adam_step;
    const double *weighting;         /* trainer_weighting_state_size values */
    size_t n_weighting;
    const unsigned char *rng_state;  /* gsl_rng_size bytes */
    size_t rng_size;
    size_t n_recoveries;
    const long long *recovery_step;
    const double *recovery_lr;
    /* history rows */
    size_t n_hist;
    const long long *h_step, *h_phase;
    const double *h_seconds, *h_loss, *h_terms, *h_weights; /* n_hist x n_terms */
    const double *h_unknowns;        /* n_hist x unknowns (NULL when none) */
} train_checkpoint;

/* Puts a freshly allocated trainer (same config and seed, so the same
 * initial points) in the checkpoint's state: replays the point-set redraws,
 * then sets the random state, Adam moments, weighting state, counters and
 * history. The net's parameters are the caller's to set. 0, or -1 with
 * tr->error (sizes do not match, too many recoveries, out of memory). */
int trainer_restore(trainer *tr, const train_checkpoint *ck);
/* One weighting update from the last objective's term_loss and term_grad
 * (it: the Adam step, lr: its learning rate for the trainable s_k or log
 * lambda_k); refreshes tr->weight. Does nothing for fixed weights or, under
 * annealing, when it % annealing_every != 0. Returns 0 or a PL_* code. */
int trainer_weights_update(trainer *tr, long long it, double lr);
/* Checkpoint state of the weighting scheme: state_size doubles (0 for fixed
 * weights): libpinnloss's flat state (s_k, lambda_k, L_k(0), last two
 * losses) followed, for uncertainty and gradnorm, by the Adam moments m, v
 * (n_terms each) and its step count. state_set restores it into a trainer
 * with the same scheme and terms; 0 or PL_EINVAL / PL_ENAN. */
size_t trainer_weighting_state_size(const trainer *tr);
int trainer_weighting_state_get(const trainer *tr, double *state);
int trainer_weighting_state_set(trainer *tr, const double *state, size_t n);
/* The unweighted loss L = mean(r^2) of term t (any term of tr's problem,
 * not necessarily one of tr's) at the net's current parameters: a forward
 * pass and the residual, no gradient. NaN when memory runs out. */
double trainer_term_loss(trainer *tr, term *t);
/* After term k's points changed (count or place): reallocates its
 * workspace and buffers for t->n points and rescales its inputs. 0, or -1
 * when memory runs out (the old buffers are kept). */
int trainer_term_resize(trainer *tr, size_t k);
/* The channels of u (the net's, through the hard constraints when they are
 * on) for term t's points into out (t->ch.n x t->n x n_out, physical
 * units). 0, or an MLP_* code / -1 (out of memory). */
int trainer_term_channels(trainer *tr, const term *t, double *out);
/* Makes room for rows rows in h (h->n_terms columns per term row). 0, or -1
 * when memory runs out (h keeps what it had). */
int trainer_history_reserve(train_history *h, size_t rows);
/* Frees every array of h and zeroes it (a history made by trainer_history_reserve). */
void trainer_history_free(train_history *h);
/* Network values on n points (physical coordinates) into u (n x n_out). */
int trainer_predict(trainer *tr, const double *x, size_t n, double *u);
/* Input scaling used for the net: x_net = (x - shift) * scale. */
void trainer_scale_inputs(const trainer *tr, const double *x, size_t n, double *xn);

#endif
