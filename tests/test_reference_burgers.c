/* tests/test_reference_burgers.c - the "mol" reference method on viscous
 * Burgers u_t + u u_x = (0.01/pi) u_xx, u0 = -sin(pi x), u(+-1) = 0 (the
 * Raissi et al. benchmark) against an independent Cole-Hopf solution
 * (burgers_colehopf.h: adaptive quadrature) at points across the front,
 * x in [-0.5, 0.9], t in [0.1, 1], and the fourth-order convergence there. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "burgers_colehopf.h"
#include "check_main.h"
#include "reference/refpde.h"

static const double NU = 0.01 / M_PI;

static int bf(const double *x, double t, const double *s, double *out, void *ctx)
{
    (void)x, (void)t, (void)ctx;
    out[0] = -s[0] * s[1] + NU * s[2];
    return 0;
}

static int bbc(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx)
{
    (void)x, (void)t, (void)v, (void)side, (void)f, (void)ctx;
    abg[0] = 1, abg[1] = 0, abg[2] = 0;
    return 0;
}

static double bu0(const double *x, size_t f, void *ctx)
{
    (void)f, (void)ctx;
    return -sin(M_PI * x[0]);
}

static const double XS[] = {-0.5, -0.1, -0.02, -0.005, 0, 0.003, 0.01, 0.05, 0.3, 0.9};
static const double TS[] = {0.1, 0.25, 0.4, 0.5, 0.75, 1.0};
#define NX (sizeof XS / sizeof *XS)
#define NT (sizeof TS / sizeof *TS)

static double burgers_error(size_t n)
{
    refpde_spec s = {.dim = 1, .lo = {-1}, .hi = {1}, .evolution = 1, .t1 = 1, .nf = 1,
                     .order = {1}, .f = bf, .bcval = bbc, .u0 = bu0};
    refpde_out out = {.xs = {XS}, .m = {NX}, .ts = TS, .nts = NT};
    refpde_opts o = {.n = {n}, .order = 4, .rtol = 1e-10, .atol = 1e-10};
    double u[NX * NT];
    char err[256];
    int rc = refpde_method_find("mol")->solve(u, &s, &o, &out, err, sizeof err);
    ck_assert_msg(rc == REFPDE_OK, "%s", err);
    double e = 0;
    for (size_t k = 0; k < NT; k++)
        for (size_t i = 0; i < NX; i++) {
            double ch = burgers_colehopf(XS[i], TS[k], NU);
            ck_assert(isfinite(ch));
            e = fmax(e, fabs(u[k * NX + i] - ch));
        }
    return e;
}

START_TEST(colehopf_small_time)
{
    /* the quadrature itself: at t = 1e-5 the solution is still u0 */
    for (double x = -0.9; x < 1; x += 0.3)
        ck_assert_double_lt(fabs(burgers_colehopf(x, 1e-5, NU) + sin(M_PI * x)), 1e-4);
    /* odd in x, and u(0, t) = 0 */
    ck_assert_double_lt(fabs(burgers_colehopf(0.2, 0.6, NU) + burgers_colehopf(-0.2, 0.6, NU)),
                        1e-12);
    ck_assert_double_lt(fabs(burgers_colehopf(0.0, 0.6, NU)), 1e-12);
}
END_TEST

START_TEST(mol_vs_colehopf)
{
    double e1 = burgers_error(2048), e2 = burgers_error(4096);
    fprintf(stderr, "  burgers mol order 4: n = 2048, 4096: max error vs Cole-Hopf %.3e %.3e, "
            "order %.2f\n", e1, e2, log2(e1 / e2));
    /* measured 4.9e-5 and 3.1e-6 */
    ck_assert_double_lt(e1, 1e-4);
    ck_assert_double_lt(e2, 6e-6);
    ck_assert_double_gt(log2(e1 / e2), 3.5);
}
END_TEST

static Suite *suite(void)
{
    gsl_set_error_handler_off();
    Suite *s = suite_create("reference_burgers");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, colehopf_small_time);
    tcase_add_test(tc, mol_vs_colehopf);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(suite)
