/* nets/mlp.h - a multilayer perceptron that returns, for a batch of points,
 * its output and the analytic derivatives of the output with respect to its
 * inputs (derivative "channels" carried forward through every layer), and
 * the gradient of any loss built from those channels with respect to every
 * parameter. It knows nothing of PDEs, losses or files.
 *
 * Layout. All parameters live in ONE contiguous double array (net->params);
 * layer l has W_l (width[l+1] x width[l], row-major) at params + w_off[l] and
 * b_l (width[l+1]) at params + b_off[l]. Gradients and optimizer state use
 * the same layout and length (net->n_params).
 *
 * Embedding and factorization (optional, mlp_alloc_opts). An input
 * embedding is a fixed stage in front of the first layer: periodic inputs
 * become cos/sin(2 pi k (x - lo) / period), k = 1..K, the others pass
 * through, and random Fourier features [cos(2 pi B u), sin(2 pi B u)] may
 * follow; width[0] is then the embedding's width and n_in the raw inputs.
 * Random weight factorization trains W_l = diag(exp(s_l)) V_l: V_l sits
 * where W_l would (w_off), s_l (width[l+1]) at s_off[l] after every layer's
 * W and b; the passes build W from (s, V) and return dLoss/ds and dLoss/dV.
 *
 * Channels. A channel set lists what to compute at each point: the value,
 * first derivatives d/dx_i and second derivatives d2/dx_i dx_j. Forward
 * output for N points is a (C*N) x m row-major matrix: row c*N + p is
 * channel c at point p (m = number of outputs). */
#ifndef PINN_MLP_H
#define PINN_MLP_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

enum {
    MLP_OK = 0,
    MLP_EINVAL = 1, /* bad argument: sizes, unknown name, channel set */
    MLP_ENOMEM = 2, /* allocation failed */
    MLP_ESIZE = 3   /* more points or channels than the workspace holds */
};

#define MLP_MAX_INPUTS 4
#define MLP_MAX_LAYERS 32
#define MLP_MAX_CHANNELS 16
#define MLP_MAX_EMBED 1024 /* widest embedding */

/* An activation function: writes s(z), s'(z), s''(z), s'''(z). eval_n, when
 * not NULL, does the same for n values at once (a vectorisable loop; the fast
 * pass prefers it; z must not overlap the outputs); it agrees with eval to a
 * few ulps. */
typedef struct mlp_activation {
    const char *name;
    void (*eval)(double z, double *s0, double *s1, double *s2, double *s3);
    void (*eval_n)(size_t n, const double *z, double *s0, double *s1, double *s2,
                   double *s3);
} mlp_activation;

/* The activations ("tanh", "sin", ...), terminated by an entry with name NULL. */
extern const mlp_activation mlp_activations[];
/* Returns the activation called name, or NULL. */
const mlp_activation *mlp_activation_find(const char *name);

/* A weight initialiser: fills W (fan_out x fan_in) from rng. */
typedef struct mlp_initializer {
    const char *name;
    void (*fill)(double *w, size_t fan_out, size_t fan_in, gsl_rng *rng);
} mlp_initializer;

/* The initialisers ("glorot_normal", "glorot_uniform", ...), NULL-terminated. */
extern const mlp_initializer mlp_initializers[];
/* Returns the initialiser called name, or NULL. */
const mlp_initializer *mlp_initializer_find(const char *name);

/* A fixed input embedding (no trainable parameters): bit i of periodic
 * makes input i enter as cos and sin of 2 pi k (x_i - lo[i]) / period[i],
 * k = 1..harmonics (period > 0), so the net is exactly periodic in x_i;
 * other inputs pass through. fourier > 0 then maps those values u to
 * [cos(2 pi B u), sin(2 pi B u)] with B (fourier x width of u) drawn from
 * N(0, sigma^2) by mlp_init. All zero: no embedding. */
typedef struct mlp_embedding {
    unsigned periodic;
    size_t harmonics;
    double lo[MLP_MAX_INPUTS], period[MLP_MAX_INPUTS];
    size_t fourier;
    double sigma;
} mlp_embedding;

/* Options of mlp_alloc_opts: an embedding, and random weight factorization
 * of every dense layer (rwf not 0) with s drawn from N(rwf_mu, rwf_sigma^2). */
typedef struct mlp_options {
    mlp_embedding embed;
    int rwf;
    double rwf_mu, rwf_sigma;
} mlp_options;

typedef struct mlp {
    size_t n_layers;                  /* weight layers: hidden layers + output */
    size_t width[MLP_MAX_LAYERS + 1]; /* width[0] inputs ... width[n_layers] outputs */
    const mlp_activation *act;        /* on every hidden layer; output is linear */
    size_t n_params;
    double *params;                   /* owned; one block of n_params */
    size_t w_off[MLP_MAX_LAYERS];
    size_t b_off[MLP_MAX_LAYERS];
    size_t n_in;                      /* raw inputs: width[0] unless embedded */
    int embedded;                     /* emb is in front of the first layer */
    mlp_embedding emb;
    size_t emb_mid;                   /* width of u: the periodic stage's output */
    double *fourier_B;                /* owned; emb.fourier x emb_mid, or NULL */
    int rwf;                          /* W_l = diag(exp(s_l)) V_l */
    double rwf_mu, rwf_sigma;
    size_t s_off[MLP_MAX_LAYERS];
} mlp;

/* Allocates a net with n_layers weight layers and widths width[0..n_layers]
 * (inputs 1..MLP_MAX_INPUTS, every width 1..65536) and activation act (not
 * NULL). Parameters are zero until mlp_init. Returns NULL
 * on bad sizes or out of memory. The caller owns the net: mlp_free. */
mlp *mlp_alloc(size_t n_layers, const size_t *width, const mlp_activation *act);
/* The same with options (NULL: none). width[0] is the number of raw inputs;
 * with an embedding the net's width[0] becomes the embedding's width (at
 * most MLP_MAX_EMBED). NULL also on a bad embedding (a periodic bit on a
 * missing input, period <= 0 or not finite, harmonics 0 with a periodic
 * input, sigma <= 0 with fourier > 0) or factorization (rwf_sigma < 0). */
mlp *mlp_alloc_opts(size_t n_layers, const size_t *width, const mlp_activation *act,
                    const mlp_options *opt);
/* Frees the net and its parameters; mlp_free(NULL) does nothing. */
void mlp_free(mlp *net);
/* Makes room for `extra` more values after the n_params parameters in the
 * same block (zeroed; n_params is unchanged): a trainer keeps other
 * trainable scalars there, so its optimizer sees one flat vector. The
 * params pointer may move. MLP_OK or MLP_ENOMEM. */
int mlp_params_extend(mlp *net, size_t extra);
/* Draws every W from init with rng and sets every b to zero; then, in this
 * order, the Fourier matrix B and each factorized layer's s (V = W / exp(s)
 * row by row), all from rng: the same rng state gives the same net. */
int mlp_init(mlp *net, const mlp_initializer *init, gsl_rng *rng);

static inline double *mlp_W(const mlp *net, size_t l) { return net->params + net->w_off[l]; }
static inline double *mlp_b(const mlp *net, size_t l) { return net->params + net->b_off[l]; }

/* One channel: value (i = j = -1), d/dx_i (i >= 0, j = -1), or d2/dx_i dx_j
 * (i >= 0, j >= 0; pure when i == j). */
typedef struct mlp_channel {
    int i, j;
} mlp_channel;

typedef struct mlp_channels {
    size_t n;
    mlp_channel c[MLP_MAX_CHANNELS];
} mlp_channels;

/* Fills ch with the value, then d/dx_i for every bit i of `first` (ascending),
 * then d2/dx_i^2 for every bit i of `second` (ascending). A bit in `second`
 * implies the same bit in `first`. Returns MLP_EINVAL if a bit is >= n_inputs. */
int mlp_channels_set(mlp_channels *ch, unsigned first, unsigned second, size_t n_inputs);
/* Index of channel (i, j) in ch (value: -1, -1; first: i, -1), or -1 if absent.
 * (i, j) and (j, i) are the same channel. */
int mlp_channels_index(const mlp_channels *ch, int i, int j);
/* Appends channel (i, j) unless ch already has it, e.g. the mixed d2/dx dy
 * as (0, 1). Returns MLP_EINVAL for a malformed channel or a full set.
 * mlp_forward also wants the value and, for (i, j), d/dx_i and d/dx_j. */
int mlp_channels_add(mlp_channels *ch, int i, int j);

/* Scratch memory for forward and backward, sized once; no allocation after. */
typedef struct mlp_workspace mlp_workspace;

/* Allocates a workspace for net holding up to max_points points and up to
 * max_channels channels. The fast pass uses at most as many OpenMP threads
 * as omp_get_max_threads() gave here. Returns NULL on bad sizes or out of
 * memory. */
mlp_workspace *mlp_workspace_alloc(const mlp *net, size_t max_points, size_t max_channels);
/* Frees ws; NULL does nothing. */
void mlp_workspace_free(mlp_workspace *ws);

/* Auto mode (off by default): every workspace times its passes and runs 1
 * thread or all omp_get_max_threads() allows, whichever is faster now; the
 * results are the same bits either way. Set before passes run. */
void mlp_threads_set_auto(int on);
int mlp_threads_get_auto(void);

/* Forward pass: x is n x width[0] (row-major), out is (ch->n * n) x
 * width[n_layers]. Keeps in ws what mlp_backward needs; ws remembers ch and n.
 * Returns MLP_OK, MLP_EINVAL (bad channel set) or MLP_ESIZE. */
/* Channel sets: any order; the value channel must be present, every channel
 * at most once, and a second derivative (i, j) needs d/dx_i and d/dx_j in the
 * set; mixed second derivatives (i != j) are supported. n = 0, NULL pointers
 * or a net of another shape than ws was sized for give MLP_EINVAL; a failed
 * forward leaves ws unusable for backward (MLP_EINVAL) until the next one. */
int mlp_forward(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                const double *x, size_t n, double *out);
/* Backward pass after mlp_forward on the same ws and net: gout has the shape
 * of out and holds dLoss/d(out). ADDS dLoss/d(params) to grad (n_params). */
int mlp_backward(mlp_workspace *ws, const mlp *net, const double *gout, double *grad);

/* The same two passes written plainly (per point, no BLAS, no threads):
 * the reference the fast path is tested against. Same contracts. */
int mlp_forward_naive(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                      const double *x, size_t n, double *out);
int mlp_backward_naive(mlp_workspace *ws, const mlp *net, const double *gout, double *grad);

#endif
