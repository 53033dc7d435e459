/* tests/test_inverse.c - inverse problems: the gradient of the whole loss
 * with respect to the network's parameters AND the unknown constants (raw,
 * through the free, positive and bounded transforms) against central finite
 * differences for an ODE, a heat and a general pde (Burgers) case; the transforms themselves; data
 * columns matched by the CSV header's names in any order, with some fields
 * unobserved; a reduced inverse run that must recover its constant;
 * `pinn sample` (through $PINN): header, values, noise, seed, refusals. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "check_main.h"
#include "problems/problem.h"
#include "problems/unknowns.h"
#include "train/train.h"
#include "trainer_fixture.h"

static char data_path[64];

/* Writes text to a fresh temporary file named in data_path. */
static void write_data(const char *text)
{
    snprintf(data_path, sizeof data_path, "/tmp/pinn-inverse-XXXXXX");
    int fd = mkstemp(data_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static train_options options(long long adam, long long lbfgs, double lr)
{
    train_options opt = {.adam_iterations = adam, .lr = lr, .beta1 = 0.9, .beta2 = 0.999,
                         .epsilon = 1e-8, .log_every = 1000000, .scale_inputs = 1, .quiet = 1,
                         .decay_steps = 1, .decay_rate = 1, .lbfgs_iterations = lbfgs,
                         .lbfgs_history = 20, .lbfgs_max_linesearch = 40, .lbfgs_past = 0};
    return opt;
}

/* Config text with the data file's path in place of %s. */
static void setup_with_data(fixture *f, const char *fmt, const train_options *opt)
{
    char text[4096];
    snprintf(text, sizeof text, fmt, data_path);
    fixture_setup(f, text, 6, 5, opt);
}

/* Every entry of the optimizer's vector: network parameters, then the
 * unknowns' raw values. Central differences, h = 1e-6; tolerance as
 * tests/test_train.c (1e-6 of the largest entry). The unknowns' own
 * entries must be nonzero, so the check is not vacuous. */
static void check_gradient(fixture *f)
{
    trainer *tr = f->tr;
    size_t nv = tr->n_vec, nn = f->net->n_params;
    ck_assert_uint_eq(nv, nn + f->p->unk.n);
    ck_assert_uint_gt(f->p->unk.n, 0);
    trainer_objective(tr);
    double *g = malloc(nv * sizeof *g);
    memcpy(g, tr->grad, nv * sizeof *g);
    double gmax = 0.0;
    for (size_t i = 0; i < nv; i++)
        gmax = fmax(gmax, fabs(g[i]));
    for (size_t i = nn; i < nv; i++)
        ck_assert_msg(fabs(g[i]) > 1e-8 * gmax, "unknown %zu has a zero gradient", i - nn);
    for (size_t i = 0; i < nv; i++) {
        double keep = f->net->params[i], h = 1e-6;
        f->net->params[i] = keep + h;
        double lp = trainer_objective(tr);
        f->net->params[i] = keep - h;
        double lm = trainer_objective(tr);
        f->net->params[i] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[i]) <= 1e-6 * gmax, "entry %zu (%s): analytic %.10g fd %.10g",
                      i, i < nn ? "network" : f->p->unk.name[i - nn], g[i], fd);
    }
    free(g);
}

/* Three unknowns, one of each kind, in the rhs; only x observed, in a
 * file whose columns are in the other order; sigma on x. */
static const char *ode_fmt =
    "problem = { type = \"ode\"; t = [0.0, 3.0]; variables = [\"x\", \"v\"];\n"
    " rhs = [\"v\", \"-k*x - c*v + a*sin(t)\"]; initial = [1.0, 0.0];\n"
    " constants = { a = 0.5; };\n"
    " unknowns = { names = [\"k\", \"c\"]; initial = [2.0, 0.3]; positive = [\"k\"]; }; };\n"
    "points = { interior = 16; };\n"
    "loss = { data = { file = \"%s\"; sigma = { x = 0.5; }; }; };\n";

/* The gradient check on config fmt with data; then again with every raw
 * unknown moved by shift[j] away from the initial guess. */
static void gradient_case(const char *data, const char *fmt, const double *shift)
{
    write_data(data);
    fixture f;
    train_options opt = options(0, 0, 1e-3);
    setup_with_data(&f, fmt, &opt);
    check_gradient(&f);
    for (size_t j = 0; shift && j < f.p->unk.n; j++)
        f.net->params[f.net->n_params + j] += shift[j];
    if (shift)
        check_gradient(&f);
    fixture_teardown(&f);
    unlink(data_path);
}

START_TEST(ode_gradient_includes_unknowns)
{
    const double shift[2] = {0.3, -0.7};
    gradient_case("x,t\n0.9,0.5\n0.2,1.5\n-0.6,2.5\n", ode_fmt, shift);
}
END_TEST

static const char *ode_bounded_fmt =
    "problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\"];\n"
    " rhs = [\"-r*y^2 + s\"]; initial = [1.0];\n"
    " unknowns = { names = [\"r\", \"s\"]; initial = [0.7, -0.2]; lower = [0.0, -1.0];\n"
    "   upper = [2.0, 1.0]; lr_factor = 3.0; }; };\n"
    "points = { interior = 12; };\n"
    "loss = { data = { file = \"%s\"; }; };\n";

START_TEST(ode_gradient_bounded_unknowns)
{
    const double shift[2] = {-0.4, 0.9};
    gradient_case("t,y\n0.5,0.6\n1.5,0.4\n", ode_bounded_fmt, shift);
}
END_TEST

/* Heat with unknown alpha: the pde and conservation terms depend on it. */
static const char *heat_fmt =
    "problem = { type = \"heat\"; x = [0.0, 1.0]; t = [0.0, 0.5];\n"
    " initial = \"sin(pi*x)\"; source = \"x*t\";\n"
    " left = { type = \"dirichlet\"; }; right = { type = \"neumann\"; };\n"
    " unknowns = { names = [\"alpha\"]; initial = [0.2]; positive = [\"alpha\"]; }; };\n"
    "points = { interior = 20; boundary = 8; initial = 6; };\n"
    "loss = { conservation = { enabled = true; times = 3; nodes = 4; };\n"
    "  data = { file = \"%s\"; }; };\n";

START_TEST(heat_gradient_includes_alpha)
{
    const double shift[1] = {0.5};
    gradient_case("t,u,x\n0.1,0.7,0.3\n0.4,0.2,0.8\n", heat_fmt, shift);
}
END_TEST

/* Burgers with lambda_1 (in front of u u_x, free) and lambda_2 (the
 * viscosity, positive) unknown, lr_factor 0.5, a constant beside them and
 * a data file with its columns in another order. */
static const char *burgers_fmt =
    "problem = { type = \"pde\"; variables = { x = [-1.0, 1.0]; t = [0.0, 1.0]; };\n"
    " equations = [\"u_t + l1*u*u_x - l2*u_xx + s\"]; constants = { s = 0.1; };\n"
    " initial = { u = \"-sin(pi*x)\"; };\n"
    " boundary = { x_lo = { u = { type = \"dirichlet\"; }; };\n"
    "              x_hi = { u = { type = \"neumann\"; value = 0.2; }; }; };\n"
    " unknowns = { names = [\"l1\", \"l2\"]; initial = [0.5, 0.05]; positive = [\"l2\"];\n"
    "   lr_factor = 0.5; }; };\n"
    "points = { interior = 20; boundary = 8; initial = 6; };\n"
    "loss = { data = { file = \"%s\"; }; };\n";

START_TEST(pde_gradient_includes_unknowns)
{
    const double shift[2] = {0.4, -0.3};
    gradient_case("u,t,x\n0.3,0.2,-0.5\n-0.1,0.7,0.4\n", burgers_fmt, shift);
}
END_TEST

/* The transforms: values from raw values and back, d value / d raw
 * against central differences, positive values stay > 0 and bounded ones
 * inside their bounds even for extreme raw values. */
START_TEST(transforms)
{
    unknowns u;
    memset(&u, 0, sizeof u);
    u.n = 3;
    u.scale = 2.5;
    u.kind[0] = UNKNOWN_FREE;
    u.kind[1] = UNKNOWN_POSITIVE;
    u.kind[2] = UNKNOWN_BOUNDED;
    u.lo[2] = -1.0;
    u.hi[2] = 3.0;
    u.initial[0] = -0.7;
    u.initial[1] = 0.013;
    u.initial[2] = 2.2;
    double raw[3];
    unknowns_raw_initial(&u, raw);
    unknowns_set_raw(&u, raw);
    for (size_t j = 0; j < 3; j++) {
        ck_assert_msg(fabs(u.value[j] - u.initial[j]) <= 1e-14 * fmax(1, fabs(u.initial[j])),
                      "%zu: %.17g vs %.17g", j, u.value[j], u.initial[j]);
        double h = 1e-6, keep = raw[j], d = u.dvalue[j];
        raw[j] = keep + h;
        unknowns_set_raw(&u, raw);
        double vp = u.value[j];
        raw[j] = keep - h;
        unknowns_set_raw(&u, raw);
        double vm = u.value[j];
        raw[j] = keep;
        ck_assert_msg(fabs((vp - vm) / (2 * h) - d) <= 1e-7 * fmax(1, fabs(d)), "%zu: %g vs %g",
                      j, (vp - vm) / (2 * h), d);
    }
    /* positivity: log c trained, so c = exp(s z) > 0 however far z goes */
    double far[3] = {-40.0, -100.0, -100.0};
    unknowns_set_raw(&u, far);
    ck_assert(u.value[1] > 0);
    ck_assert(u.value[2] >= u.lo[2] && u.value[2] <= u.hi[2]);
    double far2[3] = {40.0, 100.0, 100.0};
    unknowns_set_raw(&u, far2);
    ck_assert(u.value[2] >= u.lo[2] && u.value[2] <= u.hi[2]);
    /* the chain rule adds dc * dvalue */
    double dc[3] = {1.0, 2.0, 3.0}, draw[3] = {0.5, 0.5, 0.5};
    unknowns_set_raw(&u, raw);
    unknowns_chain(&u, dc, draw);
    for (size_t j = 0; j < 3; j++)
        ck_assert_double_eq_tol(draw[j], 0.5 + dc[j] * u.dvalue[j], 1e-15);
}
END_TEST

/* Columns by name: "t,x,u" and "u,t,x" give the same points and targets
 * as "x,t,u"; an ODE file "y,t" of a 2-variable system observes y only. */
START_TEST(csv_header_names)
{
    static const char *heat = "problem = { type = \"heat\"; alpha = 0.3; x = [0.0, 1.0];\n"
                              " t = [0.0, 1.0]; initial = \"0\";\n"
                              " left = { type = \"dirichlet\"; }; right = { type = \"dirichlet\"; }; };\n"
                              "loss = { pde = { enabled = false; }; boundary = { enabled = false; };\n"
                              " initial = { enabled = false; }; data = { file = \"%s\"; }; };\n";
    static const char *files[] = {"x,t,u\n0.25,0.5,7\n0.75,0.1,8\n",
                                  "t,x,u\n0.5,0.25,7\n0.1,0.75,8\n",
                                  "# comment\n u , t , x \n7,0.5,0.25\n8,0.1,0.75\n"};
    for (size_t k = 0; k < 3; k++) {
        write_data(files[k]);
        fixture f;
        train_options opt = options(0, 0, 1e-3);
        setup_with_data(&f, heat, &opt);
        ck_assert_uint_eq(f.n_terms, 1);
        term *t = &f.terms[0];
        ck_assert_str_eq(t->name, "data");
        ck_assert_uint_eq(t->n, 2);
        ck_assert_double_eq(t->x[0], 0.25);
        ck_assert_double_eq(t->x[1], 0.5);
        ck_assert_double_eq(t->x[2], 0.75);
        ck_assert_double_eq(t->x[3], 0.1);
        /* aux: field index, factor, then targets */
        ck_assert_double_eq(t->aux[2], 7);
        ck_assert_double_eq(t->aux[3], 8);
        fixture_teardown(&f);
        unlink(data_path);
    }
    static const char *ode = "problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"z\", \"y\"];\n"
                             " rhs = [\"y\", \"-z\"]; initial = [0.0, 1.0]; };\n"
                             "loss = { data = { file = \"%s\"; }; };\n";
    write_data("y,t\n0.5,0.25\n0.125,0.75\n");
    fixture f;
    train_options opt = options(0, 0, 1e-3);
    setup_with_data(&f, ode, &opt);
    term *t = &f.terms[f.n_terms - 1];
    ck_assert_str_eq(t->name, "data");
    ck_assert_uint_eq(t->n, 2);
    ck_assert_uint_eq(t->n_r, 2); /* one observed field */
    ck_assert_double_eq(t->x[0], 0.25);
    ck_assert_double_eq(t->x[1], 0.75);
    ck_assert_double_eq(t->aux[0], 1); /* y is field 1 */
    ck_assert_double_eq(t->aux[2], 0.5);
    ck_assert_double_eq(t->aux[3], 0.125);
    fixture_teardown(&f);
    unlink(data_path);
}
END_TEST

/* Two files observing different fields (x in one, v in the other, with
 * their columns in other orders) make one term: 3 + 2 rows, a NaN target
 * where a file does not observe a field, and the mean over the 5 observed
 * values: with a zero network output the loss is mean(d^2 / sigma^2). */
START_TEST(several_files)
{
    char a[64], b[64], text[2048];
    write_data("x,t\n1.0,0.5\n2.0,1.5\n3.0,2.5\n");
    snprintf(a, sizeof a, "%s", data_path);
    write_data("t,v\n0.25,4.0\n0.75,-2.0\n");
    snprintf(b, sizeof b, "%s", data_path);
    snprintf(text, sizeof text,
             "problem = { type = \"ode\"; t = [0.0, 3.0]; variables = [\"x\", \"v\"];\n"
             " rhs = [\"v\", \"-x\"]; initial = [1.0, 0.0]; };\n"
             "loss = { pde = { enabled = false; }; initial = { enabled = false; };\n"
             " data = { files = [\"%s\", \"%s\"]; sigma = { v = 2.0; }; }; };\n", a, b);
    fixture f;
    train_options opt = options(0, 0, 1e-3);
    fixture_setup(&f, text, 4, 4, &opt);
    ck_assert_uint_eq(f.n_terms, 1);
    term *t = &f.terms[0];
    ck_assert_uint_eq(t->n, 5);
    ck_assert_uint_eq(t->n_r, 10);
    ck_assert_double_eq(t->x[3], 0.25);
    ck_assert(isnan(t->aux[4 + 1]));  /* row 0 does not observe v */
    ck_assert_double_eq(t->aux[4 + 7], 4.0);
    ck_assert_double_eq(t->aux[4 + 9], -2.0);
    /* zero output: the last layer's weights and biases to 0 */
    mlp *net = f.net;
    size_t l = net->n_layers - 1;
    memset(net->params + net->w_off[l], 0,
           (net->width[l + 1] * net->width[l] + net->width[l + 1]) * sizeof(double));
    double want = (1.0 + 4.0 + 9.0 + 4.0 + 1.0) / 5.0; /* v/2: 2^2, 1^2 */
    ck_assert_double_eq_tol(trainer_objective(f.tr), want, 1e-12);
    fixture_teardown(&f);
    unlink(a);
    unlink(b);
}
END_TEST

/* A reduced inverse problem: y' = -k y, y(0) = 1 on [0, 2], k = 1.5 to be
 * found from 40 measurements of exp(-1.5 t) with 1% noise, starting from
 * k = 0.5. Measured: k = 1.49x after 1500 Adam + 300 L-BFGS steps on a
 * 1-10-10-1 net; the bound (2%) leaves room for other BLAS/threads. */
START_TEST(recovers_decay_rate)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    char text[8192] = "t,y\n";
    for (int i = 0; i < 40; i++) {
        double t = 2.0 * (i + 0.5) / 40, y = exp(-1.5 * t);
        size_t w = strlen(text);
        snprintf(text + w, sizeof text - w, "%.17g,%.17g\n", t,
                 y * (1 + 0.01 * gsl_ran_gaussian(r, 1.0)));
    }
    gsl_rng_free(r);
    write_data(text);
    static const char *fmt =
        "problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\"]; rhs = [\"-k*y\"];\n"
        " initial = [1.0];\n"
        " unknowns = { names = [\"k\"]; initial = [0.5]; positive = [\"k\"]; }; };\n"
        "points = { interior = 64; };\n"
        "loss = { data = { file = \"%s\"; }; };\n";
    fixture f;
    train_options opt = options(1500, 300, 1e-2);
    setup_with_data(&f, fmt, &opt);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    double k = f.p->unk.value[0];
    if (getenv("PINN_TEST_VERBOSE"))
        fprintf(stderr, "recovered k = %.8g\n", k);
    ck_assert_msg(fabs(k - 1.5) / 1.5 < 0.02, "recovered k = %.6g, want 1.5 within 2%%", k);
    /* the history holds the unknown's path: it starts at the guess */
    ck_assert_uint_eq(f.tr->hist.n_unknowns, 1);
    ck_assert_double_eq_tol(f.tr->hist.unknowns[0], 0.5, 1e-12);
    fixture_teardown(&f);
    unlink(data_path);
}
END_TEST

/* Runs `$PINN sample ARGS` in the top directory; returns the exit status. */
static int run_sample(const char *args)
{
    const char *bin = getenv("PINN") ? getenv("PINN") : "./pinn";
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s sample %s >/dev/null 2>&1", bin, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

START_TEST(sample_command)
{
    char cfg[64] = "/tmp/pinn-sample-XXXXXX", out[96], args[512];
    int fd = mkstemp(cfg);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\", \"z\"];\n"
          " rhs = [\"-k*y\", \"z\"]; initial = [1.0, 1.0];\n"
          " exact = [\"exp(-1.5*t)\", \"exp(t)\"];\n"
          " unknowns = { names = [\"k\"]; initial = [0.5]; true_values = [1.5]; }; };\n"
          "loss = { data = { file = \"unused.csv\"; }; };\n", f);
    fclose(f);
    snprintf(out, sizeof out, "%s.csv", cfg);
    /* no noise: the exact values, header t,y (z not asked for) */
    snprintf(args, sizeof args, "%s --points 25 --fields y --seed 4 -o %s", cfg, out);
    ck_assert_int_eq(run_sample(args), 0);
    char *a = slurp(out);
    char *line = strchr(a, '\n') + 1; /* after the comment */
    ck_assert_msg(strncmp(line, "t,y\n", 4) == 0, "header: %.20s", line);
    size_t rows = 0;
    double last_t = -1;
    for (char *s = strchr(line, '\n') + 1; *s; s = strchr(s, '\n') + 1) {
        double t, y;
        ck_assert_int_eq(sscanf(s, "%lf,%lf", &t, &y), 2);
        ck_assert(t > 0 && t <= 2 && t >= last_t);
        ck_assert_double_eq_tol(y, exp(-1.5 * t), 1e-15);
        last_t = t;
        rows++;
    }
    ck_assert_uint_eq(rows, 25);
    /* the same seed gives the same file; noise moves the values */
    snprintf(args, sizeof args, "%s --points 25 --fields y --seed 4 --noise 0.01 -o %s", cfg, out);
    ck_assert_int_eq(run_sample(args), 0);
    char *b = slurp(out);
    ck_assert_int_eq(run_sample(args), 0);
    char *c = slurp(out);
    ck_assert_str_eq(b, c);
    ck_assert_str_ne(a, b);
    /* refusals: a field the problem does not have, no -o, no points */
    snprintf(args, sizeof args, "%s --points 25 --fields w -o %s", cfg, out);
    ck_assert_int_eq(run_sample(args), 2);
    snprintf(args, sizeof args, "%s --points 25", cfg);
    ck_assert_int_eq(run_sample(args), 2);
    snprintf(args, sizeof args, "%s --points 0 -o %s", cfg, out);
    ck_assert_int_eq(run_sample(args), 2);
    free(a);
    free(b);
    free(c);
    unlink(out);
    unlink(cfg);
}
END_TEST

static Suite *inverse_suite(void)
{
    Suite *s = suite_create("inverse");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ode_gradient_includes_unknowns);
    tcase_add_test(tc, ode_gradient_bounded_unknowns);
    tcase_add_test(tc, heat_gradient_includes_alpha);
    tcase_add_test(tc, pde_gradient_includes_unknowns);
    tcase_add_test(tc, transforms);
    tcase_add_test(tc, csv_header_names);
    tcase_add_test(tc, several_files);
    tcase_add_test(tc, recovers_decay_rate);
    tcase_add_test(tc, sample_command);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(inverse_suite)
