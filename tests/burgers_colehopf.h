/* tests/burgers_colehopf.h - an independent solution of viscous Burgers
 * u_t + u u_x = nu u_xx on [-1, 1], u0 = -sin(pi x), u(+-1, t) = 0, by the
 * Cole-Hopf transformation (Basdevant et al. 1986):
 *   u(x, t) = - I1 / I0,  Ik = int sin^k(pi (x - s)) exp(E(s)) ds,
 *   E(s) = -cos(pi (x - s)) / (2 pi nu) - s^2 / (4 nu t),
 * each integral by GSL's adaptive Gauss-Kronrod (QAG, 61 points) after
 * shifting E by its maximum, so nothing overflows. For the reference tests
 * and bench/ only: the solver does not use it. */
#ifndef PINN_BURGERS_COLEHOPF_H
#define PINN_BURGERS_COLEHOPF_H
#include <math.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>

typedef struct ch_ctx {
    double x, t, nu, shift;
    int k;
} ch_ctx;

static double ch_integrand(double s, void *vp)
{
    const ch_ctx *c = vp;
    double e = -cos(M_PI * (c->x - s)) / (2 * M_PI * c->nu) - s * s / (4 * c->nu * c->t) - c->shift;
    return (c->k ? sin(M_PI * (c->x - s)) : 1.0) * exp(e);
}

/* u(x, t) for t > 0; NAN when a quadrature fails. */
static double burgers_colehopf(double x, double t, double nu)
{
    ch_ctx c = {.x = x, .t = t, .nu = nu, .shift = -INFINITY};
    double w = sqrt(4 * nu * t * 300.0); /* exp(-300) beyond: nothing left */
    for (int i = 0; i <= 20000; i++) {
        double s = -w + 2 * w * i / 20000.0;
        double e = -cos(M_PI * (x - s)) / (2 * M_PI * nu) - s * s / (4 * nu * t);
        c.shift = fmax(c.shift, e);
    }
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    double I[2], abserr;
    int bad = !ws;
    for (int k = 0; k < 2 && !bad; k++) {
        c.k = k;
        gsl_function F = {ch_integrand, &c};
        /* I1 may be ~0 (u ~ 0): its absolute tolerance is relative to I0 */
        int st = gsl_integration_qag(&F, -w, w, k ? 1e-14 * I[0] : 0.0, 1e-12, 2000,
                                     GSL_INTEG_GAUSS61, ws, &I[k], &abserr);
        /* rounding may stop QAG short of the request; the estimate decides */
        bad = (st != 0 && st != GSL_EROUND) || !(abserr <= 1e-12 * (k ? I[0] : fabs(I[0])));
    }
    gsl_integration_workspace_free(ws);
    return bad ? NAN : -I[1] / I[0];
}

#endif
