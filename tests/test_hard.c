/* tests/test_hard.c - hard constraints u = g + D N: the transformed
 * channels against central finite differences of the transformed value,
 * the conditions met exactly, the gradient of the loss against finite
 * differences, and the terms the constraint makes exact left out. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "train/hard.h"
#include "pde_heat.h"
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
                        if (ch.j >= 0 && ch.j != ch.i) { /* mixed: the four corners */
                            double xpp[3], xpm[3], xmp[3], xmm[3], upp[4], upm[4], ump[4],
                                umm[4];
                            memcpy(xpp, xp, sizeof x), memcpy(xpm, xp, sizeof x);
                            memcpy(xmp, xm, sizeof x), memcpy(xmm, xm, sizeof x);
                            xpp[ch.j] += h, xpm[ch.j] -= h, xmp[ch.j] += h, xmm[ch.j] -= h;
                            value_at(f, xpp, upp), value_at(f, xpm, upm);
                            value_at(f, xmp, ump), value_at(f, xmm, umm);
                            want = (upp[o] - upm[o] - ump[o] + umm[o]) / (4 * h * h);
                        } else {
                            want = ch.j < 0 ? (up[o] - um[o]) / (2 * h)
                                            : (up[o] - 2 * u0[o] + um[o]) / (h * h);
                        }
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

/* ---- the general pde type ---------------------------------------------- */

/* 1D in space, Dirichlet on both sides with moving values, an equation
 * with the mixed channel u_xt. */
static const char *PDE_MOVING =
    "problem = { type = \"pde\"; variables = { x = [-1.0, 2.0]; t = [0.5, 1.5]; };"
    " equations = [\"u_t - 0.3*u_xx + 0.1*u_xt + u*u_x\"];"
    " initial = { u = \"sin(x) + 0.2*x*x\"; };"
    " boundary = { x_lo = { u = { type = \"dirichlet\"; value = \"sin(-1) + 0.2 + (t - 0.5)^2\"; }; };"
    " x_hi = { u = { type = \"dirichlet\"; value = \"sin(2) + 0.8 + 3*(t - 0.5)\"; }; }; }; };\n"
    "points = { interior = 16; boundary = 8; initial = 8; };\n"
    "network = { hard_constraints = true; };\n";

/* Second order in t: u and u_t at t0 hard, a Dirichlet side on the left
 * only (u(0, t) = 1 + 2 t + t^2 agrees with u0 = cos x, u_t0 = 2 + x), a
 * Neumann side on the right that stays a loss term. */
static const char *PDE_WAVE =
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 1.0]; };"
    " equations = [\"u_tt - u_xx\"];"
    " initial = { u = \"cos(x)\"; u_t = \"2 + x\"; };"
    " boundary = { x_lo = { u = { type = \"dirichlet\"; value = \"1 + 2*t + t^2\"; }; };"
    " x_hi = { u = { type = \"neumann\"; value = 0.0; }; }; }; };\n"
    "points = { interior = 16; boundary = 8; initial = 8; };\n"
    "network = { hard_constraints = true; };\n";

/* Steady 2D, four Dirichlet sides from F = exp(x) sin(y + 1) (a Coons
 * patch does not reproduce it, so N matters), with u_xy. */
static const char *PDE_STEADY =
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [0.0, 1.0]; };"
    " equations = [\"u_xx + u_yy + 0.2*u_xy\"];"
    " boundary = { x_lo = { u = { type = \"dirichlet\"; value = \"sin(y + 1)\"; }; };"
    " x_hi = { u = { type = \"dirichlet\"; value = \"exp(1)*sin(y + 1)\"; }; };"
    " y_lo = { u = { type = \"dirichlet\"; value = \"exp(x)*sin(1)\"; }; };"
    " y_hi = { u = { type = \"dirichlet\"; value = \"exp(x)*sin(2)\"; }; }; }; };\n"
    "points = { interior = 16; boundary = 8; };\n"
    "network = { hard_constraints = true; };\n";

/* 2D + t, two fields, every side Dirichlet: F = exp(-t) (1 + x y) + x and
 * G = x y t + 1. */
static const char *PDE_2DT =
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [0.0, 2.0]; t = [0.0, 1.0]; };"
    " fields = [\"u\", \"v\"];"
    " equations = [\"u_t - (u_xx + u_yy) + v\", \"v_t - v_xx - 0.5*v_yy - u\"];"
    " initial = { u = \"1 + x*y + x\"; v = 1.0; };"
    " boundary = {"
    " x_lo = { u = { type = \"dirichlet\"; value = \"exp(-t)\"; };"
    " v = { type = \"dirichlet\"; value = 1.0; }; };"
    " x_hi = { u = { type = \"dirichlet\"; value = \"exp(-t)*(1 + y) + 1\"; };"
    " v = { type = \"dirichlet\"; value = \"y*t + 1\"; }; };"
    " y_lo = { u = { type = \"dirichlet\"; value = \"exp(-t) + x\"; };"
    " v = { type = \"dirichlet\"; value = 1.0; }; };"
    " y_hi = { u = { type = \"dirichlet\"; value = \"exp(-t)*(1 + 2*x) + x\"; };"
    " v = { type = \"dirichlet\"; value = \"2*x*t + 1\"; }; }; }; };\n"
    "points = { interior = 12; boundary = 8; initial = 8; };\n"
    "network = { hard_constraints = true; };\n";

/* |u(x) - want| <= 1e-13 (1 + |want|) for field o at n points. */
static void assert_exact(fixture *f, const double *pts, size_t n, size_t o,
                         double (*want)(const double *))
{
    double u[4];
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + i * f->p->n_in;
        value_at(f, x, u);
        double w = want(x);
        ck_assert_msg(fabs(u[o] - w) <= 1e-13 * (1 + fabs(w)), "at (%g, %g, %g): %.17g vs %.17g",
                      x[0], x[1], f->p->n_in > 2 ? x[2] : 0.0, u[o], w);
    }
}

static double moving_u0(const double *x) { return sin(x[0]) + 0.2 * x[0] * x[0]; }
static double moving_lo(const double *x) { return sin(-1.0) + 0.2 + (x[1] - 0.5) * (x[1] - 0.5); }
static double moving_hi(const double *x) { return sin(2.0) + 0.8 + 3 * (x[1] - 0.5); }

START_TEST(test_pde_moving_dirichlet)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, PDE_MOVING, 10, 10, &o);
    ck_assert(has_term(&f, "pde"));
    ck_assert(!has_term(&f, "initial"));
    ck_assert(!has_term(&f, "boundary"));
    ck_assert_int_ge(mlp_channels_index(&f.terms[0].ch, 0, 1), 0); /* u_xt is there */
    check_channels(&f);
    check_gradient(&f);
    double x0[21 * 2], xl[21 * 2], xr[21 * 2];
    for (int i = 0; i <= 20; i++) {
        double t = 0.5 + 0.05 * i;
        x0[2 * i] = -1.0 + 0.15 * i, x0[2 * i + 1] = 0.5;
        xl[2 * i] = -1.0, xl[2 * i + 1] = t;
        xr[2 * i] = 2.0, xr[2 * i + 1] = t;
    }
    assert_exact(&f, x0, 21, 0, moving_u0);
    assert_exact(&f, xl, 21, 0, moving_lo);
    assert_exact(&f, xr, 21, 0, moving_hi);
    fixture_teardown(&f);
}
END_TEST

static double wave_u0(const double *x) { return cos(x[0]); }
static double wave_lo(const double *x) { return 1 + 2 * x[1] + x[1] * x[1]; }

START_TEST(test_pde_second_order_in_t)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, PDE_WAVE, 10, 10, &o);
    ck_assert(!has_term(&f, "initial"));
    ck_assert(has_term(&f, "boundary")); /* the Neumann side */
    check_channels(&f);
    check_gradient(&f);
    double x0[21 * 2], xl[21 * 2];
    for (int i = 0; i <= 20; i++) {
        x0[2 * i] = 0.05 * i, x0[2 * i + 1] = 0.0;
        xl[2 * i] = 0.0, xl[2 * i + 1] = 0.05 * i;
    }
    assert_exact(&f, x0, 21, 0, wave_u0);
    assert_exact(&f, xl, 21, 0, wave_lo);
    /* u_t(x, 0) = 2 + x: the d/dt channel at t0 */
    term t = {.n = 21, .x = x0};
    mlp_channels_set(&t.ch, 2u, 0, 2);
    double out[2 * 21];
    ck_assert_int_eq(trainer_term_channels(f.tr, &t, out), 0);
    int ct = mlp_channels_index(&t.ch, 1, -1);
    for (int i = 0; i <= 20; i++)
        ck_assert_double_eq_tol(out[ct * 21 + i], 2 + x0[2 * i], 1e-13);
    fixture_teardown(&f);
}
END_TEST

static double steady_f(const double *x) { return exp(x[0]) * sin(x[1] + 1); }

START_TEST(test_pde_steady_four_sides)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, PDE_STEADY, 10, 10, &o);
    ck_assert(!has_term(&f, "boundary"));
    check_channels(&f);
    check_gradient(&f);
    double side[4][21 * 2];
    for (int i = 0; i <= 20; i++) {
        double s = 0.05 * i;
        side[0][2 * i] = 0.0, side[0][2 * i + 1] = s;
        side[1][2 * i] = 1.0, side[1][2 * i + 1] = s;
        side[2][2 * i] = s, side[2][2 * i + 1] = 0.0;
        side[3][2 * i] = s, side[3][2 * i + 1] = 1.0;
    }
    for (int k = 0; k < 4; k++)
        assert_exact(&f, side[k], 21, 0, steady_f);
    /* inside, the net moves u: not the interpolant of the sides alone */
    double mid[2] = {0.5, 0.5}, u;
    value_at(&f, mid, &u);
    ck_assert(fabs(u - steady_f(mid)) > 1e-6);
    fixture_teardown(&f);
}
END_TEST

static double f2_u(const double *x) { return exp(-x[2]) * (1 + x[0] * x[1]) + x[0]; }
static double f2_v(const double *x) { return x[0] * x[1] * x[2] + 1; }

START_TEST(test_pde_two_fields_2d_in_time)
{
    train_options o = hard_options();
    fixture f;
    fixture_setup(&f, PDE_2DT, 8, 8, &o);
    ck_assert_uint_eq(f.n_terms, 1); /* only the pde term is left */
    check_channels(&f);
    check_gradient(&f);
    /* the five constrained faces, 7 x 7 points each */
    double pts[49 * 3];
    for (int face = 0; face < 5; face++) {
        for (int i = 0; i < 7; i++)
            for (int j = 0; j < 7; j++) {
                double a = i / 6.0, b = j / 6.0, *x = pts + 3 * (7 * i + j);
                x[0] = a, x[1] = 2 * b, x[2] = b; /* overwritten below */
                switch (face) {
                case 0: x[0] = 0.0, x[1] = 2 * a, x[2] = b; break;
                case 1: x[0] = 1.0, x[1] = 2 * a, x[2] = b; break;
                case 2: x[0] = a, x[1] = 0.0, x[2] = b; break;
                case 3: x[0] = a, x[1] = 2.0, x[2] = b; break;
                default: x[0] = a, x[1] = 2 * b, x[2] = 0.0;
                }
            }
        assert_exact(&f, pts, 49, 0, f2_u);
        assert_exact(&f, pts, 49, 1, f2_v);
    }
    fixture_teardown(&f);
}
END_TEST

/* A reduced training run: heat u_t = 0.1 u_xx with the exact solution,
 * only the pde term left, 300 Adam + 300 L-BFGS steps. */
START_TEST(test_pde_training_run)
{
    static const char *HEAT_PDE =
        PDE_HEAT_PROBLEM
        "points = { sampler = \"sobol\"; interior = 128; };\n"
        "network = { hard_constraints = true; };\noutput = { nx = 11; nt = 11; };\n";
    train_options o = hard_options();
    o.adam_iterations = 300, o.lr = 1e-2, o.lbfgs_iterations = 300, o.lbfgs_history = 10;
    o.lbfgs_max_linesearch = 20, o.lbfgs_epsilon = 1e-12;
    fixture f;
    fixture_setup(&f, HEAT_PDE, 8, 8, &o);
    ck_assert_uint_eq(f.n_terms, 1);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    grid g = {0};
    ck_assert_int_eq(f.p->type->make_grid(f.p, f.c, &g), 0);
    double *u = malloc(g.n * sizeof *u), *e = malloc(g.n * sizeof *e);
    ck_assert_int_eq(trainer_predict(f.tr, g.x, g.n, u), 0);
    ck_assert_int_eq(f.p->type->exact(f.p, &g, e), 0);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < g.n; i++)
        num += (u[i] - e[i]) * (u[i] - e[i]), den += e[i] * e[i];
    ck_assert_msg(sqrt(num / den) < 5e-4, "rel L2 %g", sqrt(num / den));
    free(u);
    free(e);
    grid_release(&g);
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
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_heat_dirichlet);
    tcase_add_test(tc, test_heat_initial_only);
    tcase_add_test(tc, test_ode);
    tcase_add_test(tc, test_check_channels);
    tcase_add_test(tc, test_pde_moving_dirichlet);
    tcase_add_test(tc, test_pde_second_order_in_t);
    tcase_add_test(tc, test_pde_steady_four_sides);
    tcase_add_test(tc, test_pde_two_fields_2d_in_time);
    tcase_add_test(tc, test_pde_training_run);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(hard_suite)
