/* losses/pinnloss.h - libpinnloss: loss functions with their gradients,
 * multi-task loss weighting and gradient checks, for any C program. Depends
 * on libc and libm only; knows nothing of the pinn solver or of networks.
 *
 * Conventions (every loss below):
 *  - Arguments: outputs first (loss, then gradients), then inputs, then sizes
 *    and parameters. Arrays are row-major; "B x D" means B rows of D doubles.
 *  - `loss` must not be NULL. Every gradient pointer may be NULL, and then that
 *    gradient is not computed. Gradients are WRITTEN (not accumulated), with
 *    the shape of the input they belong to.
 *  - Return PL_OK; PL_EINVAL for a NULL input, a size of 0 where it has no
 *    meaning, a label out of range or a bad parameter (non-finite, or outside
 *    its stated range); PL_ENAN when an input array holds a NaN or an Inf.
 *    On these errors nothing is written. PL_ERANGE when the inputs are finite
 *    but the loss overflows to Inf or NaN (|x| ~ 1e200 in a squared loss,
 *    a temperature of 1e-300): the outputs are then written and not usable.
 *  - No loss allocates memory, and the library has no global state: every
 *    function is reentrant. Only pl_weighting_alloc allocates.
 *  - "mean" divides by the number of terms named in the formula.
 */
#ifndef PINNLOSS_H
#define PINNLOSS_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { PL_OK = 0, PL_EINVAL = 1, PL_ENAN = 2, PL_ENOMEM = 3, PL_ERANGE = 4 };

/* Returns the library version, e.g. "0.1.0" (a static string). */
const char *pl_version(void);
/* Returns a static English message for an error code ("unknown" otherwise). */
const char *pl_strerror(int code);

/* ---- regression: pred, target, grad_pred are n; d = pred - target ------- */

/* MSE: mean(d^2); grad 2d/n. */
int pl_mse(double *loss, double *grad_pred, const double *pred,
           const double *target, size_t n);
/* MAE: mean|d|; grad sign(d)/n (0 where d == 0). */
int pl_mae(double *loss, double *grad_pred, const double *pred,
           const double *target, size_t n);
/* Huber: mean of 0.5 d^2 for |d| <= delta, delta (|d| - 0.5 delta) beyond;
 * delta > 0. */
int pl_huber(double *loss, double *grad_pred, const double *pred,
             const double *target, size_t n, double delta);
/* Log-cosh: mean log(cosh d), evaluated as |d| + log1p(exp(-2|d|)) - log 2 so
 * it stays finite for any finite d; grad tanh(d)/n. */
int pl_logcosh(double *loss, double *grad_pred, const double *pred,
               const double *target, size_t n);

/* ---- classification (from logits, in log-sum-exp / softplus form, so large
 *      logits neither overflow nor lose the loss) ------------------------- */

/* Softmax cross-entropy: logits B x K, labels B in [0, K); mean over rows of
 * logsumexp(z_b) - z_b[y_b]; grad_logits B x K = (softmax(z_b) - onehot)/B. */
int pl_softmax_xent(double *loss, double *grad_logits, const double *logits,
                    const int *labels, size_t B, size_t K);
/* Binary cross-entropy: logits and targets n (targets in [0, 1]); mean of
 * max(z,0) - z y + log1p(exp(-|z|)); grad (sigmoid(z) - y)/n. */
int pl_bce_logits(double *loss, double *grad_logits, const double *logits,
                  const double *targets, size_t n);
/* Multi-class hinge, Weston-Watkins form: logits B x K, labels B; mean over
 * rows of sum_{j != y} max(0, margin + z_j - z_y); margin >= 0. At a kink
 * (argument exactly 0) the term counts as inactive. */
int pl_hinge_multiclass(double *loss, double *grad_logits, const double *logits,
                        const int *labels, size_t B, size_t K, double margin);
/* Binary focal loss (Lin et al. 2017): logits n, targets n in {0, 1};
 * p_t = sigmoid(z) if y = 1 else 1 - sigmoid(z), a_t = alpha if y = 1 else
 * 1 - alpha; mean of -a_t (1 - p_t)^gamma log p_t. gamma >= 0, alpha in
 * [0, 1]. gamma = 0, alpha = 0.5 is half the BCE. */
int pl_focal_logits(double *loss, double *grad_logits, const double *logits,
                    const double *targets, size_t n, double gamma, double alpha);

/* ---- feature matching -------------------------------------------------- */

/* Perceptual loss over L layers: layer l has n[l] features a[l], b[l];
 * sum_l w[l] mean_i (a[l][i] - b[l][i])^2. grad_a is NULL or an array of L
 * pointers (each NULL or n[l] long) receiving dLoss/da[l]; the gradient with
 * respect to b[l] is its negative. w[l] finite (any sign), n[l] >= 1. */
int pl_perceptual(double *loss, double *const *grad_a, const double *const *a,
                  const double *const *b, const size_t *n, const double *w,
                  size_t L);
/* Gram matrix: feat C x HW (C channels, HW = H*W positions) -> gram C x C,
 * gram[i][j] = sum_p feat[i][p] feat[j][p] / HW. */
int pl_gram(double *gram, const double *feat, size_t C, size_t HW);
/* Gram backward: given grad_gram (C x C, dLoss/dgram) and feat (C x HW),
 * writes grad_feat (C x HW) = (grad_gram + grad_gram^T) feat / HW. */
int pl_gram_backward(double *grad_feat, const double *grad_gram,
                     const double *feat, size_t C, size_t HW);
/* Style loss over L layers: layer l has features feat[l] (C[l] x HW[l]) and
 * a target Gram target[l] (C[l] x C[l]); sum_l w[l] mean_ij
 * (gram(feat[l])_ij - target[l]_ij)^2. grad_feat as in pl_perceptual (arrays
 * C[l] x HW[l]). Costs O(C^2 HW) per layer and needs no workspace. */
int pl_style(double *loss, double *const *grad_feat, const double *const *feat,
             const double *const *target, const size_t *C, const size_t *HW,
             const double *w, size_t L);

/* ---- ranking ------------------------------------------------------------- */

/* Pairwise margin ranking: s_pos, s_neg n; mean of max(0, margin + s_neg -
 * s_pos); grads n each (a zero argument counts as inactive). */
int pl_margin_ranking(double *loss, double *grad_pos, double *grad_neg,
                      const double *s_pos, const double *s_neg, size_t n,
                      double margin);
/* ListNet top-one (Cao et al. 2007): scores, relevance n, one list;
 * -sum_i softmax(relevance)_i log softmax(scores)_i; grad
 * softmax(scores) - softmax(relevance). */
int pl_listnet(double *loss, double *grad_scores, const double *scores,
               const double *relevance, size_t n);
/* ListMLE (Xia et al. 2008): scores n, order n = the true ranking as item
 * indices, best first (each < n; a permutation is the caller's duty); the
 * negative Plackett-Luce log-likelihood sum_i [logsumexp_{j>=i}
 * s[order[j]] - s[order[i]]] (a sum over positions, not a mean). */
int pl_listmle(double *loss, double *grad_scores, const double *scores,
               const size_t *order, size_t n);

/* ---- metric learning ---------------------------------------------------- */

/* Triplet: anchor, pos, neg B x D; mean over rows of max(0, |a-p|^2 -
 * |a-n|^2 + margin) with squared Euclidean distances; grads B x D each. */
int pl_triplet(double *loss, double *grad_anchor, double *grad_pos,
               double *grad_neg, const double *anchor, const double *pos,
               const double *neg, size_t B, size_t D, double margin);
/* Contrastive (Hadsell et al. 2006): x1, x2 B x D, same B (non-zero = same
 * class); d = |x1 - x2| (Euclidean); mean of d^2 for same pairs and
 * max(0, margin - d)^2 for different pairs; margin >= 0. Where d = 0 for a
 * different pair the gradient direction is undefined and 0 is written. */
int pl_contrastive(double *loss, double *grad_x1, double *grad_x2,
                   const double *x1, const double *x2, const int *same,
                   size_t B, size_t D, double margin);
/* InfoNCE for one query: q, pos D, neg N x D (N >= 0); logits l_0 = q.pos/T,
 * l_j = q.neg_j/T; -log softmax(l)_0. temperature T > 0. Similarities are
 * plain dot products: normalise the embeddings first for cosine. */
int pl_infonce(double *loss, double *grad_q, double *grad_pos, double *grad_neg,
               const double *q, const double *pos, const double *neg,
               size_t N, size_t D, double T);
/* Batched InfoNCE with in-batch negatives (SimCLR/CLIP): q, k B x D; S =
 * q k^T / T; L_qk = mean_i -log softmax(S_i.)_i (rows); when symmetric is
 * non-zero the loss is (L_qk + L_kq)/2 with L_kq over the columns. grads
 * B x D. O(B^2 D) time, no workspace (S is recomputed). */
int pl_infonce_batch(double *loss, double *grad_q, double *grad_k,
                     const double *q, const double *k, size_t B, size_t D,
                     double T, int symmetric);

/* ---- constraints (soft penalties; grad has the shape of x) -------------- */

/* Sum-to-target: (sum_i x_i - target)^2, n >= 1. */
int pl_sum_to(double *loss, double *grad, const double *x, size_t n,
              double target);
/* Non-negativity: mean relu(-x)^2. */
int pl_nonneg(double *loss, double *grad, const double *x, size_t n);
/* Bounds: mean [relu(lower - x)^2 + relu(x - upper)^2]; lower <= upper, either
 * may be infinite (a one-sided bound), neither NaN. */
int pl_bounds(double *loss, double *grad, const double *x, size_t n,
              double lower, double upper);
enum { PL_INCREASING = 1, PL_DECREASING = -1 };
/* Monotonicity: n >= 2; mean over the n-1 consecutive pairs of
 * relu(x_i - x_{i+1})^2 (PL_INCREASING) or relu(x_{i+1} - x_i)^2
 * (PL_DECREASING): only violations are penalised. */
int pl_monotonic(double *loss, double *grad, const double *x, size_t n,
                 int direction);
/* Boundary values: pred n, idx and target m (idx < n); mean_j
 * (pred[idx_j] - target_j)^2; grad n (zero where no index points). */
int pl_boundary_values(double *loss, double *grad, const double *pred, size_t n,
                       const size_t *idx, const double *target, size_t m);
/* Symmetry: f, f_flip n (f at x and at flip(x)); sum_i (f_i - f_flip_i)^2
 * (the squared norm, not a mean); grads n each. */
int pl_symmetry(double *loss, double *grad_f, double *grad_f_flip,
                const double *f, const double *f_flip, size_t n);
/* Smoothness: n >= 3; mean over i = 1..n-2 of (x_{i-1} - 2 x_i + x_{i+1})^2. */
int pl_smoothness(double *loss, double *grad, const double *x, size_t n);
/* Conservation: in n_in, out n_out (either may be 0 but not both);
 * (sum in - sum out)^2; grads n_in and n_out. */
int pl_conservation(double *loss, double *grad_in, double *grad_out,
                    const double *in, size_t n_in, const double *out,
                    size_t n_out);

/* ---- physics residuals --------------------------------------------------- */

/* ODE residual: dydt, f N x m, dfdy N x m x m with dfdy[p][j][k] = d f_j /
 * d y_k at point p (may be NULL when grad_y is NULL); r = dydt - f; mean over
 * the N m entries of r^2; grad_dydt N x m = 2r/(N m), grad_y N x m with
 * grad_y[p][k] = -2/(N m) sum_j r[p][j] dfdy[p][j][k]. */
int pl_ode_residual(double *loss, double *grad_dydt, double *grad_y,
                    const double *dydt, const double *f, const double *dfdy,
                    size_t N, size_t m);
/* Residual MSE: mean(r^2) over n; grad 2r/n. */
int pl_residual_mse(double *loss, double *grad_r, const double *r, size_t n);

/* ---- adversarial (inputs are discriminator/critic outputs; real n_real,
 *      fake n_fake; "logits" are pre-sigmoid; means are per array) -------- */

/* GAN discriminator: mean -log sigmoid(real) + mean -log(1 - sigmoid(fake)),
 * computed as softplus(-real) and softplus(fake). */
int pl_gan_d(double *loss, double *grad_real, double *grad_fake,
             const double *real, size_t n_real, const double *fake,
             size_t n_fake);
/* GAN generator, non-saturating: mean -log sigmoid(fake) = softplus(-fake). */
int pl_gan_g(double *loss, double *grad_fake, const double *fake, size_t n_fake);
/* WGAN critic: mean(fake) - mean(real) (raw critic scores). */
int pl_wgan_d(double *loss, double *grad_real, double *grad_fake,
              const double *real, size_t n_real, const double *fake,
              size_t n_fake);
/* WGAN generator: -mean(fake). */
int pl_wgan_g(double *loss, double *grad_fake, const double *fake, size_t n_fake);
/* Hinge discriminator: mean relu(1 - real) + mean relu(1 + fake). */
int pl_hinge_d(double *loss, double *grad_real, double *grad_fake,
               const double *real, size_t n_real, const double *fake,
               size_t n_fake);
/* Hinge generator: -mean(fake). */
int pl_hinge_g(double *loss, double *grad_fake, const double *fake, size_t n_fake);
/* LSGAN discriminator (Mao et al. 2017, targets real 1, fake 0, on raw
 * scores): 0.5 mean (real - 1)^2 + 0.5 mean fake^2. */
int pl_lsgan_d(double *loss, double *grad_real, double *grad_fake,
               const double *real, size_t n_real, const double *fake,
               size_t n_fake);
/* LSGAN generator (target 1): 0.5 mean (fake - 1)^2. */
int pl_lsgan_g(double *loss, double *grad_fake, const double *fake, size_t n_fake);

/* ---- multi-task weighting ----------------------------------------------
 * One object type; the scheme is chosen by name from a const table:
 *   "fixed"        lambda_k = init[k]; update does nothing.
 *   "uncertainty"  Kendall et al. 2018. Trainable s_k = log sigma_k^2 (start
 *                  at 0). Total = sum_k 0.5 exp(-s_k) L_k + 0.5 s_k; weights
 *                  are 0.5 exp(-s_k). The caller may train s with its own
 *                  optimiser through pl_weighting_trainable / _param_grad (set
 *                  params.lr = 0), or let update take a plain gradient step
 *                  s -= lr dTotal/ds (params.lr > 0).
 *   "gradnorm"     Chen et al. 2018. Needs PL_NEED_GRAD_NORM. The first update
 *                  records L_k(0). With G_k = lambda_k g_k (g_k =
 *                  ||grad_theta L_k||, unweighted), r_k = (L_k/L_k(0)) /
 *                  mean_j(L_j/L_j(0)), target_k = mean(G) r_k^alpha (held
 *                  constant), the gradient of sum_k |G_k - target_k| is
 *                  sign(G_k - target_k) g_k; lambda_k -= lr * that, clamped
 *                  at min_weight, then rescaled to sum to K.
 *   "annealing"    Wang, Teng & Perdikaris 2021. Needs PL_NEED_GRAD_MAX_MEAN.
 *                  lambda_ref = 1; for k != ref, lambda_hat_k = max|grad
 *                  L_ref| / mean|grad L_k| and lambda_k <- (1 - beta)
 *                  lambda_k + beta lambda_hat_k (kept when mean|grad L_k| = 0).
 *   "dwa"          Liu et al. 2019. Weights are 1 until two updates have been
 *                  fed; then with w_k = L_k(t-1)/L_k(t-2) (1 when the
 *                  denominator is 0), lambda_k = K softmax(w / T)_k.
 * A training step: weights -> combine -> backward -> update(losses, stats). */

typedef struct pl_weighting pl_weighting;

typedef struct pl_weighting_params {
    const double *init;  /* K initial weights (fixed, gradnorm, annealing) or
                            NULL for all ones; must be finite and > 0 */
    double alpha;        /* gradnorm asymmetry, >= 0 (default 1.5) */
    double lr;           /* gradnorm / uncertainty step, >= 0 (default 0.025;
                            uncertainty: 0 = caller trains s) */
    double min_weight;   /* gradnorm clamp, > 0 (default 1e-6) */
    double beta;         /* annealing rate, in [0, 1] (default 0.1) */
    size_t ref;          /* annealing reference term, < K (default 0) */
    double temperature;  /* dwa T, > 0 (default 2) */
} pl_weighting_params;

/* Statistics a scheme may need (bit flags from pl_weighting_needs). */
enum { PL_NEED_NONE = 0, PL_NEED_GRAD_NORM = 1, PL_NEED_GRAD_MAX_MEAN = 2 };

/* Per-term gradient statistics for update; arrays of K, NULL when unneeded. */
typedef struct pl_term_stats {
    const double *grad_norm;     /* ||grad_theta L_k||_2, unweighted (gradnorm) */
    const double *grad_max_abs;  /* max_i |dL_k/dtheta_i| (annealing; [ref] read) */
    const double *grad_mean_abs; /* mean_i |dL_k/dtheta_i| (annealing) */
} pl_term_stats;

/* Returns the documented defaults (init NULL). */
pl_weighting_params pl_weighting_params_default(void);
/* Returns the name of scheme i (0-based) or NULL past the last one. */
const char *pl_weighting_kind_name(size_t i);
/* Returns NULL when (kind, K, params) are acceptable, else a static message
 * naming what is wrong. params NULL means the defaults. */
const char *pl_weighting_check(const char *kind, size_t K,
                               const pl_weighting_params *params);
/* Allocates a scheme for K >= 1 terms; copies params (and init), so the
 * caller keeps ownership of both. Returns NULL when pl_weighting_check fails
 * or memory runs out. */
pl_weighting *pl_weighting_alloc(const char *kind, size_t K,
                                 const pl_weighting_params *params);
/* Frees w and everything it owns; NULL is a no-op. */
void pl_weighting_free(pl_weighting *w);
/* The scheme's name ("gradnorm", ...) and its number of terms. */
const char *pl_weighting_name(const pl_weighting *w);
size_t pl_weighting_size(const pl_weighting *w);
/* Which statistics update needs: PL_NEED_* flags or'ed. */
unsigned pl_weighting_needs(const pl_weighting *w);
/* Writes the K current effective weights on L_k into lambda. */
int pl_weighting_weights(const pl_weighting *w, double *lambda);
/* Writes total = sum_k lambda_k L_k (+ 0.5 sum_k s_k for uncertainty) for
 * the K losses; PL_ENAN if a loss is not finite. */
int pl_weighting_combine(const pl_weighting *w, double *total,
                         const double *losses);
/* Feeds one step's K losses (and stats when pl_weighting_needs asks; a
 * needed array that is NULL is PL_EINVAL) and updates the weights. */
int pl_weighting_update(pl_weighting *w, const double *losses,
                        const pl_term_stats *stats);
/* Trainable parameters owned by w (s_k for uncertainty, lambda_k for
 * gradnorm; NULL and *n = 0 for the other schemes). The caller may change
 * them in place (gradnorm: then update with params.lr = 0 only records
 * L_k(0), clamps at min_weight and rescales to sum to K). */
double *pl_weighting_trainable(pl_weighting *w, size_t *n);
/* Writes dTotal/dparam for the K losses (uncertainty: -0.5 exp(-s_k) L_k +
 * 0.5); PL_EINVAL for schemes without parameters. */
int pl_weighting_param_grad(const pl_weighting *w, double *grad,
                            const double *losses);
/* GradNorm only: writes the K derivatives of sum_k |G_k - target_k| with
 * respect to lambda_k, sign(G_k - target_k) g_k (targets held constant; L_k(0)
 * is losses itself before the first update), for a caller that trains lambda
 * with its own optimiser. PL_EINVAL for another scheme or no grad_norm. */
int pl_weighting_gradnorm_grad(const pl_weighting *w, double *grad,
                               const double *losses, const pl_term_stats *stats);
/* Checkpoints: state_size doubles; state_get writes them, state_set restores
 * them into an object of the same kind and K (else PL_EINVAL). */
size_t pl_weighting_state_size(const pl_weighting *w);
int pl_weighting_state_get(const pl_weighting *w, double *state);
int pl_weighting_state_set(pl_weighting *w, const double *state, size_t n);

/* ---- debugging ----------------------------------------------------------- */

/* A scalar function of n variables, for gradient checks. */
typedef double (*pl_scalar_fn)(const double *x, void *ctx);

/* Gradient check: for each i, fd_i = (f(x + h e_i) - f(x - h e_i)) / (2h) and
 * err_i = |grad_i - fd_i| / max(|grad_i|, |fd_i|, abs_floor) (abs_floor > 0: below it
 * the error is absolute, so near-zero gradients do not blow up). Writes the
 * largest err_i to max_err and its index to worst (may be NULL). x is
 * perturbed and restored exactly. PL_ENAN if f returns a non-finite value. */
int pl_gradcheck(double *max_err, size_t *worst, pl_scalar_fn f, void *ctx,
                 double *x, const double *grad, size_t n, double h,
                 double abs_floor);

/* Gradient health report over n entries. norm and max_abs are over the finite
 * entries (norm computed with scaling, so no overflow); exploding when
 * norm > explode, vanishing when norm < vanish; ok when none of NaN, Inf,
 * exploding, vanishing. */
typedef struct pl_grad_health {
    size_t n, nan_count, inf_count;
    double norm, max_abs;
    int exploding, vanishing, ok;
} pl_grad_health;

/* Fills report for g (n >= 1); 0 <= vanish <= explode. NaN/Inf in g are
 * counted, not an error. */
int pl_grad_health_check(pl_grad_health *report, const double *g, size_t n,
                         double vanish, double explode);
/* Formats report as one line into buf (cap bytes, always NUL-terminated);
 * PL_EINVAL when buf is NULL, cap is 0 or the line was truncated. */
int pl_grad_health_format(char *buf, size_t cap, const pl_grad_health *report);

#ifdef __cplusplus
}
#endif
#endif
