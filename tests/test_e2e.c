/* tests/test_e2e.c - every config in configs/ run end to end through the
 * pinn binary with reduced step counts, each with an error bound; the result
 * file read back: error fields recomputed independently, `pinn eval`
 * reproducing the stored solution, `pinn info` and `pinn reference`. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e_util.h"
#include "io/h5io.h"


/* One config with the overrides that make it short and the bound its rel
 * L2 error against the exact solution (or the GSL reference when there is
 * none) must meet. The bounds are about 3x the measured errors (in the
 * comment), so a real regression fails and rounding noise does not. */
typedef struct e2e_case {
    const char *config;
    const char *overrides;
    const char *error_field;
    double bound;
} e2e_case;

#define SHORT_HEAT "--set train.adam.iterations=1000 --set train.lbfgs.iterations=300 " \
                   "--set points.interior=600 --set reference.nx=256 --set reference.nt=256"

static const e2e_case cases[] = {
    /* with its ssbroyden second phase; measured 1.6e-4 (ssbfgs 1.0e-4, L-BFGS
     * 3.3e-3: at this short budget the methods are alike) */
    {"heat1d", SHORT_HEAT, "/error/vs_exact/abs", 3e-4},
    /* the fast recipe with 300 second-phase iterations of its 1500;
     * measured 1.0e-4 (the whole recipe: 7.3e-7, docs/performance.md) */
    {"heat1d_fast", "--set train.lbfgs.iterations=300 --set reference.nx=256 "
                    "--set reference.nt=256",
     "/error/vs_exact/abs", 5e-4},
    /* measured 6.3e-4 */
    {"heat1d_neumann", SHORT_HEAT, "/error/vs_exact/abs", 2e-3},
    /* measured 3.8e-4 */
    {"heat1d_source", SHORT_HEAT, "/error/vs_exact/abs", 1.5e-3},
    /* measured 4.8e-3 */
    {"heat1d_periodic", SHORT_HEAT, "/error/vs_exact/abs", 1.5e-2},
    /* the network options on the same short run (docs/hard-problems.md):
     * the exact periodic embedding, measured 8.2e-4 (5x better than none);
     * random Fourier features, measured 1.3e-3; random weight
     * factorization, measured 3.3e-3 */
    {"heat1d_periodic", SHORT_HEAT " --set network.periodic=\\\"x\\\"", "/error/vs_exact/abs",
     2.5e-3},
    {"heat1d_periodic", SHORT_HEAT " --set network.fourier.features=16 "
     "--set network.fourier.sigma=0.25", "/error/vs_exact/abs", 4e-3},
    {"heat1d_periodic", SHORT_HEAT " --set network.factorization.mu=0.5", "/error/vs_exact/abs",
     1e-2},
    /* the full config (it takes a few seconds); measured 2.4e-8; L-BFGS
     * stops on its gradient tolerance, so the bound is loose */
    {"logistic", "", "/error/vs_exact/abs", 1e-6},
    /* measured 2.8e-4 */
    {"oscillator", "--set train.adam.iterations=1500 --set train.lbfgs.iterations=800",
     "/error/vs_exact/abs", 1e-3},
    /* on [0, 10]: the full horizon [0, 20] needs the full step counts
     * (README, Accuracy); measured 4.0e-5 */
    {"sir", "--set problem.t=[0.0,10.0] --set train.adam.iterations=1500 "
            "--set train.lbfgs.iterations=800",
     "/error/abs", 2e-4},
    /* time-marching, 10 windows with fewer steps each; measured 4.8e-4 */
    {"lotka_volterra", "--set train.adam.iterations=500 --set train.lbfgs.iterations=300",
     "/error/abs", 1.5e-3},
    /* time-marching, 8 windows with fewer steps each; measured 1.6e-3 */
    {"sir40", "--set train.adam.iterations=500 --set train.lbfgs.iterations=300",
     "/error/abs", 5e-3},
};

START_TEST(config_runs_within_bound)
{
    const e2e_case *c = &cases[_i];
    char args[2048], out[65536], path[512];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/%s.h5", tmpdir, c->config);
    snprintf(args, sizeof args, "run configs/%s.cfg %s --quiet --threads 1 -o %s", c->config,
             c->overrides, path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s: %s", c->config, out);
    char err[512];
    h5in *f = h5in_open(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    double rel = attr(f, c->error_field, "rel_l2");
    fprintf(stderr, "e2e %s: rel L2 %.3e (bound %.0e)\n", c->config, rel, c->bound);
    ck_assert_msg(rel <= c->bound, "%s: rel L2 %g > %g", c->config, rel, c->bound);
    h5in_close(f);
    remove_tmpdir();
}
END_TEST

static double *read_all(h5in *f, const char *path, size_t *n)
{
    double *d = NULL;
    size_t rank, dims[4];
    ck_assert_msg(h5in_doubles(f, path, &d, &rank, dims) == 0, "%s: %s", path, h5in_error(f));
    *n = 1;
    for (size_t i = 0; i < rank; i++)
        *n *= dims[i];
    return d;
}

/* The error attributes agree with an independent computation from the
 * stored fields, and `pinn eval` at grid points reproduces /solution/u. */
START_TEST(result_file_round_trip)
{
    char args[2048], out[65536], path[512];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/h.h5", tmpdir);
    snprintf(args, sizeof args,
             "run configs/heat1d.cfg --set train.adam.iterations=50 --set train.lbfgs.iterations=0 "
             "--set output.nx=11 --set output.nt=6 --set reference.nx=128 --set reference.nt=125 "
             "--quiet -o %s",
             path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    char err[512];
    h5in *f = h5in_open(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    size_t nu, nr, ne, nx, nt;
    double *u = read_all(f, "/solution/u", &nu), *ref = read_all(f, "/reference/u", &nr);
    double *ex = read_all(f, "/exact/u", &ne), *x = read_all(f, "/grid/x", &nx),
           *t = read_all(f, "/grid/t", &nt);
    ck_assert_uint_eq(nu, 66);
    ck_assert_uint_eq(nr, nu);
    ck_assert_uint_eq(nx * nt, nu);
    double num = 0, den = 0, mx = 0;
    for (size_t i = 0; i < nu; i++) {
        num += (u[i] - ref[i]) * (u[i] - ref[i]);
        den += ref[i] * ref[i];
        mx = fmax(mx, fabs(u[i] - ref[i]));
    }
    /* Same sums in another order: agreement to rounding, 1e-12 relative. */
    ck_assert_double_eq_tol(attr(f, "/error/abs", "rel_l2"), sqrt(num / den), 1e-12 * sqrt(num / den));
    ck_assert_double_eq_tol(attr(f, "/error/abs", "max_abs"), mx, 1e-15);
    /* exact on the grid is the formula in the config */
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < nx; i++) {
            double e = exp(-0.4 * 3.14159265358979323846 * 3.14159265358979323846 * t[k]) *
                       sin(3.14159265358979323846 * x[i]);
            ck_assert_double_eq_tol(ex[k * nx + i], e, 1e-14);
        }
    /* pinn eval at three grid points */
    size_t pick[3] = {0, 17, 65};
    snprintf(args, sizeof args, "eval %s", path);
    for (int j = 0; j < 3; j++) {
        size_t k = pick[j] / nx, i = pick[j] % nx;
        char pt[128];
        snprintf(pt, sizeof pt, " %.17g,%.17g", x[i], t[k]);
        strcat(args, pt);
    }
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    ck_assert_msg(strncmp(out, "x,t,u\n", 6) == 0, "eval header: %s", out);
    char *line = out + 6;
    for (int j = 0; j < 3; j++) {
        double xi, ti, v;
        ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf", &xi, &ti, &v), 3);
        /* the same arithmetic on the same parameters: equal to 1e-12 */
        ck_assert_double_eq_tol(v, u[pick[j]], 1e-12 * (1 + fabs(u[pick[j]])));
        line = strchr(line, '\n') + 1;
    }
    h5in_close(f);
    free(u), free(ref), free(ex), free(x), free(t);
    /* pinn info names the errors */
    snprintf(args, sizeof args, "info %s", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "network vs reference"));
    ck_assert_ptr_nonnull(strstr(out, "solution/"));
    remove_tmpdir();
}
END_TEST

START_TEST(reference_only_and_same_seed_same_result)
{
    char args[2048], out[65536], a[512], b[512];
    make_tmpdir();
    snprintf(a, sizeof a, "%s/r.h5", tmpdir);
    snprintf(args, sizeof args, "reference configs/sir.cfg -o %s", a);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    char err[512];
    h5in *f = h5in_open(a, err, sizeof err);
    ck_assert(f != NULL);
    ck_assert(h5in_exists(f, "/reference/u"));
    ck_assert(!h5in_exists(f, "/solution/u"));
    h5in_close(f);
    /* two runs, same seed and thread count: bit-identical parameters; with
     * 2 threads too (heat1d, whose pde term spans several row blocks, so
     * both threads share the work) */
    static const char *const jobs[2] = {
        "run configs/oscillator.cfg --set train.adam.iterations=100 "
        "--set train.lbfgs.iterations=20 --threads 1 --seed 5 --quiet -o %s",
        "run configs/heat1d.cfg --set train.adam.iterations=30 --set train.lbfgs.iterations=10 "
        "--set reference.enabled=false --threads 2 --seed 5 --quiet -o %s",
    };
    for (int j = 0; j < 2; j++) {
        for (int r = 0; r < 2; r++) {
            snprintf(b, sizeof b, "%s/s%d%d.h5", tmpdir, j, r);
            snprintf(args, sizeof args, jobs[j], b);
            ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
        }
        snprintf(a, sizeof a, "%s/s%d0.h5", tmpdir, j);
        assert_same_params(a, b);
    }
    remove_tmpdir();
}
END_TEST

static Suite *e2e_suite(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("configs");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, config_runs_within_bound, 0, (int)(sizeof cases / sizeof *cases));
    tcase_add_test(tc, result_file_round_trip);
    tcase_add_test(tc, reference_only_and_same_seed_same_result);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(e2e_suite)
