/* solver/reference/reference.h - GSL reference solutions that a trained network is
 * checked against: the 1D heat equation by the theta method on a uniform
 * grid (tridiagonal solves), and ODE systems by gsl_odeiv2 drivers, both
 * evaluated on a caller's output grid. Problems come in as C callbacks: this
 * module knows nothing of config files, expressions or HDF5. It installs no
 * GSL error handler; the caller turns GSL's aborting handler off. */
#ifndef PINN_REFERENCE_H
#define PINN_REFERENCE_H

#include <stddef.h>
#include <gsl/gsl_odeiv2.h>

/* Return codes; on any non-zero code a message is written to err. */
enum {
    REFERENCE_OK = 0,
    REFERENCE_EINVAL = 1, /* bad specification, grid, sizes or names */
    REFERENCE_ENOMEM = 2, /* allocation failed */
    REFERENCE_EFAIL = 3   /* a callback or GSL failed, or values went non-finite */
};

/* ---------------------------------------------------------------- heat */

typedef enum { BC_DIRICHLET, BC_NEUMANN, BC_PERIODIC } bc_kind;

/* u_t = alpha u_xx + f(x, t) on [a, b] x [t0, t1], u(x, t0) = u0(x).
 * Each side is Dirichlet, u = g(t), or Neumann, u_x = h(t) where u_x is the
 * PLAIN derivative with respect to x at both ends (not the outward normal
 * derivative: at x = a the outward one would be -u_x); or both sides are
 * periodic (then left_value and right_value are ignored). A NULL boundary
 * function means 0; a NULL source means f = 0. */
typedef struct heat_spec {
    double alpha, a, b, t0, t1;
    bc_kind left, right;
    double (*u0)(double x, void *ctx);
    double (*left_value)(double t, void *ctx);  /* g or h at x = a */
    double (*right_value)(double t, void *ctx); /* g or h at x = b */
    double (*source)(double x, double t, void *ctx);
    void *ctx;
} heat_spec;

/* The discretisation. nx is the number of space intervals: nodes
 * x_j = a + j (b - a) / nx, j = 0..nx (periodic: j = 0..nx-1, node nx being
 * node 0). nt is the number of time steps across [t0, t1]; the step is at
 * most (t1 - t0) / nt, shortened so that every output time is reached
 * exactly (each gap between output times is cut into equal steps), so up to
 * nt + nts steps are taken. theta = 0.5 is Crank-Nicolson (second order in
 * dt), theta = 1 implicit Euler (first order, damps non-smooth data). */
typedef struct heat_grid {
    size_t nx, nt;
    double theta;
} heat_grid;

/* Default grid: on the DeepXDE heat benchmark (alpha 0.4, [0,1]^2,
 * u0 = sin(pi x), u = 0 at both ends) on a 101 x 101 output grid the rel L2
 * error is 6.8e-8 in about 80 ms; the space error alone (nt -> inf) is
 * 1.4e-7 and the time error alone (nx -> inf) 2.0e-7, so the 1e-6 target
 * holds even where the two do not partly cancel as they do there. */
#define HEAT_GRID_DEFAULT ((heat_grid){2048, 2048, 0.5})

/* Solves the heat problem p on grid g (NULL: HEAT_GRID_DEFAULT) and writes
 * u[k*nxs + i] = u(xs[i], ts[k]) for nxs points xs in [a, b] (any order) and
 * nts times ts in [t0, t1] (non-decreasing). Values between grid nodes come
 * from cubic Lagrange interpolation through the four nearest nodes (error
 * O(dx^4), far below the scheme's O(dx^2)); at ts[k] == t0 u0 is evaluated
 * directly. The caller owns u (nts*nxs doubles). Returns REFERENCE_OK, or
 * a REFERENCE_E* code with a message in err (errcap bytes; err may be NULL).
 * Requires alpha > 0, a < b, t0 < t1, nx >= 4, nt >= 1, 0 <= theta <= 1,
 * u0 set, and periodic on both sides or on neither. */
int reference_heat(double *u, const heat_spec *p, const heat_grid *g, const double *xs,
                   size_t nxs, const double *ts, size_t nts, char *err, size_t errcap);

/* ----------------------------------------------------------------- ODE */

/* y' = f(t, y), y(t0) = y0, m equations. rhs and jac return 0 on success
 * (any other value stops the solve with REFERENCE_EFAIL). jac writes
 * dfdy[i*m + j] = d f_i / d y_j and dfdt[i] = d f_i / d t; NULL means no
 * Jacobian, and the steppers that need one are then refused. */
typedef struct ode_spec {
    size_t m;
    double t0;
    const double *y0;
    int (*rhs)(double t, const double *y, double *f, void *ctx);
    int (*jac)(double t, const double *y, double *dfdy, double *dfdt, void *ctx);
    void *ctx;
} ode_spec;

/* A gsl_odeiv2 step type by name. */
typedef struct ode_stepper {
    const char *name;
    const gsl_odeiv2_step_type *const *type;
    int needs_jac;
} ode_stepper;

/* "rk8pd" (the default), "rkf45", "rkck", "rk4", "rk2", "msadams" (no
 * Jacobian), "msbdf", "bsimp", "rk4imp", "rk2imp", "rk1imp" (Jacobian
 * needed), terminated by an entry whose name is NULL. */
extern const ode_stepper ode_steppers[];

/* Returns the stepper called name, or NULL. */
const ode_stepper *ode_stepper_find(const char *name);

#define REFERENCE_ODE_STEPPER "rk8pd"
#define REFERENCE_ODE_EPSABS 1e-10
#define REFERENCE_ODE_EPSREL 1e-10
/* Steps allowed between two consecutive output times before giving up. */
#define REFERENCE_ODE_MAX_STEPS 10000000

/* Integrates p with the stepper called stepper (NULL: "rk8pd") under the
 * driver's error control epsabs + epsrel |y| (both >= 0, not both 0) and
 * writes y[k*m + j] = y_j(ts[k]) for nts non-decreasing times ts, ts[0] >=
 * t0 (ts[k] == t0 gives y0). The caller owns y (nts*m doubles). Returns
 * REFERENCE_OK, or a REFERENCE_E* code with a message in err (errcap bytes;
 * err may be NULL): unknown stepper, a Jacobian stepper without jac, bad
 * sizes or times, a callback or GSL failure, non-finite values. */
int reference_ode(double *y, const ode_spec *p, const char *stepper, double epsabs,
                  double epsrel, const double *ts, size_t nts, char *err, size_t errcap);

#endif
