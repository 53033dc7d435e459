/* tests/test_problem.c - every loss term of every problem type: its
 * gradient with respect to the network channels against central finite
 * differences, its residual on the exact solution, and its point sets. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "check_main.h"
#include "io/h5io.h"
#include <unistd.h>
#include "config/config.h"
#include "problems/problem.h"
#include "problems/problem_common.h"
#include "run.h"
#include "config/settings.h"

#define PI 3.14159265358979323846

typedef struct fixture {
    cfg *c;
    problem *p;
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms;
    gsl_rng *rng;
} fixture;

static void setup_fixture(fixture *f, const char *text, const char *const *over, size_t n_over)
{
    char err[1024];
    memset(f, 0, sizeof *f);
    gsl_set_error_handler_off();
    f->c = run_config_load("t.cfg", text, over, n_over, err, sizeof err);
    ck_assert_msg(f->c != NULL, "%s", err);
    f->p = problem_create(f->c, err, sizeof err);
    ck_assert_msg(f->p != NULL, "%s", err);
    f->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(f->rng, 7);
    ck_assert_msg(problem_build_terms(f->p, f->c, f->rng, f->terms, &f->n_terms, err,
                                          sizeof err) == 0,
                  "%s", err);
}

static void teardown_fixture(fixture *f)
{
    for (size_t k = 0; k < f->n_terms; k++)
        term_release(&f->terms[k]);
    problem_free(f->p);
    cfg_free(f->c);
    gsl_rng_free(f->rng);
}

/* Checks dL/d(out) of term t against central differences at random out.
 * Tolerance: the losses are quadratic (or smooth through libmatheval) in
 * out, so central differences with h = 1e-6 are exact up to rounding,
 * ~1e-9 relative to the largest gradient entry. */
static void check_term_gradient(fixture *f, term *t)
{
    size_t m = f->p->n_out, len = t->ch.n * t->n * m;
    double *out = malloc(len * sizeof *out), *g = malloc(len * sizeof *g),
           *g2 = malloc(len * sizeof *g2);
    ck_assert(out && g && g2);
    for (size_t i = 0; i < len; i++)
        out[i] = gsl_rng_uniform(f->rng) - 0.5;
    t->loss(t, f->p, out, g);
    double gmax = 0.0;
    for (size_t i = 0; i < len; i++)
        gmax = fmax(gmax, fabs(g[i]));
    ck_assert_msg(gmax > 0, "term %s: zero gradient", t->name);
    for (size_t i = 0; i < len; i++) {
        double h = 1e-6, keep = out[i];
        out[i] = keep + h;
        double lp = t->loss(t, f->p, out, g2);
        out[i] = keep - h;
        double lm = t->loss(t, f->p, out, g2);
        out[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[i]) <= 1e-7 * gmax + 1e-12,
                      "term %s entry %zu: analytic %.12g, fd %.12g", t->name, i, g[i], fd);
    }
    free(out);
    free(g);
    free(g2);
}

static const char *heat_dirichlet =
    "problem = { type = \"heat\"; alpha = 0.3; x = [-1.0, 2.0]; t = [0.0, 0.5];\n"
    " initial = \"sin(x)\"; source = \"x*t\";\n"
    " left = { type = \"dirichlet\"; value = \"t\"; }; right = { type = \"neumann\"; value = \"2*t\"; }; };\n"
    "points = { interior = 12; boundary = 8; initial = 6; };\n"
    "loss = { conservation = { enabled = true; times = 3; nodes = 4; }; };\n";

static const char *heat_periodic =
    "problem = { type = \"heat\"; alpha = 0.3; x = [0.0, 2.0]; t = [0.0, 0.5];\n"
    " initial = \"sin(pi*x)\"; left = { type = \"periodic\"; }; right = { type = \"periodic\"; }; };\n"
    "points = { interior = 12; boundary = 8; initial = 6; sampler = \"uniform\"; };\n";

static const char *ode_sir =
    "problem = { type = \"ode\"; t = [0.0, 10.0]; variables = [\"S\", \"I\", \"R\"];\n"
    " rhs = [\"-0.5*S*I\", \"0.5*S*I - 0.1*I\", \"0.1*I\"]; initial = [0.99, 0.01, 0.0];\n"
    " invariant = \"S + I + R\"; };\n"
    "points = { interior = 10; sampler = \"lhs\"; };\n"
    "loss = { conservation = { enabled = true; times = 5; }; };\n";

START_TEST(heat_terms_gradients)
{
    const char *cases[] = {heat_dirichlet, heat_periodic};
    for (size_t c = 0; c < 2; c++) {
        fixture f;
        setup_fixture(&f, cases[c], NULL, 0);
        ck_assert_uint_ge(f.n_terms, 3);
        for (size_t k = 0; k < f.n_terms; k++)
            check_term_gradient(&f, &f.terms[k]);
        teardown_fixture(&f);
    }
}
END_TEST

START_TEST(ode_terms_gradients)
{
    fixture f;
    setup_fixture(&f, ode_sir, NULL, 0);
    ck_assert_uint_eq(f.n_terms, 3); /* pde, initial, conservation */
    for (size_t k = 0; k < f.n_terms; k++)
        check_term_gradient(&f, &f.terms[k]);
    teardown_fixture(&f);
}
END_TEST

/* The exact solution gives a zero pde residual: fill the channels from the
 * analytic u = exp(-alpha pi^2 t) sin(pi x) and its derivatives. */
START_TEST(heat_pde_residual_vanishes_on_exact)
{
    const char *text =
        "problem = { type = \"heat\"; alpha = 0.4; x = [0.0, 1.0]; t = [0.0, 1.0];\n"
        " initial = \"sin(pi*x)\"; left = { type = \"dirichlet\"; }; right = { type = \"dirichlet\"; }; };\n"
        "points = { interior = 50; boundary = 10; initial = 10; };\n";
    fixture f;
    setup_fixture(&f, text, NULL, 0);
    for (size_t k = 0; k < f.n_terms; k++) {
        term *t = &f.terms[k];
        size_t n = t->n;
        double *out = calloc(t->ch.n * n, sizeof *out), *g = calloc(t->ch.n * n, sizeof *g);
        for (size_t c = 0; c < t->ch.n; c++)
            for (size_t i = 0; i < n; i++) {
                double x = t->x[2 * i], tt = t->x[2 * i + 1], a = 0.4 * PI * PI;
                double e = exp(-a * tt), v;
                int ci = t->ch.c[c].i, cj = t->ch.c[c].j;
                if (ci < 0)
                    v = e * sin(PI * x);
                else if (cj < 0)
                    v = ci == 0 ? e * PI * cos(PI * x) : -a * e * sin(PI * x);
                else
                    v = -PI * PI * e * sin(PI * x);
                out[c * n + i] = v;
            }
        double loss = t->loss(t, f.p, out, g);
        /* 1e-26: the residual is rounding only (|terms| <= ~10). */
        ck_assert_msg(loss < 1e-26, "term %s: loss %g on the exact solution", t->name, loss);
        free(out);
        free(g);
    }
    teardown_fixture(&f);
}
END_TEST

START_TEST(point_sets_lie_in_domain)
{
    fixture f;
    setup_fixture(&f, heat_dirichlet, NULL, 0);
    for (size_t k = 0; k < f.n_terms; k++) {
        term *t = &f.terms[k];
        for (size_t i = 0; i < t->n; i++) {
            ck_assert(t->x[2 * i] >= -1.0 && t->x[2 * i] <= 2.0);
            ck_assert(t->x[2 * i + 1] >= 0.0 && t->x[2 * i + 1] <= 0.5);
        }
        if (strcmp(t->name, "initial") == 0)
            for (size_t i = 0; i < t->n; i++)
                ck_assert_double_eq(t->x[2 * i + 1], 0.0);
        if (strcmp(t->name, "boundary") == 0) {
            size_t half = t->n / 2;
            for (size_t i = 0; i < half; i++) {
                ck_assert_double_eq(t->x[2 * i], -1.0);
                ck_assert_double_eq(t->x[2 * (half + i)], 2.0);
                ck_assert_double_eq(t->x[2 * i + 1], t->x[2 * (half + i) + 1]);
            }
        }
    }
    teardown_fixture(&f);
}
END_TEST

START_TEST(missing_invariant_is_refused)
{
    char err[1024];
    const char *text = "problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"y\"];\n"
                       " rhs = [\"y\"]; initial = [1.0]; };\n"
                       "loss = { conservation = { enabled = true; }; };\n";
    cfg *c = cfg_load_string(text, "t.cfg", NULL, 0, err, sizeof err);
    const setting_spec *tables[] = {run_settings, problem_type_find("ode")->settings};
    ck_assert_int_eq(cfg_validate(c, tables, 2, err, sizeof err), 0);
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_ptr_nonnull(p);
    term terms[PROBLEM_MAX_TERMS];
    memset(terms, 0, sizeof terms);
    size_t n = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_int_ne(problem_build_terms(p, c, rng, terms, &n, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "t.cfg:3: loss.conservation.enabled: needs problem.invariant") != NULL,
                  "%s", err);
    for (size_t k = 0; k < PROBLEM_MAX_TERMS; k++)
        term_release(&terms[k]);
    gsl_rng_free(rng);
    problem_free(p);
    cfg_free(c);
}
END_TEST

/* Causal weighting by hand: times 0.1, 0.3 | 0.6, 0.9 in two bins of
 * [0, 1], residuals 1, 2 | 3, 4. L_0 = (1 + 4)/2 = 2.5, L_1 = (9 + 16)/2 =
 * 12.5, w_0 = 1, w_1 = exp(-eps L_0); L = (w_0 L_0 + w_1 L_1) / 2 and
 * dL/dr_p = 2 w_b r_p / (2 points * 2 bins), w held constant. */
START_TEST(causal_weighting_by_hand)
{
    term t;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(term_alloc_points(&t, 4, 1, 0, 4), 0);
    ck_assert_int_eq(term_set_causal(&t, 0.1, 2, 0, 1, 0.0, 1.0), 0);
    const double times[4] = {0.1, 0.3, 0.6, 0.9};
    for (int i = 0; i < 4; i++) {
        t.x[i] = times[i];
        t.r[i] = i + 1;
    }
    double *d;
    double loss = term_mse(&t, &d), w1 = exp(-0.1 * 2.5);
    ck_assert_double_eq_tol(loss, (2.5 + w1 * 12.5) / 2, 1e-15);
    ck_assert_double_eq_tol(d[0], 2 * 1.0 / 4, 1e-15);
    ck_assert_double_eq_tol(d[1], 2 * 2.0 / 4, 1e-15);
    ck_assert_double_eq_tol(d[2], 2 * w1 * 3.0 / 4, 1e-15);
    ck_assert_double_eq_tol(d[3], 2 * w1 * 4.0 / 4, 1e-15);
    /* the gradient holds w constant, so it is not the derivative of the
     * loss (w_1 moves with r_0) unless the weights are frozen, as the
     * second phase's line search needs */
    const double h = 1e-6, g0 = d[0];
    for (int frozen = 0; frozen <= 1; frozen++) {
        t.causal_frozen = frozen;
        t.r[0] = 1.0 + h;
        double lp = term_mse(&t, &d);
        t.r[0] = 1.0 - h;
        double lm = term_mse(&t, &d);
        t.r[0] = 1.0;
        double fd = (lp - lm) / (2 * h);
        if (frozen)
            ck_assert_msg(fabs(fd - g0) < 1e-8, "frozen: fd %.12g vs %.12g", fd, g0);
        else
            ck_assert_msg(fabs(fd - g0) > 1e-2, "unfrozen: fd %.12g vs %.12g", fd, g0);
    }
    /* frozen weights stay those of the last unfrozen evaluation: with
     * r_0 = 5 L_0 = 14.5 but w_1 is still exp(-eps 2.5) */
    t.causal_frozen = 0;
    (void)term_mse(&t, &d);
    t.causal_frozen = 1;
    t.r[0] = 5.0;
    ck_assert_double_eq_tol(term_mse(&t, &d), (14.5 + w1 * 12.5) / 2, 1e-14);
    t.r[0] = 1.0;
    t.causal_frozen = 0;
    /* with eps = 0 it is the plain mean square */
    t.causal_eps = 0;
    ck_assert_double_eq_tol(term_mse(&t, &d), 30.0 / 4, 1e-15);
    term_release(&t);
}
END_TEST

/* Issue 19 item 11: a residual that is infinite (or NaN) at one point makes
 * the loss and its gradient non-finite, with and without causal weights
 * (the mean square's error return was ignored: loss 0, stale gradient). */
START_TEST(nonfinite_residual_gives_nonfinite_loss)
{
    term t;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(term_alloc_points(&t, 4, 1, 0, 4), 0);
    for (int i = 0; i < 4; i++) {
        t.x[i] = 0.25 * i;
        t.r[i] = i + 1;
    }
    t.r[2] = INFINITY;
    double *d;
    double loss = term_mse(&t, &d);
    ck_assert_msg(isinf(loss) && loss > 0, "loss %g", loss);
    ck_assert(!isfinite(d[2]));
    t.r[2] = NAN;
    ck_assert(isnan(term_mse(&t, &d)));
    ck_assert_int_eq(term_set_causal(&t, 0.1, 2, 0, 1, 0.0, 1.0), 0);
    t.r[2] = INFINITY;
    ck_assert(!isfinite(term_mse(&t, &d)));
    term_release(&t);
}
END_TEST

/* The data term reads CSV (with a header) and HDF5 files, and its
 * residual is u - u_d at the measured points. */
START_TEST(data_term_from_csv_and_hdf5)
{
    char dir[] = "/tmp/pinn-data-XXXXXX", csv[128], h5[128], text[1024], err[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(csv, sizeof csv, "%s/d.csv", dir);
    FILE *f = fopen(csv, "w");
    fputs("x,t,u\n0.25,0.5,1.5\n0.75, 0.1, -2\n\n0.5,0.9,0.125\n", f);
    fclose(f);
    snprintf(h5, sizeof h5, "%s/d.h5", dir);
    h5out *o = h5out_create(h5, err, sizeof err);
    ck_assert_ptr_nonnull(o);
    const double xs[2] = {0.1, 0.2}, ts[2] = {0.3, 0.4}, us[2] = {5.0, 6.0};
    size_t dims[1] = {2};
    h5out_doubles(o, "/x", 1, dims, xs);
    h5out_doubles(o, "/t", 1, dims, ts);
    h5out_doubles(o, "/u", 1, dims, us);
    ck_assert_int_eq(h5out_commit(o), 0);
    const char *files[2] = {csv, h5};
    const size_t rows[2] = {3, 2};
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text,
                 "problem = { type = \"heat\"; alpha = 0.3; x = [0.0, 1.0]; t = [0.0, 1.0];\n"
                 " initial = \"0\"; left = { type = \"dirichlet\"; }; right = { type = \"dirichlet\"; }; };\n"
                 "points = { interior = 8; boundary = 4; initial = 4; };\n"
                 "loss = { data = { file = \"%s\"; weight = 2.0; }; };\n",
                 files[k]);
        fixture fx;
        setup_fixture(&fx, text, NULL, 0);
        term *t = NULL;
        for (size_t i = 0; i < fx.n_terms; i++)
            if (strcmp(fx.terms[i].name, "data") == 0)
                t = &fx.terms[i];
        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq(t->n, rows[k]);
        ck_assert_double_eq(t->weight, 2.0);
        if (k == 0) {
            ck_assert_double_eq(t->x[2], 0.75);
            ck_assert_double_eq(t->x[3], 0.1);
            ck_assert_double_eq(t->aux[2 + 1], -2.0); /* aux: field, factor, targets */
        } else {
            ck_assert_double_eq(t->x[2], 0.2);
            ck_assert_double_eq(t->aux[2 + 1], 6.0);
        }
        check_term_gradient(&fx, t);
        teardown_fixture(&fx);
    }
    unlink(csv);
    unlink(h5);
    rmdir(dir);
}
END_TEST

static Suite *problem_suite(void)
{
    Suite *s = suite_create("problem");
    TCase *tc = tcase_create("terms");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, heat_terms_gradients);
    tcase_add_test(tc, ode_terms_gradients);
    tcase_add_test(tc, heat_pde_residual_vanishes_on_exact);
    tcase_add_test(tc, point_sets_lie_in_domain);
    tcase_add_test(tc, missing_invariant_is_refused);
    tcase_add_test(tc, causal_weighting_by_hand);
    tcase_add_test(tc, nonfinite_residual_gives_nonfinite_loss);
    tcase_add_test(tc, data_term_from_csv_and_hdf5);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(problem_suite)
