/* tests/test_train.c - the trainer: the gradient of the whole weighted loss
 * (every term, input scaling, channel chain rule) against central finite
 * differences for every parameter; Adam against a hand computation; the
 * learning-rate schedules; short training runs that must lower the loss. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "config/config.h"
#include "train/optim.h"
#include "problems/problem.h"
#include "train/train.h"
#include "trainer_fixture.h"


static void setup(fixture *f, const char *text, int scale_inputs)
{
    train_options opt = {.adam_iterations = 0, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                         .epsilon = 1e-8, .log_every = 1000, .scale_inputs = scale_inputs,
                         .quiet = 1, .decay_steps = 1, .decay_rate = 1,
                         .lbfgs_history = 10, .lbfgs_max_linesearch = 20};
    fixture_setup(f, text, 6, 5, &opt);
}

static void teardown(fixture *f) { fixture_teardown(f); }

/* Tolerance: central differences with h = 1e-6 on a smooth loss of size
 * ~1 carry ~1e-10 truncation and rounding; 1e-6 relative to the largest
 * gradient entry leaves a wide margin and still catches any sign or factor
 * error. */
static void check_objective_gradient(fixture *f)
{
    size_t np = f->net->n_params;
    trainer_objective(f->tr);
    double *g = malloc(np * sizeof *g);
    memcpy(g, f->tr->grad, np * sizeof *g);
    double gmax = 0.0;
    for (size_t i = 0; i < np; i++)
        gmax = fmax(gmax, fabs(g[i]));
    ck_assert(gmax > 0);
    for (size_t i = 0; i < np; i++) {
        double keep = f->net->params[i], h = 1e-6;
        f->net->params[i] = keep + h;
        double lp = trainer_objective(f->tr);
        f->net->params[i] = keep - h;
        double lm = trainer_objective(f->tr);
        f->net->params[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[i]) <= 1e-6 * gmax, "param %zu: analytic %.10g fd %.10g", i,
                      g[i], fd);
    }
    free(g);
}

static const char *heat_text =
    "problem = { type = \"heat\"; alpha = 0.3; x = [-1.0, 2.0]; t = [0.0, 0.5];\n"
    " initial = \"sin(x)\"; source = \"x*t\";\n"
    " left = { type = \"dirichlet\"; value = \"t\"; }; right = { type = \"neumann\"; }; };\n"
    "points = { interior = 20; boundary = 8; initial = 6; };\n"
    "loss = { pde = { weight = 2.0; }; conservation = { enabled = true; times = 3; nodes = 4; }; };\n";

static const char *ode_text =
    "problem = { type = \"ode\"; t = [0.0, 5.0]; variables = [\"x\", \"v\"];\n"
    " rhs = [\"v\", \"-4*x - 0.4*v*x\"]; initial = [1.0, 0.0]; invariant = \"x^2 + v^2/4\"; };\n"
    "points = { interior = 16; };\n"
    "loss = { initial = { weight = 3.0; }; conservation = { enabled = true; times = 5; }; };\n";

START_TEST(heat_objective_gradient)
{
    fixture f;
    setup(&f, heat_text, _i);
    check_objective_gradient(&f);
    teardown(&f);
}
END_TEST

START_TEST(ode_objective_gradient)
{
    fixture f;
    setup(&f, ode_text, _i);
    check_objective_gradient(&f);
    teardown(&f);
}
END_TEST

/* Adam's first step moves every parameter by lr * sign(g) (bias-corrected
 * m / sqrt(v) = g / |g|), up to epsilon. */
START_TEST(adam_first_step_by_hand)
{
    adam *a = adam_alloc(3, 0.9, 0.999, 1e-8);
    double x[3] = {1.0, -2.0, 0.5}, g[3] = {0.3, -4.0, 1e-3};
    adam_step(a, x, g, 0.01);
    ck_assert_double_eq_tol(x[0], 1.0 - 0.01 * 0.3 / (0.3 + 1e-8), 1e-15);
    ck_assert_double_eq_tol(x[1], -2.0 + 0.01 * 4.0 / (4.0 + 1e-8), 1e-15);
    ck_assert_double_eq_tol(x[2], 0.5 - 0.01 * 1e-3 / (1e-3 + 1e-8), 1e-15);
    /* second step with the same gradient: m_hat = g, v_hat = g^2 again */
    adam_step(a, x, g, 0.01);
    ck_assert_double_eq_tol(x[0], 1.0 - 2 * 0.01 * 0.3 / (0.3 + 1e-8), 1e-14);
    ck_assert_int_eq(a->step, 2);
    adam_free(a);
    adam_free(NULL);
    ck_assert_ptr_null(adam_alloc(0, 0.9, 0.999, 1e-8));
    ck_assert_ptr_null(adam_alloc(3, 1.0, 0.999, 1e-8));
}
END_TEST

START_TEST(lr_schedules)
{
    ck_assert_double_eq(lr_schedule(1e-3, LR_NONE, 0.5, 10, 25), 1e-3);
    ck_assert_double_eq_tol(lr_schedule(1e-3, LR_STEP, 0.5, 10, 25), 0.25e-3, 1e-18);
    ck_assert_double_eq_tol(lr_schedule(1e-3, LR_EXPONENTIAL, 0.5, 10, 25), 1e-3 * pow(0.5, 2.5),
                            1e-18);
}
END_TEST

/* A short Adam + L-BFGS run lowers the loss by a large factor and records
 * one history row per step. */
START_TEST(short_run_lowers_loss)
{
    fixture f;
    setup(&f, ode_text, 1);
    f.tr->opt.adam_iterations = 200;
    f.tr->opt.lbfgs_iterations = 50;
    f.tr->opt.lbfgs_epsilon = 1e-12;
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    const train_history *h = &f.tr->hist;
    ck_assert_uint_ge(h->n, 201);
    ck_assert_int_eq(h->phase[0], 0);
    ck_assert_int_eq(h->phase[h->n - 1], 1);
    double first = h->loss[0], last = trainer_objective(f.tr);
    ck_assert_msg(last < 0.1 * first, "loss %g -> %g", first, last);
    teardown(&f);
}
END_TEST

/* A channel set mlp_forward refuses (an input the net does not have) is an
 * error the run reports, naming the term, not a silent zero loss. */
START_TEST(bad_channels_reported)
{
    fixture f;
    setup(&f, ode_text, 1);
    f.tr->opt.adam_iterations = 5;
    mlp_channels *ch = &f.tr->view[0].ch;
    ch->c[ch->n++] = (mlp_channel){.i = MLP_MAX_INPUTS, .j = -1};
    ck_assert(isnan(trainer_objective(f.tr)));
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_DIVERGED);
    ck_assert_msg(strstr(f.tr->error, "forward pass failed") != NULL, "%s", f.tr->error);
    ck_assert_msg(strstr(f.tr->error, f.tr->terms[0].name) != NULL, "%s", f.tr->error);
    ch->n--;
    teardown(&f);
}
END_TEST

static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("gradients");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, heat_objective_gradient, 0, 2);
    tcase_add_loop_test(tc, ode_objective_gradient, 0, 2);
    tcase_add_test(tc, adam_first_step_by_hand);
    tcase_add_test(tc, lr_schedules);
    tcase_add_test(tc, short_run_lowers_loss);
    tcase_add_test(tc, bad_channels_reported);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(train_suite)
