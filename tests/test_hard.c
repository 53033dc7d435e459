/* tests/test_hard.c - hard constraints u = g + D N: the transformed
 * channels against central finite differences of the transformed value,
 * the conditions met exactly, the gradient of the loss against finite
 * differences, and the terms the constraint makes exact left out. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "train/hard.h"
#include "trainer_fixture.h"

/* Dirichlet sides with moving values, compatible with u0 at t0. */
static const char *HEAT =
    "problem = { type = \"heat\"; alpha = 0.3; x = [-1.0, 2.0]; t = [0.5, 1.5];"
    " initial = \"sin(x) + 0.2*x*x\";"
    " left = { type = \"dirichlet\"; value = \"sin(-1) + 0.2 + (t - 0.5)^2\"; };"
    " right = { type = \"dirichlet\"; value = \"sin(2) + 0.8 + 3*(t - 0.5)\"; }; };\n"
    "points = { interior = 16; };\nnetwork = { hard_constraints = true; };\n";

static const char *HEAT_NEUMANN =
    "problem = { type = \"heat\"; alpha = 0.3; x = [0.0, 1.0]; t = [0.0, 1.0];"
    " initial = \"cos(3*x)\";"
    " left = { type = \"neumann\"; value = 0.0; };"
    " right = { type = \"dirichlet\"; value = \"cos(3.0)\"; }; };\n"
    "points = { interior = 16; };\nnetwork = { hard_constraints = true; };\n";

static const char *LV =
    "problem = { type = \"ode\"; t = [0.0, 4.0]; variables = [\"x\", \"y\"];"
    " rhs = [\"x - x*y\", \"x*y - y\"]; initial = [2.0, 0.5]; };\n"
    "points = { interior = 16; };\nnetwork = { hard_constraints = true; };\n";

static train_options hard_options(void)
{
    return (train_options){.adam_iterations = 0, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                           .epsilon = 1e-8, .log_every = 1000, .scale_inputs = 1, .quiet = 1,
                           .hard = 1};
}

static void value_at(fixture *f, const double *x, double *u)
{
    ck_assert_int_eq(trainer_predict(f->tr, x, 1, u), 0);
}

/* Every channel of every term, at each term point, against central
 * differences of the predicted (transformed) value. */
static void check_channels(fixture *f)
{
    size_t d = f->p->n_in, m = f->p->n_out;
    for (size_t k = 0; k < f->n_terms; k++) {
        const term *t = &f->terms[k];
        size_t C = t->ch.n, n = t->n;
        double *out = malloc(C * n * m * sizeof *out);
        ck_assert_int_eq(trainer_term_channels(f->tr, t, out), 0);
        for (size_t q = 0; q < n; q += 3) {
            double x[3], xp[3], xm[3], u0[4], up[4], um[4];
            memcpy(x, t->x + q * d, d * sizeof *x);
            value_at(f, x, u0);
            for (size_t c = 0; c < C; c++) {
                mlp_channel ch = t->ch.c[c];
                for (size_t o = 0; o < m; o++) {
                    double got = out[(c * n + q) * m + o], want;
                    if (ch.i < 0) {
                        want = u0[o];
                    } else {
                        double h = ch.j < 0 ? 1e-6 : 1e-4;
                        memcpy(xp, x, sizeof x);
                        memcpy(xm, x, sizeof x);
                        xp[ch.i] += h;
                        xm[ch.i] -= h;
                        value_at(f, xp, up);
                        value_at(f, xm, um);
                        ck_assert_msg(ch.j == ch.i || ch.j < 0, "mixed channel in a test config");
                        want = ch.j < 0 ? (up[o] - um[o]) / (2 * h)
                                        : (up[o] - 2 * u0[o] + um[o]) / (h * h);
                    }
                    double tol = ch.i < 0 ? 1e-14 : ch.j < 0 ? 1e-7 : 1e-5;
                    ck_assert_msg(fabs(got - want) <= tol * (1 + fabs(want)),
                                  "term %s channel (%d,%d) point %zu out %zu: %.12g vs FD %.12g",
                                  t->name, ch.i, ch.j, q, o, got, want);
                }
            }
        }
        free(out);
    }
}

/* dL/dtheta of the whole objective against central differences. */
static void check_gradient(fixture *f)
{
    size_t np = f->net->n_params;
    trainer_objective(f->tr);
    double *g = malloc(np * sizeof *g);
    memcpy(g, f->tr->grad, np * sizeof *g);
    for (size_t i = 0; i < np; i += np / 23 + 1) {
        double keep = f->net->params[i], h = 1e-6;
        f->net->params[i] = keep + h;
        double lp = trainer_objective(f->tr);
        f->net->params[i] = keep - h;
        double lm = trainer_objective(f->tr);
        f->net->params[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(g[i] - fd) <= 1e-6 * (fabs(fd) + 1e-3), "param %zu: %.10g vs %.10g", i,
                      g[i], fd);
    }
    free(g);
}

static int has_term(const fixture *f, const char *name)
{
    for (size_t k = 0; k < f->n_terms; k++)
        if (strcmp(f->terms[k].name, name) == 0)
            return 1;
    return 0;
}

START_TEST(test_heat_dirichlet)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, HEAT, 10, 10, &o);
    /* initial and boundary hold exactly: left out */
    ck_assert(has_term(&f, "pde"));
    ck_assert(!has_term(&f, "initial"));
    ck_assert(!has_term(&f, "boundary"));
    check_channels(&f);
    check_gradient(&f);
    for (int i = 0; i <= 10; i++) {
        double x0[2] = {-1.0 + 0.3 * i, 0.5}, u;
        value_at(&f, x0, &u);
        ck_assert_double_eq_tol(u, sin(x0[0]) + 0.2 * x0[0] * x0[0], 1e-14);
        double t = 0.5 + 0.1 * i, xl[2] = {-1.0, t}, xr[2] = {2.0, t};
        value_at(&f, xl, &u);
        ck_assert_double_eq_tol(u, sin(-1.0) + 0.2 + (t - 0.5) * (t - 0.5), 1e-14);
        value_at(&f, xr, &u);
        ck_assert_double_eq_tol(u, sin(2.0) + 0.8 + 3 * (t - 0.5), 1e-14);
    }
    fixture_teardown(&f);
}
END_TEST

START_TEST(test_heat_initial_only)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, HEAT_NEUMANN, 10, 10, &o);
    ck_assert(!has_term(&f, "initial"));
    ck_assert(has_term(&f, "boundary")); /* a Neumann side stays a loss term */
    check_channels(&f);
    check_gradient(&f);
    double x0[2] = {0.37, 0.0}, u;
    value_at(&f, x0, &u);
    ck_assert_double_eq_tol(u, cos(3 * 0.37), 1e-15);
    fixture_teardown(&f);
}
END_TEST

START_TEST(test_ode)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, LV, 10, 10, &o);
    ck_assert(!has_term(&f, "initial"));
    check_channels(&f);
    check_gradient(&f);
    double t0 = 0.0, y[2];
    value_at(&f, &t0, y);
    ck_assert_double_eq(y[0], 2.0);
    ck_assert_double_eq(y[1], 0.5);
    fixture_teardown(&f);
}
END_TEST

/* The product rule on its own: a mixed channel needs both firsts. */
START_TEST(test_check_channels)
{
    mlp_channels ch;
    mlp_channels_set(&ch, 1u, 0, 2);
    ck_assert_int_eq(mlp_channels_add(&ch, 0, 1), MLP_OK); /* x-t without t */
    ck_assert_int_eq(hard_check(&ch), -1);
    mlp_channels_set(&ch, 3u, 1u, 2);
    ck_assert_int_eq(hard_check(&ch), 0);
}
END_TEST

static Suite *hard_suite(void)
{
    Suite *s = suite_create("hard");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_heat_dirichlet);
    tcase_add_test(tc, test_heat_initial_only);
    tcase_add_test(tc, test_ode);
    tcase_add_test(tc, test_check_channels);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(hard_suite)
