/* tests/test_march.c - time-marching windows: one window reproduces a plain
 * run bit for bit; two windows hand the first window's network value at
 * their boundary to the second as its initial target, stitch the grid and
 * keep a joint history; march_check refuses what it cannot cut. */
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
#include "train/march.h"
#include "pde_heat.h"
#include "trainer_fixture.h"

#define PI_ 3.14159265358979323846

/* y' = -y, y(0) = 1 on [0, 2]. */
static const char *DECAY =
    "problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\"]; rhs = [\"-y\"];"
    " initial = [1.0]; exact = [\"exp(-t)\"]; };\n"
    "points = { interior = 32; };\noutput = { nt = 21; };\n";

static train_options short_options(long long adam, long long lbfgs)
{
    return (train_options){.adam_iterations = adam, .lr = 1e-2, .beta1 = 0.9, .beta2 = 0.999,
                           .epsilon = 1e-8, .lbfgs_iterations = lbfgs, .lbfgs_history = 10,
                           .lbfgs_max_linesearch = 20, .lbfgs_epsilon = 1e-12,
                           .log_every = 1000, .scale_inputs = 1, .quiet = 1};
}

/* The march's own problem, net (seeded as the fixture's) and grid. */
typedef struct marched {
    cfg *c;
    problem *p;
    mlp *net;
    gsl_rng *rng;
    grid g;
    double *u;
    march *m;
    train_status st;
} marched;

static void march_setup(marched *r, const char *text, size_t windows, const train_options *o)
{
    char err[1024];
    memset(r, 0, sizeof *r);
    r->c = run_config_load("t.cfg", text, NULL, 0, err, sizeof err);
    ck_assert_msg(r->c != NULL, "%s", err);
    r->p = problem_create(r->c, err, sizeof err);
    ck_assert_ptr_nonnull(r->p);
    r->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r->rng, 3);
    size_t width[4] = {r->p->n_in, 8, 8, r->p->n_out};
    r->net = mlp_alloc(3, width, mlp_activation_find("tanh"));
    mlp_init(r->net, mlp_initializer_find("glorot_normal"), r->rng);
    ck_assert_int_eq(r->p->type->make_grid(r->p, r->c, &r->g), 0);
    r->u = malloc(r->g.n * r->p->n_out * sizeof *r->u);
    r->m = march_alloc(r->p, windows, r->net->n_params);
    ck_assert_ptr_nonnull(r->m);
    r->st = march_run(r->m, r->c, r->net, r->rng, o, &r->g, r->u);
}

static void march_teardown(marched *r)
{
    march_free(r->m);
    free(r->u);
    grid_release(&r->g);
    mlp_free(r->net);
    gsl_rng_free(r->rng);
    problem_free(r->p);
    cfg_free(r->c);
}

START_TEST(test_one_window_is_a_plain_run)
{
    train_options o = short_options(60, 30);
    fixture f;
    fixture_setup(&f, DECAY, 8, 8, &o);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    marched r;
    march_setup(&r, DECAY, 1, &o);
    ck_assert_int_eq(r.st, TRAIN_OK);
    ck_assert_uint_eq(r.m->done, 1);
    ck_assert_mem_eq(r.net->params, f.net->params, f.net->n_params * sizeof(double));
    ck_assert_mem_eq(r.m->params, f.net->params, f.net->n_params * sizeof(double));
    double u[21];
    trainer_predict(f.tr, r.g.x, r.g.n, u);
    ck_assert_mem_eq(r.u, u, sizeof u);
    /* the history is the plain run's */
    ck_assert_uint_eq(r.m->hist_end[0], f.tr->hist.n);
    const trainer *t = r.m->tr;
    ck_assert_uint_eq(t->hist.n, f.tr->hist.n);
    ck_assert_int_eq(t->step, f.tr->step);
    ck_assert_mem_eq(t->hist.loss, f.tr->hist.loss, t->hist.n * sizeof(double));
    march_teardown(&r);
    fixture_teardown(&f);
}
END_TEST

START_TEST(test_two_windows_hand_over)
{
    train_options o = short_options(400, 200);
    marched r;
    march_setup(&r, DECAY, 2, &o);
    ck_assert_int_eq(r.st, TRAIN_OK);
    const march *m = r.m;
    ck_assert_uint_eq(m->done, 2);
    ck_assert_double_eq(m->bounds[0], 0.0);
    ck_assert_double_eq(m->bounds[1], 1.0);
    ck_assert_double_eq(m->bounds[2], 1.0);
    ck_assert_double_eq(m->bounds[3], 2.0);
    /* window 2's initial target is window 1's net at t = 1 (inputs scaled
     * from [0, 1] to [-1, 1]) */
    mlp *n1 = mlp_alloc(r.net->n_layers, r.net->width, r.net->act);
    memcpy(n1->params, m->params, n1->n_params * sizeof(double));
    mlp_workspace *ws = mlp_workspace_alloc(n1, 1, 1);
    mlp_channels ch;
    mlp_channels_set(&ch, 0, 0, 1);
    double x = 1.0, y1 = NAN;
    ck_assert_int_eq(mlp_forward(ws, n1, &ch, &x, 1, &y1), MLP_OK);
    const term *init = NULL;
    for (size_t k = 0; k < m->n_terms; k++)
        if (strcmp(m->terms[k].name, "initial") == 0)
            init = &m->terms[k];
    ck_assert_ptr_nonnull(init);
    ck_assert_double_eq(init->x[0], 1.0);
    ck_assert_double_eq(init->aux[0], y1);
    ck_assert_double_eq_tol(y1, exp(-1.0), 1e-3);
    /* the grid: t < 1 from window 1's net, t >= 1 from window 2's */
    double x0 = 2.0 * (r.g.x[0] - 0.5), u0 = NAN;
    ck_assert_int_eq(mlp_forward(ws, n1, &ch, &x0, 1, &u0), MLP_OK);
    ck_assert_double_eq(r.u[0], u0);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < r.g.n; i++) {
        double e = exp(-r.g.x[i]);
        num += (r.u[i] - e) * (r.u[i] - e);
        den += e * e;
    }
    ck_assert_msg(sqrt(num / den) < 1e-3, "rel L2 %g", sqrt(num / den));
    /* the joint history: window 1's rows, then window 2's, steps counting on
     * (window 2's first row is the parameters window 1 ended with, judged
     * on window 2: the same step count) */
    const train_history *h = &m->tr->hist;
    ck_assert_uint_gt(m->hist_end[0], 0);
    ck_assert_uint_gt(m->hist_end[1], m->hist_end[0]);
    ck_assert_uint_eq(m->hist_end[1], h->n);
    for (size_t i = 1; i < h->n; i++) {
        ck_assert_int_ge(h->step[i], h->step[i - 1]);
        ck_assert(h->step[i] > h->step[i - 1] || i == m->hist_end[0]);
        ck_assert(h->seconds[i] >= h->seconds[i - 1]);
    }
    ck_assert_int_eq(m->tr->step, h->step[h->n - 1]);
    ck_assert_int_eq(h->step[m->hist_end[0]], h->step[m->hist_end[0] - 1]);
    mlp_workspace_free(ws);
    mlp_free(n1);
    march_teardown(&r);
}
END_TEST

/* The general pde type: heat u_t = 0.1 u_xx on [0, 1] x [0, 1] with its
 * exact solution; a wave u_tt = u_xx (second order in t: u_t is handed
 * over too). */
static const char *PDE_HEAT =
    PDE_HEAT_PROBLEM
    "points = { sampler = \"sobol\"; interior = 128; boundary = 32; initial = 32; };\n"
    "output = { nx = 11; nt = 11; };\n";

static const char *PDE_WAVE =
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 0.5]; };"
    " equations = [\"u_tt - u_xx\"];"
    " initial = { u = \"sin(pi*x)\"; u_t = 0.0; };"
    " boundary = { x_lo = { u = { type = \"dirichlet\"; }; };"
    " x_hi = { u = { type = \"dirichlet\"; }; }; };"
    " exact = { u = \"sin(pi*x)*cos(pi*t)\"; }; };\n"
    "points = { sampler = \"sobol\"; interior = 64; boundary = 16; initial = 16; };\n"
    "output = { nx = 6; nt = 6; };\n";

static const term *term_named(const march *m, const char *name)
{
    for (size_t k = 0; k < m->n_terms; k++)
        if (strcmp(m->terms[k].name, name) == 0)
            return &m->terms[k];
    return NULL;
}

/* Window w's trained net (m->params) at n points (x, t) in physical units,
 * with window w's input scaling: channels ch into out (ch.n x n). */
static void window_net(const marched *r, size_t w, const double *x, size_t n,
                       const mlp_channels *ch, double *out)
{
    const march *m = r->m;
    mlp *nw = mlp_alloc(r->net->n_layers, r->net->width, r->net->act);
    memcpy(nw->params, m->params + w * m->n_params, nw->n_params * sizeof(double));
    mlp_workspace *ws = mlp_workspace_alloc(nw, n, ch->n);
    double lo[2] = {r->p->lo[0], m->bounds[2 * w]}, hi[2] = {r->p->hi[0], m->bounds[2 * w + 1]};
    double *xn = malloc(2 * n * sizeof *xn);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 2; j++)
            xn[2 * i + j] = (x[2 * i + j] - 0.5 * (lo[j] + hi[j])) * 2.0 / (hi[j] - lo[j]);
    ck_assert_int_eq(mlp_forward(ws, nw, ch, xn, n, out), MLP_OK);
    for (size_t c = 0; c < ch->n; c++) /* d/dv of the scaled input: chain rule */
        for (size_t i = 0; i < n; i++) {
            double f = 1.0;
            if (ch->c[c].i >= 0)
                f *= 2.0 / (hi[ch->c[c].i] - lo[ch->c[c].i]);
            if (ch->c[c].j >= 0)
                f *= 2.0 / (hi[ch->c[c].j] - lo[ch->c[c].j]);
            out[c * n + i] *= f;
        }
    free(xn);
    mlp_workspace_free(ws);
    mlp_free(nw);
}

START_TEST(test_pde_one_window_is_a_plain_run)
{
    train_options o = short_options(40, 20);
    fixture f;
    fixture_setup(&f, PDE_HEAT, 8, 8, &o);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    marched r;
    march_setup(&r, PDE_HEAT, 1, &o);
    ck_assert_int_eq(r.st, TRAIN_OK);
    ck_assert_uint_eq(r.m->done, 1);
    ck_assert_mem_eq(r.net->params, f.net->params, f.net->n_params * sizeof(double));
    double *u = malloc(r.g.n * sizeof *u);
    trainer_predict(f.tr, r.g.x, r.g.n, u);
    ck_assert_mem_eq(r.u, u, r.g.n * sizeof *u);
    free(u);
    const trainer *t = r.m->tr;
    ck_assert_uint_eq(t->hist.n, f.tr->hist.n);
    ck_assert_mem_eq(t->hist.loss, f.tr->hist.loss, t->hist.n * sizeof(double));
    ck_assert_mem_eq(t->hist.terms, f.tr->hist.terms,
                     t->hist.n * t->hist.n_terms * sizeof(double));
    march_teardown(&r);
    fixture_teardown(&f);
}
END_TEST

/* Three windows of the pde heat problem: each window's terms live in its
 * time slice, its initial targets are the previous window's net at the
 * start, the stitched solution meets the exact one, and the solution is
 * continuous across the window boundaries. */
START_TEST(test_pde_three_windows)
{
    train_options o = short_options(300, 300);
    marched r;
    march_setup(&r, PDE_HEAT, 3, &o);
    ck_assert_int_eq(r.st, TRAIN_OK);
    const march *m = r.m;
    ck_assert_uint_eq(m->done, 3);
    double a = m->bounds[4], b = m->bounds[5];
    ck_assert_double_eq_tol(a, 2.0 / 3.0, 1e-15);
    /* the last window's points: pde and boundary in [a, b], initial at a */
    const term *pde = term_named(m, "pde"), *bnd = term_named(m, "boundary"),
               *init = term_named(m, "initial");
    ck_assert(pde && bnd && init);
    for (size_t i = 0; i < pde->n; i++)
        ck_assert(pde->x[2 * i + 1] >= a && pde->x[2 * i + 1] <= b);
    for (size_t i = 0; i < bnd->n; i++)
        ck_assert(bnd->x[2 * i + 1] >= a && bnd->x[2 * i + 1] <= b);
    mlp_channels ch;
    mlp_channels_set(&ch, 0, 0, 2);
    double *prev = malloc(init->n * sizeof *prev);
    window_net(&r, 1, init->x, init->n, &ch, prev);
    for (size_t i = 0; i < init->n; i++) {
        ck_assert_double_eq(init->x[2 * i + 1], a);
        ck_assert_double_eq_tol(init->aux[i], prev[i], 1e-13 * (1 + fabs(prev[i])));
    }
    free(prev);
    /* stitched against the exact solution: rel L2 on the grid */
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < r.g.n; i++) {
        double x = r.g.x[2 * i], t = r.g.x[2 * i + 1];
        double e = exp(-0.1 * PI_ * PI_ * t) * sin(PI_ * x);
        num += (r.u[i] - e) * (r.u[i] - e);
        den += e * e;
    }
    ck_assert_msg(sqrt(num / den) < 5e-3, "rel L2 %g", sqrt(num / den));
    /* continuity: windows w and w + 1 agree at their common time */
    for (size_t w = 0; w + 1 < m->n_windows; w++) {
        double x[2 * 11], ul[11], ur[11], jump = 0.0;
        for (size_t i = 0; i < 11; i++)
            x[2 * i] = 0.1 * (double)i, x[2 * i + 1] = m->bounds[2 * w + 1];
        window_net(&r, w, x, 11, &ch, ul);
        window_net(&r, w + 1, x, 11, &ch, ur);
        for (size_t i = 0; i < 11; i++)
            jump = fmax(jump, fabs(ul[i] - ur[i]));
        ck_assert_msg(jump < 1e-2, "jump %g at t = %g", jump, m->bounds[2 * w + 1]);
    }
    /* history per window */
    ck_assert_uint_gt(m->hist_end[1], m->hist_end[0]);
    ck_assert_uint_gt(m->hist_end[2], m->hist_end[1]);
    ck_assert_uint_eq(m->hist_end[2], m->tr->hist.n);
    march_teardown(&r);
}
END_TEST

/* Second order in t: the initial term of window 2 targets window 1's u
 * and u_t at the window start. */
START_TEST(test_pde_second_order_hands_over_u_t)
{
    train_options o = short_options(30, 10);
    marched r;
    march_setup(&r, PDE_WAVE, 2, &o);
    ck_assert_int_eq(r.st, TRAIN_OK);
    const term *init = term_named(r.m, "initial");
    ck_assert_ptr_nonnull(init);
    size_t n = init->n;
    ck_assert_uint_eq(init->n_aux, 2 * n); /* u, then u_t, per point */
    mlp_channels ch;
    mlp_channels_set(&ch, 2u, 0, 2); /* value, d/dt */
    double *prev = malloc(2 * n * sizeof *prev);
    window_net(&r, 0, init->x, n, &ch, prev);
    int ct = mlp_channels_index(&ch, 1, -1);
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_eq(init->x[2 * i + 1], 0.25);
        ck_assert_double_eq_tol(init->aux[2 * i], prev[i], 1e-13 * (1 + fabs(prev[i])));
        double ut = prev[(size_t)ct * n + i];
        ck_assert_double_eq_tol(init->aux[2 * i + 1], ut, 1e-12 * (1 + fabs(ut)));
    }
    free(prev);
    march_teardown(&r);
}
END_TEST

START_TEST(test_check)
{
    char err[1024];
    static const struct {
        const char *extra, *want;
    } cases[] = {
        {"", NULL},
        {"train = { windows = 3; };", NULL},
        {"train = { windows = 3; }; loss = { initial = { enabled = false; }; };", "initial"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s\n", DECAY, cases[i].extra);
        cfg *c = run_config_load("t.cfg", text, NULL, 0, err, sizeof err);
        ck_assert_msg(c != NULL, "%s", err);
        problem *p = problem_create(c, err, sizeof err);
        ck_assert_ptr_nonnull(p);
        const char *why = march_check(c, p);
        if (cases[i].want)
            ck_assert_msg(why && strstr(why, cases[i].want), "%zu: %s", i, why ? why : "NULL");
        else
            ck_assert_ptr_null(why);
        problem_free(p);
        cfg_free(c);
    }
}
END_TEST

/* Through the binary: the /windows group, the joint history, and eval
 * refusing a result whose /model covers only the last window. */
START_TEST(test_binary_result_file)
{
    char dir[] = "/tmp/pinn-march-XXXXXX", args[1024], out[16384], path[256], err[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/lv.h5", dir);
    snprintf(args, sizeof args,
             "run configs/lotka_volterra.cfg --quiet --threads 1 --set train.windows=3 "
             "--set train.adam.iterations=20 --set train.lbfgs.iterations=5 -o %s", path);
    int rc = run_pinn(args, out, sizeof out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    h5in *f = h5in_open(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    double *b = NULL, *prm = NULL, *loss = NULL;
    long long *end = NULL, count = 0;
    size_t rank, db[4], dp[4], de[4], dl[4], dw[4];
    ck_assert_int_eq(h5in_attr_int(f, "/windows", "count", &count), 0);
    ck_assert_int_eq(count, 3);
    ck_assert_int_eq(h5in_doubles(f, "/windows/bounds", &b, &rank, db), 0);
    ck_assert_uint_eq(rank, 2);
    ck_assert_uint_eq(db[0], 3);
    ck_assert_double_eq(b[0], 0.0);
    ck_assert_double_eq(b[5], 20.0);
    ck_assert_double_eq(b[1], b[2]);
    ck_assert_int_eq(h5in_doubles(f, "/windows/params", &prm, &rank, dp), 0);
    ck_assert_int_eq(h5in_shape(f, "/model/params", &rank, dw), 0);
    ck_assert_uint_eq(dp[0], 3);
    ck_assert_uint_eq(dp[1], dw[0]);
    ck_assert_int_eq(h5in_ints(f, "/windows/history_end", &end, &rank, de), 0);
    ck_assert_int_eq(h5in_doubles(f, "/history/loss", &loss, &rank, dl), 0);
    ck_assert_int_eq(end[2], (long long)dl[0]);
    ck_assert_int_gt(end[1], end[0]);
    ck_assert_int_gt(end[2], end[1]);
    free(b);
    free(prm);
    free(end);
    free(loss);
    h5in_close(f);
    snprintf(args, sizeof args, "eval %s 1", path);
    ck_assert_int_ne(run_pinn(args, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "time-marching") != NULL, "%s", out);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(args), 0);
}
END_TEST

/* Through the binary, the pde type: a 2-window wave run writes the
 * stitched solution on the whole grid, the verdict over the whole
 * interval, and the /windows group. */
START_TEST(test_binary_pde)
{
    char dir[] = "/tmp/pinn-march-XXXXXX", args[1024], out[16384], path[256], err[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/wave.h5", dir);
    snprintf(args, sizeof args,
             "run configs/wave1d.cfg --quiet --threads 1 --set train.windows=2 "
             "--set train.adam.iterations=5 --set train.lbfgs.iterations=2 "
             "--set points.interior=64 --set reference.enabled=false "
             "--set network.hard_constraints=false -o %s", path);
    int rc = run_pinn(args, out, sizeof out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    h5in *f = h5in_open(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    long long count = 0;
    ck_assert_int_eq(h5in_attr_int(f, "/windows", "count", &count), 0);
    ck_assert_int_eq(count, 2);
    double *u = NULL, v = NAN;
    size_t rank, du[4];
    ck_assert_int_eq(h5in_doubles(f, "/solution/u", &u, &rank, du), 0);
    ck_assert_uint_eq(rank, 2);
    ck_assert_uint_eq(du[0] * du[1], 101 * 101);
    for (size_t i = 0; i < du[0] * du[1]; i++)
        ck_assert_msg(isfinite(u[i]), "u[%zu] = %g", i, u[i]); /* every row stitched */
    char *measure = NULL;
    ck_assert_int_eq(h5in_attr_string(f, "/", "verdict_measure", &measure), 0);
    ck_assert_str_eq(measure, "rel_l2_vs_exact");
    ck_assert_int_eq(h5in_attr_double(f, "/", "verdict_value", &v), 0);
    ck_assert(isfinite(v) && v > 0);
    free(measure);
    free(u);
    h5in_close(f);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(args), 0);
}
END_TEST

static Suite *march_suite(void)
{
    Suite *s = suite_create("march");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_one_window_is_a_plain_run);
    tcase_add_test(tc, test_two_windows_hand_over);
    tcase_add_test(tc, test_pde_one_window_is_a_plain_run);
    tcase_add_test(tc, test_pde_three_windows);
    tcase_add_test(tc, test_pde_second_order_hands_over_u_t);
    tcase_add_test(tc, test_check);
    tcase_add_test(tc, test_binary_result_file);
    tcase_add_test(tc, test_binary_pde);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(march_suite)
