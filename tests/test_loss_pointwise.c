/* tests/test_loss_pointwise.c - libpinnloss regression, classification,
 * adversarial and physics losses: hand-computed values, gradients against
 * central differences, large-logit stability and error codes. */
#include <check.h>
#include <math.h>
#include "check_main.h"
#include "pinnloss.h"
#include "test_loss_util.h"

/* ---- regression ---------------------------------------------------------- */

struct reg_ctx {
    int (*fn)(double *, double *, const double *, const double *, size_t);
    const double *target;
    size_t n;
};

static int reg_eval(double *loss, double *grad, const double *x, const void *c)
{
    const struct reg_ctx *r = c;
    return r->fn(loss, grad, x, r->target, r->n);
}

static int huber1(double *l, double *g, const double *p, const double *t, size_t n)
{
    return pl_huber(l, g, p, t, n, 1.0);
}

START_TEST(regression_values_by_hand)
{
    /* pred {1,2,3}, target {0,2,5}: d = {1,0,-2}
     * MSE = (1+0+4)/3 = 5/3, grad 2d/3 = {2/3, 0, -4/3}
     * MAE = (1+0+2)/3 = 1,    grad sign(d)/3 = {1/3, 0, -1/3} */
    const double p[] = {1, 2, 3}, t[] = {0, 2, 5};
    double l, g[3];
    ck_assert_int_eq(pl_mse(&l, g, p, t, 3), PL_OK);
    ck_near(l, 5.0 / 3);
    ck_near(g[0], 2.0 / 3); ck_near(g[1], 0); ck_near(g[2], -4.0 / 3);
    ck_assert_int_eq(pl_mae(&l, g, p, t, 3), PL_OK);
    ck_near(l, 1.0);
    ck_near(g[0], 1.0 / 3); ck_near(g[1], 0); ck_near(g[2], -1.0 / 3);
    /* Huber delta 1, d = {0.5, 3, -2}: 0.125 (quadratic), 1*(3-0.5) = 2.5 and
     * 1*(2-0.5) = 1.5 (linear); mean 4.125/3 = 1.375; grad {0.5, 1, -1}/3 */
    const double ph[] = {0.5, 3, -2}, z[] = {0, 0, 0};
    ck_assert_int_eq(pl_huber(&l, g, ph, z, 3, 1.0), PL_OK);
    ck_near(l, 1.375);
    ck_near(g[0], 0.5 / 3); ck_near(g[1], 1.0 / 3); ck_near(g[2], -1.0 / 3);
    /* log-cosh d = {0, 1}: (0 + log cosh 1)/2, cosh 1 = 1.5430806348152437 */
    const double pc[] = {0, 1};
    ck_assert_int_eq(pl_logcosh(&l, g, pc, z, 2), PL_OK);
    ck_near(l, 0.5 * log(1.5430806348152437));
    ck_near(g[0], 0); ck_near(g[1], tanh(1.0) / 2);
}
END_TEST

START_TEST(regression_gradients)
{
    /* |d| values stay > 1e-3 away from the kinks of MAE (0) and Huber (1) */
    const double p[] = {0.3, -1.7, 2.5, 0.05, -0.4}, t[] = {0.1, 0.2, -0.5, 0.9, -0.2};
    struct reg_ctx c[] = {{pl_mse, t, 5}, {pl_mae, t, 5}, {huber1, t, 5}, {pl_logcosh, t, 5}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        assert_grad(reg_eval, &c[i], p, 5);
}
END_TEST

START_TEST(logcosh_is_stable_for_large_residuals)
{
    /* log cosh(+-1000) = 1000 - log 2 exactly in double; cosh itself overflows */
    const double p[] = {1000, -1000}, t[] = {0, 0};
    double l, g[2];
    ck_assert_int_eq(pl_logcosh(&l, g, p, t, 2), PL_OK);
    ck_assert_double_eq_tol(l, 1000 - log(2.0), 1e-10);
    ck_near(g[0], 0.5); ck_near(g[1], -0.5);
}
END_TEST

START_TEST(regression_errors)
{
    const double p[] = {1, NAN}, t[] = {0, 0}, q[] = {1, INFINITY};
    double l = 7, g[2];
    ck_assert_int_eq(pl_mse(NULL, g, t, t, 2), PL_EINVAL);
    ck_assert_int_eq(pl_mse(&l, g, NULL, t, 2), PL_EINVAL);
    ck_assert_int_eq(pl_mse(&l, g, t, NULL, 2), PL_EINVAL);
    ck_assert_int_eq(pl_mse(&l, g, t, t, 0), PL_EINVAL);
    ck_assert_int_eq(pl_mse(&l, g, p, t, 2), PL_ENAN);
    ck_assert_int_eq(pl_mae(&l, g, t, q, 2), PL_ENAN);
    ck_assert_int_eq(pl_logcosh(&l, g, p, t, 2), PL_ENAN);
    ck_assert_int_eq(pl_huber(&l, g, t, t, 2, 0.0), PL_EINVAL);
    ck_assert_int_eq(pl_huber(&l, g, t, t, 2, NAN), PL_EINVAL);
    ck_assert_int_eq(pl_huber(&l, g, p, t, 2, 1.0), PL_ENAN);
    ck_assert_double_eq(l, 7); /* nothing written on error */
}
END_TEST

/* ---- classification ------------------------------------------------------ */

struct cls_ctx { const int *labels; const double *targets; size_t B, K; double a, b; int which; };

static int cls_eval(double *loss, double *grad, const double *x, const void *c)
{
    const struct cls_ctx *s = c;
    switch (s->which) {
    case 0: return pl_softmax_xent(loss, grad, x, s->labels, s->B, s->K);
    case 1: return pl_bce_logits(loss, grad, x, s->targets, s->B);
    case 2: return pl_hinge_multiclass(loss, grad, x, s->labels, s->B, s->K, s->a);
    default: return pl_focal_logits(loss, grad, x, s->targets, s->B, s->a, s->b);
    }
}

START_TEST(classification_values_by_hand)
{
    /* softmax CE, B=2, K=3. row 0 {0,0,0}, label 0: log 3. row 1 {1,2,3},
     * label 2: log(e + e^2 + e^3) - 3 = log(1 + e^-1 + e^-2) = log 1.5032147244080551.
     * grad row 0 = ({1/3,1/3,1/3} - {1,0,0})/2 = {-1/3, 1/6, 1/6}. */
    const double z[] = {0, 0, 0, 1, 2, 3};
    const int y[] = {0, 2};
    double l, g[6];
    ck_assert_int_eq(pl_softmax_xent(&l, g, z, y, 2, 3), PL_OK);
    ck_near(l, 0.5 * (log(3.0) + log(1.5032147244080551)));
    ck_near(g[0], -1.0 / 3); ck_near(g[1], 1.0 / 6); ck_near(g[2], 1.0 / 6);
    ck_near(g[3] + g[4] + g[5], 0); /* each row of softmax - onehot sums to 0 */

    /* BCE: (z=0,y=1): log 2; (z=2,y=0): 2 + log1p(e^-2); grads (sigmoid - y)/2 */
    const double zb[] = {0, 2}, yb[] = {1, 0};
    ck_assert_int_eq(pl_bce_logits(&l, g, zb, yb, 2), PL_OK);
    ck_near(l, 0.5 * (log(2.0) + 2 + log1p(exp(-2.0))));
    ck_near(g[0], -0.25); ck_near(g[1], 0.5 / (1 + exp(-2.0)));

    /* Weston-Watkins hinge, margin 1. row 0 {2,1.5,-1} label 0: j=1 1+1.5-2 = 0.5
     * (active), j=2 1-1-2 = -2 (inactive). row 1 {5,1,0} label 0: both inactive.
     * mean 0.25; grad row 0 {-1, 1, 0}/2, row 1 zero. */
    const double zh[] = {2, 1.5, -1, 5, 1, 0};
    const int yh[] = {0, 0};
    ck_assert_int_eq(pl_hinge_multiclass(&l, g, zh, yh, 2, 3, 1.0), PL_OK);
    ck_near(l, 0.25);
    ck_near(g[0], -0.5); ck_near(g[1], 0.5); ck_near(g[2], 0);
    ck_near(g[3], 0); ck_near(g[4], 0); ck_near(g[5], 0);

    /* focal gamma 2, alpha 0.25 at z = 0 (p_t = 0.5): y=1 -> 0.25*0.25*log 2,
     * y=0 -> 0.75*0.25*log 2; mean = 0.5 * 0.25 * log 2 */
    const double zf[] = {0, 0}, yf[] = {1, 0};
    ck_assert_int_eq(pl_focal_logits(&l, g, zf, yf, 2, 2.0, 0.25), PL_OK);
    ck_near(l, 0.125 * log(2.0));
}
END_TEST

START_TEST(focal_with_gamma_0_is_half_bce)
{
    /* gamma 0, alpha 0.5: -0.5 log p_t per element, i.e. BCE / 2, and so
     * are the gradients */
    const double z[] = {-3, -0.2, 0.7, 4}, y[] = {1, 0, 1, 0};
    double lf, lb, gf[4], gb[4];
    ck_assert_int_eq(pl_focal_logits(&lf, gf, z, y, 4, 0.0, 0.5), PL_OK);
    ck_assert_int_eq(pl_bce_logits(&lb, gb, z, y, 4), PL_OK);
    ck_near(lf, 0.5 * lb);
    for (int i = 0; i < 4; i++)
        ck_near(gf[i], 0.5 * gb[i]);
}
END_TEST

START_TEST(classification_gradients)
{
    const double z[] = {0.3, -1.2, 2.0, 0.5, 0.1, -0.7, 1.1, 0.4};
    const int y[] = {2, 0};
    const double t[] = {1, 0, 1, 1, 0, 0, 1, 0}, soft[] = {0.2, 0.9, 0.5, 1, 0, 0.3, 0.7, 0.1};
    struct cls_ctx c[] = {
        {y, NULL, 2, 4, 0, 0, 0},
        {NULL, soft, 8, 1, 0, 0, 1},
        /* margins 1: row 0 {0.3,-1.2,2.0,0.5} y=2: terms -0.7, -2.2, -0.5 all
         * inactive; row 1 {0.1,-0.7,1.1,0.4} y=0: 0.2, 2.0, 1.3 all active:
         * both states covered, all > 1e-3 from the kink */
        {y, NULL, 2, 4, 1.0, 0, 2},
        {NULL, t, 8, 1, 2.0, 0.25, 3},
        {NULL, t, 8, 1, 0.5, 0.8, 3},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        assert_grad(cls_eval, &c[i], z, 8);
}
END_TEST

START_TEST(classification_stable_at_large_logits)
{
    /* logits +-1000: softmax CE = 1000 - (-1000) = 2000 for the wrong label;
     * BCE of (1000, y=0) = 1000, (-1000, y=0) = log1p(e^-1000) = 0 */
    const double z[] = {1000, -1000, 0};
    const int y[] = {1};
    double l, g[4];
    ck_assert_int_eq(pl_softmax_xent(&l, g, z, y, 1, 3), PL_OK);
    ck_assert_double_eq_tol(l, 2000, 1e-9);
    ck_near(g[0], 1); ck_near(g[1], -1); ck_near(g[2], 0);
    const double zb[] = {1000, -1000}, yb[] = {0, 0};
    ck_assert_int_eq(pl_bce_logits(&l, g, zb, yb, 2), PL_OK);
    ck_assert_double_eq_tol(l, 500, 1e-9);
    ck_near(g[0], 0.5); ck_near(g[1], 0);
    const double yf[] = {1, 1};
    ck_assert_int_eq(pl_focal_logits(&l, g, zb, yf, 2, 2.0, 0.25), PL_OK);
    /* (1000,y=1): ~0; (-1000,y=1): 0.25 * 1^2 * 1000, mean 125 */
    ck_assert_double_eq_tol(l, 125, 1e-9);
    assert_finite(g, 2);
    ck_near(g[1], -0.125);
    /* all-equal logits: uniform softmax */
    const double e[] = {7, 7, 7, 7};
    const int y0[] = {3};
    ck_assert_int_eq(pl_softmax_xent(&l, g, e, y0, 1, 4), PL_OK);
    ck_near(l, log(4.0));
}
END_TEST

START_TEST(classification_errors)
{
    const double z[] = {0, 1, NAN}, t[] = {0, 1, 0}, t2[] = {0, 2, 0}, th[] = {0, 0.5, 1};
    const double ok[] = {0, 1, 2};
    const int y[] = {0}, ybad[] = {3}, yneg[] = {-1};
    double l, g[3];
    ck_assert_int_eq(pl_softmax_xent(&l, g, z, y, 1, 3), PL_ENAN);
    ck_assert_int_eq(pl_softmax_xent(&l, g, ok, ybad, 1, 3), PL_EINVAL);
    ck_assert_int_eq(pl_softmax_xent(&l, g, ok, yneg, 1, 3), PL_EINVAL);
    ck_assert_int_eq(pl_softmax_xent(&l, g, ok, NULL, 1, 3), PL_EINVAL);
    ck_assert_int_eq(pl_softmax_xent(&l, g, ok, y, 0, 3), PL_EINVAL);
    ck_assert_int_eq(pl_softmax_xent(&l, g, ok, y, 1, 0), PL_EINVAL);
    ck_assert_int_eq(pl_bce_logits(&l, g, ok, t2, 3), PL_EINVAL);
    ck_assert_int_eq(pl_bce_logits(&l, g, z, t, 3), PL_ENAN);
    ck_assert_int_eq(pl_hinge_multiclass(&l, g, ok, y, 1, 3, -1.0), PL_EINVAL);
    ck_assert_int_eq(pl_focal_logits(&l, g, ok, th, 3, 2.0, 0.25), PL_EINVAL);
    ck_assert_int_eq(pl_focal_logits(&l, g, ok, t, 3, -1.0, 0.25), PL_EINVAL);
    ck_assert_int_eq(pl_focal_logits(&l, g, ok, t, 3, 2.0, 1.5), PL_EINVAL);
    ck_assert_int_eq(pl_focal_logits(&l, g, z, t, 3, 2.0, 0.25), PL_ENAN);
}
END_TEST

/* ---- adversarial --------------------------------------------------------- */

typedef int (*d_fn)(double *, double *, double *, const double *, size_t,
                    const double *, size_t);
struct adv_ctx { d_fn d; size_t nr, nf; };

static int adv_eval(double *loss, double *grad, const double *x, const void *c)
{
    const struct adv_ctx *a = c;
    return a->d(loss, grad, grad ? grad + a->nr : NULL, x, a->nr, x + a->nr, a->nf);
}

START_TEST(adversarial_values_by_hand)
{
    double l, gr[2], gf[2];
    /* GAN D: real {0, 2}: mean(softplus(0), softplus(-2)) = (log 2 + log1p(e^-2))/2;
     * fake {0}: softplus(0) = log 2. grad real -sigmoid(-r)/2: {-0.25, ...} */
    const double r[] = {0, 2}, f0[] = {0};
    ck_assert_int_eq(pl_gan_d(&l, gr, gf, r, 2, f0, 1), PL_OK);
    ck_near(l, 0.5 * (log(2.0) + log1p(exp(-2.0))) + log(2.0));
    ck_near(gr[0], -0.25); ck_near(gf[0], 0.5);
    ck_assert_int_eq(pl_gan_g(&l, gf, f0, 1), PL_OK);
    ck_near(l, log(2.0)); ck_near(gf[0], -0.5);
    /* WGAN critic: real {1, 3}, fake {0.5}: 0.5 - 2 = -1.5; G on {1, 2}: -1.5 */
    const double rw[] = {1, 3}, fw[] = {0.5}, fg[] = {1, 2};
    ck_assert_int_eq(pl_wgan_d(&l, gr, gf, rw, 2, fw, 1), PL_OK);
    ck_near(l, -1.5); ck_near(gr[0], -0.5); ck_near(gr[1], -0.5); ck_near(gf[0], 1);
    ck_assert_int_eq(pl_wgan_g(&l, gf, fg, 2), PL_OK);
    ck_near(l, -1.5); ck_near(gf[0], -0.5);
    /* hinge D: real {0.5, 2}: relu(0.5), relu(-1) -> 0.25; fake {-0.5, -2}:
     * relu(0.5), relu(-1) -> 0.25; total 0.5 (one margin active, one not) */
    const double rh[] = {0.5, 2}, fh[] = {-0.5, -2};
    ck_assert_int_eq(pl_hinge_d(&l, gr, gf, rh, 2, fh, 2), PL_OK);
    ck_near(l, 0.5);
    ck_near(gr[0], -0.5); ck_near(gr[1], 0); ck_near(gf[0], 0.5); ck_near(gf[1], 0);
    ck_assert_int_eq(pl_hinge_g(&l, gf, fg, 2), PL_OK);
    ck_near(l, -1.5);
    /* LSGAN D: real {1,3}: 0.5 mean(0, 4) = 1; fake {0, 2}: 0.5 mean(0, 4) = 1 */
    const double fl[] = {0, 2};
    ck_assert_int_eq(pl_lsgan_d(&l, gr, gf, rw, 2, fl, 2), PL_OK);
    ck_near(l, 2.0);
    ck_near(gr[0], 0); ck_near(gr[1], 1); ck_near(gf[0], 0); ck_near(gf[1], 1);
    ck_assert_int_eq(pl_lsgan_g(&l, gf, fl, 2), PL_OK); /* 0.5 mean(1, 1) */
    ck_near(l, 0.5); ck_near(gf[0], -0.5); ck_near(gf[1], 0.5);
}
END_TEST

static int gan_g_d(double *l, double *gr, double *gf, const double *r, size_t nr,
                   const double *f, size_t nf)
{
    (void)r;
    for (size_t i = 0; gr && i < nr; i++)
        gr[i] = 0.0; /* G does not depend on real */
    return pl_gan_g(l, gf, f, nf);
}

static int lsgan_g_d(double *l, double *gr, double *gf, const double *r, size_t nr,
                     const double *f, size_t nf)
{
    (void)r;
    for (size_t i = 0; gr && i < nr; i++)
        gr[i] = 0.0;
    return pl_lsgan_g(l, gf, f, nf);
}

START_TEST(adversarial_gradients)
{
    /* hinge arguments 1 - r and 1 + f: {0.5, -1}, {1.7, 0.2}: both states */
    const double x[] = {0.5, 2.0, -0.3, 0.7, -1.2};
    struct adv_ctx c[] = {{pl_gan_d, 2, 3}, {pl_wgan_d, 2, 3}, {pl_hinge_d, 2, 3},
                          {pl_lsgan_d, 2, 3}, {gan_g_d, 2, 3}, {lsgan_g_d, 2, 3}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        assert_grad(adv_eval, &c[i], x, 5);
}
END_TEST

START_TEST(adversarial_stable_and_errors)
{
    const double big[] = {1000, -1000}, nan[] = {NAN};
    double l, gr[2], gf[2];
    /* real {1000,-1000}: (0 + 1000)/2; fake {1000,-1000}: (1000 + 0)/2 */
    ck_assert_int_eq(pl_gan_d(&l, gr, gf, big, 2, big, 2), PL_OK);
    ck_assert_double_eq_tol(l, 1000, 1e-9);
    assert_finite(gr, 2); assert_finite(gf, 2);
    ck_assert_int_eq(pl_gan_g(&l, gf, big, 2), PL_OK);
    ck_assert_double_eq_tol(l, 500, 1e-9);
    ck_assert_int_eq(pl_gan_d(&l, gr, gf, big, 0, big, 2), PL_EINVAL);
    ck_assert_int_eq(pl_gan_d(&l, gr, gf, big, 2, NULL, 2), PL_EINVAL);
    ck_assert_int_eq(pl_wgan_d(&l, gr, gf, big, 2, nan, 1), PL_ENAN);
    ck_assert_int_eq(pl_hinge_g(NULL, gf, big, 2), PL_EINVAL);
    ck_assert_int_eq(pl_lsgan_g(&l, gf, nan, 1), PL_ENAN);
}
END_TEST

/* ---- physics ------------------------------------------------------------- */

START_TEST(ode_residual_by_hand)
{
    /* N=2, m=2. r = dydt - f = {1,0, 2,3}: mean r^2 = 14/4 = 3.5.
     * grad_y[p][k] = -2/4 sum_j r[p][j] J[p][j][k]:
     * p0: -0.5 (1*{1,2} + 0*{3,4}) = {-0.5,-1}; p1: -0.5 (2*{0,1} + 3*{-1,0}) = {1.5,-1} */
    const double dydt[] = {1, 2, 3, 4}, f[] = {0, 2, 1, 1};
    const double J[] = {1, 2, 3, 4, 0, 1, -1, 0};
    double l, gd[4], gy[4];
    ck_assert_int_eq(pl_ode_residual(&l, gd, gy, dydt, f, J, 2, 2), PL_OK);
    ck_near(l, 3.5);
    ck_near(gd[0], 0.5); ck_near(gd[3], 1.5);
    ck_near(gy[0], -0.5); ck_near(gy[1], -1); ck_near(gy[2], 1.5); ck_near(gy[3], -1);
    const double r[] = {1, -2};
    ck_assert_int_eq(pl_residual_mse(&l, gd, r, 2), PL_OK);
    ck_near(l, 2.5); ck_near(gd[0], 1); ck_near(gd[1], -2);
}
END_TEST

/* x = [dydt (N x 2), y (N x 2)]; f(y) = (y0 y1, sin y0 - y1^2) gives f and
 * df/dy, so the y-gradient tests the chain rule through dfdy. */
static int ode_eval(double *loss, double *grad, const double *x, const void *c)
{
    size_t N = *(const size_t *)c;
    double f[16], J[32];
    const double *y = x + 2 * N;
    for (size_t p = 0; p < N; p++) {
        double a = y[2 * p], b = y[2 * p + 1];
        f[2 * p] = a * b;
        f[2 * p + 1] = sin(a) - b * b;
        double *Jp = J + 4 * p;
        Jp[0] = b; Jp[1] = a; Jp[2] = cos(a); Jp[3] = -2 * b;
    }
    return pl_ode_residual(loss, grad, grad ? grad + 2 * N : NULL, x, f, J, N, 2);
}

static int rmse_eval(double *loss, double *grad, const double *x, const void *c)
{
    (void)c;
    return pl_residual_mse(loss, grad, x, 5);
}

START_TEST(physics_gradients_and_errors)
{
    size_t N = 3;
    const double x[] = {0.1, -0.4, 1.2, 0.3, -0.8, 0.5, 0.7, 1.1, -0.3, 0.6, 1.5, -0.9};
    assert_grad(ode_eval, &N, x, 12);
    assert_grad(rmse_eval, NULL, x, 5);
    double l, g[4];
    const double bad[] = {1, NAN, 0, 0};
    ck_assert_int_eq(pl_ode_residual(&l, g, g, x, x, NULL, 2, 2), PL_EINVAL);
    ck_assert_int_eq(pl_ode_residual(&l, g, NULL, x, x, NULL, 2, 2), PL_OK);
    ck_assert_int_eq(pl_ode_residual(&l, g, NULL, x, x, NULL, 0, 2), PL_EINVAL);
    ck_assert_int_eq(pl_ode_residual(&l, g, NULL, bad, x, NULL, 2, 2), PL_ENAN);
    ck_assert_int_eq(pl_residual_mse(&l, g, bad, 4), PL_ENAN);
    ck_assert_int_eq(pl_residual_mse(&l, g, x, 0), PL_EINVAL);
}
END_TEST

/* Issue 19: finite inputs whose loss overflows return PL_ERANGE, not inf
 * or nan with PL_OK; the same losses on ordinary inputs still succeed. */
START_TEST(overflow_is_an_error)
{
    double loss, g[4], g2[4], g3[8];
    const double big[2] = {1e200, -1e200}, zero[2] = {0.0, 0.0}, one[2] = {1.0, 0.5};
    ck_assert_int_eq(pl_mse(&loss, g, big, zero, 2), PL_ERANGE);
    ck_assert_int_eq(pl_residual_mse(&loss, g, big, 2), PL_ERANGE);
    ck_assert_int_eq(pl_mse(&loss, g, one, zero, 2), PL_OK);
    const double huge[2] = {1.7e308, -1.7e308};
    ck_assert_int_eq(pl_mae(&loss, g, huge, (const double[]){-1.7e308, 1.7e308}, 2), PL_ERANGE);
    /* logits q.k / T overflow; and with small logits only the gradients
     * (d0 k / T) do */
    const double q[2] = {1e5, 1e5}, pos[2] = {1e4, 1e4}, neg[4] = {1e4, 0.0, 0.0, 1e4};
    ck_assert_int_eq(pl_infonce(&loss, g, g2, g3, q, pos, neg, 2, 2, 1e-300), PL_ERANGE);
    const double qs[2] = {1e-8, 0.0}, ps[2] = {1e-8, 1e300}, ns[2] = {0.0, 0.0};
    ck_assert_int_eq(pl_infonce(&loss, g, g2, g3, qs, ps, ns, 1, 2, 1e-10), PL_ERANGE);
    ck_assert(isfinite(loss));
    ck_assert_int_eq(pl_infonce(&loss, g, g2, g3, q, pos, neg, 2, 2, 0.1), PL_OK);
    ck_assert_int_eq(pl_infonce_batch(&loss, g, g2, neg, neg, 2, 2, 1e-305, 1), PL_ERANGE);
    ck_assert_str_eq(pl_strerror(PL_ERANGE), "result overflows (finite inputs, non-finite loss)");
}
END_TEST

static Suite *loss_pointwise_suite(void)
{
    Suite *s = suite_create("loss_pointwise");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, regression_values_by_hand);
    tcase_add_test(tc, regression_gradients);
    tcase_add_test(tc, logcosh_is_stable_for_large_residuals);
    tcase_add_test(tc, regression_errors);
    tcase_add_test(tc, classification_values_by_hand);
    tcase_add_test(tc, focal_with_gamma_0_is_half_bce);
    tcase_add_test(tc, classification_gradients);
    tcase_add_test(tc, classification_stable_at_large_logits);
    tcase_add_test(tc, classification_errors);
    tcase_add_test(tc, adversarial_values_by_hand);
    tcase_add_test(tc, adversarial_gradients);
    tcase_add_test(tc, adversarial_stable_and_errors);
    tcase_add_test(tc, ode_residual_by_hand);
    tcase_add_test(tc, physics_gradients_and_errors);
    tcase_add_test(tc, overflow_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(loss_pointwise_suite)
