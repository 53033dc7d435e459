/* tests/burgers_exact.h - the exact solution of the viscous Burgers benchmark
 * (u_t + u u_x = nu u_xx, u0 = -sin(pi x), u(+-1, t) = 0) by the Cole-Hopf
 * transform (Basdevant et al. 1986):
 *   u(x, t) = -int sin(pi (x - s)) f(x - s) G(s) ds / int f(x - s) G(s) ds,
 *   f(y) = exp(-cos(pi y) / (2 pi nu)),  G(s) = exp(-s^2 / (4 nu t)),
 * both integrals by the trapezoid rule in log-sum-exp form over s in
 * [-3, 3] (beyond, G is below exp(-700) of the peak for t <= 1) with 24
 * nodes per width of the narrower of f's and G's peaks. A test oracle, not
 * a solver: used by test_pde_e2e and bench/burgers_error. */
#ifndef PINN_BURGERS_EXACT_H
#define PINN_BURGERS_EXACT_H

#include <math.h>
#include <stddef.h>

static inline double burgers_exact(double x, double t, double nu)
{
    const double pi = 3.14159265358979323846;
    if (t <= 0)
        return -sin(pi * x);
    double a = 1.0 / (2 * pi * nu), w = sqrt(2 * nu * t), wf = 1.0 / (pi * sqrt(a));
    double h = (w < wf ? w : wf) / 24.0;
    size_t n = (size_t)(6.0 / h) + 1;
    /* the largest exponent, for log-sum-exp */
    double emax = -INFINITY;
    for (size_t i = 0; i <= n; i++) {
        double s = -3.0 + 6.0 * (double)i / (double)n;
        double e = -a * cos(pi * (x - s)) - s * s / (4 * nu * t);
        if (e > emax)
            emax = e;
    }
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i <= n; i++) {
        double s = -3.0 + 6.0 * (double)i / (double)n;
        double wgt = (i == 0 || i == n) ? 0.5 : 1.0;
        double g = wgt * exp(-a * cos(pi * (x - s)) - s * s / (4 * nu * t) - emax);
        num += sin(pi * (x - s)) * g;
        den += g;
    }
    return -num / den;
}

#endif
