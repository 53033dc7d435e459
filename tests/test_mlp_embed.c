/* tests/test_mlp_embed.c - the input embeddings and random weight
 * factorization as objects: exact periodicity of every channel, the draws
 * of B and s, the parameter layout and the argument errors. The derivative
 * channels and gradients against finite differences and the fast pass
 * against the naive one are in test_mlp_grad.c and test_mlp_fast.c. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check_main.h"
#include "mlp.h"
#include "test_mlp_util.h"

typedef int (*fwd_fn)(mlp_workspace *, const mlp *, const mlp_channels *, const double *,
                      size_t, double *);

/* A net periodic in input 0 on [lo, lo + period) (harmonics 3), with
 * Fourier features and factorization when asked, evaluated at x0 = lo and
 * x0 = lo + period for 5 values of the other input: every channel (value,
 * both first, both pure and the mixed second derivative) agrees to 1e-13 of
 * its scale, in both passes. lo + period is rounded, so the two points are
 * one rounding apart in the phase at most. */
static void check_periodic(double lo, double period, size_t fourier, int rwf)
{
    enum { N = 5 };
    mlp_options o = {0};
    o.embed.periodic = 1u;
    o.embed.harmonics = 3;
    o.embed.lo[0] = lo;
    o.embed.period[0] = period;
    o.embed.fourier = fourier;
    o.embed.sigma = 1.0;
    o.rwf = rwf;
    o.rwf_mu = 1.0;
    o.rwf_sigma = 0.1;
    const size_t w[] = {2, 16, 16, 1};
    mlp *net = tmlp_net_opts(3, w, "tanh", 5 + fourier, &o);
    ck_assert_ptr_nonnull(net);
    mlp_channels ch;
    tmlp_channels_all(&ch, 2);
    mlp_workspace *ws = mlp_workspace_alloc(net, N, ch.n);
    ck_assert_ptr_nonnull(ws);
    double xa[2 * N], xb[2 * N], ya[MLP_MAX_CHANNELS * N], yb[MLP_MAX_CHANNELS * N];
    for (size_t p = 0; p < N; p++) {
        xa[2 * p] = lo;
        xb[2 * p] = lo + period;
        xa[2 * p + 1] = xb[2 * p + 1] = -1.0 + 0.45 * (double)p;
    }
    const fwd_fn passes[2] = {mlp_forward, mlp_forward_naive};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(passes[k](ws, net, &ch, xa, N, ya), MLP_OK);
        ck_assert_int_eq(passes[k](ws, net, &ch, xb, N, yb), MLP_OK);
        for (size_t c = 0; c < ch.n; c++) {
            double e = tmlp_relerr(ya + c * N, yb + c * N, N);
            ck_assert_msg(e <= 1e-13, "lo %g period %g fourier %zu rwf %d pass %d channel "
                          "(%d,%d): %g", lo, period, fourier, rwf, k, ch.c[c].i, ch.c[c].j, e);
            ck_assert_double_gt(tmlp_maxabs(yb + c * N, N), 1e-8); /* not trivially 0 */
        }
    }
    /* and it is not periodic in the other input */
    for (size_t p = 0; p < N; p++)
        xb[2 * p + 1] += 0.5;
    ck_assert_int_eq(mlp_forward(ws, net, &ch, xb, N, yb), MLP_OK);
    ck_assert_double_gt(tmlp_relerr(ya, yb, N), 1e-6);
    mlp_workspace_free(ws);
    mlp_free(net);
}

START_TEST(periodic_is_exact)
{
    check_periodic(-1.0, 2.0, 0, 0);
    check_periodic(0.3, 1.7, 0, 0);
    check_periodic(-1.0, 2.0, 8, 0);
    check_periodic(0.3, 1.7, 8, 1);
    check_periodic(-3.141592653589793, 6.283185307179586, 0, 1);
}
END_TEST

/* The embedding's width, B's draws: the same seed gives the same B, its
 * entries have standard deviation sigma (128 draws: within 25%), and they
 * come after the weights: another sigma gives the same W and the same
 * draws scaled. */
START_TEST(fourier_draws)
{
    mlp_options o = {0};
    o.embed.periodic = 2u;
    o.embed.harmonics = 2;
    o.embed.period[1] = 1.0;
    o.embed.fourier = 32;
    o.embed.sigma = 3.0;
    const size_t w[] = {2, 10, 1};
    mlp *a = tmlp_net_opts(2, w, "tanh", 17, &o), *b = tmlp_net_opts(2, w, "tanh", 17, &o);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->n_in, 2);
    ck_assert_uint_eq(a->emb_mid, 1 + 2 * 2);
    ck_assert_uint_eq(a->width[0], 64);
    ck_assert_uint_eq(a->n_params, 64 * 10 + 10 + 10 + 1);
    ck_assert_int_eq(memcmp(a->fourier_B, b->fourier_B, 32 * 5 * sizeof(double)), 0);
    double s2 = 0.0;
    for (size_t k = 0; k < 32 * 5; k++)
        s2 += a->fourier_B[k] * a->fourier_B[k];
    double sd = sqrt(s2 / (32 * 5));
    ck_assert_msg(fabs(sd - 3.0) < 0.75, "sd of B %g", sd);
    o.embed.sigma = 1.0; /* the same draws, scaled; W unchanged */
    mlp *c = tmlp_net_opts(2, w, "tanh", 17, &o);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(memcmp(mlp_W(c, 0), mlp_W(a, 0), 640 * sizeof(double)), 0);
    for (size_t k = 0; k < 32 * 5; k++)
        ck_assert_double_le(fabs(3.0 * c->fourier_B[k] - a->fourier_B[k]), 1e-14);
    mlp_free(c);
    mlp_free(a);
    mlp_free(b);
}
END_TEST

/* Factorization: s after every W and b, s ~ N(mu, sigma), and exp(s) V is
 * the W an unfactorized net draws from the same seed (to rounding). */
START_TEST(rwf_layout_and_init)
{
    mlp_options o = {0};
    o.rwf = 1;
    o.rwf_mu = 1.0;
    o.rwf_sigma = 0.1;
    const size_t w[] = {2, 50, 40, 1};
    mlp *f = mlp_alloc_opts(3, w, mlp_activation_find("tanh"), &o);
    mlp *p = mlp_alloc(3, w, mlp_activation_find("tanh"));
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->n_params, p->n_params + 50 + 40 + 1);
    for (size_t l = 0; l < 3; l++) {
        ck_assert_uint_eq(f->w_off[l], p->w_off[l]);
        ck_assert_uint_eq(f->b_off[l], p->b_off[l]);
    }
    ck_assert_uint_eq(f->s_off[0], p->n_params);
    ck_assert_uint_eq(f->s_off[2], p->n_params + 90);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    mlp_init(f, mlp_initializer_find("glorot_normal"), r);
    gsl_rng_set(r, 3);
    mlp_init(p, mlp_initializer_find("glorot_normal"), r);
    gsl_rng_free(r);
    double sum = 0.0, sq = 0.0;
    for (size_t l = 0; l < 3; l++)
        for (size_t q = 0; q < w[l + 1]; q++) {
            double s = f->params[f->s_off[l] + q];
            sum += s;
            sq += (s - 1.0) * (s - 1.0);
            for (size_t k = 0; k < w[l]; k++) {
                double wf = exp(s) * mlp_W(f, l)[q * w[l] + k], wp = mlp_W(p, l)[q * w[l] + k];
                ck_assert_double_le(fabs(wf - wp), 1e-15 * (1.0 + fabs(wp)));
            }
        }
    ck_assert_double_le(fabs(sum / 91 - 1.0), 0.05);
    ck_assert_double_le(fabs(sqrt(sq / 91) - 0.1), 0.03);
    mlp_free(f);
    mlp_free(p);
}
END_TEST

/* Malformed options give NULL; a workspace of an unfactorized net refuses
 * the factorized net of the same widths. */
START_TEST(option_errors)
{
    const mlp_activation *t = mlp_activation_find("tanh");
    const size_t w[] = {2, 5, 1};
    mlp_options o = {0};
    o.embed.periodic = 4u; /* input 2 of 2 */
    o.embed.harmonics = 1;
    o.embed.period[2] = 1.0;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o));
    o = (mlp_options){0};
    o.embed.periodic = 1u;
    o.embed.harmonics = 1;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o)); /* period 0 */
    o.embed.period[0] = NAN;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o));
    o.embed.period[0] = 1.0;
    o.embed.harmonics = 0;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o));
    o.embed.harmonics = MLP_MAX_EMBED;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o)); /* too wide */
    o.embed.harmonics = 1;
    o.embed.fourier = 3;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o)); /* sigma 0 */
    o.embed.sigma = 1.0;
    o.embed.fourier = MLP_MAX_EMBED;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o));
    o.embed.fourier = 3;
    o.rwf = 1;
    o.rwf_sigma = -1.0;
    ck_assert_ptr_null(mlp_alloc_opts(2, w, t, &o));
    o.rwf_sigma = 0.1;
    mlp *net = mlp_alloc_opts(2, w, t, &o);
    ck_assert_ptr_nonnull(net);
    ck_assert_uint_eq(net->width[0], 6);
    o.rwf = 0;
    mlp *plain = mlp_alloc_opts(2, w, t, &o);
    mlp_workspace *ws = mlp_workspace_alloc(plain, 4, 1);
    mlp_channels ch;
    mlp_channels_set(&ch, 0, 0, 2);
    double x[8] = {0}, y[4], g[64] = {0};
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, 4, y), MLP_EINVAL);
    ck_assert_int_eq(mlp_forward_naive(ws, net, &ch, x, 4, y), MLP_EINVAL);
    ck_assert_int_eq(mlp_backward(ws, net, y, g), MLP_EINVAL);
    ck_assert_int_eq(mlp_forward(ws, plain, &ch, x, 4, y), MLP_OK);
    mlp_workspace_free(ws);
    mlp_free(plain);
    mlp_free(net);
}
END_TEST

static Suite *mlp_embed_suite(void)
{
    Suite *s = suite_create("mlp_embed");
    TCase *tc = tcase_create("embed");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, periodic_is_exact);
    tcase_add_test(tc, fourier_draws);
    tcase_add_test(tc, rwf_layout_and_init);
    tcase_add_test(tc, option_errors);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(mlp_embed_suite)
