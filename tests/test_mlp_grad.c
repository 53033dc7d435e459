/* tests/test_mlp_grad.c - are the numbers right: every derivative channel
 * against central finite differences, every parameter gradient against
 * central finite differences of a loss using every channel, and the fast
 * passes against the naive ones. The object and error paths: test_mlp.c. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check_main.h"
#include "mlp.h"
#include "test_mlp_util.h"

typedef int (*fwd_fn)(mlp_workspace *, const mlp *, const mlp_channels *, const double *,
                      size_t, double *);
typedef int (*bwd_fn)(mlp_workspace *, const mlp *, const double *, double *);

/* Forward of one point x (d inputs) into o (ch->n x m). */
static void eval1(mlp_workspace *ws, const mlp *net, const mlp_channels *ch, const double *x,
                  double *o)
{
    ck_assert_int_eq(mlp_forward(ws, net, ch, x, 1, o), MLP_OK);
}

/* Checks every channel of the fast forward (and of the naive one) at n points against central
 * differences with step h = 1e-5: first derivatives from the value channel,
 * second derivatives (i, j) from the d/dx_i channel moved along x_j and the
 * d/dx_j channel moved along x_i. Truncation ~h^2 |u'''| / 6 ~ 1e-10 and
 * rounding ~1e-16 / h ~ 1e-11 sit far below the tolerance 1e-7 (1 + |u|);
 * a wrong formula is off by O(1). */
static void check_channels_fd(const char *act, size_t d, size_t m, unsigned long seed,
                              const mlp_options *opt)
{
    enum { N = 3 };
    /* embedded nets vary faster (u'''' ~ 1e4): a smaller step keeps the
     * truncation h^2 |u''''| / 6 ~ 1e-8 while rounding stays ~1e-10 */
    const double h = opt ? 2e-6 : 1e-5;
    size_t w[] = {d, 6, 5, m};
    mlp *net = tmlp_net_opts(3, w, act, seed, opt);
    ck_assert_ptr_nonnull(net);
    mlp_channels ch;
    tmlp_channels_all(&ch, d);
    const size_t C = ch.n;
    mlp_workspace *ws = mlp_workspace_alloc(net, N, C);
    double x[N * MLP_MAX_INPUTS], out[N * MLP_MAX_CHANNELS * 3];
    double xp[MLP_MAX_INPUTS], op[MLP_MAX_CHANNELS * 3], om[MLP_MAX_CHANNELS * 3];
    tmlp_fill(x, N * d, -1.5, 1.5, seed + 100);
    for (int naive = 0; naive < 2; naive++) {
    fwd_fn fwd = naive ? mlp_forward_naive : mlp_forward;
    ck_assert_int_eq(fwd(ws, net, &ch, x, N, out), MLP_OK);
    for (size_t p = 0; p < N; p++) {
        for (int j = 0; j < (int)d; j++) { /* move along x_j */
            memcpy(xp, x + p * d, d * sizeof(double));
            xp[j] += h;
            eval1(ws, net, &ch, xp, op);
            xp[j] -= 2 * h;
            eval1(ws, net, &ch, xp, om);
            for (size_t c = 0; c < C; c++) {
                int ci = ch.c[c].i, cj = ch.c[c].j;
                int src; /* the channel whose difference along x_j is channel c */
                if (ci == j && cj < 0)
                    src = mlp_channels_index(&ch, -1, -1);
                else if (ci >= 0 && cj == j)
                    src = mlp_channels_index(&ch, ci, -1);
                else if (ci == j && cj >= 0)
                    src = mlp_channels_index(&ch, cj, -1);
                else
                    continue;
                for (size_t o = 0; o < m; o++) {
                    double fd = (op[src * m + o] - om[src * m + o]) / (2 * h);
                    double an = out[(c * N + p) * m + o];
                    ck_assert_msg(fabs(fd - an) <= 1e-7 * (1 + fabs(an)),
                                  "%s%s d=%zu m=%zu p=%zu channel (%d,%d) out %zu along x%d: "
                                  "%.12g vs fd %.12g",
                                  naive ? "naive " : "", act, d, m, p, ci, cj, o, j, an, fd);
                }
            }
        }
    }
    }
    mlp_workspace_free(ws);
    mlp_free(net);
}

START_TEST(channels_match_fd)
{
    const mlp_activation *a = &mlp_activations[_i];
    for (size_t d = 1; d <= 3; d++)
        for (size_t m = 1; m <= 3; m += 2)
            for (unsigned long seed = 1; seed <= 3; seed++)
                check_channels_fd(a->name, d, m, seed * 17 + d * 3 + m, NULL);
}
END_TEST

/* The same with every embedding and factorization (_i indexes tmlp_opts),
 * on the naive pass too: the input channels the embedding seeds carry the
 * chain rule through cos/sin of the periodic and Fourier stages. */
START_TEST(channels_match_fd_options)
{
    for (size_t d = 1; d <= 3; d++) {
        mlp_options o = tmlp_opts(_i, d);
        check_channels_fd("tanh", d, 1, 31 + d, &o);
        check_channels_fd("sin", d, 2, 41 + d, &o);
    }
}
END_TEST

/* The test loss: with y the (C*n) x m output,
 *   L = sum_{c,p,o} alpha_co y^2 / 2 + sum_{p,o} beta_o y[1] y[C-1]
 * (a different weight for each channel and output, and a product of two
 * channels, like u_t u_x). Writes dL/dy into g when g is not NULL. */
static double test_loss(const double *y, size_t C, size_t n, size_t m, double *g)
{
    double L = 0.0;
    for (size_t c = 0; c < C; c++)
        for (size_t p = 0; p < n; p++)
            for (size_t o = 0; o < m; o++) {
                double a = 0.3 + 0.1 * (double)c + 0.2 * (double)o, v = y[(c * n + p) * m + o];
                L += 0.5 * a * v * v;
                if (g)
                    g[(c * n + p) * m + o] = a * v;
            }
    if (C > 1)
        for (size_t p = 0; p < n; p++)
            for (size_t o = 0; o < m; o++) {
                double b = 0.7 - 0.2 * (double)o;
                size_t r1 = (1 * n + p) * m + o, r2 = ((C - 1) * n + p) * m + o;
                L += b * y[r1] * y[r2];
                if (g) {
                    g[r1] += b * y[r2];
                    g[r2] += b * y[r1];
                }
            }
    return L;
}

/* Every parameter's gradient, from both backward passes, against a central
 * difference of test_loss with h = 1e-5: truncation ~h^2 |L'''| and rounding
 * ~1e-16 |L| / h are ~1e-10, tolerance 1e-6 (1 + |g|). */
static void check_grad_fd(const char *act, size_t n_layers, const size_t *w, int mixed,
                          unsigned long seed, const mlp_options *opt)
{
    enum { N = 3 };
    const double h = 1e-5;
    const size_t d = w[0], m = w[n_layers];
    mlp *net = tmlp_net_opts(n_layers, w, act, seed, opt);
    ck_assert_ptr_nonnull(net);
    mlp_channels ch;
    if (mixed)
        tmlp_channels_all(&ch, d);
    else
        mlp_channels_set(&ch, (1u << d) - 1, 1u, d);
    const size_t C = ch.n, P = net->n_params, R = C * N * m;
    mlp_workspace *ws = mlp_workspace_alloc(net, N, C);
    double x[N * MLP_MAX_INPUTS];
    double *y = malloc(R * sizeof *y), *gy = malloc(R * sizeof *gy);
    double *g = calloc(P, sizeof *g), *gn = calloc(P, sizeof *gn);
    tmlp_fill(x, N * d, -1, 1, seed + 7);
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, N, y), MLP_OK);
    test_loss(y, C, N, m, gy);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g), MLP_OK);
    ck_assert_int_eq(mlp_forward_naive(ws, net, &ch, x, N, y), MLP_OK);
    ck_assert_int_eq(mlp_backward_naive(ws, net, gy, gn), MLP_OK);
    for (size_t q = 0; q < P; q++) {
        double keep = net->params[q];
        net->params[q] = keep + h;
        mlp_forward(ws, net, &ch, x, N, y);
        double lp = test_loss(y, C, N, m, NULL);
        net->params[q] = keep - h;
        mlp_forward(ws, net, &ch, x, N, y);
        double lm = test_loss(y, C, N, m, NULL);
        net->params[q] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[q]) <= 1e-6 * (1 + fabs(g[q])),
                      "%s L=%zu param %zu: grad %.12g vs fd %.12g", act, n_layers, q, g[q], fd);
        ck_assert_msg(fabs(fd - gn[q]) <= 1e-6 * (1 + fabs(gn[q])),
                      "%s L=%zu param %zu: naive grad %.12g vs fd %.12g", act, n_layers, q,
                      gn[q], fd);
    }
    ck_assert_double_gt(tmlp_maxabs(g, P), 1e-3); /* the check above had something to see */
    free(y);
    free(gy);
    free(g);
    free(gn);
    mlp_workspace_free(ws);
    mlp_free(net);
}

START_TEST(gradients_match_fd)
{
    const char *act = mlp_activations[_i].name;
    const size_t a[] = {2, 4, 3, 2}, b[] = {1, 5, 1}, c[] = {3, 3, 3}, lin[] = {2, 2};
    check_grad_fd(act, 3, a, 1, 11, NULL); /* u, u_x, u_y, u_xx, u_yy, u_xy; 2 outputs */
    check_grad_fd(act, 3, a, 0, 12, NULL); /* the heat set u, u_x, u_t, u_xx */
    check_grad_fd(act, 2, b, 1, 13, NULL); /* d = 1: u, u_x, u_xx */
    check_grad_fd(act, 2, c, 1, 14, NULL); /* d = 3, m = 3, all 10 channels */
    check_grad_fd(act, 1, lin, 1, 15, NULL); /* no hidden layer */
}
END_TEST

/* The same through every embedding and factorization (_i indexes
 * tmlp_opts): with factorization the parameters are (V, b, s), so this is
 * dLoss/dV and dLoss/ds of W = diag(exp(s)) V against differences of them. */
START_TEST(gradients_match_fd_options)
{
    const size_t a[] = {2, 4, 3, 2}, b[] = {1, 5, 1}, lin[] = {2, 2};
    mlp_options o2 = tmlp_opts(_i, 2), o1 = tmlp_opts(_i, 1);
    check_grad_fd("tanh", 3, a, 1, 21, &o2);
    check_grad_fd("sin", 3, a, 0, 22, &o2);
    check_grad_fd("tanh", 2, b, 1, 23, &o1);
    check_grad_fd("tanh", 1, lin, 1, 24, &o2);
}
END_TEST

/* Fast and naive passes agree to 1e-12 of each array's scale (they differ
 * only in summation order) for point counts 1, 7, 33, 1000, from a non-zero
 * starting gradient (backward adds). */
static void check_fast_naive(const char *act, size_t n_layers, const size_t *w, int mixed,
                             size_t n, const mlp_options *opt)
{
    const size_t d = w[0], m = w[n_layers];
    mlp *net = tmlp_net_opts(n_layers, w, act, 99 + n, opt);
    ck_assert_ptr_nonnull(net);
    mlp_channels ch;
    if (mixed)
        tmlp_channels_all(&ch, d);
    else
        mlp_channels_set(&ch, (1u << d) - 1, 1u, d);
    const size_t C = ch.n, P = net->n_params, R = C * n * m;
    mlp_workspace *ws = mlp_workspace_alloc(net, n, C);
    ck_assert_ptr_nonnull(ws);
    double *x = malloc(n * d * sizeof *x), *gy = malloc(R * sizeof *gy);
    double *y = malloc(R * sizeof *y), *yn = malloc(R * sizeof *yn);
    double *g0 = malloc(P * sizeof *g0), *g = malloc(P * sizeof *g), *gn = malloc(P * sizeof *gn);
    tmlp_fill(x, n * d, -2, 2, n);
    tmlp_fill(gy, R, -1, 1, n + 1);
    tmlp_fill(g0, P, -1, 1, n + 2);
    memcpy(g, g0, P * sizeof *g);
    memcpy(gn, g0, P * sizeof *g);
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, n, y), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g), MLP_OK);
    ck_assert_int_eq(mlp_forward_naive(ws, net, &ch, x, n, yn), MLP_OK);
    ck_assert_int_eq(mlp_backward_naive(ws, net, gy, gn), MLP_OK);
    for (size_t q = 0; q < P; q++) {
        g[q] -= g0[q];
        gn[q] -= g0[q];
    }
    double ey = tmlp_relerr(y, yn, R), eg = tmlp_relerr(g, gn, P);
    ck_assert_msg(ey <= 1e-12, "%s n=%zu: forward rel err %g", act, n, ey);
    ck_assert_msg(eg <= 1e-12, "%s n=%zu: gradient rel err %g", act, n, eg);
    ck_assert_double_gt(tmlp_maxabs(gn, P), 1e-6);
    free(x);
    free(gy);
    free(y);
    free(yn);
    free(g0);
    free(g);
    free(gn);
    mlp_workspace_free(ws);
    mlp_free(net);
}

START_TEST(fast_matches_naive)
{
    const char *act = mlp_activations[_i].name;
    const size_t heat[] = {2, 20, 20, 20, 1}, three[] = {3, 8, 8, 3}, lin[] = {2, 3};
    const size_t ns[] = {1, 7, 33, 1000};
    for (size_t k = 0; k < 4; k++) {
        check_fast_naive(act, 4, heat, 0, ns[k], NULL);
        check_fast_naive(act, 3, three, 1, ns[k], NULL);
        check_fast_naive(act, 1, lin, 1, ns[k], NULL);
    }
}
END_TEST

/* The same for every embedding and factorization (_i indexes tmlp_opts). */
START_TEST(fast_matches_naive_options)
{
    const size_t heat[] = {2, 20, 20, 20, 1}, three[] = {3, 8, 8, 3}, lin[] = {2, 3};
    const size_t ns[] = {1, 7, 33, 1000};
    mlp_options o2 = tmlp_opts(_i, 2), o3 = tmlp_opts(_i, 3);
    for (size_t k = 0; k < 4; k++) {
        check_fast_naive("tanh", 4, heat, 0, ns[k], &o2);
        check_fast_naive("sin", 3, three, 1, ns[k], &o3);
        check_fast_naive("tanh", 1, lin, 1, ns[k], &o2);
    }
}
END_TEST

/* A layer wider than one row block (2048 elements): blocks of one row. */
START_TEST(fast_matches_naive_wide)
{
    const size_t wide[] = {1, 2100, 2};
    check_fast_naive("sin", 2, wide, 1, 3, NULL);
}
END_TEST

/* The same channels in another order give the same numbers per channel, and
 * the value channel alone equals the value rows of the full set: tolerance
 * 1e-14 of scale (summation order may differ with the row count). */
START_TEST(channel_order_and_subsets)
{
    enum { N = 11 };
    const size_t w[] = {2, 9, 7, 2}, m = 2;
    mlp *net = tmlp_net(3, w, "silu", 5);
    mlp_channels ch, rev, val;
    tmlp_channels_all(&ch, 2);
    rev.n = ch.n;
    for (size_t c = 0; c < ch.n; c++)
        rev.c[c] = ch.c[ch.n - 1 - c];
    mlp_channels_set(&val, 0, 0, 2);
    const size_t C = ch.n, P = net->n_params;
    mlp_workspace *ws = mlp_workspace_alloc(net, N, C);
    double x[2 * N], y[MLP_MAX_CHANNELS * N * 2], yr[MLP_MAX_CHANNELS * N * 2], yv[N * 2];
    double gy[MLP_MAX_CHANNELS * N * 2], gyr[MLP_MAX_CHANNELS * N * 2];
    double *g = calloc(P, sizeof *g), *gr = calloc(P, sizeof *gr);
    tmlp_fill(x, 2 * N, -1, 1, 8);
    tmlp_fill(gy, C * N * m, -1, 1, 9);
    for (size_t c = 0; c < C; c++) /* the same upstream gradient, reordered */
        memcpy(gyr + (C - 1 - c) * N * m, gy + c * N * m, N * m * sizeof(double));
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, N, y), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g), MLP_OK);
    ck_assert_int_eq(mlp_forward(ws, net, &rev, x, N, yr), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gyr, gr), MLP_OK);
    for (size_t c = 0; c < C; c++)
        ck_assert_double_le(tmlp_relerr(yr + (C - 1 - c) * N * m, y + c * N * m, N * m), 1e-14);
    ck_assert_double_le(tmlp_relerr(gr, g, P), 1e-14);
    ck_assert_int_eq(mlp_forward(ws, net, &val, x, N, yv), MLP_OK);
    ck_assert_double_le(tmlp_relerr(yv, y, N * m), 1e-14);
    free(g);
    free(gr);
    mlp_workspace_free(ws);
    mlp_free(net);
}
END_TEST

/* backward adds: twice from zero is twice once (exact up to rounding 1e-15). */
START_TEST(backward_accumulates)
{
    enum { N = 5 };
    const size_t w[] = {2, 6, 1};
    mlp *net = tmlp_net(2, w, "tanh", 21);
    mlp_channels ch;
    mlp_channels_set(&ch, 0x3, 0x1, 2);
    mlp_workspace *ws = mlp_workspace_alloc(net, N, ch.n);
    double x[2 * N], y[4 * N], gy[4 * N];
    double *g1 = calloc(net->n_params, sizeof *g1), *g2 = calloc(net->n_params, sizeof *g2);
    tmlp_fill(x, 2 * N, -1, 1, 3);
    tmlp_fill(gy, 4 * N, -1, 1, 4);
    for (int f = 0; f < 2; f++) {
        fwd_fn fwd = f ? mlp_forward_naive : mlp_forward;
        bwd_fn bwd = f ? mlp_backward_naive : mlp_backward;
        memset(g1, 0, net->n_params * sizeof *g1);
        memset(g2, 0, net->n_params * sizeof *g2);
        ck_assert_int_eq(fwd(ws, net, &ch, x, N, y), MLP_OK);
        ck_assert_int_eq(bwd(ws, net, gy, g1), MLP_OK);
        ck_assert_int_eq(bwd(ws, net, gy, g2), MLP_OK); /* ws still holds the forward */
        ck_assert_int_eq(bwd(ws, net, gy, g2), MLP_OK);
        for (size_t q = 0; q < net->n_params; q++)
            ck_assert_double_eq_tol(g2[q], 2 * g1[q], 1e-15 * (1 + fabs(g1[q])));
    }
    free(g1);
    free(g2);
    mlp_workspace_free(ws);
    mlp_free(net);
}
END_TEST

static Suite *mlp_grad_suite(void)
{
    int n_act = 0;
    while (mlp_activations[n_act].name)
        n_act++;
    Suite *s = suite_create("mlp_grad");
    TCase *tc = tcase_create("fd");
    tcase_set_timeout(tc, 20);
    tcase_add_loop_test(tc, channels_match_fd, 0, n_act);
    tcase_add_loop_test(tc, gradients_match_fd, 0, n_act);
    tcase_add_loop_test(tc, channels_match_fd_options, 1, TMLP_N_OPTS);
    tcase_add_loop_test(tc, gradients_match_fd_options, 1, TMLP_N_OPTS);
    suite_add_tcase(s, tc);
    tc = tcase_create("fast_naive");
    tcase_set_timeout(tc, 20);
    tcase_add_loop_test(tc, fast_matches_naive, 0, n_act);
    tcase_add_loop_test(tc, fast_matches_naive_options, 1, TMLP_N_OPTS);
    tcase_add_test(tc, fast_matches_naive_wide);
    tcase_add_test(tc, channel_order_and_subsets);
    tcase_add_test(tc, backward_accumulates);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(mlp_grad_suite)
