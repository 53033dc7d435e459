/* losses/physics.c - residual losses of physics-informed training: the ODE
 * residual dy/dt - f(t, y) with its chain rule through df/dy, and a plain
 * residual MSE. Evaluating f and df/dy is the caller's (e.g. libmatheval). */
#include "pl_util.h"

int pl_ode_residual(double *loss, double *grad_dydt, double *grad_y,
                    const double *dydt, const double *f, const double *dfdy,
                    size_t N, size_t m)
{
    if (!loss || N == 0 || m == 0 || (grad_y && !dfdy))
        return PL_EINVAL;
    int rc = pl_check(dydt, N * m);
    if (!rc)
        rc = pl_check(f, N * m);
    if (!rc && grad_y)
        rc = pl_check(dfdy, N * m * m);
    if (rc)
        return rc;
    double s = 0.0, c = 2.0 / (double)(N * m);
    for (size_t p = 0; p < N; p++) {
        const double *J = grad_y ? dfdy + p * m * m : NULL;
        if (grad_y)
            for (size_t k = 0; k < m; k++)
                grad_y[p * m + k] = 0.0;
        for (size_t j = 0; j < m; j++) {
            double r = dydt[p * m + j] - f[p * m + j];
            s += r * r;
            if (grad_dydt)
                grad_dydt[p * m + j] = c * r;
            if (grad_y)
                for (size_t k = 0; k < m; k++)
                    grad_y[p * m + k] -= c * r * J[j * m + k];
        }
    }
    *loss = s / (double)(N * m);
    return pl_result(loss);
}

int pl_residual_mse(double *loss, double *grad_r, const double *r, size_t n)
{
    if (!loss || n == 0)
        return PL_EINVAL;
    int rc = pl_check(r, n);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        s += r[i] * r[i];
        if (grad_r)
            grad_r[i] = 2.0 * r[i] / (double)n;
    }
    *loss = s / (double)n;
    return pl_result(loss);
}
