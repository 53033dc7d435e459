/* tests/test_loss_structured.c - libpinnloss feature-matching, ranking,
 * metric-learning and constraint losses: hand-computed values, gradients
 * against central differences (margins active and inactive), stability at
 * extreme scores and temperatures, and error codes. */
#include <check.h>
#include <math.h>
#include "check_main.h"
#include "pinnloss.h"
#include "test_loss_util.h"

/* ---- feature matching ---------------------------------------------------- */

START_TEST(feature_values_by_hand)
{
    /* perceptual: layer 0 a {1,2} b {0,0} w 0.5: 0.5 (1+4)/2 = 1.25; layer 1
     * a {3} b {1} w 2: 2 * 4 = 8; total 9.25. grad 2 w d / n: {0.5, 1}, {8} */
    const double a0[] = {1, 2}, b0[] = {0, 0}, a1[] = {3}, b1[] = {1};
    const double *a[] = {a0, a1}, *b[] = {b0, b1};
    const size_t n[] = {2, 1};
    const double w[] = {0.5, 2};
    double l, g0[2], g1[1];
    double *g[] = {g0, g1};
    ck_assert_int_eq(pl_perceptual(&l, g, a, b, n, w, 2), PL_OK);
    ck_near(l, 9.25);
    ck_near(g0[0], 0.5); ck_near(g0[1], 1); ck_near(g1[0], 8);
    /* Gram of F = [[1,2],[3,4]], HW = 2: [[5, 11], [11, 25]] / 2 */
    const double F[] = {1, 2, 3, 4};
    double G[4], dF[4];
    ck_assert_int_eq(pl_gram(G, F, 2, 2), PL_OK);
    ck_near(G[0], 2.5); ck_near(G[1], 5.5); ck_near(G[2], 5.5); ck_near(G[3], 12.5);
    /* backward of dG = [[1,0],[0,0]]: (dG + dG^T) F / 2 = [[1,2],[0,0]] */
    const double dG[] = {1, 0, 0, 0};
    ck_assert_int_eq(pl_gram_backward(dF, dG, F, 2, 2), PL_OK);
    ck_near(dF[0], 1); ck_near(dF[1], 2); ck_near(dF[2], 0); ck_near(dF[3], 0);
    /* style: target differs from gram(F) by 2 at (1,1): mean over 4 of 4 = 1.
     * dL/dG_11 = 2*2/4 = 1, so dF = [[0,0],[0,2]] F / 2 = [[0,0],[3,4]] */
    const double T[] = {2.5, 5.5, 5.5, 10.5};
    const double *feat[] = {F}, *tgt[] = {T};
    const size_t C[] = {2}, HW[] = {2};
    const double w1[] = {1};
    double *gs[] = {dF};
    ck_assert_int_eq(pl_style(&l, gs, feat, tgt, C, HW, w1, 1), PL_OK);
    ck_near(l, 1);
    ck_near(dF[0], 0); ck_near(dF[1], 0); ck_near(dF[2], 3); ck_near(dF[3], 4);
}
END_TEST

/* perceptual over two layers of 3 and 2 features; x = [a0, a1] */
static int perc_eval(double *loss, double *grad, const double *x, const void *c)
{
    const double *b = c;
    const double *a[] = {x, x + 3}, *bb[] = {b, b + 3};
    double *g[] = {grad, grad ? grad + 3 : NULL};
    const size_t n[] = {3, 2};
    const double w[] = {0.7, -1.3};
    return pl_perceptual(loss, grad ? g : NULL, a, bb, n, w, 2);
}

/* sum_ij dG_ij gram(F)_ij with a non-symmetric dG: its gradient must be
 * pl_gram_backward(dG); F is 3 x 4 */
static int gram_eval(double *loss, double *grad, const double *x, const void *c)
{
    const double *dG = c;
    double G[9];
    int rc = pl_gram(G, x, 3, 4);
    if (rc)
        return rc;
    double s = 0;
    for (int i = 0; i < 9; i++)
        s += dG[i] * G[i];
    *loss = s;
    return grad ? pl_gram_backward(grad, dG, x, 3, 4) : PL_OK;
}

/* style over layers (3 x 4) and (2 x 3) with non-symmetric targets */
static int style_eval(double *loss, double *grad, const double *x, const void *c)
{
    const double *T = c;
    const double *feat[] = {x, x + 12}, *tgt[] = {T, T + 9};
    double *g[] = {grad, grad ? grad + 12 : NULL};
    const size_t C[] = {3, 2}, HW[] = {4, 3};
    const double w[] = {1.5, 0.5};
    return pl_style(loss, grad ? g : NULL, feat, tgt, C, HW, w, 2);
}

START_TEST(feature_gradients)
{
    const double x[] = {0.3, -1.1, 0.8, 1.4, -0.2, 0.9, -0.6, 0.2, 1.2, -0.5,
                        0.4, 0.7, -0.3, 1.1, 0.6, -0.9, 0.25, 0.15};
    const double b[] = {0.1, 0.2, -0.3, 0.5, 0.5};
    assert_grad(perc_eval, b, x, 5);
    const double dG[] = {0.3, -1.0, 0.5, 0.2, 0.7, -0.4, 1.1, 0.6, -0.8};
    assert_grad(gram_eval, dG, x, 12);
    const double T[] = {0.3, 0.1, -0.2, 0.0, 0.5, 0.2, -0.1, 0.4, 0.8,
                        0.6, -0.3, 0.1, 0.2};
    assert_grad(style_eval, T, x, 18);
}
END_TEST

START_TEST(feature_errors)
{
    const double ok[] = {1, 2, 3, 4}, bad[] = {1, NAN, 3, 4};
    const double *a[] = {ok}, *nb[] = {bad}, *nul[] = {NULL};
    const size_t n[] = {4}, n0[] = {0}, C[] = {2}, HW[] = {2};
    const double w[] = {1}, wn[] = {NAN};
    double l, G[4];
    ck_assert_int_eq(pl_perceptual(&l, NULL, a, a, n, w, 0), PL_EINVAL);
    ck_assert_int_eq(pl_perceptual(&l, NULL, a, a, n0, w, 1), PL_EINVAL);
    ck_assert_int_eq(pl_perceptual(&l, NULL, a, nul, n, w, 1), PL_EINVAL);
    ck_assert_int_eq(pl_perceptual(&l, NULL, a, a, n, wn, 1), PL_EINVAL);
    ck_assert_int_eq(pl_perceptual(&l, NULL, a, nb, n, w, 1), PL_ENAN);
    ck_assert_int_eq(pl_gram(G, bad, 2, 2), PL_ENAN);
    ck_assert_int_eq(pl_gram(G, ok, 0, 2), PL_EINVAL);
    ck_assert_int_eq(pl_gram(NULL, ok, 2, 2), PL_EINVAL);
    ck_assert_int_eq(pl_gram_backward(G, bad, ok, 2, 2), PL_ENAN);
    ck_assert_int_eq(pl_style(&l, NULL, a, nb, C, HW, w, 1), PL_ENAN);
    ck_assert_int_eq(pl_style(&l, NULL, a, a, C, HW, w, 0), PL_EINVAL);
}
END_TEST

/* ---- ranking ------------------------------------------------------------- */

START_TEST(ranking_values_by_hand)
{
    /* margin 1: pairs (2, 0): 1 + 0 - 2 = -1 inactive; (0.5, 1): 1.5 active;
     * mean 0.75, grads pos {0, -1/2}, neg {0, 1/2} */
    const double sp[] = {2, 0.5}, sn[] = {0, 1};
    double l, gp[3], gn[3];
    ck_assert_int_eq(pl_margin_ranking(&l, gp, gn, sp, sn, 2, 1.0), PL_OK);
    ck_near(l, 0.75);
    ck_near(gp[0], 0); ck_near(gp[1], -0.5); ck_near(gn[0], 0); ck_near(gn[1], 0.5);
    /* ListNet: scores {0,0} -> Q = {1/2,1/2}; relevance {0, log 3} -> P = {1/4, 3/4};
     * -sum P log Q = log 2; grad Q - P = {1/4, -1/4} */
    const double s0[] = {0, 0}, rel[] = {0, log(3.0)};
    ck_assert_int_eq(pl_listnet(&l, gp, s0, rel, 2), PL_OK);
    ck_near(l, log(2.0)); ck_near(gp[0], 0.25); ck_near(gp[1], -0.25);
    /* ListMLE: scores {1, 0}, true order {0, 1}: [log(e + 1) - 1] + [0 - 0]
     * = log(1 + e^-1); grads: item 0 -1 + sigmoid(1); item 1 -1 +
     * sigmoid(-1) + 1 = sigmoid(-1) */
    const double s1[] = {1, 0};
    const size_t ord[] = {0, 1};
    ck_assert_int_eq(pl_listmle(&l, gp, s1, ord, 2), PL_OK);
    ck_near(l, log1p(exp(-1.0)));
    ck_near(gp[0], -1 + 1 / (1 + exp(-1.0))); ck_near(gp[1], 1 / (1 + exp(1.0)));
}
END_TEST

struct rank_ctx { const double *rel; const size_t *order; size_t n; double margin; int which; };

static int rank_eval(double *loss, double *grad, const double *x, const void *c)
{
    const struct rank_ctx *r = c;
    switch (r->which) {
    case 0: return pl_margin_ranking(loss, grad, grad ? grad + r->n : NULL, x,
                                     x + r->n, r->n, r->margin);
    case 1: return pl_listnet(loss, grad, x, r->rel, r->n);
    default: return pl_listmle(loss, grad, x, r->order, r->n);
    }
}

START_TEST(ranking_gradients)
{
    /* margin 0.5 on pairs (0.3,-1.1) -> -0.9 inactive, (0.8,1.4) -> 1.1 active,
     * (-0.2,0.9) -> 1.6 active, (1.2,-0.6)... n = 4 uses x[0..3] vs x[4..7] */
    const double x[] = {0.3, 0.8, -0.2, 1.2, -1.1, 1.4, 0.9, -0.6};
    const double rel[] = {2, 0, 1, 3, 0.5, -1, 1.5, 0};
    const size_t order[] = {3, 6, 0, 2, 4, 7, 1, 5};
    struct rank_ctx c[] = {{NULL, NULL, 4, 0.5, 0}, {rel, NULL, 8, 0, 1},
                           {NULL, order, 8, 0, 2}};
    for (size_t i = 0; i < 3; i++)
        assert_grad(rank_eval, &c[i], x, 8);
}
END_TEST

START_TEST(ranking_stable_equal_and_extreme)
{
    /* all-equal scores: ListMLE = log 4 + log 3 + log 2 + 0 = log 24;
     * ListNet with equal relevance: log 4 and zero gradient */
    const double e[] = {5, 5, 5, 5}, big[] = {1000, -1000, 0, 500};
    const size_t ord[] = {2, 0, 3, 1};
    double l, g[4];
    ck_assert_int_eq(pl_listmle(&l, g, e, ord, 4), PL_OK);
    ck_near(l, log(24.0));
    ck_near(g[0] + g[1] + g[2] + g[3], 0); /* shift invariance */
    ck_assert_int_eq(pl_listnet(&l, g, e, e, 4), PL_OK);
    ck_near(l, log(4.0));
    for (int i = 0; i < 4; i++)
        ck_near(g[i], 0);
    /* order {1,2,3,0} with scores {1000,-1000,0,500}: position terms
     * lse(-1000,0,500,1000) + 1000 = 2000, lse(0,500,1000) - 0 = 1000,
     * lse(500,1000) - 500 = 500, 0: 3500 to 1e-9 (the e^-500 corrections) */
    const size_t bad_order[] = {1, 2, 3, 0};
    ck_assert_int_eq(pl_listmle(&l, g, big, bad_order, 4), PL_OK);
    ck_assert_double_eq_tol(l, 3500, 1e-9);
    assert_finite(g, 4);
    ck_assert_int_eq(pl_listnet(&l, g, big, e, 4), PL_OK);
    assert_finite(&l, 1); assert_finite(g, 4);
}
END_TEST

START_TEST(ranking_errors)
{
    const double ok[] = {1, 2}, bad[] = {1, INFINITY};
    const size_t ord[] = {0, 2};
    double l, g[2];
    ck_assert_int_eq(pl_margin_ranking(&l, g, g, ok, bad, 2, 1), PL_ENAN);
    ck_assert_int_eq(pl_margin_ranking(&l, g, g, ok, ok, 2, NAN), PL_EINVAL);
    ck_assert_int_eq(pl_margin_ranking(&l, g, g, ok, ok, 0, 1), PL_EINVAL);
    ck_assert_int_eq(pl_listnet(&l, g, ok, bad, 2), PL_ENAN);
    ck_assert_int_eq(pl_listnet(&l, g, ok, NULL, 2), PL_EINVAL);
    ck_assert_int_eq(pl_listmle(&l, g, ok, ord, 2), PL_EINVAL);
    ck_assert_int_eq(pl_listmle(&l, g, ok, NULL, 2), PL_EINVAL);
    ck_assert_int_eq(pl_listmle(&l, g, bad, ord, 1), PL_OK); /* ord[0]=0, bad[0] fine */
}
END_TEST

/* ---- metric learning ----------------------------------------------------- */

START_TEST(metric_values_by_hand)
{
    /* triplet margin 1, D=2. row 0: |a-p|^2 = 1, |a-n|^2 = 4: 1-4+1 < 0
     * inactive. row 1: a 0, p (1,1), n (1,0): 2 - 1 + 1 = 2 active. mean 1.
     * row 1 grads (2/B = 1): a: n - p = (0,-1); p: -(a-p) = (1,1); n: a-n = (-1,0) */
    const double a[] = {0, 0, 0, 0}, p[] = {1, 0, 1, 1}, n[] = {0, 2, 1, 0};
    double l, ga[6], gp[6], gn[6];
    ck_assert_int_eq(pl_triplet(&l, ga, gp, gn, a, p, n, 2, 2, 1.0), PL_OK);
    ck_near(l, 1);
    ck_near(ga[0], 0); ck_near(ga[1], 0); ck_near(gp[0], 0); ck_near(gn[1], 0);
    ck_near(ga[2], 0); ck_near(ga[3], -1); ck_near(gp[2], 1); ck_near(gp[3], 1);
    ck_near(gn[2], -1); ck_near(gn[3], 0);
    /* contrastive margin 2: same (0,0)-(3,4): 25; different d = 1: (2-1)^2 = 1;
     * different d = 3: inactive; mean 26/3. grads on x1: same 2 (x1-x2)/3 =
     * (-2, -8/3); d = 1: -2 (2-1)/1/3 (x1-x2) = -2/3 (0,-1) = (0, 2/3) */
    const double x1[] = {0, 0, 0, 0, 0, 0}, x2[] = {3, 4, 0, 1, 0, 3};
    const int same[] = {1, 0, 0};
    ck_assert_int_eq(pl_contrastive(&l, ga, gp, x1, x2, same, 3, 2, 2.0), PL_OK);
    ck_near(l, 26.0 / 3);
    ck_near(ga[0], -2); ck_near(ga[1], -8.0 / 3); ck_near(ga[2], 0); ck_near(ga[3], 2.0 / 3);
    ck_near(ga[4], 0); ck_near(ga[5], 0); ck_near(gp[1], 8.0 / 3);
    /* InfoNCE: q = pos = (1,0), neg (0,1), T = 1: logits {1, 0},
     * log(e + 1) - 1 = log(1 + e^-1); grad_q = sigmoid(-1) (-1, 1) */
    const double q[] = {1, 0}, ng[] = {0, 1};
    double s = 1 / (1 + exp(1.0));
    ck_assert_int_eq(pl_infonce(&l, ga, gp, gn, q, q, ng, 1, 2, 1.0), PL_OK);
    ck_near(l, log1p(exp(-1.0)));
    ck_near(ga[0], -s); ck_near(ga[1], s); ck_near(gp[0], -s); ck_near(gn[0], s);
    /* batched, q = k = I (B = D = 2), T = 1: S = I, every row and column
     * gives log(1 + e^-1); symmetric or not, the loss is the same */
    const double I[] = {1, 0, 0, 1};
    ck_assert_int_eq(pl_infonce_batch(&l, ga, gp, I, I, 2, 2, 1.0, 0), PL_OK);
    ck_near(l, log1p(exp(-1.0)));
    ck_assert_int_eq(pl_infonce_batch(&l, ga, gp, I, I, 2, 2, 1.0, 1), PL_OK);
    ck_near(l, log1p(exp(-1.0)));
}
END_TEST

struct met_ctx { const int *same; size_t B, D, N; double m; int which; };

static int met_eval(double *loss, double *g, const double *x, const void *c)
{
    const struct met_ctx *m = c;
    size_t BD = m->B * m->D;
    switch (m->which) {
    case 0: return pl_triplet(loss, g, g ? g + BD : NULL, g ? g + 2 * BD : NULL,
                              x, x + BD, x + 2 * BD, m->B, m->D, m->m);
    case 1: return pl_contrastive(loss, g, g ? g + BD : NULL, x, x + BD, m->same,
                                  m->B, m->D, m->m);
    case 2: return pl_infonce(loss, g, g ? g + m->D : NULL, g ? g + 2 * m->D : NULL,
                              x, x + m->D, x + 2 * m->D, m->N, m->D, m->m);
    default: return pl_infonce_batch(loss, g, g ? g + BD : NULL, x, x + BD, m->B,
                                     m->D, m->m, m->which == 4);
    }
}

START_TEST(metric_gradients)
{
    const double x[] = {0.3, -1.1, 0.8, 1.4, -0.2, 0.9, -0.6, 0.2, 1.2, -0.5,
                        0.4, 0.7, -0.3, 1.1, 0.6, -0.9, 0.25, 0.15};
    /* triplet B=3, D=2, margin 0.5: the rows' hinge arguments are -2.2,
     * -1.06 and 0.135 (computed from x): two inactive, one active */
    struct met_ctx tr = {NULL, 3, 2, 0, 0.5, 0};
    double l, ga[6], gp[6], gn[6];
    ck_assert_int_eq(pl_triplet(&l, ga, gp, gn, x, x + 6, x + 12, 3, 2, 0.5), PL_OK);
    ck_assert_double_eq(ga[0], 0); /* row 0 inactive */
    ck_assert_double_ne(ga[4], 0); /* row 2 active */
    assert_grad(met_eval, &tr, x, 18);
    /* contrastive B=3, D=3, margin 1.5: a same pair; a different pair at
     * d = 2.16 (inactive) and one at d = 1.09 (active) */
    const int same[] = {1, 0, 0};
    struct met_ctx co = {same, 3, 3, 0, 1.5, 1};
    assert_grad(met_eval, &co, x, 18);
    struct met_ctx nce = {NULL, 0, 3, 4, 0.7, 2}; /* q, pos, 4 neg of D = 3 */
    assert_grad(met_eval, &nce, x, 18);
    struct met_ctx nb = {NULL, 3, 3, 0, 0.5, 3}, nbs = {NULL, 3, 3, 0, 0.5, 4};
    assert_grad(met_eval, &nb, x, 18);
    assert_grad(met_eval, &nbs, x, 18);
}
END_TEST

START_TEST(metric_stable_at_low_temperature)
{
    /* T = 0.01 with |q.k| up to ~10: logits ~1000 must not overflow */
    const double q[] = {3, 1, 2, -1}, k[] = {3, 1, 3, -1}, neg[] = {-3, -1, 2, 2, 0, 0};
    double l, gq[6], gk[6], gn[6];
    ck_assert_int_eq(pl_infonce(&l, gq, gk, gn, q, k, neg, 3, 2, 0.01), PL_OK);
    /* positive 10/T = 1000 beats the others (-1000, 800, 0) by 200: loss ~ e^-200 */
    ck_assert_double_eq_tol(l, 0, 1e-12);
    assert_finite(gq, 2); assert_finite(gk, 2); assert_finite(gn, 6);
    ck_assert_int_eq(pl_infonce_batch(&l, gq, gk, q, k, 2, 2, 0.01, 1), PL_OK);
    /* S/T = [[1000, 800], [500, 700]]: rows lose ~0 (diagonal wins by 200);
     * column 0 ~0, column 1 lse(800, 700) - 700 = 100 (+ e^-100);
     * symmetric: (0 + (0 + 100)/2) / 2 = 25 */
    ck_assert_double_eq_tol(l, 25, 1e-9);
    assert_finite(gq, 4); assert_finite(gk, 4);
    /* all-equal embeddings: logits equal, loss log(B) */
    const double e[] = {1, 1, 1, 1, 1, 1};
    ck_assert_int_eq(pl_infonce_batch(&l, gq, gk, e, e, 3, 2, 0.01, 0), PL_OK);
    ck_near(l, log(3.0));
}
END_TEST

START_TEST(metric_errors)
{
    const double ok[] = {1, 2, 3, 4}, bad[] = {1, NAN, 3, 4};
    const int same[] = {1, 0};
    double l, g[4];
    ck_assert_int_eq(pl_triplet(&l, g, g, g, ok, ok, bad, 2, 2, 1), PL_ENAN);
    ck_assert_int_eq(pl_triplet(&l, g, g, g, ok, ok, ok, 2, 0, 1), PL_EINVAL);
    ck_assert_int_eq(pl_contrastive(&l, g, g, ok, ok, NULL, 2, 2, 1), PL_EINVAL);
    ck_assert_int_eq(pl_contrastive(&l, g, g, ok, ok, same, 2, 2, -1), PL_EINVAL);
    ck_assert_int_eq(pl_contrastive(&l, g, g, bad, ok, same, 2, 2, 1), PL_ENAN);
    ck_assert_int_eq(pl_infonce(&l, g, g, g, ok, ok, ok, 1, 2, 0), PL_EINVAL);
    ck_assert_int_eq(pl_infonce(&l, g, g, g, ok, ok, NULL, 1, 2, 1), PL_EINVAL);
    ck_assert_int_eq(pl_infonce(&l, g, g, NULL, ok, ok, NULL, 0, 2, 1), PL_OK);
    ck_near(l, 0); /* only the positive: -log 1 */
    ck_assert_int_eq(pl_infonce(&l, g, g, g, ok, ok, bad, 2, 2, 1), PL_ENAN);
    ck_assert_int_eq(pl_infonce_batch(&l, g, g, ok, bad, 2, 2, 1, 0), PL_ENAN);
    ck_assert_int_eq(pl_infonce_batch(&l, g, g, ok, ok, 2, 2, INFINITY, 0), PL_EINVAL);
    ck_assert_int_eq(pl_infonce_batch(&l, g, g, ok, ok, 0, 2, 1, 0), PL_EINVAL);
}
END_TEST

/* ---- constraints --------------------------------------------------------- */

START_TEST(constraint_values_by_hand)
{
    double l, g[4], g2[4];
    const double x[] = {1, 2, 3};
    ck_assert_int_eq(pl_sum_to(&l, g, x, 3, 5.0), PL_OK); /* (6-5)^2, grad 2 */
    ck_near(l, 1); ck_near(g[0], 2); ck_near(g[2], 2);
    /* nonneg {-1,2,-3}: (1 + 0 + 9)/3; grad -2 relu(-x)/3 = {-2/3, 0, -2} */
    const double xn[] = {-1, 2, -3};
    ck_assert_int_eq(pl_nonneg(&l, g, xn, 3), PL_OK);
    ck_near(l, 10.0 / 3); ck_near(g[0], -2.0 / 3); ck_near(g[1], 0); ck_near(g[2], -2);
    /* bounds [0,1] on {-0.5, 0.5, 3}: (0.25 + 0 + 4)/3; grad {-1/3, 0, 4/3} */
    const double xb[] = {-0.5, 0.5, 3};
    ck_assert_int_eq(pl_bounds(&l, g, xb, 3, 0, 1), PL_OK);
    ck_near(l, 4.25 / 3); ck_near(g[0], -1.0 / 3); ck_near(g[1], 0); ck_near(g[2], 4.0 / 3);
    ck_assert_int_eq(pl_bounds(&l, g, xb, 3, -INFINITY, 1), PL_OK); /* one-sided */
    ck_near(l, 4.0 / 3);
    /* monotonic {0,2,1,3}: increasing violated once (2 -> 1 by 1): 1/3,
     * grad {0, 2/3, -2/3, 0}; decreasing violated by 2 and 2: 8/3 */
    const double xm[] = {0, 2, 1, 3};
    ck_assert_int_eq(pl_monotonic(&l, g, xm, 4, PL_INCREASING), PL_OK);
    ck_near(l, 1.0 / 3);
    ck_near(g[0], 0); ck_near(g[1], 2.0 / 3); ck_near(g[2], -2.0 / 3); ck_near(g[3], 0);
    ck_assert_int_eq(pl_monotonic(&l, g, xm, 4, PL_DECREASING), PL_OK);
    ck_near(l, 8.0 / 3);
    /* boundary {1,2,3,4} at {0,3} vs {0,5}: (1 + 1)/2 = 1; grad {1,0,0,-1} */
    const size_t idx[] = {0, 3};
    const double tv[] = {0, 5};
    const double xv[] = {1, 2, 3, 4};
    ck_assert_int_eq(pl_boundary_values(&l, g, xv, 4, idx, tv, 2), PL_OK);
    ck_near(l, 1); ck_near(g[0], 1); ck_near(g[1], 0); ck_near(g[3], -1);
    /* symmetry {1,2} vs {2,2}: 1; grads {-2,0}, {2,0} */
    const double f[] = {1, 2}, ff[] = {2, 2};
    ck_assert_int_eq(pl_symmetry(&l, g, g2, f, ff, 2), PL_OK);
    ck_near(l, 1); ck_near(g[0], -2); ck_near(g2[0], 2); ck_near(g[1], 0);
    /* smoothness {0,1,4,9} (x^2): second differences 2, 2: mean 4 */
    const double xs[] = {0, 1, 4, 9};
    ck_assert_int_eq(pl_smoothness(&l, g, xs, 4), PL_OK);
    ck_near(l, 4);
    /* conservation in {1,2}, out {0.5}: 2.5^2; grads 5 and -5 */
    const double out[] = {0.5};
    ck_assert_int_eq(pl_conservation(&l, g, g2, f, 2, out, 1), PL_OK);
    ck_near(l, 6.25); ck_near(g[1], 5); ck_near(g2[0], -5);
}
END_TEST

static int con_eval(double *loss, double *g, const double *x, const void *c)
{
    static const size_t idx[] = {0, 5, 5, 2};
    static const double tv[] = {0.1, -0.2, 0.3, 1.0};
    switch (*(const int *)c) {
    case 0: return pl_sum_to(loss, g, x, 6, 1.5);
    case 1: return pl_nonneg(loss, g, x, 6);
    case 2: return pl_bounds(loss, g, x, 6, -0.5, 0.6);
    case 3: return pl_monotonic(loss, g, x, 6, PL_INCREASING);
    case 4: return pl_monotonic(loss, g, x, 6, PL_DECREASING);
    case 5: return pl_boundary_values(loss, g, x, 6, idx, tv, 4);
    case 6: return pl_symmetry(loss, g, g ? g + 3 : NULL, x, x + 3, 3);
    case 7: return pl_smoothness(loss, g, x, 6);
    default: return pl_conservation(loss, g, g ? g + 4 : NULL, x, 4, x + 4, 2);
    }
}

START_TEST(constraint_gradients)
{
    /* values chosen > 1e-3 from every kink (0, bounds, equal neighbours):
     * some violate each constraint, some do not */
    const double x[] = {0.3, -1.1, 0.8, 1.4, -0.2, 0.9};
    for (int which = 0; which <= 8; which++)
        assert_grad(con_eval, &which, x, 6);
}
END_TEST

START_TEST(constraint_errors)
{
    const double ok[] = {1, 2, 3}, bad[] = {1, NAN, 3};
    const size_t idx[] = {3};
    double l, g[3];
    ck_assert_int_eq(pl_sum_to(&l, g, bad, 3, 1), PL_ENAN);
    ck_assert_int_eq(pl_sum_to(&l, g, ok, 3, NAN), PL_EINVAL);
    ck_assert_int_eq(pl_nonneg(&l, g, ok, 0), PL_EINVAL);
    ck_assert_int_eq(pl_bounds(&l, g, ok, 3, 2, 1), PL_EINVAL);
    ck_assert_int_eq(pl_bounds(&l, g, ok, 3, NAN, 1), PL_EINVAL);
    ck_assert_int_eq(pl_monotonic(&l, g, ok, 1, PL_INCREASING), PL_EINVAL);
    ck_assert_int_eq(pl_monotonic(&l, g, ok, 3, 0), PL_EINVAL);
    ck_assert_int_eq(pl_boundary_values(&l, g, ok, 3, idx, ok, 1), PL_EINVAL);
    ck_assert_int_eq(pl_boundary_values(&l, g, ok, 3, NULL, ok, 1), PL_EINVAL);
    ck_assert_int_eq(pl_symmetry(&l, g, g, ok, bad, 3), PL_ENAN);
    ck_assert_int_eq(pl_smoothness(&l, g, ok, 2), PL_EINVAL);
    ck_assert_int_eq(pl_conservation(&l, g, g, ok, 0, ok, 0), PL_EINVAL);
    ck_assert_int_eq(pl_conservation(&l, g, g, NULL, 0, ok, 3), PL_OK);
    ck_near(l, 36);
    ck_assert_int_eq(pl_conservation(&l, g, g, bad, 3, ok, 3), PL_ENAN);
}
END_TEST

static Suite *loss_structured_suite(void)
{
    Suite *s = suite_create("loss_structured");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, feature_values_by_hand);
    tcase_add_test(tc, feature_gradients);
    tcase_add_test(tc, feature_errors);
    tcase_add_test(tc, ranking_values_by_hand);
    tcase_add_test(tc, ranking_gradients);
    tcase_add_test(tc, ranking_stable_equal_and_extreme);
    tcase_add_test(tc, ranking_errors);
    tcase_add_test(tc, metric_values_by_hand);
    tcase_add_test(tc, metric_gradients);
    tcase_add_test(tc, metric_stable_at_low_temperature);
    tcase_add_test(tc, metric_errors);
    tcase_add_test(tc, constraint_values_by_hand);
    tcase_add_test(tc, constraint_gradients);
    tcase_add_test(tc, constraint_errors);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(loss_structured_suite)
