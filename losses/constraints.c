/* losses/constraints.c - soft-constraint penalties on a vector: sum to a
 * target, non-negativity, bounds, monotonicity, boundary values, symmetry,
 * smoothness, conservation. Hard projections are not offered. */
#include <math.h>
#include "pl_util.h"

/* Checks loss, n >= nmin, and x. */
static int check_x(const double *loss, const double *x, size_t n, size_t nmin)
{
    if (!loss || n < nmin)
        return PL_EINVAL;
    return pl_check(x, n);
}

int pl_sum_to(double *loss, double *grad, const double *x, size_t n,
              double target)
{
    if (!isfinite(target))
        return PL_EINVAL;
    int rc = check_x(loss, x, n, 1);
    if (rc)
        return rc;
    double s = -target;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *loss = s * s;
    if (grad)
        for (size_t i = 0; i < n; i++)
            grad[i] = 2.0 * s;
    return pl_result(loss);
}

int pl_nonneg(double *loss, double *grad, const double *x, size_t n)
{
    int rc = check_x(loss, x, n, 1);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = pl_relu(-x[i]);
        s += v * v;
        if (grad)
            grad[i] = -2.0 * v / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_bounds(double *loss, double *grad, const double *x, size_t n,
              double lower, double upper)
{
    if (isnan(lower) || isnan(upper) || !(lower <= upper))
        return PL_EINVAL;
    int rc = check_x(loss, x, n, 1);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double lo = pl_relu(lower - x[i]), hi = pl_relu(x[i] - upper);
        s += lo * lo + hi * hi;
        if (grad)
            grad[i] = 2.0 * (hi - lo) / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_monotonic(double *loss, double *grad, const double *x, size_t n,
                 int direction)
{
    if (direction != PL_INCREASING && direction != PL_DECREASING)
        return PL_EINVAL;
    int rc = check_x(loss, x, n, 2);
    if (rc)
        return rc;
    double s = 0.0, c = 1.0 / (double)(n - 1);
    if (grad)
        for (size_t i = 0; i < n; i++)
            grad[i] = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        /* violation v = relu(-direction (x_{i+1} - x_i)) */
        double v = pl_relu((double)direction * (x[i] - x[i + 1]));
        s += v * v;
        if (grad && v > 0) {
            grad[i] += 2.0 * c * v * (double)direction;
            grad[i + 1] -= 2.0 * c * v * (double)direction;
        }
    }
    *loss = s * c;
    return pl_result(loss);
}

int pl_boundary_values(double *loss, double *grad, const double *pred, size_t n,
                       const size_t *idx, const double *target, size_t m)
{
    if (!idx || m == 0)
        return PL_EINVAL;
    int rc = check_x(loss, pred, n, 1);
    if (!rc)
        rc = pl_check(target, m);
    if (rc)
        return rc;
    for (size_t j = 0; j < m; j++)
        if (idx[j] >= n)
            return PL_EINVAL;
    if (grad)
        for (size_t i = 0; i < n; i++)
            grad[i] = 0.0;
    double s = 0.0;
    for (size_t j = 0; j < m; j++) {
        double d = pred[idx[j]] - target[j];
        s += d * d;
        if (grad)
            grad[idx[j]] += 2.0 * d / (double)m;
    }
    *loss = s / (double)m;
    return pl_result(loss);
}

int pl_symmetry(double *loss, double *grad_f, double *grad_f_flip,
                const double *f, const double *f_flip, size_t n)
{
    int rc = check_x(loss, f, n, 1);
    if (!rc)
        rc = pl_check(f_flip, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = f[i] - f_flip[i];
        s += d * d;
        if (grad_f)
            grad_f[i] = 2.0 * d;
        if (grad_f_flip)
            grad_f_flip[i] = -2.0 * d;
    }
    *loss = s;
    return pl_result(loss);
}

int pl_smoothness(double *loss, double *grad, const double *x, size_t n)
{
    int rc = check_x(loss, x, n, 3);
    if (rc)
        return rc;
    double s = 0.0, c = 1.0 / (double)(n - 2);
    if (grad)
        for (size_t i = 0; i < n; i++)
            grad[i] = 0.0;
    for (size_t i = 1; i + 1 < n; i++) {
        double d = x[i - 1] - 2.0 * x[i] + x[i + 1];
        s += d * d;
        if (grad) {
            grad[i - 1] += 2.0 * c * d;
            grad[i] -= 4.0 * c * d;
            grad[i + 1] += 2.0 * c * d;
        }
    }
    *loss = s * c;
    return pl_result(loss);
}

int pl_conservation(double *loss, double *grad_in, double *grad_out,
                    const double *in, size_t n_in, const double *out,
                    size_t n_out)
{
    if (!loss || n_in + n_out == 0)
        return PL_EINVAL;
    int rc = n_in ? pl_check(in, n_in) : PL_OK;
    if (!rc && n_out)
        rc = pl_check(out, n_out);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n_in; i++)
        s += in[i];
    for (size_t i = 0; i < n_out; i++)
        s -= out[i];
    *loss = s * s;
    for (size_t i = 0; grad_in && i < n_in; i++)
        grad_in[i] = 2.0 * s;
    for (size_t i = 0; grad_out && i < n_out; i++)
        grad_out[i] = -2.0 * s;
    return pl_result(loss);
}
