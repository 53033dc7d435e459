/* tests/test_qn.c - the dense quasi-Newton minimisers: the secant condition
 * H y = s after every update, the strong Wolfe conditions at every accepted
 * step, convergence on a quadratic and on Rosenbrock for each type (and a
 * varying phi for the Broyden member only), a
 * line search that backs off from non-finite values, the error paths,
 * qn_refresh on a changed function, and the trainer's second phase with
 * point redraws (every method, liblbfgs included). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "check_main.h"
#include "train/qn.h"
#include "trainer_fixture.h"

#define NQ 12

/* f = 0.5 x.A x - b.x with A = M M^T + I (deterministic M), condition ~1e2 */
typedef struct quad {
    double A[NQ * NQ], b[NQ];
    int calls;
} quad;

static void quad_init(quad *q)
{
    double M[NQ * NQ];
    for (int i = 0; i < NQ * NQ; i++)
        M[i] = sin(1.0 + 3.7 * i) * (1 + i % 3);
    for (int i = 0; i < NQ; i++) {
        q->b[i] = cos(0.3 * i);
        for (int j = 0; j < NQ; j++) {
            double s = i == j ? 1.0 : 0.0;
            for (int k = 0; k < NQ; k++)
                s += M[i * NQ + k] * M[j * NQ + k];
            q->A[i * NQ + j] = s;
        }
    }
    q->calls = 0;
}

static double quad_fdf(void *ctx, const double *x, double *g)
{
    quad *q = ctx;
    q->calls++;
    double f = 0.0;
    for (int i = 0; i < NQ; i++) {
        double ax = 0.0;
        for (int j = 0; j < NQ; j++)
            ax += q->A[i * NQ + j] * x[j];
        g[i] = ax - q->b[i];
        f += 0.5 * x[i] * ax - q->b[i] * x[i];
    }
    return f;
}

/* Rosenbrock in n dimensions; INFINITY outside |x_i| < 5 (a wall the line
 * search must back off from). */
static double rosen_fdf(void *ctx, const double *x, double *g)
{
    size_t n = *(size_t *)ctx;
    double f = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (fabs(x[i]) >= 5.0)
            return INFINITY;
        g[i] = 0.0;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
        f += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    return f;
}

START_TEST(test_secant_and_wolfe)
{
    const char *name = qn_types[_i].name;
    quad Q;
    quad_init(&Q);
    qn *q = qn_alloc(name, NQ);
    ck_assert_ptr_nonnull(q);
    double x0[NQ] = {0}, xo[NQ], go[NQ], hy[NQ];
    for (int i = 0; i < NQ; i++)
        x0[i] = 2.0 - 0.3 * i;
    ck_assert_int_eq(qn_set(q, x0, quad_fdf, &Q, 1e-4, 0.9, 40), QN_OK);
    int it, phi_varied = 0;
    for (it = 0; it < 200; it++) {
        double gn = cblas_dnrm2(NQ, q->g, 1);
        if (gn < 1e-6) /* below, f - f* ~ g.A^-1 g nears rounding of f */
            break;
        double fo = q->f;
        memcpy(xo, q->x, sizeof xo);
        memcpy(go, q->g, sizeof go);
        ck_assert_int_eq(qn_iterate(q), QN_OK);
        double gs = 0.0, gns = 0.0, sy = 0.0;
        for (int i = 0; i < NQ; i++) {
            double s = q->x[i] - xo[i];
            gs += go[i] * s;
            gns += q->g[i] * s;
            sy += s * (q->g[i] - go[i]);
        }
        ck_assert(gs < 0);
        /* strong Wolfe, with the constants given to qn_set */
        ck_assert(q->f <= fo + 1e-4 * gs + 1e-14 * fabs(fo));
        ck_assert_msg(fabs(gns) <= 0.9 * fabs(gs) * (1 + 1e-12), "%s it %d: g+.s %g g.s %g f %g -> %g", name, it, gns, gs, fo, q->f);
        ck_assert(q->tau > 0 && q->tau <= 1.0);
        phi_varied |= fabs(q->phi - 1.0) > 1e-3;
        /* secant: H+ y = s (the update was taken: s.y > 0 on a convex f) */
        ck_assert(sy > 0);
        cblas_dsymv(CblasRowMajor, CblasUpper, NQ, 1.0, q->H, NQ, q->y, 1, 0.0, hy, 1);
        for (int i = 0; i < NQ; i++)
            ck_assert_msg(fabs(hy[i] - q->s[i]) <= 1e-8 * (cblas_dnrm2(NQ, q->s, 1) + 1e-300),
                          "%s it %d: (Hy - s)_%d = %g", name, it, i, hy[i] - q->s[i]);
    }
    ck_assert_msg(cblas_dnrm2(NQ, q->g, 1) < 1e-6, "%s: |g| %g after %d", name,
                  cblas_dnrm2(NQ, q->g, 1), it);
    ck_assert_int_le(it, 4 * NQ);
    /* only the Broyden member moves phi off the BFGS value */
    ck_assert_int_eq(phi_varied, strcmp(name, "ssbroyden") == 0);
    qn_free(q);
}
END_TEST

START_TEST(test_rosenbrock)
{
    const char *name = qn_types[_i].name;
    size_t n = 10;
    double x0[10];
    for (size_t i = 0; i < n; i++)
        x0[i] = i % 2 ? 1.0 : -1.2;
    qn *q = qn_alloc(name, n);
    ck_assert_int_eq(qn_set(q, x0, rosen_fdf, &n, 1e-4, 0.9, 40), QN_OK);
    int it = 0;
    while (it < 2000 && cblas_dnrm2((int)n, q->g, 1) > 1e-10) {
        int rc = qn_iterate(q);
        if (rc == QN_ELINESEARCH && cblas_dnrm2((int)n, q->g, 1) < 1e-8)
            break; /* rounding at the minimum */
        ck_assert_int_eq(rc, QN_OK);
        it++;
    }
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs(q->x[i] - 1.0) < 1e-6, "%s: x_%zu = %.10g after %d", name, i, q->x[i],
                      it);
    qn_free(q);
}
END_TEST

/* Steps far past the wall at |x| = 5 come back finite. */
START_TEST(test_backs_off_from_infinity)
{
    size_t n = 2;
    double x0[2] = {-4.9, 4.9};
    qn *q = qn_alloc("bfgs", n);
    ck_assert_int_eq(qn_set(q, x0, rosen_fdf, &n, 1e-4, 0.9, 60), QN_OK);
    double f0 = q->f;
    ck_assert_int_eq(qn_iterate(q), QN_OK);
    ck_assert(isfinite(q->f) && q->f < f0);
    ck_assert(fabs(q->x[0]) < 5 && fabs(q->x[1]) < 5);
    qn_free(q);
}
END_TEST

static double nan_fdf(void *ctx, const double *x, double *g)
{
    (void)ctx;
    g[0] = x[0];
    return NAN;
}

START_TEST(test_errors)
{
    ck_assert_ptr_null(qn_alloc("lbfgs", 3));
    ck_assert_ptr_null(qn_alloc(NULL, 3));
    ck_assert_ptr_null(qn_alloc("bfgs", 0));
    ck_assert_ptr_nonnull(qn_type_find("ssbfgs"));
    qn *q = qn_alloc("ssbfgs", 1);
    ck_assert_int_eq(qn_iterate(q), QN_EINVAL);
    double x = 1.0;
    ck_assert_int_eq(qn_set(q, &x, nan_fdf, NULL, 1e-4, 0.9, 10), QN_ENAN);
    qn_free(q);
    qn_free(NULL);
}
END_TEST

/* As the trainer's second phase: y' = -y after a short Adam phase. Each
 * iteration is a history row of phase 1 whose loss does not increase, the
 * net ends at the minimiser's point, and the stop reason names the method. */
START_TEST(test_trainer_second_phase)
{
    static const char *text =
        "problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\"]; rhs = [\"-y\"];"
        " initial = [1.0]; };\npoints = { interior = 32; };\n";
    const char *name = qn_types[_i].name;
    train_options o = {.adam_iterations = 50, .lr = 1e-2, .beta1 = 0.9, .beta2 = 0.999,
                       .epsilon = 1e-8, .lbfgs_iterations = 60, .lbfgs_max_linesearch = 20,
                       .lbfgs_epsilon = 0, .lbfgs_past = 0, .log_every = 1000,
                       .scale_inputs = 1, .quiet = 1, .second_phase = name};
    fixture f;
    fixture_setup(&f, text, 8, 8, &o);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    const train_history *h = &f.tr->hist;
    ck_assert_uint_eq(h->n, 50 + 60);
    double adam_end = h->loss[49];
    for (size_t i = 50; i < h->n; i++) {
        ck_assert_int_eq(h->phase[i], 1);
        ck_assert(h->loss[i] <= h->loss[i - 1] || i == 50);
    }
    ck_assert_msg(h->loss[h->n - 1] < 1e-3 * adam_end, "%s: %g -> %g", name, adam_end,
                  h->loss[h->n - 1]);
    ck_assert_int_eq(f.tr->step, 110);
    ck_assert_ptr_nonnull(strstr(f.tr->lbfgs_stop, name));
    double loss = trainer_objective(f.tr);
    ck_assert_double_eq_tol(loss, h->loss[h->n - 1], 1e-12 * loss);
    fixture_teardown(&f);
    /* an unknown method is refused before any work */
    o.second_phase = "newton";
    ck_assert_ptr_nonnull(train_options_check(&o, f.terms, 1));
}
END_TEST

/* qn_refresh: the function changes under the minimiser (b scaled by 2):
 * f and g are those of the new function at the same x, H is kept. */
START_TEST(test_refresh_keeps_h)
{
    quad a;
    quad_init(&a);
    qn *q = qn_alloc("ssbroyden", NQ);
    double x0[NQ] = {0};
    ck_assert_int_eq(qn_set(q, x0, quad_fdf, &a, 1e-4, 0.9, 20), QN_OK);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(qn_iterate(q), QN_OK);
    double H[NQ * NQ], x[NQ], g[NQ];
    memcpy(H, q->H, sizeof H);
    memcpy(x, q->x, sizeof x);
    for (int i = 0; i < NQ; i++)
        a.b[i] *= 2.0;
    ck_assert_int_eq(qn_refresh(q), QN_OK);
    double f = quad_fdf(&a, x, g);
    ck_assert_mem_eq(q->x, x, sizeof x);
    ck_assert_mem_eq(q->H, H, sizeof H);
    ck_assert_double_eq(q->f, f);
    ck_assert_mem_eq(q->g, g, sizeof g);
    /* and it goes on to the new minimiser A x = 2 b */
    for (int k = 0; k < 200 && q->iterations < 200; k++)
        if (qn_iterate(q) != QN_OK)
            break;
    for (int i = 0; i < NQ; i++) {
        double r = -a.b[i];
        for (int j = 0; j < NQ; j++)
            r += a.A[i * NQ + j] * q->x[j];
        ck_assert_msg(fabs(r) < 1e-6, "residual %d: %g", i, r);
    }
    qn_free(q);
    qn_free(NULL);
    qn *fresh = qn_alloc("bfgs", 2);
    ck_assert_int_eq(qn_refresh(fresh), QN_EINVAL);
    qn_free(fresh);
}
END_TEST

/* The second phase with redraws every 20 of its 60 iterations: the points
 * are redrawn at iterations 20 and 40 (not at the end) for each dense
 * method and for liblbfgs, the loss is of the last points, and redraws
 * that never fall due leave the run bit-identical to one without. */
START_TEST(test_second_phase_redraws)
{
    static const char *text =
        "problem = { type = \"ode\"; t = [0.0, 2.0]; variables = [\"y\"]; rhs = [\"-y\"];"
        " initial = [1.0]; };\npoints = { interior = 32; sampler = \"uniform\"; };\n";
    int dense = 0;
    while (qn_types[dense].name)
        dense++;
    const char *name = _i < dense ? qn_types[_i].name : "lbfgs"; /* the last: liblbfgs */
    train_options o = {.adam_iterations = 50, .lr = 1e-2, .beta1 = 0.9, .beta2 = 0.999,
                       .epsilon = 1e-8, .lbfgs_iterations = 60, .lbfgs_history = 6,
                       .lbfgs_max_linesearch = 20, .lbfgs_epsilon = 0, .lbfgs_past = 0,
                       .log_every = 1000, .scale_inputs = 1, .quiet = 1, .second_phase = name,
                       .lbfgs_resample_every = 20};
    fixture f;
    fixture_setup(&f, text, 8, 8, &o);
    double before[32];
    memcpy(before, f.terms[0].x, sizeof before);
    ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
    /* liblbfgs may stop a run early (rounding): that run's points are then
     * redrawn at once, so at least the two scheduled redraws */
    if (strcmp(name, "lbfgs") == 0)
        ck_assert_msg(f.tr->prog.resamples >= 2, "%lld", f.tr->prog.resamples);
    else
        ck_assert_int_eq(f.tr->prog.resamples, 2);
    ck_assert(memcmp(before, f.terms[0].x, sizeof before) != 0);
    const train_history *h = &f.tr->hist;
    double loss = trainer_objective(f.tr);
    ck_assert_double_eq_tol(loss, h->loss[h->n - 1], 1e-12 * loss);
    ck_assert_msg(loss < 1e-2 * h->loss[0], "%s: %g -> %g", name, h->loss[0], loss);
    fixture_teardown(&f);
    /* never due (every >= iterations) against off: the same run */
    double end[2];
    for (int k = 0; k < 2; k++) {
        o.lbfgs_resample_every = k ? 60 : 0;
        fixture_setup(&f, text, 8, 8, &o);
        ck_assert_int_eq(trainer_run(f.tr), TRAIN_OK);
        ck_assert_int_eq(f.tr->prog.resamples, 0);
        end[k] = f.tr->hist.loss[f.tr->hist.n - 1];
        fixture_teardown(&f);
    }
    ck_assert_double_eq(end[0], end[1]);
}
END_TEST

static int n_types(void)
{
    int n = 0;
    while (qn_types[n].name)
        n++;
    return n;
}

static Suite *qn_suite(void)
{
    Suite *s = suite_create("qn");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_secant_and_wolfe, 0, n_types());
    tcase_add_loop_test(tc, test_rosenbrock, 0, n_types());
    tcase_add_test(tc, test_backs_off_from_infinity);
    tcase_add_test(tc, test_errors);
    tcase_add_loop_test(tc, test_trainer_second_phase, 0, n_types());
    tcase_add_test(tc, test_refresh_keeps_h);
    tcase_add_loop_test(tc, test_second_phase_redraws, 0, n_types() + 1);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(qn_suite)
