/* tests/test_pde_reference.c - the reference glue (problems/pde_reference.c)
 * on pde structs built from expression text (pde_build.h, until the pde
 * parser is merged): Burgers against Cole-Hopf, Allen-Cahn spectral
 * against mol, the wave equation, a two-field system, heat2d and poisson2d
 * against closed forms, the error estimate, and the one-line refusals
 * (nonlinear in u_t, mixed u_xt, no u_t, a named method that cannot). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "burgers_colehopf.h"
#include "check_main.h"
#include "pde_build.h"
#include "problems/pde_reference.h"
#include "io/h5io.h"
#include <stdlib.h>

enum { NX = 9, NT = 5 };

/* Solves q on NX points per space axis and NT times; returns the status,
 * fills u (caller's, big enough) and the axes. */
static int solve(const pde *q, pde_ref_config *rc, double ax[][NX], double *u, char *method,
                 double *est, char *err)
{
    const double *axes[PDE_MAX_VARS];
    size_t len[PDE_MAX_VARS];
    for (size_t v = 0; v < q->n_vars; v++) {
        size_t n = (int)v == q->time ? NT : NX;
        for (size_t i = 0; i < n; i++)
            ax[v][i] = q->lo[v] + (q->hi[v] - q->lo[v]) * (double)i / (double)(n - 1);
        axes[v] = ax[v];
        len[v] = n;
    }
    return pde_reference_solve(q, rc, axes, len, u, method, 512, est, err, 512);
}

/* max |u - exact| for field f over the grid of solve(); exact from q. */
static double exact_error(const pde *q, double ax[][NX], const double *u, size_t f)
{
    double vals[64] = {0}, e = 0;
    size_t np = 1, m[PDE_MAX_VARS];
    for (size_t i = 0; i < q->n_consts; i++)
        vals[q->const0 + i] = q->cvalue[i];
    /* point order: time slowest, then z, y, x */
    size_t order[PDE_MAX_VARS], no = 0;
    for (size_t v = 0; v < q->n_space; v++)
        order[no++] = v; /* x fastest */
    if (q->time >= 0)
        order[no++] = (size_t)q->time;
    for (size_t k = 0; k < no; k++) {
        m[k] = (int)order[k] == q->time ? NT : NX;
        np *= m[k];
    }
    for (size_t p = 0; p < np; p++) {
        size_t r = p;
        for (size_t k = 0; k < no; k++) {
            vals[order[k]] = ax[order[k]][r % m[k]];
            r /= m[k];
        }
        e = fmax(e, fabs(u[p * q->n_fields + f] - expr_eval(q->exact[f], vals)));
    }
    return e;
}

START_TEST(burgers_glue)
{
    pde_text t = {.vars = "x,t", .lo = {-1, 0}, .hi = {1, 1}, .fields = "u",
                  .consts = "nu=0.0031830988618379067",
                  .eq = {"u_t + u*u_x - nu*u_xx"}, .u0 = {"-sin(pi*x)"}};
    t.bc[0][0][0] = t.bc[0][1][0] = "d:0";
    pde q;
    pde_build(&q, &t);
    pde_ref_config rc = {.n = {2048}, .estimate = 1};
    double ax[2][NX], u[NX * NT], est;
    char method[512], err[512];
    ck_assert_msg(solve(&q, &rc, ax, u, method, &est, err) == PDE_REF_OK, "%s", err);
    ck_assert_ptr_nonnull(strstr(method, "mol: order-4"));
    double e = 0;
    for (size_t k = 1; k < NT; k++)
        for (size_t i = 0; i < NX; i++)
            e = fmax(e, fabs(u[k * NX + i] - burgers_colehopf(ax[0][i], ax[1][k], 0.01 / M_PI)));
    fprintf(stderr, "  burgers via glue, n = 2048: max error vs Cole-Hopf %.3e, estimate %.3e\n"
            "  %s\n", e, est, method);
    ck_assert_double_lt(e, 1e-4);
    /* the estimate does not understate the measured error, nor overstate it
     * 100-fold (the quarter-resolution solve, 512, is not asymptotic yet) */
    ck_assert(est > e && est < 100 * e);
    pde_unbuild(&q);
}
END_TEST

START_TEST(allen_cahn_spectral_vs_mol)
{
    /* the benchmark's u0 = x^2 cos(pi x) has a corner at x = +-1: mol */
    pde_text t = {.vars = "x,t", .lo = {-1, 0}, .hi = {1, 1}, .fields = "u",
                  .eq = {"u_t - 0.0001*u_xx + 5*u^3 - 5*u"}, .u0 = {"x^2*cos(pi*x)"}};
    pde q;
    pde_build(&q, &t);
    pde_ref_config rs = {.method = "spectral"};
    double ax0[2][NX], u0[NX * NT], est0;
    char m0[512], e0[512];
    ck_assert_int_eq(solve(&q, &rs, ax0, u0, m0, &est0, e0), PDE_REF_UNSUPPORTED);
    ck_assert_msg(strstr(e0, "differs at the two ends"), "%s", e0);
    pde_unbuild(&q);
    /* a smooth periodic u0: spectral by default, and mol agrees */
    t.u0[0] = "0.6*cos(pi*x) + 0.3*sin(2*pi*x)";
    pde_build(&q, &t);
    pde_ref_config rc = {.n = {512}, .nt = 1000};
    double ax[2][NX], u[NX * NT], w[NX * NT], est;
    char method[512], err[512];
    ck_assert_msg(solve(&q, &rc, ax, u, method, &est, err) == PDE_REF_OK, "%s", err);
    ck_assert_ptr_nonnull(strstr(method, "spectral"));
    ck_assert(isnan(est));
    pde_ref_config rm = {.method = "mol", .n = {2048}};
    ck_assert_msg(solve(&q, &rm, ax, w, method, &est, err) == PDE_REF_OK, "%s", err);
    double d = 0;
    for (size_t i = 0; i < NX * NT; i++)
        d = fmax(d, fabs(u[i] - w[i]));
    fprintf(stderr, "  allen-cahn, smooth u0: spectral (512 modes, 1000 steps) vs mol (2048): "
            "%.3e\n", d);
    ck_assert_double_lt(d, 1e-5);
    pde_unbuild(&q);
}
END_TEST

START_TEST(wave_system_heat2d_poisson2d)
{
    double ax[3][NX], u[2 * NX * NX * NT], est;
    char method[512], err[512];
    pde q;
    /* wave: u_tt = 4 u_xx, second order in time */
    pde_text w = {.vars = "x,t", .hi = {1, 1}, .fields = "u", .eq = {"u_tt - 4*u_xx"},
                  .u0 = {"sin(pi*x) + 0.5*sin(4*pi*x)"}, .ut0 = {"0"},
                  .exact = {"sin(pi*x)*cos(2*pi*t) + 0.5*sin(4*pi*x)*cos(8*pi*t)"}};
    w.bc[0][0][0] = w.bc[0][1][0] = "d:0";
    pde_build(&q, &w);
    pde_ref_config rc = {.n = {256}, .rtol = 1e-11, .atol = 1e-11};
    ck_assert_msg(solve(&q, &rc, ax, u, method, &est, err) == PDE_REF_OK, "%s", err);
    double e = exact_error(&q, ax, u, 0);
    fprintf(stderr, "  wave1d via glue, n = 256: %.3e\n", e);
    ck_assert_double_lt(e, 1e-8);
    pde_unbuild(&q);
    /* a coupled pair with Robin sides: u_t = 0.1 u_xx + v, v_t = 0.1 v_xx - u */
    pde_text s = {.vars = "x,t", .hi = {1, 1}, .fields = "u,v",
                  .eq = {"u_t - 0.1*u_xx - v", "v_t - 0.1*v_xx + u"},
                  .u0 = {"sin(pi*x)", "0"},
                  .exact = {"exp(-0.1*pi^2*t)*sin(pi*x)*cos(t)",
                            "-exp(-0.1*pi^2*t)*sin(pi*x)*sin(t)"}};
    s.bc[0][0][0] = s.bc[0][0][1] = "d:0";
    /* at x = 1: u = 0 so u + 2 du/dn = 2 u_x = -2 pi e^(-0.1 pi^2 t) cos t */
    s.bc[0][1][0] = "r:1;2;-2*pi*exp(-0.1*pi^2*t)*cos(t)";
    s.bc[0][1][1] = "r:1;2;2*pi*exp(-0.1*pi^2*t)*sin(t)";
    pde_build(&q, &s);
    rc = (pde_ref_config){.n = {256}};
    ck_assert_msg(solve(&q, &rc, ax, u, method, &est, err) == PDE_REF_OK, "%s", err);
    double e0 = exact_error(&q, ax, u, 0), e1 = exact_error(&q, ax, u, 1);
    fprintf(stderr, "  system via glue, n = 256: %.3e %.3e\n", e0, e1);
    ck_assert_double_lt(fmax(e0, e1), 1e-8);
    pde_unbuild(&q);
    /* heat2d: 3 variables */
    pde_text h = {.vars = "x,y,t", .hi = {1, 1, 1}, .fields = "u",
                  .eq = {"u_t - 0.1*(u_xx + u_yy)"}, .u0 = {"sin(pi*x)*sin(pi*y)"},
                  .exact = {"exp(-0.2*pi^2*t)*sin(pi*x)*sin(pi*y)"}};
    h.bc[0][0][0] = h.bc[0][1][0] = h.bc[1][0][0] = h.bc[1][1][0] = "d:0";
    pde_build(&q, &h);
    rc = (pde_ref_config){.n = {32, 32}};
    ck_assert_msg(solve(&q, &rc, ax, u, method, &est, err) == PDE_REF_OK, "%s", err);
    e = exact_error(&q, ax, u, 0);
    fprintf(stderr, "  heat2d via glue, 32 x 32: %.3e\n", e);
    ck_assert_double_lt(e, 1e-6);
    pde_unbuild(&q);
    /* poisson2d, steady */
    pde_text p = {.vars = "x,y", .hi = {1, 1}, .fields = "u",
                  .eq = {"-(u_xx + u_yy) - 2*pi^2*sin(pi*x)*sin(pi*y)"},
                  .exact = {"sin(pi*x)*sin(pi*y)"}};
    p.bc[0][0][0] = p.bc[0][1][0] = p.bc[1][0][0] = p.bc[1][1][0] = "d:0";
    pde_build(&q, &p);
    rc = (pde_ref_config){.n = {64, 64}, .estimate = 1};
    ck_assert_msg(solve(&q, &rc, ax, u, method, &est, err) == PDE_REF_OK, "%s", err);
    e = exact_error(&q, ax, u, 0);
    fprintf(stderr, "  poisson2d via glue, 64 x 64: %.3e (estimate %.3e)\n", e, est);
    ck_assert_ptr_nonnull(strstr(method, "fd: order-4"));
    ck_assert_double_lt(e, 1e-6);
    ck_assert(est > e / 10 && est < 10 * e);
    pde_unbuild(&q);
}
END_TEST

/* Each refusal names the equation and says why, in one line. */
START_TEST(refusals)
{
    static const struct {
        const char *eq, *method, *want;
    } cases[] = {
        {"u_t^2 - u_xx", NULL, "not linear in u_t"},
        {"u_t*(1 + u_t) - u_xx", NULL, "not linear in u_t"},
        {"u_t + u_xt - u_xx", NULL, "mixed derivative u_xt"},
        {"u_t - u_xx", "spectral", "not periodic"},
        {"u_t - u_xx", "fd", "time-dependent"},
        {"u_t - u_xx", "nope", "no such method"},
        {"0*u_t + u - u_xx", NULL, "coefficient of u_t is 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        pde_text t = {.vars = "x,t", .hi = {1, 1}, .fields = "u", .eq = {cases[i].eq},
                      .u0 = {"sin(pi*x)"}};
        t.bc[0][0][0] = t.bc[0][1][0] = "d:0";
        pde q;
        pde_build(&q, &t);
        pde_ref_config rc = {.method = cases[i].method, .n = {64}};
        double ax[2][NX], u[NX * NT], est;
        char method[512], err[512] = "";
        int rc_ = solve(&q, &rc, ax, u, method, &est, err);
        ck_assert_msg(rc_ == PDE_REF_UNSUPPORTED && strstr(err, cases[i].want) && !strchr(err, '\n'),
                      "%s: %d %s", cases[i].eq, rc_, err);
        if (!cases[i].method)
            ck_assert_msg(strstr(err, "equation 1 ("), "%s", err);
        pde_unbuild(&q);
    }
    /* a system whose second equation holds no v_t */
    pde_text t = {.vars = "x,t", .hi = {1, 1}, .fields = "u,v", .eq = {"u_t - u_xx", "v - u"},
                  .u0 = {"0", "0"}};
    t.bc[0][0][0] = t.bc[0][1][0] = t.bc[0][0][1] = t.bc[0][1][1] = "d:0";
    pde q;
    pde_build(&q, &t);
    pde_ref_config rc = {.n = {64}};
    double ax[2][NX], u[2 * NX * NT], est;
    char method[512], err[512];
    ck_assert_int_eq(solve(&q, &rc, ax, u, method, &est, err), PDE_REF_UNSUPPORTED);
    ck_assert_msg(strstr(err, "field v has no time derivative"), "%s", err);
    pde_unbuild(&q);
}
END_TEST

/* Through the binary: `pinn reference` on the shipped configs (coarsened)
 * prints the method with its error estimate and stores it next to the
 * reference; `pinn run` writes /reference and /error. */
START_TEST(cli_reference_and_run)
{
    const char *bin = getenv("PINN");
    if (!bin)
        bin = "build/pinn";
    static const struct {
        const char *cfg, *set, *field;
    } runs[] = {
        {"burgers", "--set reference.nx=512", "/reference/u"},
        {"poisson2d", "--set reference.nx=32 --set reference.ny=32", "/reference/u"},
        {"reaction_diffusion", "--set reference.nx=256", NULL},
        {"wave1d", "--set reference.nx=128", "/reference/u"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        char cmd[1024], out[8192] = "", path[256];
        snprintf(path, sizeof path, "%s/ref-cli-%zu.h5", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", i);
        snprintf(cmd, sizeof cmd, "%s reference configs/%s.cfg -o %s %s 2>&1", bin, runs[i].cfg,
                 path, runs[i].set);
        FILE *p = popen(cmd, "r");
        ck_assert_ptr_nonnull(p);
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        ck_assert_int_eq(pclose(p), 0);
        ck_assert_msg(strstr(out, "reference: ") && strstr(out, "error estimate"), "%s", out);
        char err[256];
        h5in *f = h5in_open(path, err, sizeof err);
        ck_assert_msg(f != NULL, "%s", err);
        const char *obj = runs[i].field ? runs[i].field : "/reference/u";
        if (!runs[i].field)
            obj = h5in_exists(f, "/reference/u") ? "/reference/u" : "/reference/v";
        double est = -1;
        ck_assert_msg(h5in_attr_double(f, obj, "error_estimate", &est) == 0, "%s", obj);
        ck_assert(est >= 0 && est < 0.05); /* burgers at 512 intervals: 0.016 */
        h5in_close(f);
        remove(path);
    }
    /* pinn run: a few steps, /error written against the reference */
    char cmd[1024], path[256];
    snprintf(path, sizeof path, "%s/ref-cli-run.h5", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(cmd, sizeof cmd, "%s run configs/burgers.cfg -o %s --quiet --set reference.nx=512 "
             "--set train.adam.iterations=5 --set train.lbfgs.iterations=0 "
             "--set points.interior=100 >/dev/null 2>&1", bin, path);
    ck_assert_int_eq(system(cmd), 0);
    char err[256];
    h5in *f = h5in_open(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    ck_assert(h5in_exists(f, "/reference/u"));
    ck_assert(h5in_exists(f, "/error"));
    h5in_close(f);
    remove(path);
}
END_TEST

static Suite *suite(void)
{
    gsl_set_error_handler_off();
    Suite *s = suite_create("pde_reference");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, burgers_glue);
    tcase_add_test(tc, allen_cahn_spectral_vs_mol);
    tcase_add_test(tc, wave_system_heat2d_poisson2d);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, cli_reference_and_run);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(suite)
