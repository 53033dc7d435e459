/* losses/feature.c - feature-matching losses: perceptual (per-layer MSE of
 * features), Gram matrices with their backward, and the style loss. The
 * features come from the caller's network; nothing here runs one. */
#include <math.h>
#include "pl_util.h"

int pl_perceptual(double *loss, double *const *grad_a, const double *const *a,
                  const double *const *b, const size_t *n, const double *w,
                  size_t L)
{
    if (!loss || !a || !b || !n || !w || L == 0)
        return PL_EINVAL;
    for (size_t l = 0; l < L; l++)
        if (n[l] == 0 || !a[l] || !b[l] || !isfinite(w[l]))
            return PL_EINVAL;
    for (size_t l = 0; l < L; l++)
        if (!pl_finite(a[l], n[l]) || !pl_finite(b[l], n[l]))
            return PL_ENAN;
    double s = 0.0;
    for (size_t l = 0; l < L; l++) {
        double sl = 0.0, c = w[l] / (double)n[l];
        double *g = grad_a ? grad_a[l] : NULL;
        for (size_t i = 0; i < n[l]; i++) {
            double d = a[l][i] - b[l][i];
            sl += d * d;
            if (g)
                g[i] = 2.0 * c * d;
        }
        s += c * sl;
    }
    *loss = s;
    return pl_result(loss);
}

int pl_gram(double *gram, const double *feat, size_t C, size_t HW)
{
    if (!gram || C == 0 || HW == 0)
        return PL_EINVAL;
    int rc = pl_check(feat, C * HW);
    if (rc)
        return rc;
    for (size_t i = 0; i < C; i++)
        for (size_t j = i; j < C; j++) {
            double g = pl_dot(feat + i * HW, feat + j * HW, HW) / (double)HW;
            gram[i * C + j] = g;
            gram[j * C + i] = g;
        }
    return PL_OK;
}

int pl_gram_backward(double *grad_feat, const double *grad_gram,
                     const double *feat, size_t C, size_t HW)
{
    if (!grad_feat || C == 0 || HW == 0)
        return PL_EINVAL;
    int rc = pl_check(grad_gram, C * C);
    if (!rc)
        rc = pl_check(feat, C * HW);
    if (rc)
        return rc;
    for (size_t i = 0; i < C; i++) {
        double *g = grad_feat + i * HW;
        for (size_t p = 0; p < HW; p++)
            g[p] = 0.0;
        for (size_t j = 0; j < C; j++) {
            double c = (grad_gram[i * C + j] + grad_gram[j * C + i]) / (double)HW;
            const double *f = feat + j * HW;
            for (size_t p = 0; p < HW; p++)
                g[p] += c * f[p];
        }
    }
    return PL_OK;
}

int pl_style(double *loss, double *const *grad_feat, const double *const *feat,
             const double *const *target, const size_t *C, const size_t *HW,
             const double *w, size_t L)
{
    if (!loss || !feat || !target || !C || !HW || !w || L == 0)
        return PL_EINVAL;
    for (size_t l = 0; l < L; l++)
        if (C[l] == 0 || HW[l] == 0 || !feat[l] || !target[l] || !isfinite(w[l]))
            return PL_EINVAL;
    for (size_t l = 0; l < L; l++)
        if (!pl_finite(feat[l], C[l] * HW[l]) || !pl_finite(target[l], C[l] * C[l]))
            return PL_ENAN;
    double s = 0.0;
    for (size_t l = 0; l < L; l++) {
        size_t c = C[l], hw = HW[l];
        const double *F = feat[l], *T = target[l];
        double *G = grad_feat ? grad_feat[l] : NULL;
        double scale = w[l] / (double)(c * c), sl = 0.0;
        if (G)
            for (size_t i = 0; i < c * hw; i++)
                G[i] = 0.0;
        for (size_t k = 0; k < c; k++)
            for (size_t j = 0; j < c; j++) {
                double g = pl_dot(F + k * hw, F + j * hw, hw) / (double)hw;
                double d = g - T[k * c + j];
                sl += d * d;
                if (G) {
                    /* dL/dgram_kj + dL/dgram_jk, gram symmetric */
                    double co = 2.0 * scale * (2.0 * g - T[k * c + j] - T[j * c + k])
                                / (double)hw;
                    const double *fj = F + j * hw;
                    double *gk = G + k * hw;
                    for (size_t p = 0; p < hw; p++)
                        gk[p] += co * fj[p];
                }
            }
        s += scale * sl;
    }
    *loss = s;
    return pl_result(loss);
}
