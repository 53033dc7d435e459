/* tests/test_verdict.c - the verdict after training: rel L2 against the
 * exact solution or the reference, the residual on fresh points when there
 * is neither; and through the pinn binary, a run that fails its verdict
 * warns, records it in the file and, under verdict.strict, exits 3. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "pinn_cli.h"
#include "io/h5io.h"
#include "train/verdict.h"
#include "trainer_fixture.h"

START_TEST(test_exact_before_reference)
{
    double u[4] = {1.0, 2.0, 3.0, 4.0}, ex[4] = {1.0, 2.0, 3.0, 4.4}, ref[4] = {1, 2, 3, 4};
    verdict v;
    ck_assert_int_eq(verdict_judge(&v, NULL, u, ex, ref, 4, 1e-2, 1e-2, NULL), 0);
    ck_assert_str_eq(v.measure, "rel_l2_vs_exact");
    /* |(0,0,0,-0.4)| / |ex| */
    double want = 0.4 / sqrt(1 + 4 + 9 + 4.4 * 4.4);
    ck_assert_double_eq_tol(v.value, want, 1e-15);
    ck_assert_int_eq(v.pass, 0);
    ck_assert_ptr_nonnull(strstr(v.text, "fail: rel L2 vs exact"));
    ck_assert_int_eq(verdict_judge(&v, NULL, u, NULL, ref, 4, 1e-2, 1e-2, NULL), 0);
    ck_assert_str_eq(v.measure, "rel_l2_vs_reference");
    ck_assert_double_eq(v.value, 0.0);
    ck_assert_int_eq(v.pass, 1);
    ck_assert_int_eq(strncmp(v.text, "pass", 4), 0);
    /* the tolerance is inclusive; a NaN fails */
    ck_assert_int_eq(verdict_judge(&v, NULL, u, ex, NULL, 4, want * (1 + 1e-12), 1e-2, NULL), 0);
    ck_assert_int_eq(v.pass, 1);
    u[0] = NAN;
    ck_assert_int_eq(verdict_judge(&v, NULL, u, ex, NULL, 4, 1.0, 1e-2, NULL), 0);
    ck_assert_int_eq(v.pass, 0);
}
END_TEST

/* y' = -y without an exact solution: the residual of a net is checked on a
 * fresh draw of points. */
static const char *ODE_CFG =
    "problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\"]; rhs = [\"-y\"];"
    " initial = [1.0]; };\n"
    "points = { interior = 64; sampler = \"uniform\"; };\n";

START_TEST(test_residual_fresh_points)
{
    train_options opt = {.adam_iterations = 0, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                         .epsilon = 1e-8, .log_every = 1000, .quiet = 1};
    fixture f;
    fixture_setup(&f, ODE_CFG, 8, 8, &opt);
    /* The net is y(t) = b (output bias only): residual y' + y = b. */
    memset(f.net->params, 0, f.net->n_params * sizeof(double));
    f.net->params[f.net->n_params - 1] = 0.5;
    double before[64];
    memcpy(before, f.terms[0].x, sizeof before);
    verdict v;
    ck_assert_int_eq(verdict_judge(&v, f.tr, NULL, NULL, NULL, 0, 1e-2, 0.1, f.rng), 0);
    ck_assert_str_eq(v.measure, "residual_rms");
    ck_assert_double_eq_tol(v.value, 0.5, 1e-14);
    ck_assert_double_eq(v.tolerance, 0.1);
    ck_assert_int_eq(v.pass, 0);
    ck_assert_uint_eq(v.points, 64);
    ck_assert_ptr_nonnull(strstr(v.text, "fresh points"));
    /* the training points are left alone */
    ck_assert_mem_eq(before, f.terms[0].x, sizeof before);
    f.net->params[f.net->n_params - 1] = 0.01;
    ck_assert_int_eq(verdict_judge(&v, f.tr, NULL, NULL, NULL, 0, 1e-2, 0.1, f.rng), 0);
    ck_assert_double_eq_tol(v.value, 0.01, 1e-14);
    ck_assert_int_eq(v.pass, 1);
    fixture_teardown(&f);
}
END_TEST

/* Lotka-Volterra over 20 time units in one window with 30 Adam steps: a
 * failed run. */
#define LV_SHORT "run configs/lotka_volterra.cfg --quiet --set train.adam.iterations=30 " \
                 "--set train.windows=1 " \
                 "--set train.lbfgs.iterations=0 --set points.interior=64 --set output.nt=101"

START_TEST(test_binary_failing_run)
{
    char dir[] = "/tmp/pinn-verdict-XXXXXX", args[1024], out[8192], path[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/lv.h5", dir);
    snprintf(args, sizeof args, LV_SHORT " -o %s", path);
    int rc = run_pinn(args, out, sizeof out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "WARNING: fail: rel L2 vs reference") != NULL, "%s", out);
    char err[256];
    h5in *f = h5in_open(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    char *text = NULL, *measure = NULL;
    long long pass = -1;
    double value = NAN, tol = NAN;
    ck_assert_int_eq(h5in_attr_string(f, "/", "verdict", &text), 0);
    ck_assert_int_eq(h5in_attr_string(f, "/", "verdict_measure", &measure), 0);
    ck_assert_int_eq(h5in_attr_int(f, "/", "verdict_pass", &pass), 0);
    ck_assert_int_eq(h5in_attr_double(f, "/", "verdict_value", &value), 0);
    ck_assert_int_eq(h5in_attr_double(f, "/", "verdict_tolerance", &tol), 0);
    ck_assert_int_eq(strncmp(text, "fail:", 5), 0);
    ck_assert_str_eq(measure, "rel_l2_vs_reference");
    ck_assert_int_eq(pass, 0);
    ck_assert_double_eq(tol, 1e-2);
    ck_assert(value > 0.1); /* nowhere near */
    free(text);
    free(measure);
    h5in_close(f);

    /* strict: the distinct exit status, and the file is still written */
    unlink(path);
    snprintf(args, sizeof args, LV_SHORT " -o %s --set verdict.strict=true", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), VERDICT_EXIT_FAIL);
    ck_assert_ptr_nonnull(strstr(out, "exit status 3"));
    ck_assert_int_eq(access(path, F_OK), 0);
    /* a tolerance the run meets: strict and silent */
    snprintf(args, sizeof args, LV_SHORT " -o %s --set verdict.strict=true "
             "--set verdict.tolerance=100", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
    ck_assert_ptr_null(strstr(out, "WARNING"));
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(args), 0);
}
END_TEST

static Suite *verdict_suite(void)
{
    Suite *s = suite_create("verdict");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_exact_before_reference);
    tcase_add_test(tc, test_residual_fresh_points);
    tcase_add_test(tc, test_binary_failing_run);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(verdict_suite)
