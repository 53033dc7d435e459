/* losses/pl_util.h - private helpers shared by the libpinnloss sources:
 * argument checks and numerically stable scalar functions. Not installed
 * (the install rule copies pinnloss*.h only) and not part of the API. */
#ifndef PL_UTIL_H
#define PL_UTIL_H
#include <math.h>
#include <stddef.h>
#include "pinnloss.h"

#define PL_LN2 0.69314718055994530942

/* 1 when all n entries of x are finite. */
static inline int pl_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* PL_EINVAL for a NULL array, PL_ENAN for a non-finite entry, else PL_OK. */
static inline int pl_check(const double *x, size_t n)
{
    if (!x)
        return PL_EINVAL;
    return pl_finite(x, n) ? PL_OK : PL_ENAN;
}

/* The return of a loss whose inputs were finite: PL_ERANGE when the result
 * overflowed anyway (|x| ~ 1e200 squared, a temperature of 1e-300). */
static inline int pl_result(const double *loss)
{
    return isfinite(*loss) ? PL_OK : PL_ERANGE;
}

/* pl_result, and the same for up to three gradients (NULL: not computed),
 * for losses whose gradients can overflow while the loss does not (a
 * division by a temperature). */
static inline int pl_result_grads(const double *loss, const double *g1, size_t n1,
                                  const double *g2, size_t n2, const double *g3, size_t n3)
{
    if ((g1 && !pl_finite(g1, n1)) || (g2 && !pl_finite(g2, n2)) || (g3 && !pl_finite(g3, n3)))
        return PL_ERANGE;
    return pl_result(loss);
}

/* log(1 + exp(z)) without overflow or loss of precision for large |z|. */
static inline double pl_softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* 1 / (1 + exp(-z)) without overflow. */
static inline double pl_sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

static inline double pl_relu(double z) { return z > 0 ? z : 0.0; }

/* Finite and positive / non-negative parameter tests. */
static inline int pl_pos(double v) { return isfinite(v) && v > 0; }
static inline int pl_nonneg_param(double v) { return isfinite(v) && v >= 0; }

/* Dot product of two length-n vectors. */
static inline double pl_dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* logsumexp of n >= 1 values with stride 1, max subtracted. */
static inline double pl_logsumexp(const double *z, size_t n)
{
    double m = z[0];
    for (size_t i = 1; i < n; i++)
        if (z[i] > m)
            m = z[i];
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += exp(z[i] - m);
    return m + log(s);
}
#endif
