/* tests/test_pde.c - the pde problem type: the symbolic d(residual)/d(symbol)
 * of several equations against central differences; every shipped config
 * with an exact solution (and inline ones for periodic and 3-input boxes)
 * gives zero loss in every term when the channels are the exact solution's
 * derivatives; the whole objective's gradient against finite differences
 * for 2-D, 3-input and two-field problems; slots, grid and mistakes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "check_main.h"
#include "config/config.h"
#include "problems/pde.h"
#include "problems/problem.h"
#include "run.h"
#include "train/train.h"
#include "trainer_fixture.h"

static char err[1024];

static cfg *load_text(const char *text)
{
    cfg *c = run_config_load("t.cfg", text, NULL, 0, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    return c;
}

static cfg *load_file(const char *path)
{
    cfg *c = run_config_load(path, NULL, NULL, 0, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    return c;
}

/* ---- d(residual)/d(symbol) against central differences ----------------- */

static const char *const eq_texts[] = {
    /* Burgers, Allen-Cahn, wave, a nonlinear 2-D mix with a mixed derivative */
    "problem = { type = \"pde\"; variables = { x = [-1.0, 1.0]; t = [0.0, 1.0]; };\n"
    " constants = { nu = \"0.01/pi\"; }; equations = [\"u_t + u*u_x - nu*u_xx\"];\n"
    " initial = { u = \"-sin(pi*x)\"; }; };\n",
    "problem = { type = \"pde\"; variables = { x = [-1.0, 1.0]; t = [0.0, 1.0]; };\n"
    " equations = [\"u_t - 1e-4*u_xx + 5*u^3 - 5*u\"]; initial = { u = \"x^2\"; }; };\n",
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 1.0]; };\n"
    " constants = { c = 2; }; equations = [\"u_tt - c^2*u_xx\"];\n"
    " initial = { u = \"sin(pi*x)\"; u_t = 0; }; };\n",
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [0.0, 2.0]; };\n"
    " equations = [\"exp(u)*u_xy - sin(u_x*u_y) + u_xx*u_yy^2 - x*y\"]; };\n",
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 1.0]; };\n"
    " fields = [\"u\", \"v\"]; constants = { a = 0.5; };\n"
    " equations = [\"u_t - u_xx - u^2*v + a*u\", \"v_t - 0.1*v_xx + u^2*v - u*v_x\"];\n"
    " initial = { u = 1; v = 0; }; };\n",
};

START_TEST(partials_match_differences)
{
    cfg *c = load_text(eq_texts[_i]);
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    const pde *d = pde_of(p);
    double *s = calloc(d->n_slots, sizeof *s);
    unsigned seed = 7;
    size_t checked = 0;
    for (int trial = 0; trial < 5; trial++) {
        for (size_t k = 0; k < d->const0; k++) {
            seed = seed * 1103515245u + 12345u;
            s[k] = -1.0 + 2.0 * (double)(seed >> 8) / (double)(1u << 24);
        }
        pde_slots_constants(d, s);
        for (size_t e = 0; e < d->n_eq; e++)
            for (size_t k = 0; k < d->n_fields * d->n_sym; k++) {
                if (!d->deq[e][k])
                    continue;
                double keep = s[d->sym0 + k], h = 1e-5;
                s[d->sym0 + k] = keep + h;
                double rp = expr_eval(d->eq[e], s);
                s[d->sym0 + k] = keep - h;
                double rm = expr_eval(d->eq[e], s);
                s[d->sym0 + k] = keep;
                double fd = (rp - rm) / (2 * h), an = expr_eval(d->deq[e][k], s);
                ck_assert_msg(fabs(fd - an) <= 1e-7 * (1 + fabs(an)),
                              "eq %zu d/d%s: symbolic %.12g fd %.12g", e, d->slot_name[d->sym0 + k],
                              an, fd);
                checked++;
            }
    }
    ck_assert_uint_ge(checked, 5 * 2);
    free(s);
    problem_free(p);
    cfg_free(c);
}
END_TEST

/* ---- exact solutions zero every term ------------------------------------ */

/* d exact / d slot a (and then d slot b) compiled symbolically. */
typedef struct exact_partials {
    expr *d1[PDE_MAX_FIELDS][PDE_MAX_VARS];
    expr *d2[PDE_MAX_FIELDS][PDE_MAX_VARS][PDE_MAX_VARS];
} exact_partials;

static void partials_make(exact_partials *x, const pde *d)
{
    memset(x, 0, sizeof *x);
    for (size_t f = 0; f < d->n_fields; f++)
        for (size_t a = 0; a < d->n_vars; a++) {
            x->d1[f][a] = expr_derivative(d->exact[f], a, err, sizeof err);
            ck_assert_msg(x->d1[f][a] != NULL, "%s", err);
            for (size_t b = 0; b < d->n_vars; b++) {
                x->d2[f][a][b] = expr_derivative(x->d1[f][a], b, err, sizeof err);
                ck_assert_msg(x->d2[f][a][b] != NULL, "%s", err);
            }
        }
}

static void partials_free(exact_partials *x)
{
    for (size_t f = 0; f < PDE_MAX_FIELDS; f++)
        for (size_t a = 0; a < PDE_MAX_VARS; a++) {
            expr_free(x->d1[f][a]);
            for (size_t b = 0; b < PDE_MAX_VARS; b++)
                expr_free(x->d2[f][a][b]);
        }
}

/* The channels of term t filled from the exact solution at its points. */
static void exact_channels(const pde *d, const exact_partials *x, const term *t, double *out,
                           double *s)
{
    size_t n = t->n, m = d->n_fields, nv = d->n_vars;
    for (size_t i = 0; i < n; i++) {
        memcpy(s, t->x + i * nv, nv * sizeof *s);
        for (size_t c = 0; c < t->ch.n; c++) {
            int a = t->ch.c[c].i, b = t->ch.c[c].j;
            for (size_t f = 0; f < m; f++) {
                const expr *e = a < 0 ? d->exact[f] : b < 0 ? x->d1[f][a] : x->d2[f][a][b];
                out[(c * n + i) * m + f] = expr_eval(e, s);
            }
        }
    }
}

static const char *periodic_text =
    "problem = { type = \"pde\"; variables = { x = [0.0, 6.283185307179586]; t = [0.0, 1.0]; };\n"
    " equations = [\"u_t - u_xx\"]; initial = { u = \"sin(x) + cos(2*x)\"; };\n"
    " boundary = { x_lo = { u = { type = \"periodic\"; }; }; x_hi = { u = { type = \"periodic\"; }; }; };\n"
    " exact = { u = \"exp(-t)*sin(x) + exp(-4*t)*cos(2*x)\"; }; };\n"
    "points = { interior = 50; boundary = 20; initial = 10; };\n";

/* 3 inputs, Dirichlet, Neumann and Robin sides, a mixed derivative in the
 * equation, whose source makes u = exp(-t) sin(x) cos(y) + x y exact. */
static const char *box3_text =
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [0.0, 2.0]; t = [0.0, 0.5]; };\n"
    " constants = { k = 0.5; };\n"
    " equations = [\"u_t - k*(u_xx + u_yy) + u_xy + exp(-t)*sin(x)*cos(y) - 2*k*exp(-t)*sin(x)*cos(y) + exp(-t)*cos(x)*sin(y) - 1\"];\n"
    " initial = { u = \"sin(x)*cos(y) + x*y\"; };\n"
    " boundary = {\n"
    "  x_lo = { u = { type = \"dirichlet\"; value = \"0\"; }; };\n"
    "  x_hi = { u = { type = \"neumann\"; value = \"exp(-t)*cos(1)*cos(y) + y\"; }; };\n"
    "  y_lo = { u = { type = \"robin\"; a = 2; b = 3; value = \"2*exp(-t)*sin(x) - 3*x\"; }; };\n"
    "  y_hi = { u = { type = \"neumann\"; value = \"-exp(-t)*sin(x)*sin(2) + x\"; }; }; };\n"
    " exact = { u = \"exp(-t)*sin(x)*cos(y) + x*y\"; }; };\n"
    "points = { interior = 40; boundary = 40; initial = 10; };\n";

static const char *const exact_configs[] = {
    "configs/wave1d.cfg", "configs/poisson2d.cfg", "configs/heat2d.cfg",
    "configs/reaction_diffusion.cfg", "configs/robin1d.cfg", NULL, NULL,
};

START_TEST(exact_zeroes_every_term)
{
    /* every condition a loss term: the shipped configs' hard constraints off */
    static const char *const soft[] = {"network.hard_constraints=false"};
    cfg *c = exact_configs[_i] ? run_config_load(exact_configs[_i], NULL, soft, 1, err, sizeof err)
                               : load_text(_i == 5 ? periodic_text : box3_text);
    ck_assert_msg(c != NULL, "%s", err);
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    const pde *d = pde_of(p);
    ck_assert_ptr_nonnull(d->exact[0]);
    exact_partials x;
    partials_make(&x, d);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    term terms[PROBLEM_MAX_TERMS];
    size_t nt = 0;
    ck_assert_msg(problem_build_terms(p, c, rng, terms, &nt, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_ge(nt, 2);
    double *s = calloc(d->n_slots, sizeof *s);
    pde_slots_constants(d, s);
    for (size_t k = 0; k < nt; k++) {
        term *t = &terms[k];
        size_t len = t->ch.n * t->n * d->n_fields;
        double *out = malloc(len * sizeof *out), *g = malloc(len * sizeof *g);
        exact_channels(d, &x, t, out, s);
        double loss = t->loss(t, p, out, g);
        ck_assert_msg(loss < 1e-24, "%s term %s: loss %g at the exact solution",
                      exact_configs[_i] ? exact_configs[_i] : "inline", t->name, loss);
        /* and a wrong solution does not zero it */
        for (size_t i = 0; i < t->n * d->n_fields; i++)
            out[i] += 0.01;
        ck_assert_msg(t->loss(t, p, out, g) > 1e-8 || strcmp(t->name, "pde") == 0
                          || (d->periodic[0] && strcmp(t->name, "boundary") == 0),
                      "term %s does not see a shifted solution", t->name);
        free(out);
        free(g);
        term_release(t);
    }
    free(s);
    partials_free(&x);
    gsl_rng_free(rng);
    problem_free(p);
    cfg_free(c);
}
END_TEST

/* ---- the whole objective's gradient ------------------------------------- */

static void setup(fixture *f, const char *text)
{
    train_options opt = {.adam_iterations = 0, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                         .epsilon = 1e-8, .log_every = 1000, .scale_inputs = 1,
                         .quiet = 1, .decay_steps = 1, .decay_rate = 1,
                         .lbfgs_history = 10, .lbfgs_max_linesearch = 20};
    fixture_setup(f, text, 6, 5, &opt);
}

static const char *grad_texts[] = {
    /* 2-D steady, Dirichlet and Robin sides, a nonlinear source */
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [-1.0, 2.0]; };\n"
    " equations = [\"-(u_xx + u_yy) + u^3 - sin(x*y)\"];\n"
    " boundary = { x_lo = { u = { type = \"dirichlet\"; value = \"y\"; }; };\n"
    "  x_hi = { u = { type = \"robin\"; a = 1.5; b = 0.5; value = 1; }; };\n"
    "  y_lo = { u = { type = \"neumann\"; value = \"x\"; }; }; }; };\n"
    "points = { interior = 20; boundary = 12; };\n",
    /* a two-field system, periodic in x, second order in t for v */
    "problem = { type = \"pde\"; variables = { x = [0.0, 2.0]; t = [0.0, 0.5]; };\n"
    " fields = [\"u\", \"v\"]; constants = { D = 0.3; };\n"
    " equations = [\"u_t - D*u_xx + u*v_x\", \"v_tt - v_xx + u^2*v - u_xt\"];\n"
    " initial = { u = \"sin(pi*x)\"; v = \"cos(pi*x)\"; v_t = \"x\"; };\n"
    " boundary = { x_lo = { u = { type = \"periodic\"; }; v = { type = \"periodic\"; }; };\n"
    "  x_hi = { u = { type = \"periodic\"; }; v = { type = \"periodic\"; }; }; }; };\n"
    "points = { interior = 16; boundary = 6; initial = 6; };\n"
    "loss = { pde = { causal_epsilon = 1.0; causal_bins = 4; }; };\n",
    /* 3 inputs with a mixed derivative */
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [0.0, 1.0]; t = [0.0, 1.0]; };\n"
    " equations = [\"u_t - u_xx - u_yy + 0.3*u_xy*u_y\"]; initial = { u = \"x*y\"; };\n"
    " boundary = { y_hi = { u = { type = \"neumann\"; value = \"t\"; }; }; }; };\n"
    "points = { interior = 12; boundary = 6; initial = 5; };\n",
};

START_TEST(objective_gradient)
{
    fixture f;
    setup(&f, grad_texts[_i]);
    size_t np = f.net->n_params;
    trainer_objective(f.tr);
    double *g = malloc(np * sizeof *g);
    memcpy(g, f.tr->grad, np * sizeof *g);
    double gmax = 0.0;
    for (size_t i = 0; i < np; i++)
        gmax = fmax(gmax, fabs(g[i]));
    ck_assert(gmax > 0);
    for (size_t i = 0; i < np; i++) {
        double keep = f.net->params[i], h = 1e-6;
        f.net->params[i] = keep + h;
        double lp = trainer_objective(f.tr);
        f.net->params[i] = keep - h;
        double lm = trainer_objective(f.tr);
        f.net->params[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[i]) <= 1e-6 * gmax, "param %zu: analytic %.10g fd %.10g", i,
                      g[i], fd);
    }
    free(g);
    fixture_teardown(&f);
}
END_TEST

/* ---- the residual loop on 1 and 2 threads ------------------------------ */

/* Two fields, an unknown, enough interior points for the parallel loop
 * (problem_pde.c's PDE_PARALLEL_MIN is 64): a constant partial (d/du_t = 1),
 * variable ones and d/dk. */
static const char *threads_text =
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 1.0]; };\n"
    " fields = [\"u\", \"v\"]; constants = { a = 0.5; };\n"
    " equations = [\"u_t - k*u_xx - u^2*v + a*u\", \"v_t - 0.1*v_xx + u^2*v - sin(u*v_x)\"];\n"
    " initial = { u = \"sin(pi*x)\"; v = 0; };\n"
    " unknowns = { names = [\"k\"]; initial = [0.2]; positive = [\"k\"]; }; };\n"
    "points = { interior = 300; boundary = 8; initial = 8; };\n"
    "loss = { data = { file = \"%s\"; }; };\n";

/* The config above with a fresh data file (u, v at two points) in path. */
static void threads_config(char *text, size_t cap, char *path)
{
    strcpy(path, "/tmp/pinn-pde-threads-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("x,t,u,v\n0.3,0.2,0.5,0.1\n0.7,0.6,-0.2,0.3\n", f);
    fclose(f);
    snprintf(text, cap, threads_text, path);
}

/* The objective's loss and gradient with the terms built and evaluated on
 * nt threads; g gets n_vec values. */
static double objective_on(int nt, double *g, size_t *n_vec)
{
#ifdef _OPENMP
    omp_set_num_threads(nt);
#else
    (void)nt;
#endif
    char text[2048], path[64];
    threads_config(text, sizeof text, path);
    fixture f;
    setup(&f, text);
    unlink(path);
    double loss = trainer_objective(f.tr);
    *n_vec = f.tr->n_vec;
    memcpy(g, f.tr->grad, f.tr->n_vec * sizeof *g);
    fixture_teardown(&f);
    return loss;
}

START_TEST(threads_same_bits)
{
    double g1[4096], g2[4096];
    size_t n1 = 0, n2 = 0;
    double l1 = objective_on(1, g1, &n1);
    double l2 = objective_on(2, g2, &n2);
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    ck_assert(n1 > 0 && n1 <= 4096 && n1 == n2);
    ck_assert(isfinite(l1) && l1 > 0);
    ck_assert_msg(memcmp(&l1, &l2, sizeof l1) == 0, "loss %.17g vs %.17g", l1, l2);
    for (size_t i = 0; i < n1; i++)
        ck_assert_msg(memcmp(&g1[i], &g2[i], sizeof g1[i]) == 0, "grad %zu: %.17g vs %.17g", i,
                      g1[i], g2[i]);
    ck_assert(g1[n1 - 1] != 0.0); /* the unknown's entry is last and used */
}
END_TEST

/* The gradient against finite differences through the parallel loop (2
 * threads, 300 points), the unknown's entry included. */
START_TEST(threads_gradient)
{
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    char text[2048], path[64];
    threads_config(text, sizeof text, path);
    fixture f;
    setup(&f, text);
    unlink(path);
    trainer_objective(f.tr);
    size_t nv = f.tr->n_vec, nn = f.net->n_params;
    double *g = malloc(nv * sizeof *g), gmax = 0.0;
    memcpy(g, f.tr->grad, nv * sizeof *g);
    for (size_t i = 0; i < nv; i++)
        gmax = fmax(gmax, fabs(g[i]));
    ck_assert(gmax > 0);
    /* every 7th weight and the unknown's raw value (stored after them) */
    for (size_t i = 0; i < nv; i += (i + 7 < nn ? 7 : 1)) {
        double keep = f.net->params[i], h = 1e-6;
        f.net->params[i] = keep + h;
        double lp = trainer_objective(f.tr);
        f.net->params[i] = keep - h;
        double lm = trainer_objective(f.tr);
        f.net->params[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[i]) <= 1e-6 * gmax, "entry %zu: analytic %.10g fd %.10g", i,
                      g[i], fd);
    }
    free(g);
    fixture_teardown(&f);
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
}
END_TEST

/* ---- slots and grid ----------------------------------------------------- */

START_TEST(slots_and_grid)
{
    cfg *c = load_text(box3_text);
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    const pde *d = pde_of(p);
    ck_assert_uint_eq(d->n_vars, 3);
    ck_assert_int_eq(d->time, 2);
    ck_assert_uint_eq(d->n_sym, 10);
    static const char *const want[] = {"x", "y", "t", "u", "u_x", "u_y", "u_t", "u_xx",
                                       "u_xy", "u_xt", "u_yy", "u_yt", "u_tt", "k"};
    ck_assert_uint_eq(d->n_slots, 14);
    for (size_t k = 0; k < 14; k++)
        ck_assert_str_eq(d->slot_name[k], want[k]);
    ck_assert_uint_eq(pde_slot(d, 0, 1, 0), 8); /* u_yx is u_xy */
    ck_assert_uint_eq(pde_slot(d, 0, 2, 2), 12);
    grid g = {0};
    ck_assert_int_eq(p->type->make_grid(p, c, &g), 0);
    ck_assert_uint_eq(g.n_axes, 3);
    ck_assert_str_eq(g.axis_name[0], "t");
    ck_assert_str_eq(g.axis_name[2], "x");
    ck_assert_uint_eq(g.n, (size_t)(cfg_int(c, "output.nt") * cfg_int(c, "output.ny")
                                    * cfg_int(c, "output.nx")));
    /* point (it, iy, ix) = (2, 3, 4) */
    size_t nx = g.len[2], ny = g.len[1], i = (2 * ny + 3) * nx + 4;
    ck_assert_double_eq(g.x[3 * i + 0], g.axis[2][4]);
    ck_assert_double_eq(g.x[3 * i + 1], g.axis[1][3]);
    ck_assert_double_eq(g.x[3 * i + 2], g.axis[0][2]);
    grid_release(&g);
    problem_free(p);
    cfg_free(c);
}
END_TEST

/* ---- every sampler fills every point set in 3 inputs -------------------- */

static const char *const sampler_names[] = {"uniform", "lhs", "sobol", "halton", "grid"};

START_TEST(samplers_fill_every_set)
{
    char over[64];
    snprintf(over, sizeof over, "points.sampler=\"%s\"", sampler_names[_i]);
    const char *const overs[] = {over, "points.interior=64", "points.boundary=64",
                                 "points.initial=16"};
    cfg *c = run_config_load("t.cfg", box3_text, overs, 4, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    const pde *d = pde_of(p);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    term terms[PROBLEM_MAX_TERMS];
    size_t nt = 0;
    ck_assert_msg(problem_build_terms(p, c, rng, terms, &nt, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(nt, 3);
    for (size_t k = 0; k < nt; k++) {
        const term *t = &terms[k];
        ck_assert_uint_gt(t->n, 0);
        size_t on_side[PDE_MAX_VARS][2] = {{0}};
        for (size_t i = 0; i < t->n; i++) {
            size_t at_side = 0;
            for (size_t v = 0; v < 3; v++) {
                double xv = t->x[i * 3 + v];
                ck_assert(xv >= d->lo[v] && xv <= d->hi[v]);
                if ((int)v != d->time && (xv == d->lo[v] || xv == d->hi[v])) {
                    at_side++;
                    on_side[v][xv == d->hi[v]]++;
                }
            }
            if (strcmp(t->name, "initial") == 0)
                ck_assert_double_eq(t->x[i * 3 + 2], d->lo[2]);
            if (strcmp(t->name, "boundary") == 0)
                ck_assert_uint_ge(at_side, 1);
        }
        if (strcmp(t->name, "boundary") == 0) /* all four sides carry points */
            for (size_t v = 0; v < 2; v++)
                ck_assert(on_side[v][0] > 0 && on_side[v][1] > 0);
        term_release(&terms[k]);
    }
    gsl_rng_free(rng);
    problem_free(p);
    cfg_free(c);
}
END_TEST

/* ---- mistakes ------------------------------------------------------------ */

typedef struct bad_case {
    const char *text, *expect;
} bad_case;

#define HEAD "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 1.0]; };\n"

static const bad_case bad_cases[] = {
    {HEAD " equations = [\"u_t - u_xxx\"]; initial = { u = 0; }; };\n",
     "t.cfg:2: problem.equations: unknown variable 'u_xxx'"},
    {HEAD " equations = [\"u_t - u_yy\"]; initial = { u = 0; }; };\n",
     "unknown variable 'u_yy'"},
    {HEAD " equations = [\"u_t - w_xx\"]; initial = { u = 0; }; };\n", "unknown variable 'w_xx'"},
    {HEAD " fields = [\"sin\"]; equations = [\"sin_t\"]; };\n",
     "problem.fields: field 'sin' has the name of a function"},
    {HEAD " fields = [\"x\"]; equations = [\"x_t\"]; };\n", "field 'x' has the name of a variable"},
    {HEAD " fields = [\"u_1\"]; equations = [\"u\"]; };\n", "no '_' in a field name"},
    {HEAD " fields = [\"u\", \"u\"]; equations = [\"u\", \"u\"]; };\n", "field 'u' is named twice"},
    {HEAD " fields = [\"u\", \"v\"]; equations = [\"u_t - v\"]; initial = { u = 0; v = 0; }; };\n",
     "t.cfg:2: problem.equations: has 1 equations for 2 fields"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; v = 1; }; };\n",
     "problem.initial.v: 'v' is not a field"},
    {HEAD " equations = [\"u_t - u_xx\"]; };\n", "problem.initial: missing u"},
    {HEAD " equations = [\"u_tt - u_xx\"]; initial = { u = 0; }; };\n",
     "problem.initial: missing u_t: the equations are second order in t for u"},
    {HEAD " equations = [\"u_t - u_xx\"]; initial = { u = 0; u_t = 1; }; };\n",
     "problem.initial.u_t: the equations are first order in t for u"},
    {HEAD " equations = [\"u_t\"]; initial = { u = \"u_x\"; }; };\n",
     "problem.initial.u: uses 'u_x'"},
    {"problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; }; equations = [\"u_xx\"];\n"
     " initial = { u = 0; }; };\n",
     "problem.initial: the problem has no variable t"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { y_lo = { u = { type = \"dirichlet\"; }; }; }; };\n",
     "t.cfg:3: problem.boundary.y_lo: no side 'y_lo' in this problem (sides: x_lo, x_hi)"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { t_lo = { u = { type = \"dirichlet\"; }; }; }; };\n",
     "no side 't_lo'"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { v = { type = \"dirichlet\"; }; }; }; };\n",
     "problem.boundary.x_lo.v: 'v' is not a field"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { type = \"periodic\"; }; }; }; };\n",
     "t.cfg:3: problem.boundary.x_lo.u.type: periodic on one side only"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { value = 1; }; }; }; };\n",
     "problem.boundary.x_lo.u.type: missing"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { type = \"robin\"; a = 1; }; }; }; };\n",
     "problem.boundary.x_lo.u.b: missing: robin is a u + b du/dn = value"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { type = \"dirichlet\"; a = 1; }; }; }; };\n",
     "t.cfg:3: problem.boundary.x_lo.u.a: not used by a dirichlet condition"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { type = \"periodic\"; value = 1; }; }; }; };\n",
     "problem.boundary.x_lo.u.value: not used by a periodic condition"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { type = \"dirichlet\"; value = \"u\"; }; }; }; };\n",
     "problem.boundary.x_lo.u.value: uses 'u'"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { type = \"dirchlet\"; }; }; }; };\n",
     "problem.boundary.x_lo.u.type: 'dirchlet' is not one of"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; };\n boundary = { x_lo = { u = { tpye = \"dirichlet\"; }; }; }; };\n",
     "problem.boundary.x_lo.u.tpye: unknown setting; did you mean 'type'?"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; }; exact = { v = 0; }; };\n",
     "problem.exact.v: 'v' is not a field"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; }; exact = { u = \"u_x\"; }; };\n",
     "problem.exact.u: uses 'u_x'"},
    {HEAD " equations = [\"x*t\"]; initial = { u = 0; }; };\n",
     "problem.equations: equation 1 uses no field"},
    {HEAD " constants = { u_x = 1; }; equations = [\"u_t\"]; initial = { u = 0; }; };\n",
     "problem.constants.u_x: 'u_x' is already a variable, field or derivative"},
    {HEAD " constants = { a = \"1/0\"; }; equations = [\"u_t\"]; initial = { u = 0; }; };\n",
     "problem.constants.a: evaluates to inf"},
    {"problem = { type = \"pde\"; variables = { t = [0.0, 1.0]; }; equations = [\"u_t\"]; };\n",
     "problem.variables: needs at least one of x, y, z"},
    {"problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; y = [0.0, 1.0]; z = [0.0, 1.0];"
     " t = [0.0, 1.0]; }; equations = [\"u_t\"]; };\n",
     "problem.variables.t: at most 3 variables"},
    {"problem = { type = \"pde\"; equations = [\"u_t\"]; };\n", "problem.variables: missing"},
    {HEAD " initial = { u = 0; }; };\n", "problem.equations: missing"},
    {"problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; }; equations = [\"u_xx\"]; };\n"
     "loss = { pde = { causal_epsilon = 1.0; }; };\n",
     "loss.pde.causal_epsilon: causal training needs a variable t"},
    {HEAD " equations = [\"u_t\"]; initial = { u = 0; }; };\n"
     "loss = { conservation = { enabled = true; }; };\n",
     "loss.conservation.enabled: not available"},
    {HEAD " equations = [\"u_t - asinh(u)\"]; initial = { u = 0; }; };\n",
     "problem.equations: equation 1: d/du: cannot differentiate asinh"},
};

START_TEST(bad_pde)
{
    const bad_case *b = &bad_cases[_i];
    err[0] = '\0';
    cfg *c = run_config_load("t.cfg", b->text, NULL, 0, err, sizeof err);
    problem *p = c ? problem_create(c, err, sizeof err) : NULL;
    ck_assert_msg(p == NULL, "case %d accepted", _i);
    ck_assert_msg(strstr(err, b->expect) != NULL, "case %d: got '%s', want '%s'", _i, err,
                  b->expect);
    cfg_free(c);
}
END_TEST

static Suite *pde_suite(void)
{
    Suite *s = suite_create("pde");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, partials_match_differences, 0,
                        (int)(sizeof eq_texts / sizeof *eq_texts));
    tcase_add_loop_test(tc, exact_zeroes_every_term, 0,
                        (int)(sizeof exact_configs / sizeof *exact_configs));
    tcase_add_loop_test(tc, objective_gradient, 0, (int)(sizeof grad_texts / sizeof *grad_texts));
    tcase_add_test(tc, threads_same_bits);
    tcase_add_test(tc, threads_gradient);
    tcase_add_test(tc, slots_and_grid);
    tcase_add_loop_test(tc, samplers_fill_every_set, 0,
                        (int)(sizeof sampler_names / sizeof *sampler_names));
    tcase_add_loop_test(tc, bad_pde, 0, (int)(sizeof bad_cases / sizeof *bad_cases));
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(pde_suite)
