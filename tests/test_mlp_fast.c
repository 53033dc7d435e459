/* tests/test_mlp_fast.c - the pieces of the fast pass that test_mlp_grad's
 * fast-vs-naive checks may not reach: the small-matrix kernel against plain
 * loops (odd sizes, both operand layouts, accumulate), the one-output leaf
 * path with mixed second derivatives, row blocks of 4 points, 2 threads
 * against 1 (and the auto thread count and its tuner), activations kept or
 * rebuilt from z, the activation rules of the fused loops, every kernel
 * and instruction-set path. Speed is bench/'s business, not this file's. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "check_main.h"
#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_simd.h"
#include "test_mlp_util.h"

/* Each kernel path of mlp_gemm (_i indexes mlp_gemm_kernels; skipped where
 * this CPU or build lacks it) equals mlp_gemm_plain for every tile shape our
 * kernel has (rows 1-4 of a tile, 1-3 vectors, masked tails), both layouts
 * of A, C = and C +=. They differ only by FMA rounding: each entry is a sum
 * of K <= 131 products of numbers in [-1, 1], so 1e-13 absolute is ~10 ulps
 * of the worst sum. */
START_TEST(gemm_matches_plain)
{
    const mlp_gemm_kernel *kern = &mlp_gemm_kernels[_i], *saved = mlp_gemm_active();
    if (!kern->usable()) {
        printf("gemm_matches_plain: skipped kernel %s: not usable here\n", kern->name);
        return;
    }
    ck_assert_int_eq(mlp_gemm_select(kern), MLP_OK);
    ck_assert_ptr_eq(mlp_gemm_active(), kern);
    const size_t sizes[] = {1, 2, 3, 4, 5, 7, 12, 13, 20, 33, 131};
    const size_t ns = sizeof sizes / sizeof *sizes;
    const size_t big = 131 * 140;
    double *A = malloc(big * sizeof *A), *B = malloc(big * sizeof *B);
    double *C = malloc(big * sizeof *C), *Cp = malloc(big * sizeof *Cp);
    tmlp_fill(A, big, -1, 1, 1);
    tmlp_fill(B, big, -1, 1, 2);
    for (size_t im = 0; im < ns; im++)
        for (size_t in = 0; in < ns; in++)
            for (size_t ik = 0; ik < ns; ik += 2)
                for (int layout = 0; layout < 2; layout++)
                    for (int acc = 0; acc < 2; acc++) {
                        size_t M = sizes[im], N = sizes[in], K = sizes[ik];
                        size_t ars = layout ? 1 : K, acs = layout ? M : 1, ldc = N + 3;
                        /* C's rows and one row past them: nothing outside C moves */
                        const size_t span = (M + 1) * ldc;
                        tmlp_fill(C, span, -1, 1, 3);
                        memcpy(Cp, C, span * sizeof *C);
                        mlp_gemm(M, N, K, A, ars, acs, B, N + 1, C, ldc, acc);
                        mlp_gemm_plain(M, N, K, A, ars, acs, B, N + 1, Cp, ldc, acc);
                        double e = 0.0;
                        for (size_t q = 0; q < span; q++)
                            e = fmax(e, fabs(C[q] - Cp[q]));
                        ck_assert_msg(e <= 1e-13, "%s: M=%zu N=%zu K=%zu layout %d acc %d: %g",
                                      kern->name, M, N, K, layout, acc, e);
                    }
    ck_assert_int_eq(mlp_gemm_select(saved), MLP_OK);
    free(A);
    free(B);
    free(C);
    free(Cp);
}
END_TEST

/* Fast vs naive forward and backward of net on ws (sized for it or for a
 * net of the same shape); the same 1e-12-of-scale tolerance as
 * test_mlp_grad (summation order only). */
static void check_on_ws(mlp_workspace *ws, mlp *net, const mlp_channels *ch, size_t n,
                        unsigned long seed)
{
    const size_t d = net->n_in, m = net->width[net->n_layers], P = net->n_params;
    const size_t R = ch->n * n * m;
    double *x = malloc(n * d * sizeof *x), *gy = malloc(R * sizeof *gy);
    double *y = malloc(R * sizeof *y), *yn = malloc(R * sizeof *yn);
    double *g = calloc(P, sizeof *g), *gn = calloc(P, sizeof *gn);
    tmlp_fill(x, n * d, -2, 2, seed);
    tmlp_fill(gy, R, -1, 1, seed + 1);
    ck_assert_int_eq(mlp_forward(ws, net, ch, x, n, y), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g), MLP_OK);
    ck_assert_int_eq(mlp_forward_naive(ws, net, ch, x, n, yn), MLP_OK);
    ck_assert_int_eq(mlp_backward_naive(ws, net, gy, gn), MLP_OK);
    ck_assert_double_le(tmlp_relerr(y, yn, R), 1e-12);
    ck_assert_double_le(tmlp_relerr(g, gn, P), 1e-12);
    ck_assert_double_gt(tmlp_maxabs(gn, P), 1e-6);
    free(x);
    free(gy);
    free(y);
    free(yn);
    free(g);
    free(gn);
}

/* check_on_ws on a workspace of its own, activations kept or rebuilt. */
static void check_pair_keep(mlp *net, const mlp_channels *ch, size_t n, unsigned long seed,
                            int keep)
{
    mlp_workspace *ws = mlp_workspace_alloc(net, n, ch->n);
    ck_assert_ptr_nonnull(ws);
    ck_assert_int_eq(ws->keep, 1); /* small: kept by default */
    ws->keep = keep;
    check_on_ws(ws, net, ch, n, seed);
    mlp_workspace_free(ws);

}

/* Both ways of the fast pass: activations kept, and rebuilt from z. */
static void check_pair(mlp *net, const mlp_channels *ch, size_t n, unsigned long seed)
{
    check_pair_keep(net, ch, n, seed, 1);
    check_pair_keep(net, ch, n, seed, 0);
}

/* The fast pass on every instruction-set path (_i indexes mlp_isa_names;
 * skipped where this CPU lacks it) against the naive pass, both ways, for
 * tanh and sin (vector activations) and softplus (scalar), with the heat
 * channel set and all second derivatives of 3 inputs; row counts that leave
 * vector tails. */
START_TEST(isa_path_matches_naive)
{
    int saved = mlp_isa_active();
    if (mlp_isa_select(_i) != 0) {
        printf("isa_path_matches_naive: skipped path %s: this CPU lacks it\n",
               mlp_isa_names[_i]);
        return;
    }
    const char *acts[] = {"tanh", "sin", "softplus"};
    const size_t w2[] = {2, 20, 20, 20, 1}, w3[] = {3, 9, 13, 2};
    for (size_t a = 0; a < 3; a++) {
        mlp *net = tmlp_net(4, w2, acts[a], 60 + a);
        mlp_channels ch;
        mlp_channels_set(&ch, 0x3, 0x1, 2);
        check_pair(net, &ch, 203, 9);
        mlp_free(net);
        net = tmlp_net(3, w3, acts[a], 70 + a);
        tmlp_channels_all(&ch, 3);
        check_pair(net, &ch, 31, 10);
        mlp_free(net);
    }
    mlp_isa_select(saved);
}
END_TEST

/* A big workspace rebuilds activations instead of keeping them. */
START_TEST(big_workspace_does_not_keep)
{
    const size_t w[] = {2, 64, 64, 64, 1};
    mlp *net = tmlp_net(4, w, "tanh", 3);
    mlp_workspace *small = mlp_workspace_alloc(net, 1000, 4);
    mlp_workspace *big = mlp_workspace_alloc(net, 50000, 4); /* 11 * 64 * 50000 * 8 * 3 > 64 MB */
    ck_assert_ptr_nonnull(small);
    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(small->keep, 1);
    ck_assert_int_eq(big->keep, 0);
    mlp_workspace_free(small);
    mlp_workspace_free(big);
    mlp_free(net);
}
END_TEST

/* One output, so leaves ride on J: every mixed and pure second derivative
 * of 3 inputs (6 leaves), and {u, u_x, u_y, u_z, u_xx} (leaves y, z, xx). */
START_TEST(leaf_path_matches_naive)
{
    const size_t w[] = {3, 7, 5, 6, 1};
    mlp *net = tmlp_net(4, w, mlp_activations[_i].name, 40 + (unsigned long)_i);
    mlp_channels all, some;
    tmlp_channels_all(&all, 3);
    mlp_channels_set(&some, 0x7, 0x1, 3);
    check_pair(net, &all, 37, 5);
    check_pair(net, &some, 37, 6);
    mlp_free(net);
}
END_TEST

/* The leaf path, row blocks, kept and rebuilt activations and every
 * instruction-set path with each embedding and factorization (_i indexes
 * tmlp_opts): the first layer then reads the embedding's channels through
 * the general product instead of the x, e_i, 0 shortcut. */
START_TEST(options_match_naive)
{
    int saved = mlp_isa_active();
    const size_t w[] = {3, 7, 5, 6, 1}, wide[] = {2, 700, 3, 1};
    mlp_options o3 = tmlp_opts(_i, 3), o2 = tmlp_opts(_i, 2);
    for (int isa = 0; isa < MLP_ISA_N; isa++) {
        if (mlp_isa_select(isa) != 0)
            continue;
        mlp *net = tmlp_net_opts(4, w, "tanh", 80 + (unsigned long)_i, &o3);
        ck_assert_ptr_nonnull(net);
        mlp_channels all, some;
        tmlp_channels_all(&all, 3);
        mlp_channels_set(&some, 0x7, 0x1, 3);
        check_pair(net, &all, 37, 5);
        check_pair(net, &some, 37, 6);
        mlp_free(net);
        net = tmlp_net_opts(3, wide, "sin", 90 + (unsigned long)_i, &o2);
        ck_assert_ptr_nonnull(net);
        mlp_channels_set(&some, 0x3, 0x1, 2);
        check_pair(net, &some, 9, 8);
        mlp_free(net);
    }
    mlp_isa_select(saved);
}
END_TEST

/* A layer of 700 gives row blocks of 4 points: 9 points are 3 blocks. */
START_TEST(small_blocks_match_naive)
{
    const size_t w[] = {2, 700, 3, 1};
    mlp *net = tmlp_net(3, w, "tanh", 7);
    mlp_channels ch;
    mlp_channels_set(&ch, 0x3, 0x1, 2);
    check_pair(net, &ch, 9, 8);
    mlp_free(net);
}
END_TEST

/* 2 threads give the output and the gradient of 1 thread exactly: rows are
 * independent, and backward's chunks (MLP_GRAD_CHUNKS) do not depend on the
 * thread count. Skipped without OpenMP. */
START_TEST(two_threads_match_one)
{
#ifdef _OPENMP
    enum { N = 1000 };
    const size_t w[] = {2, 20, 20, 20, 1};
    int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    mlp *net = tmlp_net(4, w, "tanh", 11);
    mlp_channels ch;
    mlp_channels_set(&ch, 0x3, 0x1, 2);
    mlp_workspace *ws = mlp_workspace_alloc(net, N, ch.n);
    const size_t R = ch.n * N, P = net->n_params;
    double *x = malloc(2 * N * sizeof *x), *gy = malloc(R * sizeof *gy);
    double *y1 = malloc(R * sizeof *y1), *y2 = malloc(R * sizeof *y2);
    double *g1 = calloc(P, sizeof *g1), *g2 = calloc(P, sizeof *g2);
    tmlp_fill(x, 2 * N, -1, 1, 12);
    tmlp_fill(gy, R, -1, 1, 13);
    omp_set_num_threads(1);
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, N, y1), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g1), MLP_OK);
    omp_set_num_threads(2);
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, N, y2), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g2), MLP_OK);
    ck_assert_double_eq(tmlp_relerr(y2, y1, R), 0.0); /* rows are independent: exact */
    /* chunked partial sums added in chunk order: the same bits too */
    ck_assert_double_eq(tmlp_relerr(g2, g1, P), 0.0);
    omp_set_num_threads(saved);
    free(x);
    free(gy);
    free(y1);
    free(y2);
    free(g1);
    free(g2);
    mlp_workspace_free(ws);
    mlp_free(net);
#endif
}
END_TEST

/* The tuner on made-up costs: it starts on 1 thread, probes max after
 * MLP_TUNE_FIRST calls, switches when max is clearly faster and stays when
 * it is slower, probing ever more rarely; a probe 4x worse ends at once. */
START_TEST(tuner_picks_the_faster_count)
{
    for (int faster2 = 0; faster2 < 2; faster2++) {
        mlp_tuner t;
        mlp_tuner_init(&t);
        int on2 = 0, probes = 0;
        for (int call = 0; call < 3000; call++) {
            int n = mlp_tuner_threads(&t, 2);
            ck_assert(n == 1 || n == 2);
            double cost = n == 2 ? (faster2 ? 0.5 : 10.0) : 1.0;
            if (n != t.cur)
                probes++;
            mlp_tuner_record(&t, n, cost);
            on2 += n == 2;
        }
        if (faster2) {
            ck_assert_int_eq(t.cur, 2);
            ck_assert_int_ge(on2, 2900); /* probes of 1 thread only now and then */
        } else {
            ck_assert_int_eq(t.cur, 1);
            ck_assert_int_le(probes, 8); /* one call per probe: 10x is over MLP_TUNE_GIVEUP */
        }
    }
    mlp_tuner t;
    mlp_tuner_init(&t);
    ck_assert_int_eq(mlp_tuner_threads(&t, 1), 1); /* nothing to choose */
}
END_TEST

/* Auto mode at 2 threads gives the bits of 1 thread over many passes (the
 * tuner switches counts under way; results must not notice). */
START_TEST(auto_threads_match_one)
{
#ifdef _OPENMP
    enum { N = 600, PASSES = 40 };
    const size_t w[] = {2, 16, 16, 1};
    int saved = omp_get_max_threads();
    mlp *net = tmlp_net(3, w, "tanh", 21);
    mlp_channels ch;
    mlp_channels_set(&ch, 0x3, 0x1, 2);
    omp_set_num_threads(2);
    mlp_workspace *ws = mlp_workspace_alloc(net, N, ch.n);
    const size_t R = ch.n * N, P = net->n_params;
    double *x = malloc(2 * N * sizeof *x), *gy = malloc(R * sizeof *gy);
    double *y1 = malloc(R * sizeof *y1), *y2 = malloc(R * sizeof *y2);
    double *g1 = calloc(P, sizeof *g1), *g2 = calloc(P, sizeof *g2);
    tmlp_fill(x, 2 * N, -1, 1, 22);
    tmlp_fill(gy, R, -1, 1, 23);
    omp_set_num_threads(1);
    ck_assert_int_eq(mlp_forward(ws, net, &ch, x, N, y1), MLP_OK);
    ck_assert_int_eq(mlp_backward(ws, net, gy, g1), MLP_OK);
    omp_set_num_threads(2);
    mlp_threads_set_auto(1);
    for (int k = 0; k < PASSES; k++) {
        memset(g2, 0, P * sizeof *g2);
        ck_assert_int_eq(mlp_forward(ws, net, &ch, x, N, y2), MLP_OK);
        ck_assert_int_eq(mlp_backward(ws, net, gy, g2), MLP_OK);
        ck_assert_int_eq(memcmp(y1, y2, R * sizeof *y1), 0);
        ck_assert_int_eq(memcmp(g1, g2, P * sizeof *g1), 0);
    }
    mlp_threads_set_auto(0);
    omp_set_num_threads(saved);
    free(x);
    free(gy);
    free(y1);
    free(y2);
    free(g1);
    free(g2);
    mlp_workspace_free(ws);
    mlp_free(net);
#endif
}
END_TEST

/* The fused loops take s'' and s''' from s and s' for tanh and sin and
 * from stored arrays for the others (mlp_act_rule), and they take the rule
 * from the net of each pass: a workspace sized for a tanh net (s' only
 * kept) gives a softplus or sin net of the same shape the naive results. */
START_TEST(rule_follows_the_net)
{
    ck_assert_int_eq(mlp_act_rule(mlp_activation_find("tanh")), MLP_RULE_TANH);
    ck_assert_int_eq(mlp_act_rule(mlp_activation_find("sin")), MLP_RULE_SIN);
    ck_assert_int_eq(mlp_act_rule(mlp_activation_find("softplus")), MLP_RULE_STORED);
    ck_assert_int_eq(mlp_act_rule(mlp_activation_find("silu")), MLP_RULE_STORED);
    ck_assert_int_eq(mlp_act_rule(NULL), MLP_RULE_STORED);
    const size_t w[] = {2, 20, 20, 1};
    mlp *tn = tmlp_net(3, w, "tanh", 21);
    mlp_workspace *ws = mlp_workspace_alloc(tn, 57, 4);
    ck_assert_ptr_nonnull(ws);
    ck_assert_int_eq(ws->rule, MLP_RULE_TANH);
    const char *other[] = {"softplus", "sin", "tanh"};
    mlp_channels ch;
    mlp_channels_set(&ch, 0x3, 0x1, 2);
    for (size_t a = 0; a < 3; a++) {
        mlp *net = tmlp_net(3, w, other[a], 22 + a);
        check_on_ws(ws, net, &ch, 57, 3);
        ck_assert_int_eq(ws->rule, mlp_act_rule(net->act));
        mlp_free(net);
    }
    mlp_workspace_free(ws);
    mlp_free(tn);
}
END_TEST

static Suite *mlp_fast_suite(void)
{
    int n_act = 0;
    while (mlp_activations[n_act].name)
        n_act++;
    Suite *s = suite_create("mlp_fast");
    TCase *tc = tcase_create("fast");
    tcase_set_timeout(tc, 60); /* a loaded 2-core machine */
    int n_gemm = 0;
    while (mlp_gemm_kernels[n_gemm].name)
        n_gemm++;
    tcase_add_loop_test(tc, gemm_matches_plain, 0, n_gemm);
    tcase_add_loop_test(tc, isa_path_matches_naive, 0, MLP_ISA_N);
    tcase_add_loop_test(tc, leaf_path_matches_naive, 0, n_act);
    tcase_add_loop_test(tc, options_match_naive, 1, TMLP_N_OPTS);
    tcase_add_test(tc, small_blocks_match_naive);
    tcase_add_test(tc, two_threads_match_one);
    tcase_add_test(tc, tuner_picks_the_faster_count);
    tcase_add_test(tc, auto_threads_match_one);
    tcase_add_test(tc, big_workspace_does_not_keep);
    tcase_add_test(tc, rule_follows_the_net);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(mlp_fast_suite)
