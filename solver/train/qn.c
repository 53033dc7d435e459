/* solver/train/qn.c - dense BFGS / self-scaled BFGS with a strong-Wolfe
 * line search. The update of the inverse Hessian approximation H, in the
 * self-scaled Broyden form used by Urban et al. (2025) and Kiyani et al.
 * (2025), with s the step, y the gradient change, rho = 1 / s.y:
 *   H+ = (1/tau) [H - Hy (Hy)^T / y.Hy + phi v v^T] + rho s s^T,
 *   v  = sqrt(y.Hy) (rho s - Hy / y.Hy).
 * tau = phi = 1 is BFGS; SSBFGS (Al-Baali's restricted self-scaling) takes
 * phi = 1, tau = min(1, 1/b) with b = s.B s / s.y; SSBroyden also chooses
 * phi at every step (Al-Baali and Khalfan's restricted Broyden class, the
 * "SSBroyden2" rule of Urban et al.). Every member satisfies the secant
 * condition H+ y = s. BLAS (OpenBLAS) does the O(n^2) work. */
#include "train/qn.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void bfgs_coefficients(double sy, double yhy, double b, size_t n, double *tau,
                              double *phi)
{
    (void)sy, (void)yhy, (void)b, (void)n;
    *tau = 1.0;
    *phi = 1.0;
}

static void ssbfgs_coefficients(double sy, double yhy, double b, size_t n, double *tau,
                                double *phi)
{
    (void)sy, (void)yhy, (void)n;
    *tau = b > 1.0 && isfinite(b) ? 1.0 / b : 1.0;
    *phi = 1.0;
}

/* With h = y.Hy / s.y and a = b h - 1 (>= 0 by Cauchy-Schwarz), the Broyden
 * member is written through theta, phi = (1 - theta) / (1 + a theta):
 * theta = 0 is BFGS, theta = 1 DFP. theta is kept in [theta-, theta+], the
 * interval where the update stays positive definite and well scaled, with
 * rho- = min(1, h (1 - sqrt(a / (1 + a)))), theta- = (rho- - 1) / a,
 * theta+ = 1 / rho-, and inside it taken as close as possible to
 * (1 - b) / b. The self-scaling tau keeps the determinant in check:
 * sigma = 1 + a theta, with sigma^(1 / (1 - n)) its share per dimension. */
static void ssbroyden_coefficients(double sy, double yhy, double b, size_t n, double *tau,
                                   double *phi)
{
    double h = yhy / sy, a = b * h - 1.0;
    double shrink = b > 1.0 && isfinite(b) ? 1.0 / b : 1.0; /* min(1, 1/b) */
    if (!(a > 1e-12) || !isfinite(a) || n < 2) {
        *tau = shrink; /* s and Hy parallel: every member is the same update */
        *phi = 1.0;
        return;
    }
    double rho_minus = fmin(1.0, h * (1.0 - sqrt(a / (1.0 + a))));
    double theta_minus = (rho_minus - 1.0) / a, theta_plus = 1.0 / rho_minus;
    double theta = fmax(theta_minus, fmin(theta_plus, (1.0 - b) / b));
    double sigma = 1.0 + a * theta;
    double sigma_share = pow(fabs(sigma), 1.0 / (1.0 - (double)n));
    double t = theta <= 0 ? fmin(shrink * sigma_share, sigma)
                          : shrink * fmin(sigma_share, 1.0 / theta);
    if (!(t > 0) || !isfinite(t) || !(sigma > 0)) {
        *tau = shrink; /* outside the safe interval by rounding: SSBFGS */
        *phi = 1.0;
        return;
    }
    *tau = t;
    *phi = (1.0 - theta) / sigma;
}

const qn_type qn_types[] = {
    {"bfgs", bfgs_coefficients},
    {"ssbfgs", ssbfgs_coefficients},
    {"ssbroyden", ssbroyden_coefficients},
    {NULL, NULL},
};

const qn_type *qn_type_find(const char *name)
{
    for (const qn_type *t = qn_types; name && t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

void qn_free(qn *q)
{
    if (!q)
        return;
    free(q->H);
    free(q->x);
    free(q);
}

qn *qn_alloc(const char *name, size_t n)
{
    const qn_type *t = qn_type_find(name);
    if (!t || n == 0 || n > (size_t)1 << 26)
        return NULL;
    qn *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->type = t;
    q->n = n;
    q->H = malloc(n * n * sizeof *q->H);
    q->x = malloc(9 * n * sizeof *q->x);
    if (!q->H || !q->x) {
        qn_free(q);
        return NULL;
    }
    q->g = q->x + n;
    q->p = q->g + n;
    q->s = q->p + n;
    q->y = q->s + n;
    q->hy = q->y + n;
    q->xt = q->hy + n;
    q->gt = q->xt + n;
    q->v = q->gt + n;
    return q;
}

static void identity(qn *q, double d)
{
    size_t n = q->n;
    memset(q->H, 0, n * n * sizeof *q->H);
    for (size_t i = 0; i < n; i++)
        q->H[i * n + i] = d;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

int qn_set(qn *q, const double *x, qn_fdf fdf, void *ctx, double c1, double c2,
           int max_linesearch)
{
    q->fdf = fdf;
    q->ctx = ctx;
    q->c1 = c1;
    q->c2 = c2;
    q->max_linesearch = max_linesearch > 0 ? max_linesearch : 1;
    q->iterations = q->evaluations = q->restarts = 0;
    q->scaled = 0;
    memcpy(q->x, x, q->n * sizeof *x);
    identity(q, 1.0);
    return qn_refresh(q);
}

int qn_refresh(qn *q)
{
    if (!q->fdf)
        return QN_EINVAL;
    q->f = q->fdf(q->ctx, q->x, q->g);
    q->evaluations++;
    return isfinite(q->f) && all_finite(q->g, q->n) ? QN_OK : QN_ENAN;
}

/* A trial point of the line search: step a, f and the slope g.p there. */
typedef struct trial {
    double a, f, d;
} trial;

static trial evaluate(qn *q, double a)
{
    size_t n = q->n;
    for (size_t i = 0; i < n; i++)
        q->xt[i] = q->x[i] + a * q->p[i];
    double f = q->fdf(q->ctx, q->xt, q->gt);
    q->evaluations++;
    double d = cblas_ddot((int)n, q->gt, 1, q->p, 1);
    if (!isfinite(f) || !isfinite(d))
        f = INFINITY, d = NAN;
    return (trial){a, f, d};
}

/* The minimiser of the cubic through lo and hi (values and slopes), kept
 * 10% inside the interval; bisection when the cubic does not help. */
static double interpolate(trial lo, trial hi)
{
    double mid = 0.5 * (lo.a + hi.a), w = fabs(hi.a - lo.a);
    if (!isfinite(hi.f) || !isfinite(hi.d))
        return mid;
    double d1 = lo.d + hi.d - 3.0 * (lo.f - hi.f) / (lo.a - hi.a);
    double r = d1 * d1 - lo.d * hi.d;
    if (!(r >= 0))
        return mid;
    double d2 = (hi.a > lo.a ? 1.0 : -1.0) * sqrt(r);
    double den = hi.d - lo.d + 2.0 * d2;
    if (den == 0)
        return mid;
    double a = hi.a - (hi.a - lo.a) * (hi.d + d2 - d1) / den;
    double l = fmin(lo.a, hi.a) + 0.1 * w, u = fmax(lo.a, hi.a) - 0.1 * w;
    return isfinite(a) && a >= l && a <= u ? a : mid;
}

/* Strong-Wolfe step along q->p from f0 with slope d0 < 0, first trial a1.
 * 1 with the accepted point in xt, gt (its value in *fa, step in *aa). */
static int line_search(qn *q, double f0, double d0, double a1, double *fa, double *aa)
{
    int left = q->max_linesearch;
    double c1d = q->c1 * d0, c2d = -q->c2 * d0;
    trial prev = {0.0, f0, d0}, lo, hi, t;
    double a = a1;
    for (int i = 0;; i++) {
        if (left-- <= 0)
            return 0;
        t = evaluate(q, a);
        if (t.f > f0 + a * c1d || (i > 0 && t.f >= prev.f)) {
            lo = prev, hi = t;
            break;
        }
        if (fabs(t.d) <= c2d)
            goto accept;
        if (t.d >= 0) {
            lo = t, hi = prev;
            break;
        }
        prev = t;
        a *= 2.0; /* extrapolate */
    }
    /* zoom: lo satisfies sufficient decrease and has the lower value */
    while (left-- > 0) {
        t = evaluate(q, interpolate(lo, hi));
        if (t.f > f0 + t.a * c1d || t.f >= lo.f) {
            hi = t;
        } else {
            if (fabs(t.d) <= c2d)
                goto accept;
            if (t.d * (hi.a - lo.a) >= 0)
                hi = lo;
            lo = t;
        }
        if (fabs(hi.a - lo.a) <= 1e-16 * fmax(1.0, fabs(lo.a)))
            break;
    }
    /* a point of sufficient decrease without the curvature condition:
     * better than nothing when it lowered f */
    if (lo.a > 0 && lo.f < f0) {
        t = evaluate(q, lo.a);
        if (t.f < f0)
            goto accept;
    }
    return 0;
accept:
    *fa = t.f;
    *aa = t.a;
    return 1;
}

/* H from the accepted step s (q->s) and gradient change y (q->y); d0 = g.p
 * at the step's start, alpha its length. */
static void update(qn *q, double alpha, double d0)
{
    int n = (int)q->n;
    double sy = cblas_ddot(n, q->s, 1, q->y, 1);
    double yy = cblas_ddot(n, q->y, 1, q->y, 1);
    double ss = cblas_ddot(n, q->s, 1, q->s, 1);
    if (!(sy > 1e-14 * sqrt(ss * yy)))
        return; /* no positive curvature along s: keep H */
    double b = -alpha * alpha * d0 / sy; /* s.B s / s.y with B s = -alpha g */
    if (!q->scaled) {
        identity(q, sy / yy); /* Nocedal & Wright (6.20), before the first update */
        q->scaled = 1;
        b = 1.0;
    }
    cblas_dsymv(CblasRowMajor, CblasUpper, n, 1.0, q->H, n, q->y, 1, 0.0, q->hy, 1);
    double yhy = cblas_ddot(n, q->y, 1, q->hy, 1);
    if (!(yhy > 0))
        return;
    q->type->coefficients(sy, yhy, b, q->n, &q->tau, &q->phi);
    double r = sqrt(yhy), scale = 1.0 / q->tau;
    for (int i = 0; i < n; i++)
        q->v[i] = r * (q->s[i] / sy - q->hy[i] / yhy);
    if (scale != 1.0)
        for (int i = 0; i < n; i++)
            cblas_dscal(n - i, scale, q->H + (size_t)i * (size_t)n + (size_t)i, 1);
    cblas_dsyr(CblasRowMajor, CblasUpper, n, -scale / yhy, q->hy, 1, q->H, n);
    if (q->phi != 0)
        cblas_dsyr(CblasRowMajor, CblasUpper, n, scale * q->phi, q->v, 1, q->H, n);
    cblas_dsyr(CblasRowMajor, CblasUpper, n, 1.0 / sy, q->s, 1, q->H, n);
}

int qn_iterate(qn *q)
{
    if (!q->fdf)
        return QN_EINVAL;
    int n = (int)q->n;
    for (int attempt = 0; attempt < 2; attempt++) {
        cblas_dsymv(CblasRowMajor, CblasUpper, n, -1.0, q->H, n, q->g, 1, 0.0, q->p, 1);
        double d0 = cblas_ddot(n, q->g, 1, q->p, 1);
        if (!(d0 < 0) || !isfinite(d0)) { /* not a descent direction: start afresh */
            identity(q, 1.0);
            q->scaled = 0;
            q->restarts++;
            for (int i = 0; i < n; i++)
                q->p[i] = -q->g[i];
            d0 = -cblas_ddot(n, q->g, 1, q->g, 1);
            if (!(d0 < 0))
                return QN_ELINESEARCH; /* zero gradient */
        }
        double a1 = q->scaled ? 1.0 : fmin(1.0, 1.0 / sqrt(-d0));
        double fa = 0.0, a = 0.0;
        if (line_search(q, q->f, d0, a1, &fa, &a)) {
            for (int i = 0; i < n; i++) {
                q->s[i] = q->xt[i] - q->x[i];
                q->y[i] = q->gt[i] - q->g[i];
            }
            memcpy(q->x, q->xt, q->n * sizeof *q->x);
            memcpy(q->g, q->gt, q->n * sizeof *q->g);
            q->f = fa;
            q->alpha = a;
            update(q, a, d0);
            q->iterations++;
            return QN_OK;
        }
        if (!q->scaled)
            break; /* already steepest descent from the identity */
        identity(q, 1.0); /* a failed search on a stale H: once more from I */
        q->scaled = 0;
        q->restarts++;
    }
    return QN_ELINESEARCH;
}
