/* tests/test_reference_ode.c - the gsl_odeiv2 reference against exact
 * solutions (logistic, damped oscillator), an invariant (SIR), a stiff
 * system (Robertson) with msbdf against rk8pd, every stepper in the table,
 * output placement and every error path. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "check_main.h"
#include "reference/reference.h"

static void linspace(double *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = i + 1 == n ? hi : lo + (hi - lo) * (double)i / (double)(n - 1);
}

/* logistic y' = 2 y (1 - y), y(0) = 0.1: y = 1 / (1 + 9 e^-2t) */
static int logistic_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = 2.0 * y[0] * (1.0 - y[0]);
    return 0;
}

static int logistic_jac(double t, const double *y, double *dfdy, double *dfdt, void *c)
{
    (void)t, (void)c;
    dfdy[0] = 2.0 - 4.0 * y[0];
    dfdt[0] = 0.0;
    return 0;
}

static const double logistic_y0[1] = {0.1};

static ode_spec logistic(void)
{
    ode_spec p = {1, 0.0, logistic_y0, logistic_rhs, logistic_jac, NULL};
    return p;
}

/* x'' + 2 zeta w x' + w^2 x = 0, zeta = 0.1, w = 2, x(0) = 1, x'(0) = 0:
 * with wd = w sqrt(1 - zeta^2),
 * x = e^(-zeta w t) (cos wd t + zeta w / wd sin wd t),
 * v = -e^(-zeta w t) w^2 / wd sin wd t. */
static const double ZETA = 0.1, OMEGA = 2.0;

static int osc_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = y[1];
    f[1] = -2.0 * ZETA * OMEGA * y[1] - OMEGA * OMEGA * y[0];
    return 0;
}

/* SIR, beta = 0.5, gamma = 0.1: S + I + R stays 1. */
static int sir_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    const double beta = 0.5, gamma = 0.1;
    f[0] = -beta * y[0] * y[1];
    f[1] = beta * y[0] * y[1] - gamma * y[1];
    f[2] = gamma * y[1];
    return 0;
}

static int sir_jac(double t, const double *y, double *J, double *dfdt, void *c)
{
    (void)t, (void)c;
    const double beta = 0.5, gamma = 0.1;
    const double j[9] = {-beta * y[1], -beta * y[0], 0.0,
                         beta * y[1], beta * y[0] - gamma, 0.0,
                         0.0, gamma, 0.0};
    memcpy(J, j, sizeof j);
    dfdt[0] = dfdt[1] = dfdt[2] = 0.0;
    return 0;
}

/* Robertson's stiff chemistry: y1 + y2 + y3 stays 1. */
static int rob_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
    f[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
    f[2] = 3e7 * y[1] * y[1];
    return 0;
}

static int rob_jac(double t, const double *y, double *J, double *dfdt, void *c)
{
    (void)t, (void)c;
    const double j[9] = {-0.04, 1e4 * y[2], 1e4 * y[1],
                         0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1],
                         0.0, 6e7 * y[1], 0.0};
    memcpy(J, j, sizeof j);
    dfdt[0] = dfdt[1] = dfdt[2] = 0.0;
    return 0;
}

/* Default rk8pd at 1e-10/1e-10, outputs every 0.1: max error measured
 * 2.8e-14 (short gaps keep the steps small); bound 1e-9, the target. */
START_TEST(logistic_matches_its_exact_solution)
{
    enum { N = 51 };
    double ts[N], y[N];
    linspace(ts, N, 0.0, 5.0);
    ode_spec p = logistic();
    char err[256] = "";
    ck_assert_msg(reference_ode(y, &p, NULL, REFERENCE_ODE_EPSABS, REFERENCE_ODE_EPSREL, ts, N,
                                err, sizeof err) == REFERENCE_OK, "%s", err);
    double worst = 0.0;
    for (size_t k = 0; k < N; k++)
        worst = fmax(worst, fabs(y[k] - 1.0 / (1.0 + 9.0 * exp(-2.0 * ts[k]))));
    ck_assert_double_eq(y[0], 0.1); /* ts[0] == t0 gives y0 itself */
    ck_assert_double_le(worst, 1e-9);
}
END_TEST

/* Every stepper on the logistic at 1e-10/1e-10, outputs every 0.5. The
 * driver controls the local error, so global errors differ by method;
 * measured max errors: rk8pd 7e-12, rkf45 1e-10, rkck 4e-11, rk4 1e-9,
 * rk2 2e-10, msadams 6e-9, msbdf 1e-8, bsimp 1e-15, rk4imp 3e-10,
 * rk2imp 3e-8, rk1imp 2.2e-6 (first order). Bound 1e-7, 1e-5 for rk1imp:
 * a broken table entry (wrong method, ignored tolerance) is off by 1e-3 or
 * more. */
START_TEST(every_stepper_in_the_table_solves_the_logistic)
{
    enum { N = 11 };
    double ts[N], y[N];
    linspace(ts, N, 0.0, 5.0);
    ode_spec p = logistic();
    size_t count = 0;
    for (const ode_stepper *s = ode_steppers; s->name != NULL; s++, count++) {
        char err[256] = "";
        ck_assert_ptr_eq(ode_stepper_find(s->name), s);
        int rc = reference_ode(y, &p, s->name, 1e-10, 1e-10, ts, N, err, sizeof err);
        ck_assert_msg(rc == REFERENCE_OK, "%s: %s", s->name, err);
        double worst = 0.0;
        for (size_t k = 0; k < N; k++)
            worst = fmax(worst, fabs(y[k] - 1.0 / (1.0 + 9.0 * exp(-2.0 * ts[k]))));
        double bound = strcmp(s->name, "rk1imp") == 0 ? 1e-5 : 1e-7;
        ck_assert_msg(worst <= bound, "%s: max error %g", s->name, worst);
    }
    ck_assert_uint_eq(count, 11);
    ck_assert_ptr_null(ode_stepper_find("euler"));
    ck_assert_ptr_null(ode_stepper_find(NULL));
}
END_TEST

/* rk8pd on [0, 10], outputs every 0.1: measured max error 1.4e-13 in x
 * and v; bound 1e-9 (the brief's target). */
START_TEST(damped_oscillator_matches_its_exact_solution)
{
    enum { N = 101 };
    double ts[N], y[2 * N];
    const double y0[2] = {1.0, 0.0};
    linspace(ts, N, 0.0, 10.0);
    ode_spec p = {2, 0.0, y0, osc_rhs, NULL, NULL};
    ck_assert_int_eq(reference_ode(y, &p, "rk8pd", 1e-10, 1e-10, ts, N, NULL, 0), REFERENCE_OK);
    const double wd = OMEGA * sqrt(1.0 - ZETA * ZETA);
    double worst = 0.0;
    for (size_t k = 0; k < N; k++) {
        double t = ts[k], e = exp(-ZETA * OMEGA * t);
        double x = e * (cos(wd * t) + ZETA * OMEGA / wd * sin(wd * t));
        double v = -e * OMEGA * OMEGA / wd * sin(wd * t);
        worst = fmax(worst, fmax(fabs(y[2 * k] - x), fabs(y[2 * k + 1] - v)));
    }
    ck_assert_double_le(worst, 1e-9);
}
END_TEST

/* S + I + R = 1 to 1e-9 over [0, 100] (measured drift 7e-16 with rk8pd,
 * 9e-16 with msbdf: both methods are linear, so they keep linear
 * invariants up to rounding). rk8pd and msbdf agree to 1e-6 (measured
 * 3.4e-8; msbdf's global error is the larger). */
START_TEST(sir_keeps_its_population_and_steppers_agree)
{
    enum { N = 101 };
    double ts[N], a[3 * N], b[3 * N];
    const double y0[3] = {0.99, 0.01, 0.0};
    linspace(ts, N, 0.0, 100.0);
    ode_spec p = {3, 0.0, y0, sir_rhs, sir_jac, NULL};
    ck_assert_int_eq(reference_ode(a, &p, "rk8pd", 1e-10, 1e-10, ts, N, NULL, 0), REFERENCE_OK);
    ck_assert_int_eq(reference_ode(b, &p, "msbdf", 1e-10, 1e-10, ts, N, NULL, 0), REFERENCE_OK);
    double drift = 0.0, diff = 0.0;
    for (size_t k = 0; k < N; k++) {
        drift = fmax(drift, fabs(a[3 * k] + a[3 * k + 1] + a[3 * k + 2] - 1.0));
        drift = fmax(drift, fabs(b[3 * k] + b[3 * k + 1] + b[3 * k + 2] - 1.0));
        for (size_t i = 0; i < 3; i++)
            diff = fmax(diff, fabs(a[3 * k + i] - b[3 * k + i]));
    }
    ck_assert_double_le(drift, 1e-9);
    ck_assert_double_le(diff, 1e-6);
    /* the epidemic happened: I peaked and S fell well below 1 */
    ck_assert_double_lt(a[3 * (N - 1)], 0.2);
}
END_TEST

/* Robertson to t = 40 (the classic check: y1 = 0.7158, y2 = 9.185e-6,
 * y3 = 0.2842). msbdf and rk8pd (which gets there, slowly, through
 * stiffness) agree to 1e-7 relative in y1, y3 and 1e-5 relative in y2
 * (measured 3.1e-9 and 1.7e-8). msbdf then runs on to t = 4e7 (in about 2 ms),
 * keeping y1 + y2 + y3 = 1 to 1e-9 (measured 1e-15). */
START_TEST(msbdf_solves_the_stiff_robertson_system)
{
    enum { N = 5 };
    const double ts[N] = {0.0, 0.4, 4.0, 40.0, 4e7};
    const double y0[3] = {1.0, 0.0, 0.0};
    double a[3 * N], b[3 * 4];
    ode_spec p = {3, 0.0, y0, rob_rhs, rob_jac, NULL};
    char err[256] = "";
    ck_assert_msg(reference_ode(a, &p, "msbdf", 1e-12, 1e-10, ts, N, err, sizeof err)
                      == REFERENCE_OK, "%s", err);
    ck_assert_msg(reference_ode(b, &p, "rk8pd", 1e-12, 1e-10, ts, 4, err, sizeof err)
                      == REFERENCE_OK, "%s", err);
    ck_assert_double_eq_tol(a[3 * 3], 0.7158, 1e-4);
    ck_assert_double_eq_tol(a[3 * 3 + 1], 9.185e-6, 1e-9);
    for (size_t k = 1; k < 4; k++) {
        ck_assert_double_le(fabs(a[3 * k] - b[3 * k]), 1e-7 * fabs(b[3 * k]));
        ck_assert_double_le(fabs(a[3 * k + 1] - b[3 * k + 1]), 1e-5 * fabs(b[3 * k + 1]));
        ck_assert_double_le(fabs(a[3 * k + 2] - b[3 * k + 2]), 1e-7 * fabs(b[3 * k + 2]));
    }
    for (size_t k = 0; k < N; k++)
        ck_assert_double_le(fabs(a[3 * k] + a[3 * k + 1] + a[3 * k + 2] - 1.0), 1e-9);
    ck_assert_double_lt(a[3 * 4], 1e-3); /* at 4e7 nearly all y1 has turned into y3 */
}
END_TEST

/* Repeated times repeat the row; a time equal to t0 (not 0) gives y0. */
START_TEST(output_rows_follow_the_times)
{
    const double y0[1] = {0.1};
    const double ts[4] = {1.0, 1.0, 2.0, 2.0};
    double y[4];
    ode_spec p = {1, 1.0, y0, logistic_rhs, NULL, NULL};
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 4, NULL, 0), REFERENCE_OK);
    ck_assert_double_eq(y[0], 0.1);
    ck_assert_double_eq(y[1], 0.1);
    ck_assert_double_eq(y[2], y[3]);
    ck_assert_double_eq_tol(y[2], 1.0 / (1.0 + 9.0 * exp(-2.0)), 1e-9);
    ck_assert_int_eq(reference_ode(NULL, &p, NULL, 1e-10, 1e-10, NULL, 0, NULL, 0), REFERENCE_OK);
}
END_TEST

static int failing_rhs(double t, const double *y, double *f, void *c)
{
    (void)y, (void)c;
    f[0] = 1.0;
    return t > 0.5; /* fails past t = 0.5 */
}

static int nan_rhs(double t, const double *y, double *f, void *c)
{
    (void)c;
    f[0] = t > 0.5 ? NAN : y[0];
    return 0;
}

/* y' = y^2, y(0) = 1 blows up at t = 1 */
static int blowup_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = y[0] * y[0];
    return 0;
}

static int failing_jac(double t, const double *y, double *dfdy, double *dfdt, void *c)
{
    (void)t, (void)y, (void)c;
    dfdy[0] = dfdt[0] = 0.0;
    return 1;
}

START_TEST(bad_problems_are_refused_with_a_message)
{
    const double ts[2] = {0.0, 1.0}, y0[1] = {1.0}, nan0[1] = {NAN};
    double y[2];
    char err[256];
    ode_spec ok = logistic(), p;
    struct {
        const char *stepper;
        double ea, er;
        const char *want;
    } names[] = {
        {"euler", 1e-10, 1e-10, "unknown stepper 'euler'"},
        {"rk8pd", -1e-10, 1e-10, "epsabs"},
        {"rk8pd", 0.0, 0.0, "not both 0"},
        {"rk8pd", 1e-10, NAN, "epsabs"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ck_assert_int_eq(reference_ode(y, &ok, names[i].stepper, names[i].ea, names[i].er, ts, 2,
                                       err, sizeof err),
                         REFERENCE_EINVAL);
        ck_assert_msg(strstr(err, names[i].want) != NULL, "'%s'", err);
    }
    p = ok;
    p.jac = NULL;
    const char *needs[] = {"msbdf", "bsimp", "rk4imp", "rk2imp", "rk1imp"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(reference_ode(y, &p, needs[i], 1e-10, 1e-10, ts, 2, err, sizeof err),
                         REFERENCE_EINVAL);
        ck_assert_ptr_nonnull(strstr(err, "needs the Jacobian"));
    }
    ck_assert_int_eq(reference_ode(y, &p, "rk8pd", 1e-10, 1e-10, ts, 2, err, sizeof err),
                     REFERENCE_OK);

    p = ok;
    p.m = 0;
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 2, err, sizeof err), REFERENCE_EINVAL);
    p = ok;
    p.y0 = NULL;
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 2, err, sizeof err), REFERENCE_EINVAL);
    p = ok;
    p.y0 = nan0;
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 2, err, sizeof err), REFERENCE_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "y0[0]"));
    p = ok;
    p.rhs = NULL;
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 2, err, sizeof err), REFERENCE_EINVAL);
    ck_assert_int_eq(reference_ode(y, NULL, NULL, 1e-10, 1e-10, ts, 2, err, sizeof err), REFERENCE_EINVAL);

    const double before[2] = {-1.0, 1.0}, down[2] = {1.0, 0.5};
    ck_assert_int_eq(reference_ode(y, &ok, NULL, 1e-10, 1e-10, before, 2, err, sizeof err), REFERENCE_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "before t0"));
    ck_assert_int_eq(reference_ode(y, &ok, NULL, 1e-10, 1e-10, down, 2, err, sizeof err), REFERENCE_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "decrease"));
    ck_assert_int_eq(reference_ode(y, &ok, NULL, 1e-10, 1e-10, NULL, 2, err, sizeof err), REFERENCE_EINVAL);
    ck_assert_int_eq(reference_ode(NULL, &ok, NULL, 1e-10, 1e-10, ts, 2, err, sizeof err), REFERENCE_EINVAL);
    ck_assert_int_eq(reference_ode(y, NULL, NULL, 1e-10, 1e-10, ts, 2, NULL, 0), REFERENCE_EINVAL);
    (void)y0;
}
END_TEST

START_TEST(failures_during_the_solve_are_reported)
{
    const double ts[3] = {0.0, 0.4, 2.0}, y0[1] = {1.0};
    double y[3];
    char err[256];
    ode_spec p = {1, 0.0, y0, failing_rhs, NULL, NULL};
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 3, err, sizeof err), REFERENCE_EFAIL);
    ck_assert_ptr_nonnull(strstr(err, "returned an error"));
    ck_assert_ptr_nonnull(strstr(err, "ts[2]"));
    p.rhs = nan_rhs;
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 3, err, sizeof err), REFERENCE_EFAIL);
    ck_assert_ptr_nonnull(strstr(err, "non-finite"));
    ck_assert_ptr_nonnull(strstr(err, "t = 0.5"));
    p.rhs = blowup_rhs;
    ck_assert_int_eq(reference_ode(y, &p, NULL, 1e-10, 1e-10, ts, 3, err, sizeof err), REFERENCE_EFAIL);
    ck_assert_ptr_nonnull(strstr(err, "ode: rk8pd stopped at t = 1 "));
    p.rhs = logistic_rhs;
    p.jac = failing_jac;
    ck_assert_int_eq(reference_ode(y, &p, "msbdf", 1e-10, 1e-10, ts, 3, err, sizeof err), REFERENCE_EFAIL);
    ck_assert_ptr_nonnull(strstr(err, "msbdf stopped"));
}
END_TEST

static Suite *reference_ode_suite(void)
{
    gsl_set_error_handler_off();
    Suite *s = suite_create("reference_ode");
    TCase *tc = tcase_create("ode");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, logistic_matches_its_exact_solution);
    tcase_add_test(tc, every_stepper_in_the_table_solves_the_logistic);
    tcase_add_test(tc, damped_oscillator_matches_its_exact_solution);
    tcase_add_test(tc, sir_keeps_its_population_and_steppers_agree);
    tcase_add_test(tc, msbdf_solves_the_stiff_robertson_system);
    tcase_add_test(tc, output_rows_follow_the_times);
    tcase_add_test(tc, bad_problems_are_refused_with_a_message);
    tcase_add_test(tc, failures_during_the_solve_are_reported);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(reference_ode_suite)
