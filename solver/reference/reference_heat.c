/* solver/reference/reference_heat.c - the heat-equation reference of reference.h:
 * theta method on a uniform node grid, one GSL tridiagonal (or cyclic
 * tridiagonal) solve per step, cubic Lagrange interpolation onto the output
 * points. Not a general PDE solver: 1D, constant alpha, uniform grid. */
#include "reference/reference.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_vector.h>

static int heat_fail(char *err, size_t cap, int code, const char *fmt, ...)
{
    if (err != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Everything one solve needs, carved from one allocation. */
typedef struct heat_work {
    const heat_spec *p;
    double theta, dx;
    size_t n;     /* unknowns: nx + 1, or nx when periodic */
    int periodic;
    double *u, *diag, *above, *below, *rhs, *unew, *fold, *fnew;
    double bl_old, br_old; /* boundary values at the current time */
} heat_work;

static double heat_call_bc(double (*fn)(double, void *), double t, void *ctx)
{
    return fn != NULL ? fn(t, ctx) : 0.0;
}

static double heat_x(const heat_work *w, size_t j)
{
    return w->p->a + (double)j * w->dx;
}

static void heat_source(const heat_work *w, double *f, double t)
{
    for (size_t j = 0; j < w->n; j++)
        f[j] = w->p->source != NULL ? w->p->source(heat_x(w, j), t, w->p->ctx) : 0.0;
}

/* One theta step from t to tn: builds the rows, solves, swaps u and unew.
 * Interior row j:  (1 + 2 th r) u_j - th r (u_{j-1} + u_{j+1})
 *                = u_j + (1 - th) r (u_{j-1} - 2 u_j + u_{j+1})
 *                  + dt ((1 - th) f_j(t) + th f_j(tn)),   r = alpha dt / dx^2.
 * Dirichlet end: the row is u = g(tn). Neumann end: a ghost node from the
 * central difference u_x = h, u_{-1} = u_1 - 2 dx h (left) and
 * u_{N+1} = u_{N-1} + 2 dx h (right), keeps the scheme second order. */
static int heat_step(heat_work *w, double t, double tn)
{
    const heat_spec *p = w->p;
    const size_t n = w->n, last = n - 1;
    const double dt = tn - t, r = p->alpha * dt / (w->dx * w->dx), th = w->theta;
    const double *u = w->u;

    if (p->source != NULL)
        heat_source(w, w->fnew, tn);
    for (size_t j = 0; j < n; j++) {
        size_t jm = j > 0 ? j - 1 : n - 1, jp = j < last ? j + 1 : 0; /* wraps: periodic only */
        /* non-periodic end rows get their stencil below */
        double lap = w->periodic || (j > 0 && j < last) ? u[jm] - 2.0 * u[j] + u[jp] : 0.0;
        w->diag[j] = 1.0 + 2.0 * th * r;
        w->rhs[j] = u[j] + (1.0 - th) * r * lap;
        if (p->source != NULL)
            w->rhs[j] += dt * ((1.0 - th) * w->fold[j] + th * w->fnew[j]);
        if (j < last || w->periodic) {
            w->above[j] = -th * r;
            w->below[j] = -th * r;
        }
    }

    if (!w->periodic) {
        double bl = heat_call_bc(p->left_value, tn, p->ctx);
        double br = heat_call_bc(p->right_value, tn, p->ctx);
        if (p->left == BC_DIRICHLET) {
            w->diag[0] = 1.0;
            w->above[0] = 0.0;
            w->rhs[0] = bl;
        } else {
            w->above[0] = -2.0 * th * r;
            w->rhs[0] += (1.0 - th) * r * (2.0 * u[1] - 2.0 * u[0] - 2.0 * w->dx * w->bl_old)
                         - th * r * 2.0 * w->dx * bl;
        }
        if (p->right == BC_DIRICHLET) {
            w->diag[last] = 1.0;
            w->below[last - 1] = 0.0;
            w->rhs[last] = br;
        } else {
            w->below[last - 1] = -2.0 * th * r;
            w->rhs[last] += (1.0 - th) * r
                                * (2.0 * u[last - 1] - 2.0 * u[last] + 2.0 * w->dx * w->br_old)
                            + th * r * 2.0 * w->dx * br;
        }
        w->bl_old = bl;
        w->br_old = br;
    }

    gsl_vector_view d = gsl_vector_view_array(w->diag, n);
    gsl_vector_view b = gsl_vector_view_array(w->rhs, n);
    gsl_vector_view x = gsl_vector_view_array(w->unew, n);
    size_t no = w->periodic ? n : n - 1;
    gsl_vector_view e = gsl_vector_view_array(w->above, no);
    gsl_vector_view f = gsl_vector_view_array(w->below, no);
    int st = w->periodic
                 ? gsl_linalg_solve_cyc_tridiag(&d.vector, &e.vector, &f.vector, &b.vector, &x.vector)
                 : gsl_linalg_solve_tridiag(&d.vector, &e.vector, &f.vector, &b.vector, &x.vector);
    if (st != GSL_SUCCESS)
        return st;
    double *tmp = w->u;
    w->u = w->unew;
    w->unew = tmp;
    if (p->source != NULL) {
        tmp = w->fold;
        w->fold = w->fnew;
        w->fnew = tmp;
    }
    return GSL_SUCCESS;
}

/* Stencil of the cubic through nodes j-1..j+2 at local coordinate q
 * (x = x_j + q dx): Lagrange weights for offsets -1, 0, 1, 2. */
static void heat_weights(double q, double wt[4])
{
    wt[0] = -q * (q - 1.0) * (q - 2.0) / 6.0;
    wt[1] = (q + 1.0) * (q - 1.0) * (q - 2.0) / 2.0;
    wt[2] = -(q + 1.0) * q * (q - 2.0) / 2.0;
    wt[3] = (q + 1.0) * q * (q - 1.0) / 6.0;
}

/* First node j of point x's stencil (nodes j-1..j+2, modulo n when
 * periodic) and its weights. Non-periodic stencils near an end shift
 * inward (q then lies in [-1, 2]), so no node outside [a, b] is needed. */
static size_t heat_stencil(const heat_work *w, size_t nx, double x, double wt[4])
{
    double s = (x - w->p->a) / w->dx;
    double fj = floor(s);
    size_t j = fj <= 0.0 ? 0 : (size_t)fj;
    if (w->periodic) {
        if (j >= nx)
            j = nx - 1;
    } else {
        if (j < 1)
            j = 1;
        if (j > nx - 2)
            j = nx - 2;
    }
    heat_weights(s - (double)j, wt);
    return j;
}

static int heat_check(const heat_spec *p, const heat_grid *g, const double *xs, size_t nxs,
                      const double *ts, size_t nts, char *err, size_t cap)
{
    if (p == NULL)
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: no problem given");
    if (!(p->alpha > 0.0) || !isfinite(p->alpha))
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: alpha must be finite and > 0 (got %g)",
                         p->alpha);
    if (!isfinite(p->a) || !isfinite(p->b) || !(p->a < p->b))
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: need a < b (got [%g, %g])", p->a, p->b);
    if (!isfinite(p->t0) || !isfinite(p->t1) || !(p->t0 < p->t1))
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: need t0 < t1 (got [%g, %g])", p->t0,
                         p->t1);
    if (p->u0 == NULL)
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: no initial condition u0");
    int lp = p->left == BC_PERIODIC, rp = p->right == BC_PERIODIC;
    if (lp != rp)
        return heat_fail(err, cap, REFERENCE_EINVAL,
                         "heat: periodic must be set on both sides or on neither");
    if ((p->left != BC_DIRICHLET && p->left != BC_NEUMANN && !lp)
        || (p->right != BC_DIRICHLET && p->right != BC_NEUMANN && !rp))
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: unknown boundary condition kind");
    if (g->nx < 4 || g->nt < 1)
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: need nx >= 4 and nt >= 1 (got %zu, %zu)",
                         g->nx, g->nt);
    if (!(g->theta >= 0.0 && g->theta <= 1.0))
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: theta must be in [0, 1] (got %g)",
                         g->theta);
    if ((nxs > 0 && xs == NULL) || (nts > 0 && ts == NULL))
        return heat_fail(err, cap, REFERENCE_EINVAL, "heat: no output points");
    for (size_t i = 0; i < nxs; i++)
        if (!(xs[i] >= p->a && xs[i] <= p->b))
            return heat_fail(err, cap, REFERENCE_EINVAL, "heat: xs[%zu] = %g outside [%g, %g]", i,
                             xs[i], p->a, p->b);
    for (size_t k = 0; k < nts; k++) {
        if (!(ts[k] >= p->t0 && ts[k] <= p->t1))
            return heat_fail(err, cap, REFERENCE_EINVAL, "heat: ts[%zu] = %g outside [%g, %g]", k,
                             ts[k], p->t0, p->t1);
        if (k > 0 && ts[k] < ts[k - 1])
            return heat_fail(err, cap, REFERENCE_EINVAL, "heat: ts must not decrease (ts[%zu] < ts[%zu])",
                             k, k - 1);
    }
    return REFERENCE_OK;
}

static int heat_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

int reference_heat(double *u, const heat_spec *p, const heat_grid *g, const double *xs,
                   size_t nxs, const double *ts, size_t nts, char *err, size_t errcap)
{
    const heat_grid gdef = HEAT_GRID_DEFAULT;
    if (g == NULL)
        g = &gdef;
    int rc = heat_check(p, g, xs, nxs, ts, nts, err, errcap);
    if (rc != REFERENCE_OK)
        return rc;
    if (u == NULL && nxs * nts > 0)
        return heat_fail(err, errcap, REFERENCE_EINVAL, "heat: no output array");

    heat_work w = {0};
    w.p = p;
    w.theta = g->theta;
    w.periodic = p->left == BC_PERIODIC;
    w.dx = (p->b - p->a) / (double)g->nx;
    w.n = w.periodic ? g->nx : g->nx + 1;
    const size_t n = w.n;
    double *block = malloc((8 * n + 4 * nxs) * sizeof *block);
    size_t *sj = malloc((nxs > 0 ? nxs : 1) * sizeof *sj);
    if (block == NULL || sj == NULL) {
        free(block);
        free(sj);
        return heat_fail(err, errcap, REFERENCE_ENOMEM, "heat: out of memory (%zu nodes)", n);
    }
    w.u = block;
    w.unew = block + n;
    w.diag = block + 2 * n;
    w.above = block + 3 * n;
    w.below = block + 4 * n;
    w.rhs = block + 5 * n;
    w.fold = block + 6 * n;
    w.fnew = block + 7 * n;
    double *sw = block + 8 * n;
    for (size_t i = 0; i < nxs; i++)
        sj[i] = heat_stencil(&w, g->nx, xs[i], sw + 4 * i);

    for (size_t j = 0; j < n; j++)
        w.u[j] = p->u0(heat_x(&w, j), p->ctx);
    if (!w.periodic) {
        w.bl_old = heat_call_bc(p->left_value, p->t0, p->ctx);
        w.br_old = heat_call_bc(p->right_value, p->t0, p->ctx);
        if (p->left == BC_DIRICHLET)
            w.u[0] = w.bl_old;
        if (p->right == BC_DIRICHLET)
            w.u[n - 1] = w.br_old;
    }
    if (p->source != NULL)
        heat_source(&w, w.fold, p->t0);
    if (!heat_finite(w.u, n) || (p->source != NULL && !heat_finite(w.fold, n))
        || !isfinite(w.bl_old) || !isfinite(w.br_old)) {
        rc = heat_fail(err, errcap, REFERENCE_EFAIL,
                       "heat: initial, boundary or source values are not finite at t0 = %g", p->t0);
        goto done;
    }

    const double dtmax = (p->t1 - p->t0) / (double)g->nt;
    double t = p->t0;
    for (size_t k = 0; k < nts; k++) {
        double span = ts[k] - t;
        if (span > 0.0) {
            /* the 1e-9 keeps a gap of exactly m steps from becoming m + 1 */
            size_t m = (size_t)ceil(span / dtmax - 1e-9);
            if (m < 1)
                m = 1;
            const double tstart = t;
            for (size_t s = 1; s <= m; s++) {
                double tn = s == m ? ts[k] : tstart + span * (double)s / (double)m;
                int st = heat_step(&w, t, tn);
                if (st != GSL_SUCCESS) {
                    rc = heat_fail(err, errcap, REFERENCE_EFAIL, "heat: tridiagonal solve at t = %g: %s",
                                   tn, gsl_strerror(st));
                    goto done;
                }
                t = tn;
            }
            if (!heat_finite(w.u, n) || !isfinite(w.bl_old) || !isfinite(w.br_old)) {
                rc = heat_fail(err, errcap, REFERENCE_EFAIL,
                               "heat: solution is not finite at t = %g (a callback returned "
                               "NaN/Inf, or theta < 0.5 with too large a step)",
                               t);
                goto done;
            }
        }
        double *row = u + k * nxs;
        for (size_t i = 0; i < nxs; i++) {
            if (ts[k] == p->t0) {
                row[i] = p->u0(xs[i], p->ctx);
                continue;
            }
            const double *wt = sw + 4 * i;
            double v = 0.0;
            for (size_t q = 0; q < 4; q++)
                v += wt[q] * w.u[(sj[i] + n - 1 + q) % n];
            row[i] = v;
        }
        if (!heat_finite(row, nxs)) {
            rc = heat_fail(err, errcap, REFERENCE_EFAIL, "heat: output is not finite at t = %g", ts[k]);
            goto done;
        }
    }
    rc = REFERENCE_OK;
done:
    free(block);
    free(sj);
    return rc;
}
