/* tests/test_loss_debug.c - libpinnloss debugging tools: the gradient check
 * (it must catch a wrong gradient, not only pass a right one), the gradient
 * health report and its formatting, error strings and the version. */
#include <check.h>
#include <math.h>
#include <string.h>
#include "check_main.h"
#include "pinnloss.h"

/* f(x) = x0^2 + 3 x1: gradient (2 x0, 3) */
static double quad(const double *x, void *ctx)
{
    (void)ctx;
    return x[0] * x[0] + 3 * x[1];
}

static double nan_fn(const double *x, void *ctx)
{
    (void)x; (void)ctx;
    return NAN;
}

START_TEST(gradcheck_passes_right_and_catches_wrong)
{
    double x[] = {1.5, -2}, right[] = {3, 3}, wrong[] = {3, 3.3}, err;
    size_t worst = 99;
    ck_assert_int_eq(pl_gradcheck(&err, &worst, quad, NULL, x, right, 2, 1e-6, 1e-8), PL_OK);
    /* central differences are exact for a quadratic up to round-off
     * (~eps * |f| / h = 1e-10) */
    ck_assert_double_lt(err, 1e-8);
    ck_assert_double_eq(x[0], 1.5); /* restored */
    ck_assert_double_eq(x[1], -2);
    /* component 1: |3.3 - 3| / max(3.3, 3) = 0.3/3.3 */
    ck_assert_int_eq(pl_gradcheck(&err, &worst, quad, NULL, x, wrong, 2, 1e-6, 1e-8), PL_OK);
    ck_assert_double_eq_tol(err, 0.3 / 3.3, 1e-8);
    ck_assert_uint_eq(worst, 1);
    /* the floor: at x0 = 0 the true gradient is 0; an analytic 1e-7 gives
     * relative error 1 with a tiny floor but 1e-7/1e-3 = 1e-4 with floor 1e-3 */
    double z[] = {0, 0}, off[] = {1e-7, 3};
    ck_assert_int_eq(pl_gradcheck(&err, NULL, quad, NULL, z, off, 2, 1e-6, 1e-12), PL_OK);
    ck_assert_double_eq_tol(err, 1, 1e-3);
    ck_assert_int_eq(pl_gradcheck(&err, NULL, quad, NULL, z, off, 2, 1e-6, 1e-3), PL_OK);
    ck_assert_double_eq_tol(err, 1e-4, 1e-6);
}
END_TEST

START_TEST(gradcheck_errors)
{
    double x[] = {1, 2}, g[] = {2, 3}, err;
    ck_assert_int_eq(pl_gradcheck(&err, NULL, quad, NULL, x, g, 2, 0, 1e-8), PL_EINVAL);
    ck_assert_int_eq(pl_gradcheck(&err, NULL, quad, NULL, x, g, 2, 1e-6, 0), PL_EINVAL);
    ck_assert_int_eq(pl_gradcheck(&err, NULL, NULL, NULL, x, g, 2, 1e-6, 1e-8), PL_EINVAL);
    ck_assert_int_eq(pl_gradcheck(&err, NULL, quad, NULL, x, g, 0, 1e-6, 1e-8), PL_EINVAL);
    ck_assert_int_eq(pl_gradcheck(NULL, NULL, quad, NULL, x, g, 2, 1e-6, 1e-8), PL_EINVAL);
    ck_assert_int_eq(pl_gradcheck(&err, NULL, nan_fn, NULL, x, g, 2, 1e-6, 1e-8), PL_ENAN);
    double gn[] = {NAN, 1};
    ck_assert_int_eq(pl_gradcheck(&err, NULL, quad, NULL, x, gn, 2, 1e-6, 1e-8), PL_ENAN);
}
END_TEST

START_TEST(health_counts_and_flags)
{
    pl_grad_health r;
    const double g[] = {3, 4, NAN, INFINITY, -INFINITY};
    ck_assert_int_eq(pl_grad_health_check(&r, g, 5, 1e-8, 10), PL_OK);
    ck_assert_uint_eq(r.n, 5);
    ck_assert_uint_eq(r.nan_count, 1);
    ck_assert_uint_eq(r.inf_count, 2);
    ck_assert_double_eq_tol(r.norm, 5, 1e-15); /* over finite entries: |(3,4)| */
    ck_assert_double_eq(r.max_abs, 4);
    ck_assert_int_eq(r.exploding, 0);
    ck_assert_int_eq(r.vanishing, 0);
    ck_assert_int_eq(r.ok, 0); /* NaN and Inf present */
    const double fine[] = {3, -4};
    ck_assert_int_eq(pl_grad_health_check(&r, fine, 2, 1e-8, 10), PL_OK);
    ck_assert_int_eq(r.ok, 1);
    /* 1e300 entries: a naive sum of squares overflows; sqrt 2 * 1e300 */
    const double big[] = {1e300, -1e300};
    ck_assert_int_eq(pl_grad_health_check(&r, big, 2, 1e-8, 1e6), PL_OK);
    ck_assert_double_eq_tol(r.norm / 1e300, sqrt(2.0), 1e-14);
    ck_assert_int_eq(r.exploding, 1);
    ck_assert_int_eq(r.ok, 0);
    const double tiny[] = {1e-12, 0};
    ck_assert_int_eq(pl_grad_health_check(&r, tiny, 2, 1e-8, 1e6), PL_OK);
    ck_assert_int_eq(r.vanishing, 1);
    ck_assert_int_eq(r.exploding, 0);
    ck_assert_int_eq(pl_grad_health_check(&r, g, 0, 1e-8, 10), PL_EINVAL);
    ck_assert_int_eq(pl_grad_health_check(&r, g, 5, 10, 1), PL_EINVAL);
    ck_assert_int_eq(pl_grad_health_check(&r, g, 5, NAN, 1), PL_EINVAL);
    ck_assert_int_eq(pl_grad_health_check(NULL, g, 5, 0, 1), PL_EINVAL);
}
END_TEST

START_TEST(health_format)
{
    pl_grad_health r;
    const double g[] = {3, 4, NAN};
    pl_grad_health_check(&r, g, 3, 1e-8, 1);
    char buf[256];
    ck_assert_int_eq(pl_grad_health_format(buf, sizeof buf, &r), PL_OK);
    ck_assert_str_eq(buf, "grad: n=3 norm=5 max_abs=4 nan=1 inf=0 EXPLODING");
    char small[10];
    ck_assert_int_eq(pl_grad_health_format(small, sizeof small, &r), PL_EINVAL);
    ck_assert_uint_eq(strlen(small), 9); /* truncated, still terminated */
    ck_assert_int_eq(pl_grad_health_format(NULL, 10, &r), PL_EINVAL);
    ck_assert_int_eq(pl_grad_health_format(buf, 0, &r), PL_EINVAL);
}
END_TEST

START_TEST(strerror_and_version)
{
    ck_assert_str_eq(pl_version(), "0.1.0");
    ck_assert_str_eq(pl_strerror(PL_OK), "success");
    ck_assert_ptr_nonnull(strstr(pl_strerror(PL_ENAN), "NaN"));
    ck_assert_ptr_nonnull(strstr(pl_strerror(PL_EINVAL), "invalid"));
    ck_assert_ptr_nonnull(strstr(pl_strerror(PL_ENOMEM), "memory"));
    ck_assert_str_eq(pl_strerror(42), "unknown error");
}
END_TEST

static Suite *loss_debug_suite(void)
{
    Suite *s = suite_create("loss_debug");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, gradcheck_passes_right_and_catches_wrong);
    tcase_add_test(tc, gradcheck_errors);
    tcase_add_test(tc, health_counts_and_flags);
    tcase_add_test(tc, health_format);
    tcase_add_test(tc, strerror_and_version);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(loss_debug_suite)
