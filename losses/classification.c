/* losses/classification.c - classification losses from logits: softmax and
 * binary cross-entropy, Weston-Watkins multi-class hinge, binary focal loss.
 * Everything is in log-sum-exp / softplus form; no probabilities as input. */
#include <math.h>
#include "pl_util.h"

/* Checks of the B x K losses with integer labels. */
static int check_rows(const double *loss, const double *logits,
                      const int *labels, size_t B, size_t K)
{
    if (!loss || !labels || B == 0 || K == 0)
        return PL_EINVAL;
    int rc = pl_check(logits, B * K);
    if (rc)
        return rc;
    for (size_t b = 0; b < B; b++)
        if (labels[b] < 0 || (size_t)labels[b] >= K)
            return PL_EINVAL;
    return PL_OK;
}

int pl_softmax_xent(double *loss, double *grad_logits, const double *logits,
                    const int *labels, size_t B, size_t K)
{
    int rc = check_rows(loss, logits, labels, B, K);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *z = logits + b * K;
        double lse = pl_logsumexp(z, K);
        s += lse - z[labels[b]];
        if (grad_logits) {
            double *g = grad_logits + b * K;
            for (size_t j = 0; j < K; j++)
                g[j] = exp(z[j] - lse) / (double)B;
            g[labels[b]] -= 1.0 / (double)B;
        }
    }
    *loss = s / (double)B;
    return pl_result(loss);
}

int pl_bce_logits(double *loss, double *grad_logits, const double *logits,
                  const double *targets, size_t n)
{
    if (!loss || n == 0)
        return PL_EINVAL;
    int rc = pl_check(logits, n);
    if (!rc)
        rc = pl_check(targets, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (targets[i] < 0 || targets[i] > 1)
            return PL_EINVAL;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double z = logits[i], y = targets[i];
        s += (z > 0 ? z : 0.0) - z * y + log1p(exp(-fabs(z)));
        if (grad_logits)
            grad_logits[i] = (pl_sigmoid(z) - y) / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_hinge_multiclass(double *loss, double *grad_logits, const double *logits,
                        const int *labels, size_t B, size_t K, double margin)
{
    if (!pl_nonneg_param(margin))
        return PL_EINVAL;
    int rc = check_rows(loss, logits, labels, B, K);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *z = logits + b * K;
        double *g = grad_logits ? grad_logits + b * K : NULL;
        size_t y = (size_t)labels[b];
        if (g)
            for (size_t j = 0; j < K; j++)
                g[j] = 0.0;
        for (size_t j = 0; j < K; j++) {
            if (j == y)
                continue;
            double a = margin + z[j] - z[y];
            if (a > 0) {
                s += a;
                if (g) {
                    g[j] += 1.0 / (double)B;
                    g[y] -= 1.0 / (double)B;
                }
            }
        }
    }
    *loss = s / (double)B;
    return pl_result(loss);
}

int pl_focal_logits(double *loss, double *grad_logits, const double *logits,
                    const double *targets, size_t n, double gamma, double alpha)
{
    if (!loss || n == 0 || !pl_nonneg_param(gamma) || !(alpha >= 0 && alpha <= 1))
        return PL_EINVAL;
    int rc = pl_check(logits, n);
    if (!rc)
        rc = pl_check(targets, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (targets[i] != 0.0 && targets[i] != 1.0)
            return PL_EINVAL;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        /* With s = z for y = 1 and -z for y = 0: p_t = sigmoid(s),
         * -log p_t = softplus(-s), 1 - p_t = sigmoid(-s), and
         * dFL/ds = a_t (1-p_t)^gamma (-gamma p_t softplus(-s) - (1-p_t)). */
        int pos = targets[i] == 1.0;
        double sz = pos ? logits[i] : -logits[i];
        double at = pos ? alpha : 1.0 - alpha;
        double q = pl_sigmoid(-sz), p = pl_sigmoid(sz), nl = pl_softplus(-sz);
        double qg = pow(q, gamma);
        s += at * qg * nl;
        if (grad_logits) {
            double ds = at * qg * (-gamma * p * nl - q);
            grad_logits[i] = (pos ? ds : -ds) / (double)n;
        }
    }
    *loss = s / (double)n;
    return pl_result(loss);
}
