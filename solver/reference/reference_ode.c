/* solver/reference/reference_ode.c - the ODE reference of reference.h: a
 * gsl_odeiv2_driver with a step type chosen by name, stopped exactly at
 * each output time. Not an ODE library of its own: GSL does the stepping
 * and the error control. */
#include "reference/reference.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

const ode_stepper ode_steppers[] = {
    {"rk8pd", &gsl_odeiv2_step_rk8pd, 0},   {"rkf45", &gsl_odeiv2_step_rkf45, 0},
    {"rkck", &gsl_odeiv2_step_rkck, 0},     {"rk4", &gsl_odeiv2_step_rk4, 0},
    {"rk2", &gsl_odeiv2_step_rk2, 0},       {"msadams", &gsl_odeiv2_step_msadams, 0},
    {"msbdf", &gsl_odeiv2_step_msbdf, 1},   {"bsimp", &gsl_odeiv2_step_bsimp, 1},
    {"rk4imp", &gsl_odeiv2_step_rk4imp, 1}, {"rk2imp", &gsl_odeiv2_step_rk2imp, 1},
    {"rk1imp", &gsl_odeiv2_step_rk1imp, 1}, {NULL, NULL, 0},
};

const ode_stepper *ode_stepper_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const ode_stepper *s = ode_steppers; s->name != NULL; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static int ode_fail(char *err, size_t cap, int code, const char *fmt, ...)
{
    if (err != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* GSL calls these with the ode_spec as params. A callback's failure stops
 * the driver (GSL_EBADFUNC). A non-finite derivative is GSL_FAILURE, which
 * makes GSL retry the step with half the size: an explicit method's trial
 * step on a stiff problem can overflow without the solution doing so. */
static int ode_gsl_rhs(double t, const double y[], double f[], void *params)
{
    const ode_spec *p = params;
    if (p->rhs(t, y, f, p->ctx) != 0)
        return GSL_EBADFUNC;
    for (size_t i = 0; i < p->m; i++)
        if (!isfinite(f[i]))
            return GSL_FAILURE;
    return GSL_SUCCESS;
}

static int ode_gsl_jac(double t, const double y[], double *dfdy, double dfdt[], void *params)
{
    const ode_spec *p = params;
    return p->jac(t, y, dfdy, dfdt, p->ctx) != 0 ? GSL_EBADFUNC : GSL_SUCCESS;
}

static int ode_check(const ode_spec *p, const ode_stepper *st, const char *name, double epsabs,
                     double epsrel, const double *ts, size_t nts, char *err, size_t cap)
{
    if (p == NULL || p->rhs == NULL)
        return ode_fail(err, cap, REFERENCE_EINVAL, "ode: no right-hand side given");
    if (p->m == 0 || p->y0 == NULL)
        return ode_fail(err, cap, REFERENCE_EINVAL, "ode: need m >= 1 equations and y0");
    if (st == NULL)
        return ode_fail(err, cap, REFERENCE_EINVAL, "ode: unknown stepper '%s'", name);
    if (st->needs_jac && p->jac == NULL)
        return ode_fail(err, cap, REFERENCE_EINVAL, "ode: stepper '%s' needs the Jacobian",
                        st->name);
    if (!(epsabs >= 0.0 && epsrel >= 0.0) || !isfinite(epsabs) || !isfinite(epsrel)
        || (epsabs == 0.0 && epsrel == 0.0))
        return ode_fail(err, cap, REFERENCE_EINVAL,
                        "ode: epsabs and epsrel must be >= 0 and not both 0 (got %g, %g)", epsabs,
                        epsrel);
    if (!isfinite(p->t0))
        return ode_fail(err, cap, REFERENCE_EINVAL, "ode: t0 is not finite");
    for (size_t i = 0; i < p->m; i++)
        if (!isfinite(p->y0[i]))
            return ode_fail(err, cap, REFERENCE_EINVAL, "ode: y0[%zu] is not finite", i);
    if (nts > 0 && ts == NULL)
        return ode_fail(err, cap, REFERENCE_EINVAL, "ode: no output times");
    for (size_t k = 0; k < nts; k++) {
        if (!isfinite(ts[k]) || ts[k] < p->t0)
            return ode_fail(err, cap, REFERENCE_EINVAL, "ode: ts[%zu] = %g is before t0 = %g", k,
                            ts[k], p->t0);
        if (k > 0 && ts[k] < ts[k - 1])
            return ode_fail(err, cap, REFERENCE_EINVAL,
                            "ode: ts must not decrease (ts[%zu] < ts[%zu])", k, k - 1);
    }
    return REFERENCE_OK;
}

int reference_ode(double *y, const ode_spec *p, const char *stepper, double epsabs,
                  double epsrel, const double *ts, size_t nts, char *err, size_t errcap)
{
    const char *name = stepper != NULL ? stepper : REFERENCE_ODE_STEPPER;
    const ode_stepper *st = ode_stepper_find(name);
    int rc = ode_check(p, st, name, epsabs, epsrel, ts, nts, err, errcap);
    if (rc != REFERENCE_OK)
        return rc;
    if (y == NULL && nts > 0)
        return ode_fail(err, errcap, REFERENCE_EINVAL, "ode: no output array");
    if (nts == 0)
        return REFERENCE_OK;

    const size_t m = p->m;
    double *cur = malloc(m * sizeof *cur);
    if (cur == NULL)
        return ode_fail(err, errcap, REFERENCE_ENOMEM, "ode: out of memory (%zu equations)", m);
    memcpy(cur, p->y0, m * sizeof *cur);

    /* The first step tries a hundredth of a typical output gap (or of 1
     * when all outputs are at t0); the driver shrinks or grows it. */
    double span = ts[nts - 1] - p->t0;
    double hstart = 1e-2 * (span > 0.0 ? span / (double)nts : 1.0);
    gsl_odeiv2_system sys = {ode_gsl_rhs, p->jac != NULL ? ode_gsl_jac : NULL, m, (void *)p};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, *st->type, hstart, epsabs, epsrel);
    if (d == NULL) {
        free(cur);
        return ode_fail(err, errcap, REFERENCE_ENOMEM, "ode: cannot allocate the %s driver",
                        st->name);
    }
    gsl_odeiv2_driver_set_nmax(d, REFERENCE_ODE_MAX_STEPS);

    double t = p->t0;
    rc = REFERENCE_OK;
    for (size_t k = 0; k < nts; k++) {
        if (ts[k] > t) {
            int s = gsl_odeiv2_driver_apply(d, &t, ts[k], cur);
            if (s != GSL_SUCCESS) {
                const char *why;
                if (s == GSL_EBADFUNC)
                    why = "the right-hand side or the Jacobian returned an error";
                else if (s == GSL_EMAXITER)
                    why = "more than REFERENCE_ODE_MAX_STEPS steps (stiff? try msbdf)";
                else if (s == GSL_FAILURE || s == GSL_ENOPROG)
                    why = "the step size shrank to nothing (a non-finite right-hand side, "
                          "or the solution blows up)";
                else
                    why = gsl_strerror(s);
                rc = ode_fail(err, errcap, REFERENCE_EFAIL, "ode: %s stopped at t = %g before ts[%zu] = %g: %s",
                              st->name, t, k, ts[k], why);
                break;
            }
        }
        for (size_t i = 0; i < m; i++)
            if (!isfinite(cur[i])) {
                rc = ode_fail(err, errcap, REFERENCE_EFAIL, "ode: y[%zu] is not finite at t = %g",
                              i, ts[k]);
                break;
            }
        if (rc != REFERENCE_OK)
            break;
        memcpy(y + k * m, cur, m * sizeof *cur);
    }
    gsl_odeiv2_driver_free(d);
    free(cur);
    return rc;
}
