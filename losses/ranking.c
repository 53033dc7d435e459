/* losses/ranking.c - learning-to-rank losses: pairwise margin ranking,
 * ListNet (top-one) and ListMLE, each on one list of scores. Sorting by
 * relevance is the caller's job (ListMLE takes the true order). */
#include <math.h>
#include "pl_util.h"

int pl_margin_ranking(double *loss, double *grad_pos, double *grad_neg,
                      const double *s_pos, const double *s_neg, size_t n,
                      double margin)
{
    if (!loss || n == 0 || !isfinite(margin))
        return PL_EINVAL;
    int rc = pl_check(s_pos, n);
    if (!rc)
        rc = pl_check(s_neg, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = margin + s_neg[i] - s_pos[i];
        double g = a > 0 ? 1.0 / (double)n : 0.0;
        if (a > 0)
            s += a;
        if (grad_pos)
            grad_pos[i] = -g;
        if (grad_neg)
            grad_neg[i] = g;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_listnet(double *loss, double *grad_scores, const double *scores,
               const double *relevance, size_t n)
{
    if (!loss || n == 0)
        return PL_EINVAL;
    int rc = pl_check(scores, n);
    if (!rc)
        rc = pl_check(relevance, n);
    if (rc)
        return rc;
    /* -sum P_i log Q_i = lse(s) - sum P_i s_i, since sum P_i = 1 */
    double lse_s = pl_logsumexp(scores, n), lse_r = pl_logsumexp(relevance, n);
    double ps = 0.0;
    for (size_t i = 0; i < n; i++) {
        double p = exp(relevance[i] - lse_r);
        ps += p * scores[i];
        if (grad_scores)
            grad_scores[i] = exp(scores[i] - lse_s) - p;
    }
    *loss = lse_s - ps;
    return pl_result(loss);
}

int pl_listmle(double *loss, double *grad_scores, const double *scores,
               const size_t *order, size_t n)
{
    if (!loss || !order || n == 0)
        return PL_EINVAL;
    int rc = pl_check(scores, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (order[i] >= n)
            return PL_EINVAL;
    /* Suffix log-sum-exps lse_i = log sum_{j>=i} exp s[order[j]], from the
     * end; grad_scores doubles as their storage (slot order[i]). */
    double s = 0.0, lse = -INFINITY;
    for (size_t i = n; i-- > 0;) {
        double v = scores[order[i]], m = v > lse ? v : lse;
        lse = m + log(exp(v - m) + exp(lse - m));
        s += lse - v;
        if (grad_scores)
            grad_scores[order[i]] = lse;
    }
    *loss = s;
    if (!grad_scores)
        return pl_result(loss);
    /* dL/ds[order[k]] = -1 + sum_{i<=k} exp(s - lse_i) = -1 + exp(s - lse_k) A_k
     * with A_k = sum_{i<=k} exp(lse_k - lse_i) <= k+1 (lse_i decreases). */
    double A = 0.0, prev = 0.0;
    for (size_t k = 0; k < n; k++) {
        double l = grad_scores[order[k]];
        A = k == 0 ? 1.0 : A * exp(l - prev) + 1.0;
        prev = l;
        grad_scores[order[k]] = -1.0 + exp(scores[order[k]] - l) * A;
    }
    return pl_result(loss);
}
