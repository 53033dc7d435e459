/* losses/regression.c - pointwise regression losses (MSE, MAE, Huber,
 * log-cosh) with gradients w.r.t. the prediction. Not for residuals of
 * equations (physics.c) or for weighting several losses (weighting.c). */
#include <math.h>
#include "pl_util.h"

/* Shared checks of the four losses: pointers, n, finite inputs. */
static int check_pair(const double *loss, const double *pred,
                      const double *target, size_t n)
{
    if (!loss || n == 0)
        return PL_EINVAL;
    int rc = pl_check(pred, n);
    return rc ? rc : pl_check(target, n);
}

int pl_mse(double *loss, double *grad_pred, const double *pred,
           const double *target, size_t n)
{
    int rc = check_pair(loss, pred, target, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = pred[i] - target[i];
        s += d * d;
        if (grad_pred)
            grad_pred[i] = 2.0 * d / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_mae(double *loss, double *grad_pred, const double *pred,
           const double *target, size_t n)
{
    int rc = check_pair(loss, pred, target, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = pred[i] - target[i];
        s += fabs(d);
        if (grad_pred)
            grad_pred[i] = (d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_huber(double *loss, double *grad_pred, const double *pred,
             const double *target, size_t n, double delta)
{
    if (!pl_pos(delta))
        return PL_EINVAL;
    int rc = check_pair(loss, pred, target, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = pred[i] - target[i], a = fabs(d), g;
        if (a <= delta) {
            s += 0.5 * d * d;
            g = d;
        } else {
            s += delta * (a - 0.5 * delta);
            g = d > 0 ? delta : -delta;
        }
        if (grad_pred)
            grad_pred[i] = g / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}

int pl_logcosh(double *loss, double *grad_pred, const double *pred,
               const double *target, size_t n)
{
    int rc = check_pair(loss, pred, target, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = pred[i] - target[i], a = fabs(d);
        /* log cosh d = |d| + log((1 + exp(-2|d|)) / 2): no overflow */
        s += a + log1p(exp(-2.0 * a)) - PL_LN2;
        if (grad_pred)
            grad_pred[i] = tanh(d) / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}
