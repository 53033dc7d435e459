/* tests/test_loss_weighting.c - libpinnloss multi-task weighting objects:
 * one hand-computed update per scheme, the statistics each needs, the
 * uncertainty parameter gradient against differences, checkpoint state
 * round trips, and every argument error. */
#include <check.h>
#include <math.h>
#include <string.h>
#include "check_main.h"
#include "pinnloss.h"
#include "test_loss_util.h"

START_TEST(kinds_are_listed_and_allocate)
{
    const char *want[] = {"fixed", "uncertainty", "gradnorm", "annealing", "dwa"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(pl_weighting_kind_name(i), want[i]);
        pl_weighting *w = pl_weighting_alloc(want[i], 3, NULL);
        ck_assert_ptr_nonnull(w);
        ck_assert_str_eq(pl_weighting_name(w), want[i]);
        ck_assert_uint_eq(pl_weighting_size(w), 3);
        double lam[3];
        ck_assert_int_eq(pl_weighting_weights(w, lam), PL_OK);
        for (int k = 0; k < 3; k++) /* every scheme starts at lambda = 1... */
            ck_near(lam[k], i == 1 ? 0.5 : 1.0); /* ...uncertainty at 0.5 e^0 */
        pl_weighting_free(w);
    }
    ck_assert_ptr_null(pl_weighting_kind_name(5));
    pl_weighting_free(NULL);
}
END_TEST

START_TEST(needs_flags)
{
    const char *k[] = {"fixed", "uncertainty", "gradnorm", "annealing", "dwa"};
    const unsigned need[] = {PL_NEED_NONE, PL_NEED_NONE, PL_NEED_GRAD_NORM,
                             PL_NEED_GRAD_MAX_MEAN, PL_NEED_NONE};
    for (int i = 0; i < 5; i++) {
        pl_weighting *w = pl_weighting_alloc(k[i], 2, NULL);
        ck_assert_uint_eq(pl_weighting_needs(w), need[i]);
        pl_weighting_free(w);
    }
}
END_TEST

START_TEST(fixed_by_hand)
{
    pl_weighting_params p = pl_weighting_params_default();
    const double init[] = {2, 0.5}, L[] = {1, 4};
    p.init = init;
    pl_weighting *w = pl_weighting_alloc("fixed", 2, &p);
    double lam[2], total;
    ck_assert_int_eq(pl_weighting_update(w, L, NULL), PL_OK);
    ck_assert_int_eq(pl_weighting_weights(w, lam), PL_OK);
    ck_near(lam[0], 2); ck_near(lam[1], 0.5);
    ck_assert_int_eq(pl_weighting_combine(w, &total, L), PL_OK); /* 2*1 + 0.5*4 */
    ck_near(total, 4);
    size_t n = 9;
    ck_assert_ptr_null(pl_weighting_trainable(w, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(pl_weighting_param_grad(w, lam, L), PL_EINVAL);
    pl_weighting_free(w);
}
END_TEST

START_TEST(uncertainty_by_hand)
{
    /* s = {0,0}: weights 0.5 e^0 = 0.5; losses {2,4}: total 0.5*2 + 0.5*4 = 3;
     * dTotal/ds_k = -0.5 e^-s L_k + 0.5 = {-0.5, -1.5} */
    const double L[] = {2, 4};
    pl_weighting *w = pl_weighting_alloc("uncertainty", 2, NULL); /* lr default */
    pl_weighting_params p = pl_weighting_params_default();
    p.lr = 0;
    pl_weighting *u = pl_weighting_alloc("uncertainty", 2, &p);
    double total, g[2], lam[2];
    ck_assert_int_eq(pl_weighting_combine(u, &total, L), PL_OK);
    ck_near(total, 3);
    ck_assert_int_eq(pl_weighting_param_grad(u, g, L), PL_OK);
    ck_near(g[0], -0.5); ck_near(g[1], -1.5);
    /* lr = 0: update leaves s to the caller */
    ck_assert_int_eq(pl_weighting_update(u, L, NULL), PL_OK);
    size_t n;
    double *s = pl_weighting_trainable(u, &n);
    ck_assert_uint_eq(n, 2);
    ck_near(s[0], 0); ck_near(s[1], 0);
    /* caller sets s = {log 2, 0}: weights {0.25, 0.5}; total 0.5 + 2 + 0.5 log 2 */
    s[0] = log(2.0);
    ck_assert_int_eq(pl_weighting_weights(u, lam), PL_OK);
    ck_near(lam[0], 0.25); ck_near(lam[1], 0.5);
    ck_assert_int_eq(pl_weighting_combine(u, &total, L), PL_OK);
    ck_near(total, 2.5 + 0.5 * log(2.0));
    /* lr = 0.025 (default): s -= 0.025 * {-0.5, -1.5} = {0.0125, 0.0375} */
    ck_assert_int_eq(pl_weighting_update(w, L, NULL), PL_OK);
    s = pl_weighting_trainable(w, &n);
    ck_near(s[0], 0.0125); ck_near(s[1], 0.0375);
    pl_weighting_free(w);
    pl_weighting_free(u);
}
END_TEST

/* total(s) for fixed losses, to check param_grad against differences */
static int unc_eval(double *loss, double *grad, const double *x, const void *c)
{
    pl_weighting *w = pl_weighting_alloc("uncertainty", 3, NULL);
    size_t n;
    memcpy(pl_weighting_trainable(w, &n), x, 3 * sizeof *x);
    int rc = pl_weighting_combine(w, loss, c);
    if (!rc && grad)
        rc = pl_weighting_param_grad(w, grad, c);
    pl_weighting_free(w);
    return rc;
}

START_TEST(uncertainty_grad_matches_differences)
{
    const double L[] = {0.7, 2.5, 0.01}, s[] = {0.3, -1.2, 2.0};
    assert_grad(unc_eval, L, s, 3);
}
END_TEST

START_TEST(gradnorm_by_hand)
{
    /* alpha 1, lr 0.1. Step 1: L = {2,4} = L(0), r = {1,1}; g = {1,3},
     * G = {1,3}, mean 2, target {2,2}; sign(G - target) = {-1,+1}; step
     * lambda -= 0.1 sign g: {1.1, 0.7}; renormalise to sum 2: {11/9, 7/9}.
     * Step 2: L = {1,4}: L/L0 = {0.5,1}, mean 0.75, r = {2/3, 4/3}; g = {1,1},
     * G = {11/9, 7/9}, mean 1, target {2/3, 4/3}: signs {+1,-1}:
     * {11/9 - 0.1, 7/9 + 0.1} (sum already 2). */
    pl_weighting_params p = pl_weighting_params_default();
    p.alpha = 1;
    p.lr = 0.1;
    pl_weighting *w = pl_weighting_alloc("gradnorm", 2, &p);
    const double L1[] = {2, 4}, g1[] = {1, 3}, L2[] = {1, 4}, g2[] = {1, 1};
    pl_term_stats st = {g1, NULL, NULL};
    double lam[2];
    ck_assert_int_eq(pl_weighting_update(w, L1, &st), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 11.0 / 9); ck_near(lam[1], 7.0 / 9);
    st.grad_norm = g2;
    ck_assert_int_eq(pl_weighting_update(w, L2, &st), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 11.0 / 9 - 0.1); ck_near(lam[1], 7.0 / 9 + 0.1);
    /* statistics are required */
    ck_assert_int_eq(pl_weighting_update(w, L2, NULL), PL_EINVAL);
    st.grad_norm = NULL;
    ck_assert_int_eq(pl_weighting_update(w, L2, &st), PL_EINVAL);
    const double gneg[] = {1, -1};
    st.grad_norm = gneg;
    ck_assert_int_eq(pl_weighting_update(w, L2, &st), PL_EINVAL);
    pl_weighting_free(w);
}
END_TEST

START_TEST(gradnorm_clamps_positive)
{
    /* lr 10 on step 1 above: {1 + 10, 1 - 30} -> {11, min 1e-6}, then
     * scaled by 2 / (11 + 1e-6) */
    pl_weighting_params p = pl_weighting_params_default();
    p.alpha = 1;
    p.lr = 10;
    pl_weighting *w = pl_weighting_alloc("gradnorm", 2, &p);
    const double L[] = {2, 4}, g[] = {1, 3};
    pl_term_stats st = {g, NULL, NULL};
    double lam[2];
    ck_assert_int_eq(pl_weighting_update(w, L, &st), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 22 / (11 + 1e-6));
    ck_near(lam[1], 2e-6 / (11 + 1e-6));
    ck_assert_double_gt(lam[1], 0);
    pl_weighting_free(w);
}
END_TEST

START_TEST(annealing_by_hand)
{
    /* ref 0 (weight forced to 1 whatever init says), beta 0.1, init {5,2,3}.
     * max|grad L_0| = 10; mean|grad L_k| = {7, 2, 0}:
     * lambda_1 = 0.9*2 + 0.1*10/2 = 2.3; lambda_2 kept (mean 0) = 3 */
    pl_weighting_params p = pl_weighting_params_default();
    const double init[] = {5, 2, 3}, L[] = {1, 1, 1};
    const double mx[] = {10, 99, 99}, mean[] = {7, 2, 0};
    p.init = init;
    pl_weighting *w = pl_weighting_alloc("annealing", 3, &p);
    double lam[3];
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 1); ck_near(lam[1], 2);
    pl_term_stats st = {NULL, mx, mean};
    ck_assert_int_eq(pl_weighting_update(w, L, &st), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 1); ck_near(lam[1], 2.3); ck_near(lam[2], 3);
    st.grad_mean_abs = NULL;
    ck_assert_int_eq(pl_weighting_update(w, L, &st), PL_EINVAL);
    const double nanv[] = {NAN, 1, 1};
    st.grad_mean_abs = nanv;
    ck_assert_int_eq(pl_weighting_update(w, L, &st), PL_ENAN);
    pl_weighting_free(w);
}
END_TEST

START_TEST(dwa_by_hand)
{
    /* T = 2. Weights 1 until two updates. After L(0) = {1,2}, L(1) = {0.5,2}:
     * w = {0.5, 1}, lambda = 2 softmax({0.25, 0.5}) = {2/(1+e^.25), 2/(1+e^-.25)}.
     * After L(2) = {0.5, 1}: w = {1, 0.5}: the two swap. */
    pl_weighting *w = pl_weighting_alloc("dwa", 2, NULL);
    const double L0[] = {1, 2}, L1[] = {0.5, 2}, L2[] = {0.5, 1};
    double lam[2];
    ck_assert_int_eq(pl_weighting_update(w, L0, NULL), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 1); ck_near(lam[1], 1);
    ck_assert_int_eq(pl_weighting_update(w, L1, NULL), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 2 / (1 + exp(0.25))); ck_near(lam[1], 2 / (1 + exp(-0.25)));
    ck_assert_int_eq(pl_weighting_update(w, L2, NULL), PL_OK);
    pl_weighting_weights(w, lam);
    ck_near(lam[0], 2 / (1 + exp(-0.25))); ck_near(lam[1], 2 / (1 + exp(0.25)));
    pl_weighting_free(w);
}
END_TEST

START_TEST(state_round_trip)
{
    /* a gradnorm restored from step 1's state takes the same step 2 */
    pl_weighting_params p = pl_weighting_params_default();
    pl_weighting *a = pl_weighting_alloc("gradnorm", 2, &p);
    pl_weighting *b = pl_weighting_alloc("gradnorm", 2, &p);
    const double L1[] = {2, 4}, g1[] = {1, 3}, L2[] = {1, 3}, g2[] = {2, 1};
    pl_term_stats s1 = {g1, NULL, NULL}, s2 = {g2, NULL, NULL};
    ck_assert_int_eq(pl_weighting_update(a, L1, &s1), PL_OK);
    size_t n = pl_weighting_state_size(a);
    ck_assert_uint_eq(n, 4 + 4 * 2);
    double st[12], la[2], lb[2];
    ck_assert_int_eq(pl_weighting_state_get(a, st), PL_OK);
    ck_assert_int_eq(pl_weighting_state_set(b, st, n), PL_OK);
    ck_assert_int_eq(pl_weighting_update(a, L2, &s2), PL_OK);
    ck_assert_int_eq(pl_weighting_update(b, L2, &s2), PL_OK);
    pl_weighting_weights(a, la);
    pl_weighting_weights(b, lb);
    ck_assert_double_eq(la[0], lb[0]);
    ck_assert_double_eq(la[1], lb[1]);
    /* b without the restore would have taken L(0) = L2 and differ */
    pl_weighting *c = pl_weighting_alloc("gradnorm", 2, &p);
    pl_weighting_update(c, L2, &s2);
    pl_weighting_weights(c, lb);
    ck_assert_double_ne(la[0], lb[0]);
    /* wrong size, kind, K, tag, NaN */
    pl_weighting *d = pl_weighting_alloc("dwa", 2, NULL), *e = pl_weighting_alloc("gradnorm", 3, &p);
    ck_assert_int_eq(pl_weighting_state_set(b, st, n - 1), PL_EINVAL);
    ck_assert_int_eq(pl_weighting_state_set(d, st, n), PL_EINVAL);
    ck_assert_int_eq(pl_weighting_state_set(e, st, n), PL_EINVAL);
    st[0] += 1;
    ck_assert_int_eq(pl_weighting_state_set(b, st, n), PL_EINVAL);
    st[0] -= 1;
    st[5] = NAN;
    ck_assert_int_eq(pl_weighting_state_set(b, st, n), PL_ENAN);
    pl_weighting_free(a); pl_weighting_free(b); pl_weighting_free(c);
    pl_weighting_free(d); pl_weighting_free(e);
}
END_TEST

START_TEST(bad_arguments)
{
    pl_weighting_params p = pl_weighting_params_default();
    ck_assert_ptr_null(pl_weighting_check("gradnorm", 2, &p));
    ck_assert_ptr_nonnull(pl_weighting_check("softadapt", 2, &p));
    ck_assert_ptr_nonnull(pl_weighting_check(NULL, 2, &p));
    ck_assert_ptr_nonnull(pl_weighting_check("fixed", 0, &p));
    ck_assert_ptr_null(pl_weighting_alloc("softadapt", 2, &p));
    const double bad_init[] = {1, -1};
    p.init = bad_init;
    ck_assert_ptr_nonnull(pl_weighting_check("fixed", 2, &p));
    p = pl_weighting_params_default();
    p.temperature = 0;
    ck_assert_ptr_nonnull(pl_weighting_check("dwa", 2, &p));
    ck_assert_ptr_null(pl_weighting_check("fixed", 2, &p)); /* unused there */
    p = pl_weighting_params_default();
    p.ref = 2;
    ck_assert_ptr_nonnull(pl_weighting_check("annealing", 2, &p));
    p = pl_weighting_params_default();
    p.beta = 1.5;
    ck_assert_ptr_nonnull(pl_weighting_check("annealing", 2, &p));
    p = pl_weighting_params_default();
    p.min_weight = 0;
    ck_assert_ptr_nonnull(pl_weighting_check("gradnorm", 2, &p));
    p = pl_weighting_params_default();
    p.lr = -1;
    ck_assert_ptr_nonnull(pl_weighting_check("uncertainty", 2, &p));
    p.lr = NAN;
    ck_assert_ptr_nonnull(pl_weighting_check("gradnorm", 2, &p));

    pl_weighting *w = pl_weighting_alloc("fixed", 2, NULL);
    const double nanL[] = {1, NAN};
    double t = 5, lam[2];
    ck_assert_int_eq(pl_weighting_update(w, nanL, NULL), PL_ENAN);
    ck_assert_int_eq(pl_weighting_update(w, NULL, NULL), PL_EINVAL);
    ck_assert_int_eq(pl_weighting_update(NULL, nanL, NULL), PL_EINVAL);
    ck_assert_int_eq(pl_weighting_combine(w, &t, nanL), PL_ENAN);
    ck_assert_double_eq(t, 5);
    ck_assert_int_eq(pl_weighting_weights(w, NULL), PL_EINVAL);
    ck_assert_int_eq(pl_weighting_weights(NULL, lam), PL_EINVAL);
    pl_weighting_free(w);
}
END_TEST

static Suite *loss_weighting_suite(void)
{
    Suite *s = suite_create("loss_weighting");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kinds_are_listed_and_allocate);
    tcase_add_test(tc, needs_flags);
    tcase_add_test(tc, fixed_by_hand);
    tcase_add_test(tc, uncertainty_by_hand);
    tcase_add_test(tc, uncertainty_grad_matches_differences);
    tcase_add_test(tc, gradnorm_by_hand);
    tcase_add_test(tc, gradnorm_clamps_positive);
    tcase_add_test(tc, annealing_by_hand);
    tcase_add_test(tc, dwa_by_hand);
    tcase_add_test(tc, state_round_trip);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(loss_weighting_suite)
