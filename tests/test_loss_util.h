/* tests/test_loss_util.h - helpers shared by the libpinnloss suites: a
 * gradient assertion (independent central differences AND pl_gradcheck) and
 * finite-value checks. Test-only; not part of the library. */
#ifndef TEST_LOSS_UTIL_H
#define TEST_LOSS_UTIL_H
#include <check.h>
#include <math.h>
#include <string.h>
#include "pinnloss.h"

/* Central differences with h = 1e-6 on O(1) smooth functions are accurate to
 * ~1e-9 (truncation h^2 f''' ~ 1e-12, round-off eps |f| / h ~ 1e-10); errors
 * are relative above an absolute floor of 1e-3 so near-zero components do
 * not amplify round-off. 1e-6 leaves margin and still catches any wrong
 * factor, sign or missing term. */
#define GC_H 1e-6
#define GC_FLOOR 1e-3
#define GC_TOL 1e-6
#define GC_MAXN 512

/* A loss as a function of one flat vector x of all its differentiable
 * inputs; grad (NULL = skip) gets the flat gradient. */
typedef int (*eval_fn)(double *loss, double *grad, const double *x, const void *ctx);

struct gc_ctx { eval_fn f; const void *ctx; };

static inline double gc_value(const double *x, void *c)
{
    const struct gc_ctx *g = c;
    double l = NAN;
    return g->f(&l, NULL, x, g->ctx) == PL_OK ? l : NAN;
}

/* Asserts eval's gradient at x0 (n values) matches central differences,
 * computed here and by pl_gradcheck, and that x is restored exactly. */
static inline void assert_grad(eval_fn f, const void *ctx, const double *x0, size_t n)
{
    double x[GC_MAXN], grad[GC_MAXN], l, l2;
    ck_assert_uint_le(n, GC_MAXN);
    memcpy(x, x0, n * sizeof *x);
    ck_assert_int_eq(f(&l, grad, x, ctx), PL_OK);
    ck_assert_int_eq(f(&l2, NULL, x, ctx), PL_OK);
    ck_assert_double_eq(l, l2); /* NULL gradients change nothing */
    for (size_t i = 0; i < n; i++) {
        double xi = x[i], fp, fm;
        x[i] = xi + GC_H;
        ck_assert_int_eq(f(&fp, NULL, x, ctx), PL_OK);
        x[i] = xi - GC_H;
        ck_assert_int_eq(f(&fm, NULL, x, ctx), PL_OK);
        x[i] = xi;
        double fd = (fp - fm) / (2 * GC_H);
        double err = fabs(fd - grad[i]) / fmax(fmax(fabs(fd), fabs(grad[i])), GC_FLOOR);
        ck_assert_msg(err < GC_TOL, "component %zu: analytic %.12g, differences %.12g",
                      i, grad[i], fd);
    }
    struct gc_ctx gc = {f, ctx};
    double max_err;
    size_t worst;
    ck_assert_int_eq(pl_gradcheck(&max_err, &worst, gc_value, &gc, x, grad, n,
                                  GC_H, GC_FLOOR), PL_OK);
    ck_assert_msg(max_err < GC_TOL, "pl_gradcheck: %g at %zu", max_err, worst);
    ck_assert_int_eq(memcmp(x, x0, n * sizeof *x), 0);
}

static inline void assert_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(isfinite(x[i]), "entry %zu is %g", i, x[i]);
}

/* Hand-computed values are exact to a few ulps: 1e-12 absolute. */
#define HAND_TOL 1e-12
#define ck_near(a, b) ck_assert_double_eq_tol((a), (b), HAND_TOL)
#endif
