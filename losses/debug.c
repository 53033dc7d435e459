/* losses/debug.c - tools for finding gradient bugs: a central-difference
 * gradient check for any scalar function and a gradient health report.
 * Nothing here trains or prints; formatting goes into the caller's buffer. */
#include <math.h>
#include <stdio.h>
#include "pl_util.h"

int pl_gradcheck(double *max_err, size_t *worst, pl_scalar_fn f, void *ctx,
                 double *x, const double *grad, size_t n, double h,
                 double abs_floor)
{
    if (!max_err || !f || !x || !grad || n == 0 || !pl_pos(h) || !pl_pos(abs_floor))
        return PL_EINVAL;
    double top = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i];
        x[i] = xi + h;
        double fp = f(x, ctx);
        x[i] = xi - h;
        double fm = f(x, ctx);
        x[i] = xi;
        if (!isfinite(fp) || !isfinite(fm) || !isfinite(grad[i]))
            return PL_ENAN;
        double fd = (fp - fm) / (2.0 * h);
        double den = fmax(fmax(fabs(grad[i]), fabs(fd)), abs_floor);
        double err = fabs(grad[i] - fd) / den;
        if (err > top || i == 0) {
            top = err;
            at = i;
        }
    }
    *max_err = top;
    if (worst)
        *worst = at;
    return PL_OK;
}

int pl_grad_health_check(pl_grad_health *report, const double *g, size_t n,
                         double vanish, double explode)
{
    if (!report || !g || n == 0 || isnan(vanish) || isnan(explode) ||
        !(vanish >= 0) || !(vanish <= explode))
        return PL_EINVAL;
    pl_grad_health r = {0};
    r.n = n;
    for (size_t i = 0; i < n; i++) {
        if (isnan(g[i]))
            r.nan_count++;
        else if (isinf(g[i]))
            r.inf_count++;
        else if (fabs(g[i]) > r.max_abs)
            r.max_abs = fabs(g[i]);
    }
    /* norm = max_abs * ||g / max_abs||: no overflow for entries near DBL_MAX */
    if (r.max_abs > 0) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(g[i])) {
                double v = g[i] / r.max_abs;
                s += v * v;
            }
        r.norm = r.max_abs * sqrt(s);
    }
    r.exploding = r.norm > explode;
    r.vanishing = r.norm < vanish;
    r.ok = !r.nan_count && !r.inf_count && !r.exploding && !r.vanishing;
    *report = r;
    return PL_OK;
}

int pl_grad_health_format(char *buf, size_t cap, const pl_grad_health *report)
{
    if (!buf || cap == 0)
        return PL_EINVAL;
    if (!report) {
        buf[0] = '\0';
        return PL_EINVAL;
    }
    const pl_grad_health *r = report;
    int len = snprintf(buf, cap,
                       "grad: n=%zu norm=%.6g max_abs=%.6g nan=%zu inf=%zu%s%s%s",
                       r->n, r->norm, r->max_abs, r->nan_count, r->inf_count,
                       r->exploding ? " EXPLODING" : "",
                       r->vanishing ? " VANISHING" : "", r->ok ? " ok" : "");
    return len < 0 || (size_t)len >= cap ? PL_EINVAL : PL_OK;
}
