/* tests/test_adapt.c - adaptive sampling: RAR appends exactly the
 * candidates of largest residual and the trainer follows the new size; RAD
 * redraws the set with density ~ |r|; the schedule inside Adam. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "train/adapt.h"
#include "trainer_fixture.h"

/* y' = t on [0, 1]: for the net y = b (output bias only) the residual at t
 * is 0 - t, so the largest residuals are the largest times. */
static const char *RAMP =
    "problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"y\"]; rhs = [\"t\"];"
    " initial = [0.0]; };\n"
    "points = { interior = 64; sampler = \"uniform\"; };\n";

static train_options quiet_options(void)
{
    return (train_options){.adam_iterations = 0, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                           .epsilon = 1e-8, .log_every = 1000, .scale_inputs = 1, .quiet = 1};
}

static void constant_net(mlp *net, double b)
{
    memset(net->params, 0, net->n_params * sizeof(double));
    net->params[net->n_params - 1] = b;
}

START_TEST(test_rar_appends_largest)
{
    train_options o = quiet_options();
    fixture f;
    fixture_setup(&f, RAMP, 8, 8, &o);
    constant_net(f.net, 0.25);
    term *t = &f.terms[0];
    ck_assert_str_eq(t->name, "pde");
    double before[64];
    memcpy(before, t->x, sizeof before);
    /* the candidates RAR will see: same rng state, same sampler */
    gsl_rng *copy = gsl_rng_clone(f.rng);
    double cand[512];
    for (int i = 0; i < 512; i++)
        cand[i] = gsl_rng_uniform(copy);
    gsl_rng_free(copy);
    adapt_options a = {.kind = ADAPT_RAR, .every = 1, .candidates = 512, .add = 8};
    ck_assert_int_eq(adapt_apply(f.tr, &a, f.rng), 0);
    ck_assert_uint_eq(t->n, 72);
    ck_assert_uint_eq(t->n_r, 72);
    ck_assert_mem_eq(t->x, before, sizeof before); /* the old points stay */
    /* the 8 appended are the 8 largest candidates, largest first */
    double sorted[512];
    memcpy(sorted, cand, sizeof sorted);
    for (int i = 0; i < 8; i++) { /* selection of the i-th largest */
        int best = i;
        for (int j = i + 1; j < 512; j++)
            if (sorted[j] > sorted[best])
                best = j;
        double s = sorted[i];
        sorted[i] = sorted[best];
        sorted[best] = s;
        ck_assert_double_eq(t->x[64 + i], sorted[i]);
    }
    /* the trainer runs on 72 points: the loss is mean((0 - t_i)^2) */
    double want = 0.0;
    for (size_t i = 0; i < t->n; i++)
        want += t->x[i] * t->x[i] / (double)t->n;
    trainer_objective(f.tr);
    ck_assert_double_eq_tol(f.tr->term_loss[0], want, 1e-12 * want);
    fixture_teardown(&f);
}
END_TEST

START_TEST(test_rad_density)
{
    train_options o = quiet_options();
    fixture f;
    fixture_setup(&f, RAMP, 8, 8, &o);
    constant_net(f.net, 0.0);
    term *t = &f.terms[0];
    /* |r| = t, k = 1, c = 0: density 2t on [0, 1], mean 2/3 (uniform: 1/2) */
    adapt_options a = {.kind = ADAPT_RAD, .every = 1, .candidates = 4096, .k = 1.0, .c = 0.0};
    ck_assert_int_eq(adapt_apply(f.tr, &a, f.rng), 0);
    ck_assert_uint_eq(t->n, 64);
    double mean = 0.0;
    for (size_t i = 0; i < t->n; i++)
        mean += t->x[i] / (double)t->n;
    /* 64 draws: standard error sqrt(1/18 / 64) = 0.03 */
    ck_assert_msg(fabs(mean - 2.0 / 3.0) < 0.1, "mean %g", mean);
    /* c large: nearly uniform */
    a.c = 1e6;
    ck_assert_int_eq(adapt_apply(f.tr, &a, f.rng), 0);
    mean = 0.0;
    for (size_t i = 0; i < t->n; i++)
        mean += t->x[i] / (double)t->n;
    ck_assert_msg(fabs(mean - 0.5) < 0.1, "mean %g", mean);
    fixture_teardown(&f);
}
END_TEST

/* Inside Adam: a round every 10 steps, 5 points each. */
START_TEST(test_schedule)
{
    train_options o = quiet_options();
    o.adam_iterations = 35;
    o.adapt = (adapt_options){.kind = ADAPT_RAR, .every = 10, .candidates = 100, .add = 5};
    fixture f;
    fixture_setup(&f, RAMP, 8, 8, &o);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    ck_assert_uint_eq(f.terms[0].n, 64 + 3 * 5); /* at steps 10, 20, 30 */
    ck_assert_int_eq(adapt_kind_parse("rad"), ADAPT_RAD);
    ck_assert_int_eq(adapt_kind_parse("none"), ADAPT_NONE);
    ck_assert_int_eq(adapt_kind_parse("rars"), -1);
    fixture_teardown(&f);
}
END_TEST

static Suite *adapt_suite(void)
{
    Suite *s = suite_create("adapt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rar_appends_largest);
    tcase_add_test(tc, test_rad_density);
    tcase_add_test(tc, test_schedule);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(adapt_suite)
