/* nets/mlp_internal.h - what the fast and naive passes share inside nets/:
 * the workspace layout and the checked channel plan. Not a public header:
 * nothing outside nets/ includes it. */
#ifndef PINN_MLP_INTERNAL_H
#define PINN_MLP_INTERNAL_H

#include <stddef.h>
#include "mlp.h"

/* Doubles per channel matrix of one row block in the fast pass: points per
 * block = MLP_BLOCK_DOUBLES / (channels * widest layer), at least 4. */
#define MLP_BLOCK_DOUBLES 8192
/* The element-wise loops of a row block run strip by strip, each strip of
 * MLP_STRIP_DOUBLES / width points (at least 1) per channel matrix, so all
 * channels of a strip are combined while it sits in L1. */
#define MLP_STRIP_DOUBLES 256
/* The fast pass keeps every layer's activations and s' (s'' and s''' too
 * for MLP_RULE_STORED) from forward to backward while they take at most
 * this much; above, it rebuilds them per block from z. */
#define MLP_KEEP_BYTES ((size_t)64 << 20)
/* Backward splits the row blocks into at most this many chunks, each adding
 * into its own gradient, summed in chunk order: threads take chunks as they
 * come free (a thread the shared machine preempts holds no one up), and
 * the gradient is the same bits for every thread count. */
#define MLP_GRAD_CHUNKS 16

/* Widest layer mlp_alloc accepts: keeps every size product far from overflow. */
#define MLP_MAX_WIDTH 65536

/* A channel set checked against a net: where the value channel is, which
 * channels are first derivatives (and of which input), and for each second
 * derivative channel (i, j) the indices of the channels d/dx_i and d/dx_j. */
typedef struct mlp_plan {
    size_t n;                       /* channels */
    size_t val;                     /* index of the value channel */
    size_t n1, f_idx[MLP_MAX_CHANNELS], f_var[MLP_MAX_CHANNELS];
    size_t n2, s_idx[MLP_MAX_CHANNELS], s_fi[MLP_MAX_CHANNELS], s_fj[MLP_MAX_CHANNELS];
    /* Leaves: channels other than the value that no second derivative
     * needs (every (i, j), and d/dx_i when no (i, .) is in the set). For a
     * one-output net their upstream gradient at every layer is
     * gout_c(p) J(p), J = du/dA the same for all of them, so backward
     * carries J once in channel `jslot` (the first leaf) instead. */
    size_t n_leaf, jslot;
    int leaf[MLP_MAX_CHANNELS];
} mlp_plan;

/* Checks ch for a net with n_inputs inputs and fills pl. MLP_EINVAL when a
 * channel names a missing input, appears twice, or when the value channel or
 * a first derivative a second derivative needs is missing. */
int mlp_plan_make(mlp_plan *pl, const mlp_channels *ch, size_t n_inputs);

/* The thread-count tuner of one pass direction of one workspace (auto mode,
 * mlp_threads.c): runs cur threads (1 or max), keeps the last MLP_TUNE_HIST
 * costs (seconds per point), and after countdown calls probes the other
 * count for MLP_TUNE_PROBES calls; a probe that loses makes the next one
 * MLP_TUNE_GROWTH times later (up to MLP_TUNE_MAX calls). */
#define MLP_TUNE_HIST 8
#define MLP_TUNE_PROBES 3
#define MLP_TUNE_FIRST 8
#define MLP_TUNE_GROWTH 4
#define MLP_TUNE_MAX 16384
/* A probe call this many times slower than the current count ends its
 * round at once: a loaded machine makes the other count lose by far more,
 * and a close loser is not worth the remaining probe calls. */
#define MLP_TUNE_GIVEUP 1.5
typedef struct mlp_tuner {
    int cur, max, probing, np, nh, head;
    long countdown, interval;
    double hist[MLP_TUNE_HIST], probe[MLP_TUNE_PROBES];
} mlp_tuner;
void mlp_tuner_init(mlp_tuner *t);
/* Threads for the next pass when max are allowed (max <= 1: 1). */
int mlp_tuner_threads(mlp_tuner *t, int max);
/* The pass ran on `used` threads at `cost` (seconds per point). */
void mlp_tuner_record(mlp_tuner *t, int used, double cost);

/* Every matrix is stacked by channel: rows c*n + p, row-major. For weight
 * layer l (0 .. L-1): a[l] is its input (C*n x width[l]); for hidden layers
 * (l < L-1) z[l] its pre-activation (C*n x width[l+1], bias included on the
 * value rows) and s1/s2/s3[l] the activation's derivatives at the value
 * pre-activation (n x width[l+1]). g0/g1 (max_channels x widest hidden
 * layer) hold one point's upstream gradients in the naive backward. */
struct mlp_workspace {
    size_t n_layers, width[MLP_MAX_LAYERS + 1];
    size_t max_points, max_channels;
    double *block;                  /* the one allocation every view points into */
    double *a[MLP_MAX_LAYERS];
    double *z[MLP_MAX_LAYERS];
    double *s1[MLP_MAX_LAYERS], *s2[MLP_MAX_LAYERS], *s3[MLP_MAX_LAYERS];
    double *g0, *g1;                /* the naive pass's upstream gradients, one point */
    /* The fast pass runs row blocks of block_pts points through every layer,
     * up to n_thr blocks at once. It stores z[l] (and a[0]) for all points,
     * and a[l > 0], s1-s3 too when keep (see MLP_KEEP_BYTES); per thread,
     * scratch (scratch_len doubles) holds two gradient blocks of g_len
     * doubles, two strips of strip_len (s'' and s''' of one strip) and, unless keep, one block's activations and s1-s3 of every
     * hidden layer; backward's chunks add into private gradients in tgrad
     * (MLP_GRAD_CHUNKS of n_params each, 8-aligned). */
    size_t block_pts, n_thr, scratch_len, g_len, strip_len, n_params;
    int keep, rule;                 /* rule: mlp_act_rule of the net's activation */
    double *scratch, *tgrad;
    double *wt;                     /* W_l transposed (width[l] x width[l+1]) at w_off[l] */
    mlp_tuner tune_fwd, tune_bwd;   /* thread counts in auto mode (mlp_threads.c) */
    int ready;                      /* a forward pass has filled the views */
    size_t n;                       /* points of that pass */
    mlp_channels ch;
    mlp_plan plan;
    /* random weight factorization: the materialised parameters, the net
     * that reads them, and the gradient in their layout (n_params each) */
    double *wm, *gw;
    mlp view;
    int rwf_ready;                  /* view holds the last forward's W */
};

/* Checks ws, net, ch, x, n, out for a forward pass and records ch and n in ws. */
int mlp_forward_check(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                      const double *x, size_t n, const double *out);
/* Checks ws, net, gout, grad for a backward pass. */
int mlp_backward_check(const mlp_workspace *ws, const mlp *net, const double *gout,
                       const double *grad);
/* Fills a[0] from x: the value rows are x, first derivative rows d/dx_i are
 * e_i, second derivative rows are zero; for an embedded net the embedding
 * and its derivatives in the raw inputs (mlp_embed_fill). */
void mlp_input_fill(mlp_workspace *ws, const mlp *net, const double *x);
/* a[0] of an embedded net from x (n x n_in) for ws's channels and points. */
void mlp_embed_fill(const mlp_workspace *ws, const mlp *net, const double *x);
/* Random weight factorization (mlp_rwf.c): a forward pass `fwd` (fast or
 * naive) of net run on the materialised W_l = diag(exp(s_l)) V_l (kept in
 * ws->wm, read through ws->view), and the backward pass `bwd` after it,
 * whose dLoss/dW is mapped to dLoss/dV = exp(s) dW (row by row) and
 * dLoss/ds_o = sum_k dW_ok W_ok and added to grad. */
typedef int (*mlp_fwd_fn)(mlp_workspace *, const mlp *, const mlp_channels *, const double *,
                          size_t, double *);
typedef int (*mlp_bwd_fn)(mlp_workspace *, const mlp *, const double *, double *);
int mlp_rwf_forward(mlp_workspace *ws, const mlp *net, const mlp_channels *ch, const double *x,
                    size_t n, double *out, mlp_fwd_fn fwd);
int mlp_rwf_backward(mlp_workspace *ws, const mlp *net, const double *gout, double *grad,
                     mlp_bwd_fn bwd);

/* C (M x N, row stride ldc) = A B, or += when accumulate: element (i, k) of
 * A is A[i*ars + k*acs] (so A or its transpose), B is K x N with row stride
 * ldb. Runs the active kernel path (mlp_gemm_active). */
void mlp_gemm(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
              const double *B, size_t ldb, double *C, size_t ldc, int accumulate);
/* The same in plain loops: the fallback, and what tests compare against. */
void mlp_gemm_plain(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
                    const double *B, size_t ldb, double *C, size_t ldc, int accumulate);
int mlp_cpu_fma(void);

/* How the fast pass gets s'' and s''' of an activation: from the value
 * s and s' it keeps (tanh: s'' = -2 s s', s''' = -2 s' (1 - 3 s^2); sin:
 * s'' = -s, s''' = -s'), or, for every other activation, from stored
 * arrays. mlp_act_rule tells which one act is (by its eval_n). */
enum { MLP_RULE_STORED, MLP_RULE_TANH, MLP_RULE_SIN };
int mlp_act_rule(const mlp_activation *act);

/* The batch activations (mlp_act_vec.c) on the active instruction-set path. */
void mlp_tanh_n(size_t n, const double *z, double *s0, double *s1, double *s2, double *s3);
void mlp_sin_n(size_t n, const double *z, double *s0, double *s1, double *s2, double *s3);

/* A kernel path of mlp_gemm: usable() says whether this CPU and build can
 * run it. mlp_gemm_kernels lists them best first ("libxsmm" when built with
 * it, "avx2", "plain"), NULL-terminated. */
typedef void (*mlp_gemm_fn)(size_t M, size_t N, size_t K, const double *A, size_t ars,
                            size_t acs, const double *B, size_t ldb, double *C, size_t ldc,
                            int accumulate);
typedef struct mlp_gemm_kernel {
    const char *name;
    int (*usable)(void);
    mlp_gemm_fn run;
} mlp_gemm_kernel;
extern const mlp_gemm_kernel mlp_gemm_kernels[];
/* The kernel called name, or NULL. */
const mlp_gemm_kernel *mlp_gemm_kernel_find(const char *name);
/* The path mlp_gemm runs: PINN_GEMM from the environment if usable, else the
 * first usable one of the table. */
const mlp_gemm_kernel *mlp_gemm_active(void);
/* Makes k the path of every later mlp_gemm (tests, bench; not while passes
 * run). MLP_EINVAL when k is NULL or not usable here. */
int mlp_gemm_select(const mlp_gemm_kernel *k);

#endif
