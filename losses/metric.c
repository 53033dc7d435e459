/* losses/metric.c - metric-learning losses on embedding rows: triplet,
 * contrastive, InfoNCE (one query) and batched InfoNCE with in-batch
 * negatives. Embeddings are used as given: normalising them is the caller's. */
#include <math.h>
#include "pl_util.h"

int pl_triplet(double *loss, double *grad_anchor, double *grad_pos,
               double *grad_neg, const double *anchor, const double *pos,
               const double *neg, size_t B, size_t D, double margin)
{
    if (!loss || B == 0 || D == 0 || !isfinite(margin))
        return PL_EINVAL;
    int rc = pl_check(anchor, B * D);
    if (!rc)
        rc = pl_check(pos, B * D);
    if (!rc)
        rc = pl_check(neg, B * D);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *a = anchor + b * D, *p = pos + b * D, *n = neg + b * D;
        double dp = 0.0, dn = 0.0;
        for (size_t i = 0; i < D; i++) {
            dp += (a[i] - p[i]) * (a[i] - p[i]);
            dn += (a[i] - n[i]) * (a[i] - n[i]);
        }
        double h = dp - dn + margin;
        double c = h > 0 ? 2.0 / (double)B : 0.0;
        if (h > 0)
            s += h;
        for (size_t i = 0; i < D; i++) {
            if (grad_anchor)
                grad_anchor[b * D + i] = c * (n[i] - p[i]);
            if (grad_pos)
                grad_pos[b * D + i] = -c * (a[i] - p[i]);
            if (grad_neg)
                grad_neg[b * D + i] = c * (a[i] - n[i]);
        }
    }
    *loss = s / (double)B;
    return pl_result(loss);
}

int pl_contrastive(double *loss, double *grad_x1, double *grad_x2,
                   const double *x1, const double *x2, const int *same,
                   size_t B, size_t D, double margin)
{
    if (!loss || !same || B == 0 || D == 0 || !pl_nonneg_param(margin))
        return PL_EINVAL;
    int rc = pl_check(x1, B * D);
    if (!rc)
        rc = pl_check(x2, B * D);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t b = 0; b < B; b++) {
        const double *u = x1 + b * D, *v = x2 + b * D;
        double d2 = 0.0;
        for (size_t i = 0; i < D; i++)
            d2 += (u[i] - v[i]) * (u[i] - v[i]);
        double c; /* dL_b/d(u - v) = c (u - v) */
        if (same[b]) {
            s += d2;
            c = 2.0;
        } else {
            double d = sqrt(d2), h = margin - d;
            if (h > 0) {
                s += h * h;
                c = d > 0 ? -2.0 * h / d : 0.0;
            } else {
                c = 0.0;
            }
        }
        c /= (double)B;
        for (size_t i = 0; i < D; i++) {
            if (grad_x1)
                grad_x1[b * D + i] = c * (u[i] - v[i]);
            if (grad_x2)
                grad_x2[b * D + i] = -c * (u[i] - v[i]);
        }
    }
    *loss = s / (double)B;
    return pl_result(loss);
}

int pl_infonce(double *loss, double *grad_q, double *grad_pos, double *grad_neg,
               const double *q, const double *pos, const double *neg,
               size_t N, size_t D, double T)
{
    if (!loss || D == 0 || !pl_pos(T))
        return PL_EINVAL;
    int rc = pl_check(q, D);
    if (!rc)
        rc = pl_check(pos, D);
    if (!rc && N > 0)
        rc = pl_check(neg, N * D);
    if (rc)
        return rc;
    /* online log-sum-exp over the N + 1 logits */
    double l0 = pl_dot(q, pos, D) / T, m = l0, sum = 1.0;
    for (size_t j = 0; j < N; j++) {
        double l = pl_dot(q, neg + j * D, D) / T;
        if (l > m) {
            sum = sum * exp(m - l) + 1.0;
            m = l;
        } else {
            sum += exp(l - m);
        }
    }
    double lse = m + log(sum);
    *loss = lse - l0;
    double d0 = exp(l0 - lse) - 1.0; /* dL/dl_0 */
    if (grad_q)
        for (size_t i = 0; i < D; i++)
            grad_q[i] = d0 * pos[i] / T;
    if (grad_pos)
        for (size_t i = 0; i < D; i++)
            grad_pos[i] = d0 * q[i] / T;
    for (size_t j = 0; j < N && (grad_q || grad_neg); j++) {
        const double *k = neg + j * D;
        double p = exp(pl_dot(q, k, D) / T - lse); /* dL/dl_j */
        for (size_t i = 0; i < D; i++) {
            if (grad_q)
                grad_q[i] += p * k[i] / T;
            if (grad_neg)
                grad_neg[j * D + i] = p * q[i] / T;
        }
    }
    return pl_result_grads(loss, grad_q, D, grad_pos, D, grad_neg, N * D);
}

/* Row-wise cross-entropy of S = a b^T / T with the diagonal as target,
 * scaled by c; returns c * sum_i (lse_i - S_ii) and ADDS c * dLoss/da, /db
 * into ga, gb (either may be NULL). */
static double infonce_rows(double *ga, double *gb, const double *a,
                           const double *b, size_t B, size_t D, double T,
                           double c)
{
    double s = 0.0;
    for (size_t i = 0; i < B; i++) {
        const double *ai = a + i * D;
        double m = -INFINITY, sum = 0.0;
        for (size_t j = 0; j < B; j++) {
            double l = pl_dot(ai, b + j * D, D) / T;
            if (l > m) {
                sum = sum * exp(m - l) + 1.0;
                m = l;
            } else {
                sum += exp(l - m);
            }
        }
        double lse = m + log(sum);
        s += lse - pl_dot(ai, b + i * D, D) / T;
        if (!ga && !gb)
            continue;
        for (size_t j = 0; j < B; j++) {
            const double *bj = b + j * D;
            double g = c * (exp(pl_dot(ai, bj, D) / T - lse) - (i == j)) / T;
            for (size_t d = 0; d < D; d++) {
                if (ga)
                    ga[i * D + d] += g * bj[d];
                if (gb)
                    gb[j * D + d] += g * ai[d];
            }
        }
    }
    return c * s;
}

int pl_infonce_batch(double *loss, double *grad_q, double *grad_k,
                     const double *q, const double *k, size_t B, size_t D,
                     double T, int symmetric)
{
    if (!loss || B == 0 || D == 0 || !pl_pos(T))
        return PL_EINVAL;
    int rc = pl_check(q, B * D);
    if (!rc)
        rc = pl_check(k, B * D);
    if (rc)
        return rc;
    for (size_t i = 0; i < B * D; i++) {
        if (grad_q)
            grad_q[i] = 0.0;
        if (grad_k)
            grad_k[i] = 0.0;
    }
    double c = (symmetric ? 0.5 : 1.0) / (double)B;
    double s = infonce_rows(grad_q, grad_k, q, k, B, D, T, c);
    if (symmetric) /* columns of q k^T are the rows of k q^T */
        s += infonce_rows(grad_k, grad_q, k, q, B, D, T, c);
    *loss = s;
    return pl_result_grads(loss, grad_q, B * D, grad_k, B * D, NULL, 0);
}
