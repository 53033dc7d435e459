/* tests/test_mlp.c - the MLP object around the passes: activation and
 * initialiser tables, parameter layout, seeding, channel sets and every error
 * path. Derivative and gradient correctness is in test_mlp_grad.c. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "check_main.h"
#include "mlp.h"
#include "mlp_simd.h"
#include "test_mlp_util.h"

/* ---- activations ---- */

/* Each derivative against the central difference of the one before it, at
 * points across the range; h = 1e-5 gives truncation ~h^2 |s''''| / 6 and
 * rounding ~1e-16 / h, both far below the 1e-8 tolerance. */
START_TEST(activation_derivatives_match_fd)
{
    const double h = 1e-5, zs[] = {-3.0, -1.2, -0.3, 0.0, 0.05, 0.7, 1.9, 4.0};
    int count = 0;
    for (const mlp_activation *a = mlp_activations; a->name; a++, count++) {
        ck_assert_ptr_eq(mlp_activation_find(a->name), a);
        for (size_t q = 0; q < sizeof zs / sizeof zs[0]; q++) {
            double s[4], sp[4], sm[4], z = zs[q];
            a->eval(z, s, s + 1, s + 2, s + 3);
            a->eval(z + h, sp, sp + 1, sp + 2, sp + 3);
            a->eval(z - h, sm, sm + 1, sm + 2, sm + 3);
            for (int k = 1; k < 4; k++) {
                double fd = (sp[k - 1] - sm[k - 1]) / (2 * h);
                ck_assert_msg(fabs(fd - s[k]) < 1e-8 * (1 + fabs(s[k])),
                              "%s: derivative %d at z=%g: %.15g vs fd %.15g", a->name, k, z,
                              s[k], fd);
            }
        }
    }
    ck_assert_int_ge(count, 4);
    const char *need[] = {"tanh", "sin", "softplus", "silu"};
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(mlp_activation_find(need[i]));
    ck_assert_ptr_null(mlp_activation_find("relu6"));
    ck_assert_ptr_null(mlp_activation_find(NULL));
}
END_TEST

/* Far tails must stay finite (no exp overflow) and reach the right limits. */
START_TEST(activations_finite_in_tails)
{
    const double zs[] = {-800.0, -40.0, 40.0, 800.0};
    for (const mlp_activation *a = mlp_activations; a->name; a++)
        for (int q = 0; q < 4; q++) {
            double s[4];
            a->eval(zs[q], s, s + 1, s + 2, s + 3);
            for (int k = 0; k < 4; k++)
                ck_assert_msg(isfinite(s[k]), "%s(%g) d%d = %g", a->name, zs[q], k, s[k]);
        }
    double s[4];
    mlp_activation_find("softplus")->eval(800.0, s, s + 1, s + 2, s + 3);
    ck_assert_double_eq_tol(s[0], 800.0, 1e-12);
    mlp_activation_find("tanh")->eval(-40.0, s, s + 1, s + 2, s + 3);
    ck_assert_double_eq_tol(s[0], -1.0, 1e-15);
}
END_TEST

/* Distance of a from ref in units in the last place of max(|ref|, scale). */
static double ulp_dist(double a, double ref, double scale)
{
    double r = fmax(fabs(ref), scale);
    return fabs(a - ref) / (nextafter(r, INFINITY) - r);
}

/* The ulp bounds of eval_n against eval (libm) on |z| <= 20, per activation
 * and derivative: tanh's s, s', s'' within 8 ulps (4, 4, 6 measured); its
 * s''' = -2 s' (1 - 3 t^2) within 16 ulps of max(|s'''|, 2 s') (10
 * measured; it cancels near t^2 = 1/3 in both); sin's four within 2 ulps
 * (SLEEF's sincos is 1.0 ulp, libm's < 1). Beyond |z| = 20 tanh's kernel
 * clamps: s is +-1 exactly and s', s'', s''' are below 1e-16 in both. */
typedef struct act_bound {
    const char *name;
    double ulps[4];
} act_bound;

static const act_bound act_bounds[] = {{"tanh", {8, 8, 8, 16}}, {"sin", {2, 2, 2, 2}}};

/* One instruction-set path (_i indexes mlp_isa_names): every activation with
 * an eval_n against eval within its bound, small z, NaN and infinities. */
START_TEST(activation_batch_matches_libm)
{
    enum { N = 12001 };
    static double z[N], b[4][N];
    int saved = mlp_isa_active();
    if (mlp_isa_select(_i) != 0) {
        printf("activation_batch_matches_libm: skipped path %s: this CPU lacks it\n",
               mlp_isa_names[_i]);
        return;
    }
    for (size_t i = 0; i < N; i++)
        z[i] = -30.0 + 60.0 * (double)i / (N - 1);
    z[N / 2] = 0.0;
    z[N / 2 + 1] = 1e-300;
    z[N / 2 - 1] = -3e-9;
    size_t checked = 0;
    for (const mlp_activation *a = mlp_activations; a->name; a++) {
        if (a->eval_n == NULL)
            continue;
        const act_bound *bd = NULL;
        for (size_t q = 0; q < sizeof act_bounds / sizeof *act_bounds; q++)
            if (strcmp(act_bounds[q].name, a->name) == 0)
                bd = &act_bounds[q];
        ck_assert_msg(bd != NULL, "%s has eval_n but no stated ulp bound", a->name);
        a->eval_n(N, z, b[0], b[1], b[2], b[3]);
        for (size_t i = 0; i < N; i++) {
            double s[4];
            a->eval(z[i], s, s + 1, s + 2, s + 3);
            for (int k = 0; k < 4; k++) {
                double u = ulp_dist(b[k][i], s[k], k == 3 ? 2.0 * fabs(s[1]) : 0.0);
                int ok = u <= bd->ulps[k];
                if (fabs(z[i]) > 20.0 && strcmp(a->name, "tanh") == 0) /* the clamp */
                    ok = k == 0 ? b[k][i] == s[k] : fabs(b[k][i] - s[k]) <= 1e-16;
                ck_assert_msg(ok, "%s path %s d%d at %.17g: %.17g vs libm %.17g (%.1f ulps)",
                              a->name, mlp_isa_names[_i], k, z[i], b[k][i], s[k], u);
            }
        }
        /* small z: tanh-like ones must keep relative accuracy there */
        double t[4];
        a->eval_n(1, &z[N / 2 - 1], t, t + 1, t + 2, t + 3);
        double s[4];
        a->eval(z[N / 2 - 1], s, s + 1, s + 2, s + 3);
        ck_assert_msg(fabs(t[0] - s[0]) <= 1e-15 * fabs(s[0]), "%s small z", a->name);
        double zz[3] = {NAN, INFINITY, -INFINITY}, v[4][3];
        a->eval_n(3, zz, v[0], v[1], v[2], v[3]);
        ck_assert(isnan(v[0][0]));
        for (int q = 1; q < 3; q++) {
            double s4[4];
            a->eval(zz[q], s4, s4 + 1, s4 + 2, s4 + 3);
            ck_assert_msg(isnan(s4[0]) ? isnan(v[0][q]) : v[0][q] == s4[0], "%s(%g)", a->name,
                          zz[q]);
        }
        checked++;
    }
    ck_assert_uint_ge(checked, 2);
    mlp_isa_select(saved);
}
END_TEST

/* ---- initialisers ---- */

/* The sample standard deviation of a 300 x 200 layer against the scheme's:
 * 60000 draws estimate a standard deviation to ~0.3%, so 3% is safe. */
START_TEST(initializers_have_their_scale)
{
    const size_t fo = 300, fi = 200, n = fo * fi;
    struct {
        const char *name;
        double sd;
    } want[] = {
        {"glorot_normal", sqrt(2.0 / (fi + fo))}, {"glorot_uniform", sqrt(2.0 / (fi + fo))},
        {"he_normal", sqrt(2.0 / fi)},            {"he_uniform", sqrt(2.0 / fi)},
        {"lecun_normal", sqrt(1.0 / fi)},
    };
    double *w = malloc(n * sizeof *w);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t q = 0; q < sizeof want / sizeof want[0]; q++) {
        const mlp_initializer *init = mlp_initializer_find(want[q].name);
        ck_assert_ptr_nonnull(init);
        init->fill(w, fo, fi, r);
        double s = 0, s2 = 0;
        for (size_t i = 0; i < n; i++) {
            s += w[i];
            s2 += w[i] * w[i];
        }
        double mean = s / n, sd = sqrt(s2 / n - mean * mean);
        ck_assert_msg(fabs(sd / want[q].sd - 1) < 0.03, "%s: sd %g want %g", want[q].name, sd,
                      want[q].sd);
        ck_assert_double_lt(fabs(mean), 5 * want[q].sd / sqrt((double)n));
        if (strstr(want[q].name, "uniform"))
            ck_assert_double_le(tmlp_maxabs(w, n), sqrt(3.0) * want[q].sd);
    }
    ck_assert_ptr_null(mlp_initializer_find("zeros?"));
    ck_assert_ptr_null(mlp_initializer_find(NULL));
    gsl_rng_free(r);
    free(w);
}
END_TEST

/* Same seed, same parameters (bit for bit); another seed, other ones; biases
 * are set to zero whatever they held. */
START_TEST(same_seed_same_params)
{
    const size_t w[] = {2, 7, 5, 3};
    mlp *a = mlp_alloc(3, w, mlp_activation_find("tanh"));
    mlp *b = mlp_alloc(3, w, mlp_activation_find("tanh"));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < b->n_params; i++)
        b->params[i] = 42.0;
    for (const mlp_initializer *init = mlp_initializers; init->name; init++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 1234);
        ck_assert_int_eq(mlp_init(a, init, r), MLP_OK);
        gsl_rng_set(r, 1234);
        ck_assert_int_eq(mlp_init(b, init, r), MLP_OK);
        ck_assert_int_eq(memcmp(a->params, b->params, a->n_params * sizeof(double)), 0);
        for (size_t l = 0; l < 3; l++)
            for (size_t k = 0; k < w[l + 1]; k++)
                ck_assert(mlp_b(b, l)[k] == 0.0);
        gsl_rng_set(r, 1235);
        ck_assert_int_eq(mlp_init(b, init, r), MLP_OK);
        ck_assert_int_ne(memcmp(a->params, b->params, a->n_params * sizeof(double)), 0);
        gsl_rng_free(r);
    }
    mlp_free(a);
    mlp_free(b);
}
END_TEST

/* One block, W_l then b_l per layer, in order. */
START_TEST(parameter_layout)
{
    const size_t w[] = {3, 4, 2};
    mlp *net = mlp_alloc(2, w, mlp_activation_find("sin"));
    ck_assert_ptr_nonnull(net);
    ck_assert_uint_eq(net->n_params, 3 * 4 + 4 + 4 * 2 + 2);
    ck_assert_uint_eq(net->w_off[0], 0);
    ck_assert_uint_eq(net->b_off[0], 12);
    ck_assert_uint_eq(net->w_off[1], 16);
    ck_assert_uint_eq(net->b_off[1], 24);
    ck_assert_ptr_eq(mlp_W(net, 1), net->params + 16);
    for (size_t i = 0; i < net->n_params; i++)
        ck_assert(net->params[i] == 0.0);
    mlp_free(net);
}
END_TEST

/* ---- channel sets ---- */

START_TEST(channels_set_layout)
{
    mlp_channels ch;
    ck_assert_int_eq(mlp_channels_set(&ch, 0x3, 0x1, 2), MLP_OK); /* u, u_x, u_t, u_xx */
    ck_assert_uint_eq(ch.n, 4);
    ck_assert_int_eq(ch.c[0].i, -1);
    ck_assert_int_eq(ch.c[0].j, -1);
    ck_assert_int_eq(ch.c[1].i, 0);
    ck_assert_int_eq(ch.c[1].j, -1);
    ck_assert_int_eq(ch.c[2].i, 1);
    ck_assert_int_eq(ch.c[3].i, 0);
    ck_assert_int_eq(ch.c[3].j, 0);
    ck_assert_int_eq(mlp_channels_index(&ch, -1, -1), 0);
    ck_assert_int_eq(mlp_channels_index(&ch, 1, -1), 2);
    ck_assert_int_eq(mlp_channels_index(&ch, 0, 0), 3);
    ck_assert_int_eq(mlp_channels_index(&ch, 1, 1), -1);
    ck_assert_int_eq(mlp_channels_index(NULL, 0, 0), -1);
    /* a second derivative brings its first derivative along */
    ck_assert_int_eq(mlp_channels_set(&ch, 0x0, 0x4, 3), MLP_OK);
    ck_assert_uint_eq(ch.n, 3);
    ck_assert_int_eq(mlp_channels_index(&ch, 2, -1), 1);
    ck_assert_int_eq(mlp_channels_index(&ch, 2, 2), 2);
    /* value only */
    ck_assert_int_eq(mlp_channels_set(&ch, 0, 0, 1), MLP_OK);
    ck_assert_uint_eq(ch.n, 1);
    /* mixed: (0,1) and (1,0) are one channel */
    mlp_channels_set(&ch, 0x3, 0, 2);
    ck_assert_int_eq(mlp_channels_add(&ch, 0, 1), MLP_OK);
    ck_assert_int_eq(mlp_channels_add(&ch, 1, 0), MLP_OK);
    ck_assert_uint_eq(ch.n, 4);
    ck_assert_int_eq(mlp_channels_index(&ch, 1, 0), 3);
}
END_TEST

START_TEST(channels_errors)
{
    mlp_channels ch;
    ck_assert_int_eq(mlp_channels_set(&ch, 0x4, 0, 2), MLP_EINVAL); /* bit 2 >= 2 inputs */
    ck_assert_int_eq(mlp_channels_set(&ch, 0, 0x2, 1), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_set(&ch, 0, 0, 0), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_set(&ch, 0, 0, MLP_MAX_INPUTS + 1), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_set(NULL, 0, 0, 1), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_add(NULL, 0, 0), MLP_EINVAL);
    mlp_channels_set(&ch, 0, 0, 1);
    ck_assert_int_eq(mlp_channels_add(&ch, -1, 0), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_add(&ch, -2, -1), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_add(&ch, MLP_MAX_INPUTS, -1), MLP_EINVAL);
    /* every distinct channel of 4 inputs: 1 + 4 + 10 = 15 */
    ch.n = 0;
    for (int i = -1; i < MLP_MAX_INPUTS; i++)
        for (int j = -1; j < MLP_MAX_INPUTS; j++)
            if (!(i < 0 && j >= 0))
                ck_assert_int_eq(mlp_channels_add(&ch, i, j), MLP_OK);
    ck_assert_uint_eq(ch.n, 15);
    /* a full set takes no new channel */
    ch.n = MLP_MAX_CHANNELS;
    for (int k = 0; k < MLP_MAX_CHANNELS; k++)
        ch.c[k] = (mlp_channel){-1, -1};
    ck_assert_int_eq(mlp_channels_add(&ch, 3, 3), MLP_EINVAL);
    ck_assert_int_eq(mlp_channels_add(&ch, -1, -1), MLP_OK); /* present: no-op */
    ch.n = MLP_MAX_CHANNELS + 1;
    ck_assert_int_eq(mlp_channels_add(&ch, 0, -1), MLP_EINVAL);
}
END_TEST

/* ---- error paths of alloc, forward and backward ---- */

START_TEST(alloc_errors)
{
    const mlp_activation *t = mlp_activation_find("tanh");
    size_t ok[] = {2, 5, 1}, w0[] = {0, 5, 1}, w5[] = {5, 5, 1}, h0[] = {2, 0, 1},
           o0[] = {2, 5, 0}, huge[] = {2, (size_t)1 << 40, 1};
    ck_assert_ptr_null(mlp_alloc(0, ok, t));
    ck_assert_ptr_null(mlp_alloc(MLP_MAX_LAYERS + 1, ok, t));
    ck_assert_ptr_null(mlp_alloc(2, NULL, t));
    ck_assert_ptr_null(mlp_alloc(2, ok, NULL));
    ck_assert_ptr_null(mlp_alloc(2, w0, t));
    ck_assert_ptr_null(mlp_alloc(2, w5, t));
    ck_assert_ptr_null(mlp_alloc(2, h0, t));
    ck_assert_ptr_null(mlp_alloc(2, o0, t));
    ck_assert_ptr_null(mlp_alloc(2, huge, t));
    mlp_free(NULL);
    mlp_workspace_free(NULL);

    mlp *net = mlp_alloc(2, ok, t);
    ck_assert_ptr_nonnull(net);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_int_eq(mlp_init(NULL, mlp_initializers, r), MLP_EINVAL);
    ck_assert_int_eq(mlp_init(net, NULL, r), MLP_EINVAL);
    ck_assert_int_eq(mlp_init(net, mlp_initializers, NULL), MLP_EINVAL);
    ck_assert_ptr_null(mlp_workspace_alloc(NULL, 10, 4));
    ck_assert_ptr_null(mlp_workspace_alloc(net, 0, 4));
    ck_assert_ptr_null(mlp_workspace_alloc(net, 10, 0));
    ck_assert_ptr_null(mlp_workspace_alloc(net, 10, MLP_MAX_CHANNELS + 1));
    ck_assert_ptr_null(mlp_workspace_alloc(net, (size_t)1 << 62, 4));
    gsl_rng_free(r);
    mlp_free(net);
}
END_TEST

typedef int (*fwd_fn)(mlp_workspace *, const mlp *, const mlp_channels *, const double *,
                      size_t, double *);
typedef int (*bwd_fn)(mlp_workspace *, const mlp *, const double *, double *);

START_TEST(pass_errors)
{
    fwd_fn fwd[2] = {mlp_forward, mlp_forward_naive};
    bwd_fn bwd[2] = {mlp_backward, mlp_backward_naive};
    const size_t w[] = {2, 5, 1}, w2[] = {2, 6, 1};
    mlp *net = tmlp_net(2, w, "tanh", 3), *other = tmlp_net(2, w2, "tanh", 3);
    mlp_workspace *ws = mlp_workspace_alloc(net, 8, 4);
    ck_assert_ptr_nonnull(ws);
    double x[2 * 9], out[6 * 9], grad[64] = {0};
    tmlp_fill(x, 18, -1, 1, 5);
    mlp_channels ch, bad;
    mlp_channels_set(&ch, 0x3, 0x1, 2);
    for (int f = 0; f < 2; f++) {
        /* backward before any forward */
        mlp_workspace *fresh = mlp_workspace_alloc(net, 8, 4);
        ck_assert_int_eq(bwd[f](fresh, net, out, grad), MLP_EINVAL);
        mlp_workspace_free(fresh);
        /* sizes */
        ck_assert_int_eq(fwd[f](ws, net, &ch, x, 9, out), MLP_ESIZE);
        ck_assert_int_eq(fwd[f](ws, net, &ch, x, 0, out), MLP_EINVAL);
        mlp_channels_set(&bad, 0x3, 0x3, 2); /* 5 channels, ws holds 4 */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_ESIZE);
        ck_assert_int_eq(bwd[f](ws, net, out, grad), MLP_EINVAL); /* failed forward */
        ck_assert_int_eq(fwd[f](ws, other, &ch, x, 8, out), MLP_EINVAL);
        ck_assert_int_eq(fwd[f](NULL, net, &ch, x, 8, out), MLP_EINVAL);
        ck_assert_int_eq(fwd[f](ws, NULL, &ch, x, 8, out), MLP_EINVAL);
        ck_assert_int_eq(fwd[f](ws, net, NULL, x, 8, out), MLP_EINVAL);
        ck_assert_int_eq(fwd[f](ws, net, &ch, NULL, 8, out), MLP_EINVAL);
        ck_assert_int_eq(fwd[f](ws, net, &ch, x, 8, NULL), MLP_EINVAL);
        /* malformed channel sets */
        bad = ch;
        bad.c[0] = (mlp_channel){0, 1}; /* no value channel */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        bad = ch;
        bad.c[3] = (mlp_channel){1, -1}; /* d/dt twice */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        bad = ch;
        bad.c[2] = (mlp_channel){0, 0}; /* u_xx twice via (0,0) */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        bad = ch;
        bad.c[3] = (mlp_channel){2, -1}; /* input 2 of 2 */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        bad = ch;
        bad.c[3] = (mlp_channel){-1, 0};
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        mlp_channels_set(&bad, 0x1, 0, 2);
        mlp_channels_add(&bad, 1, 1); /* u_tt without u_t */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        mlp_channels_set(&bad, 0x1, 0, 2);
        mlp_channels_add(&bad, 0, 1); /* u_xt without u_t */
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        bad = ch;
        bad.n = 0;
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        bad.n = MLP_MAX_CHANNELS + 1;
        ck_assert_int_eq(fwd[f](ws, net, &bad, x, 8, out), MLP_EINVAL);
        /* a good pass, then backward's own checks */
        ck_assert_int_eq(fwd[f](ws, net, &ch, x, 8, out), MLP_OK);
        ck_assert_int_eq(bwd[f](ws, other, out, grad), MLP_EINVAL);
        ck_assert_int_eq(bwd[f](ws, net, NULL, grad), MLP_EINVAL);
        ck_assert_int_eq(bwd[f](ws, net, out, NULL), MLP_EINVAL);
        ck_assert_int_eq(bwd[f](NULL, net, out, grad), MLP_EINVAL);
        ck_assert_int_eq(bwd[f](ws, net, out, grad), MLP_OK);
    }
    mlp_workspace_free(ws);
    mlp_free(net);
    mlp_free(other);
}
END_TEST

static Suite *mlp_suite(void)
{
    Suite *s = suite_create("mlp");
    TCase *tc = tcase_create("tables");
    tcase_set_timeout(tc, 30); /* a loaded 2-core machine: libm on 10^4 values per path */
    tcase_add_test(tc, activation_derivatives_match_fd);
    tcase_add_test(tc, activations_finite_in_tails);
    tcase_add_loop_test(tc, activation_batch_matches_libm, 0, MLP_ISA_N);
    tcase_add_test(tc, initializers_have_their_scale);
    tcase_add_test(tc, same_seed_same_params);
    tcase_add_test(tc, parameter_layout);
    suite_add_tcase(s, tc);
    tc = tcase_create("channels");
    tcase_add_test(tc, channels_set_layout);
    tcase_add_test(tc, channels_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, alloc_errors);
    tcase_add_test(tc, pass_errors);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(mlp_suite)
