/* tests/test_reference_pde.c - the general PDE reference methods (refpde.h)
 * against closed-form and manufactured solutions: the order of convergence
 * of fd (2D with Robin sides and a mixed derivative; 1D nonlinear, Newton),
 * mol (1D nonlinear with Robin, periodic, the wave equation, 2D heat) and
 * spectral ETDRK4 (time order; a closed-form periodic solution), method
 * selection and the error paths. Burgers against Cole-Hopf is in
 * test_reference_burgers.c. Each order is the log2 of the max-error ratio
 * when h (or dt) halves; the bands are stated at each assertion. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_math.h>
#include "check_main.h"
#include "reference/refpde.h"

typedef double (*exact_fn)(const double *x, double t);

/* A test problem: the spec plus its exact solution (field 0 only). */
typedef struct tp {
    refpde_spec s;
    exact_fn exact;
} tp;

static double tp_u0(const double *x, size_t f, void *ctx)
{
    (void)f;
    return ((tp *)ctx)->exact(x, ((tp *)ctx)->s.t0);
}

/* max |u - exact| over an m^dim (x m_t) output grid. */
static double max_error(tp *P, const char *method, const size_t *n, int order, size_t nt,
                        double rtol)
{
    const refpde_spec *s = &P->s;
    enum { M = 11, MT = 5 };
    double ax[REFPDE_MAX_DIM][M], ts[MT];
    refpde_out out = {.nts = s->evolution ? MT : 0, .ts = ts};
    size_t np = 1;
    for (size_t v = 0; v < s->dim; v++) {
        for (int i = 0; i < M; i++)
            ax[v][i] = s->lo[v] + (s->hi[v] - s->lo[v]) * i / (M - 1.0);
        out.xs[v] = ax[v];
        out.m[v] = M;
        np *= M;
    }
    for (int k = 0; k < MT; k++)
        ts[k] = s->t0 + (s->t1 - s->t0) * k / (MT - 1.0);
    refpde_opts o = {.order = order, .rtol = rtol, .atol = rtol, .nt = nt, .newton_tol = 1e-13,
                     .newton_max = 30};
    memcpy(o.n, n, sizeof o.n);
    size_t nk = s->evolution ? MT : 1;
    double *u = malloc(np * nk * s->nf * sizeof *u);
    char err[256] = "";
    const refpde_method *m = refpde_method_find(method);
    ck_assert_ptr_nonnull(m);
    int rc = m->solve(u, s, &o, &out, err, sizeof err);
    ck_assert_msg(rc == REFPDE_OK, "%s: %s", method, err);
    double e = 0.0;
    for (size_t k = 0; k < nk; k++)
        for (size_t pt = 0; pt < np; pt++) {
            double x[REFPDE_MAX_DIM];
            size_t r = pt;
            for (size_t v = 0; v < s->dim; v++) {
                x[v] = ax[v][r % M];
                r /= M;
            }
            e = fmax(e, fabs(u[(k * np + pt) * s->nf] - P->exact(x, s->evolution ? ts[k] : 0.0)));
        }
    free(u);
    return e;
}

/* Errors at n0, 2 n0, 4 n0 intervals (every dimension) and the two orders. */
static void orders(tp *P, const char *method, size_t n0, int order, double rtol, double *e,
                   double *p)
{
    for (int i = 0; i < 3; i++) {
        size_t n[REFPDE_MAX_DIM] = {n0 << i, n0 << i, n0 << i};
        e[i] = max_error(P, method, n, order, 1, rtol);
    }
    p[0] = log2(e[0] / e[1]);
    p[1] = log2(e[1] / e[2]);
    fprintf(stderr, "  %s order %d, n = %zu, %zu, %zu: max error %.3e %.3e %.3e, orders %.2f %.2f\n",
            method, order, n0, 2 * n0, 4 * n0, e[0], e[1], e[2], p[0], p[1]);
}

/* ---- fd, 2D: -(u_xx + u_yy) + 0.3 u_xy + x u_x = f, u = e^x sin(pi y);
 * x = 0 Dirichlet, x = 1 Neumann, y = 0 Robin 2u - u_y, y = 1 Robin u + u_y/2 */
static double p2_exact(const double *x, double t)
{
    (void)t;
    return exp(x[0]) * sin(M_PI * x[1]);
}

static int p2_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)t, (void)ctx;
    double u = p2_exact(x, 0), uxy = M_PI * exp(x[0]) * cos(M_PI * x[1]);
    double f = -(u - M_PI * M_PI * u) + 0.3 * uxy + x[0] * u;
    /* symbols in 2D: u, u_x, u_y, u_xx, u_xy, u_yy, u_t */
    out[0] = -(s[3] + s[5]) + 0.3 * s[4] + x[0] * s[1] - f;
    return 0;
}

static int p2_bc(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx)
{
    (void)t, (void)f, (void)ctx;
    double u = p2_exact(x, 0), uy = M_PI * exp(x[0]) * cos(M_PI * x[1]);
    if (v == 0 && side == 0)
        abg[0] = 1, abg[1] = 0, abg[2] = u;
    else if (v == 0)
        abg[0] = 0, abg[1] = 1, abg[2] = u; /* u_x = u */
    else if (side == 0)
        abg[0] = 2, abg[1] = 1, abg[2] = 2 * u - uy;
    else
        abg[0] = 1, abg[1] = 0.5, abg[2] = u + 0.5 * uy;
    return 0;
}

static void p2_make(tp *P)
{
    memset(P, 0, sizeof *P);
    P->s = (refpde_spec){.dim = 2, .hi = {1, 1}, .nf = 1, .f = p2_f, .bcval = p2_bc,
                         .ctx = P};
    P->s.bc[0][0][0] = REFPDE_DIRICHLET;
    P->s.bc[0][1][0] = REFPDE_NEUMANN;
    P->s.bc[1][0][0] = REFPDE_ROBIN;
    P->s.bc[1][1][0] = REFPDE_ROBIN;
    P->exact = p2_exact;
}

START_TEST(fd_2d_orders)
{
    tp P;
    p2_make(&P);
    double e[3], p[2];
    orders(&P, "fd", 8, 4, 1e-10, e, p);
    /* fourth order: 3.5 <= p <= 5 (one-sided boundary stencils) */
    ck_assert_msg(p[1] > 3.5 && p[1] < 5.0, "order %g", p[1]);
    orders(&P, "fd", 8, 2, 1e-10, e, p);
    ck_assert_msg(p[1] > 1.8 && p[1] < 2.5, "order %g", p[1]);
    ck_assert_double_lt(e[2], 2e-2);
}
END_TEST

/* ---- fd, 1D nonlinear: -u_xx + u^3 = f, u = sin 2x + x, Dirichlet at 0,
 * Robin u + u_x = g at 1 */
static double p1_exact(const double *x, double t)
{
    (void)t;
    return sin(2 * x[0]) + x[0];
}

static int p1_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)t, (void)ctx;
    double u = p1_exact(x, 0), f = 4 * sin(2 * x[0]) + u * u * u;
    out[0] = -s[2] + s[0] * s[0] * s[0] - f;
    return 0;
}

static int p1_bc(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx)
{
    (void)t, (void)v, (void)f, (void)ctx;
    double u = p1_exact(x, 0), ux = 2 * cos(2 * x[0]) + 1;
    abg[0] = 1, abg[1] = side ? 1 : 0, abg[2] = side ? u + ux : u;
    return 0;
}

START_TEST(fd_1d_newton)
{
    tp P = {.exact = p1_exact};
    P.s = (refpde_spec){.dim = 1, .hi = {1}, .nf = 1, .f = p1_f, .bcval = p1_bc, .ctx = &P};
    P.s.bc[0][1][0] = REFPDE_ROBIN;
    double e[3], p[2];
    orders(&P, "fd", 16, 4, 1e-10, e, p);
    ck_assert_msg(p[1] > 3.5 && p[1] < 5.0, "order %g", p[1]);
    orders(&P, "fd", 16, 6, 1e-10, e, p);
    ck_assert_msg(p[0] > 5.0 && p[0] < 7.5, "order %g", p[0]);
}
END_TEST

/* ---- mol, 1D: u_t = 0.4 u_xx - u u_x + f, u = e^(-t/2) cos(1.3 x) + 0.2 x
 * on [0, 1] x [0, 1]; Dirichlet at 0, Robin u + 0.7 u_x at 1 */
static double m1_exact(const double *x, double t)
{
    return exp(-t / 2) * cos(1.3 * x[0]) + 0.2 * x[0];
}

static int m1_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)ctx;
    double e = exp(-t / 2), u = m1_exact(x, t), ut = -0.5 * e * cos(1.3 * x[0]),
           ux = -1.3 * e * sin(1.3 * x[0]) + 0.2, uxx = -1.69 * e * cos(1.3 * x[0]);
    double f = ut - 0.4 * uxx + u * ux;
    out[0] = 0.4 * s[2] - s[0] * s[1] + f;
    return 0;
}

static int m1_bc(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx)
{
    (void)v, (void)f, (void)ctx;
    double e = exp(-t / 2), u = m1_exact(x, t), ux = -1.3 * e * sin(1.3 * x[0]) + 0.2;
    abg[0] = 1, abg[1] = side ? 0.7 : 0, abg[2] = side ? u + 0.7 * ux : u;
    return 0;
}

START_TEST(mol_1d_orders)
{
    tp P = {.exact = m1_exact};
    P.s = (refpde_spec){.dim = 1, .hi = {1}, .evolution = 1, .t1 = 1, .nf = 1, .order = {1},
                        .f = m1_f, .bcval = m1_bc, .u0 = tp_u0, .ctx = &P};
    P.s.bc[0][1][0] = REFPDE_ROBIN;
    double e[3], p[2];
    orders(&P, "mol", 16, 4, 1e-12, e, p);
    ck_assert_msg(p[1] > 3.5 && p[1] < 5.0, "order %g", p[1]);
}
END_TEST

/* ---- mol and spectral, periodic: u_t = 0.01 u_xx - 5 u^3 + 5 u + f on
 * [-1, 1], u = sin(pi x) cos t + 0.5 (Allen-Cahn with a manufactured source) */
static double ac_exact(const double *x, double t)
{
    return sin(M_PI * x[0]) * cos(t) + 0.5;
}

static int ac_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)ctx;
    double u = ac_exact(x, t), ut = -sin(M_PI * x[0]) * sin(t),
           uxx = -M_PI * M_PI * sin(M_PI * x[0]) * cos(t);
    double f = ut - 0.01 * uxx + 5 * u * u * u - 5 * u;
    out[0] = 0.01 * s[2] - 5 * s[0] * s[0] * s[0] + 5 * s[0] + f;
    return 0;
}

static int no_bc(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx)
{
    (void)x, (void)t, (void)v, (void)side, (void)f, (void)ctx;
    abg[0] = abg[1] = abg[2] = 0;
    return 0;
}

static void ac_make(tp *P)
{
    memset(P, 0, sizeof *P);
    P->s = (refpde_spec){.dim = 1, .lo = {-1}, .hi = {1}, .evolution = 1, .t1 = 1, .nf = 1,
                         .order = {1}, .f = ac_f, .bcval = no_bc, .u0 = tp_u0, .ctx = P};
    P->s.bc[0][0][0] = P->s.bc[0][1][0] = REFPDE_PERIODIC;
    P->exact = ac_exact;
}

START_TEST(mol_periodic_orders)
{
    tp P;
    ac_make(&P);
    double e[3], p[2];
    orders(&P, "mol", 16, 4, 1e-12, e, p);
    /* centred stencils only: 3.8 <= p <= 4.3 */
    ck_assert_msg(p[1] > 3.8 && p[1] < 4.3, "order %g", p[1]);
}
END_TEST

START_TEST(spectral_time_order)
{
    tp P;
    ac_make(&P);
    double e[3];
    size_t n[REFPDE_MAX_DIM] = {32};
    for (int i = 0; i < 3; i++)
        e[i] = max_error(&P, "spectral", n, 4, (size_t)16 << i, 1e-10);
    double p0 = log2(e[0] / e[1]), p1 = log2(e[1] / e[2]);
    fprintf(stderr, "  spectral ETDRK4, 32 modes, nt = 16, 32, 64: max error %.3e %.3e %.3e, "
            "orders %.2f %.2f\n", e[0], e[1], e[2], p0, p1);
    /* fourth order in time: 3.5 <= p <= 4.6 */
    ck_assert_msg(p1 > 3.5 && p1 < 4.6, "order %g", p1);
    /* with 256 steps the closed form is matched to 1e-8 */
    ck_assert_double_lt(max_error(&P, "spectral", n, 4, 256, 1e-10), 1e-8);
}
END_TEST

/* ---- mol, wave: u_tt = 4 u_xx, u = sin(pi x) cos(2 pi t) + 0.5 sin(4 pi x) cos(8 pi t) */
static double w_exact(const double *x, double t)
{
    return sin(M_PI * x[0]) * cos(2 * M_PI * t) + 0.5 * sin(4 * M_PI * x[0]) * cos(8 * M_PI * t);
}

static int w_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)x, (void)t, (void)ctx;
    out[0] = 4 * s[2];
    return 0;
}

static double w_ut0(const double *x, size_t f, void *ctx)
{
    (void)x, (void)f, (void)ctx;
    return 0.0;
}

START_TEST(mol_wave_orders)
{
    tp P = {.exact = w_exact};
    P.s = (refpde_spec){.dim = 1, .hi = {1}, .evolution = 1, .t1 = 1, .nf = 1, .order = {2},
                        .f = w_f, .bcval = no_bc, .u0 = tp_u0, .ut0 = w_ut0, .ctx = &P};
    double e[3], p[2];
    orders(&P, "mol", 64, 4, 1e-12, e, p);
    ck_assert_msg(p[1] > 3.5 && p[1] < 5.0, "order %g", p[1]);
}
END_TEST

/* ---- mol, 2D heat: u_t = 0.1 (u_xx + u_yy), u = e^(-0.1 (pi^2/4 + pi^2) t)
 * cos(pi x / 2) sin(pi y); Neumann at x = 0, Dirichlet elsewhere */
static double h2_exact(const double *x, double t)
{
    return exp(-0.1 * 1.25 * M_PI * M_PI * t) * cos(M_PI * x[0] / 2) * sin(M_PI * x[1]);
}

static int h2_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)x, (void)t, (void)ctx;
    out[0] = 0.1 * (s[3] + s[5]);
    return 0;
}

START_TEST(mol_2d_orders)
{
    tp P = {.exact = h2_exact};
    P.s = (refpde_spec){.dim = 2, .hi = {1, 1}, .evolution = 1, .t1 = 0.5, .nf = 1,
                        .order = {1}, .f = h2_f, .bcval = no_bc, .u0 = tp_u0, .ctx = &P};
    P.s.bc[0][0][0] = REFPDE_NEUMANN;
    static const unsigned char uses[7] = {0, 0, 0, 1, 0, 1, 0};
    P.s.uses = uses;
    double e[3], p[2];
    orders(&P, "mol", 8, 4, 1e-11, e, p);
    ck_assert_msg(p[1] > 3.5 && p[1] < 5.0, "order %g", p[1]);
}
END_TEST

/* ---- selection and errors */
START_TEST(pick_and_refuse)
{
    tp P;
    ac_make(&P);
    char why[512];
    const refpde_method *m = refpde_method_pick(&P.s, why, sizeof why);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->name, "spectral");
    p2_make(&P);
    m = refpde_method_pick(&P.s, why, sizeof why);
    ck_assert_str_eq(m->name, "fd");
    ck_assert_int_ne(refpde_method_find("spectral")->accepts(&P.s, why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "not a 1D time-dependent"));
    ck_assert_ptr_null(refpde_method_find("nope"));
    /* a variable diffusion coefficient is not for ETDRK4, but mol takes it */
    tp Q = {.exact = ac_exact}; /* a smooth periodic u0 */
    Q.s = (refpde_spec){.dim = 1, .lo = {-1}, .hi = {1}, .evolution = 1, .t1 = 1, .nf = 1,
                        .order = {1}, .f = m1_f, .bcval = no_bc, .u0 = tp_u0, .ctx = &Q};
    Q.s.bc[0][0][0] = Q.s.bc[0][1][0] = REFPDE_PERIODIC;
    ck_assert_int_ne(refpde_method_find("spectral")->accepts(&Q.s, why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "not constant"));
    m = refpde_method_pick(&Q.s, why, sizeof why);
    ck_assert_str_eq(m->name, "mol");
}
END_TEST

static int f_nan(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)x, (void)t, (void)s, (void)ctx;
    out[0] = NAN;
    return 0;
}

START_TEST(error_paths)
{
    tp P;
    p2_make(&P);
    double xs[3] = {0, 0.5, 1}, u[9 * 2];
    refpde_out out = {.xs = {xs, xs}, .m = {3, 3}};
    refpde_opts o = {.n = {8, 8}, .order = 4, .rtol = 1e-8, .atol = 1e-8, .nt = 1,
                     .newton_tol = 1e-12, .newton_max = 20};
    char err[256];
    const refpde_method *fd = refpde_method_find("fd"), *mol = refpde_method_find("mol"),
                        *sp = refpde_method_find("spectral");
    ck_assert_int_eq(fd->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_OK);
    ck_assert_double_lt(fabs(u[4] - p2_exact((double[]){0.5, 0.5}, 0)), 2e-2);
    o.order = 3;
    ck_assert_int_ne(fd->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_OK);
    ck_assert_ptr_nonnull(strstr(err, "must be 2, 4 or 6"));
    o.order = 4;
    o.n[0] = 3;
    ck_assert_int_ne(fd->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_OK);
    ck_assert_ptr_nonnull(strstr(err, "intervals in dimension 0"));
    o.n[0] = 8;
    xs[2] = 1.5;
    ck_assert_int_eq(fd->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "outside"));
    xs[2] = 1;
    P.s.bc[1][0][0] = REFPDE_PERIODIC;
    ck_assert_int_eq(fd->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "periodic on some"));
    P.s.bc[1][0][0] = REFPDE_ROBIN;
    ck_assert_int_eq(mol->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_EINVAL);
    ck_assert_int_eq(sp->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_EINVAL);
    P.s.f = f_nan;
    ck_assert_int_eq(fd->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_EFAIL);
    ck_assert_ptr_nonnull(strstr(err, "not finite"));
    /* u = 0 everywhere with only Neumann sides: singular */
    p2_make(&P);
    for (int v = 0; v < 2; v++)
        for (int s = 0; s < 2; s++)
            P.s.bc[v][s][0] = REFPDE_NEUMANN;
    P.s.f = h2_f;
    int rc = fd->solve(u, &P.s, &o, &out, err, sizeof err);
    ck_assert_int_eq(rc, REFPDE_EFAIL);
    ck_assert_msg(strstr(err, "singular") != NULL, "%s", err);
    /* mol: a blow-up u_t = u^3 from u0 = 10 on [0, 1] stops with a message */
    ac_make(&P);
    P.s.f = f_nan;
    double ts[2] = {0, 1};
    out.ts = ts, out.nts = 2;
    o.n[0] = 16;
    ck_assert_int_eq(mol->solve(u, &P.s, &o, &out, err, sizeof err), REFPDE_EFAIL);
    ck_assert_int_eq(sp->solve(u, &P.s, &o, &out, err, sizeof err) != REFPDE_OK, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("reference_pde");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fd_2d_orders);
    tcase_add_test(tc, fd_1d_newton);
    tcase_add_test(tc, mol_1d_orders);
    tcase_add_test(tc, mol_periodic_orders);
    tcase_add_test(tc, spectral_time_order);
    tcase_add_test(tc, mol_wave_orders);
    tcase_add_test(tc, mol_2d_orders);
    tcase_add_test(tc, pick_and_refuse);
    tcase_add_test(tc, error_paths);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(suite)
