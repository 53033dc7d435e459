/* solver/reference/refpde.h - numerical reference solutions of general PDE
 * problems on boxes (1-3 space dimensions, 1-4 fields): finite differences
 * with a Newton / sparse LU solve for steady problems, the method of lines
 * with SUNDIALS IDA (BDF, KLU sparse LU) for evolution problems, and Fourier
 * pseudo-spectral ETDRK4 for periodic 1D semilinear ones. Methods are a const
 * table picked by name or by the problem's shape. Problems come in as C
 * callbacks: this module knows nothing of configs, expressions or HDF5, and
 * it never prints (SUNDIALS' messages are routed into err).
 *
 * The problem. Fields u_f, f < nf, on the box lo <= x <= hi (x has dim
 * components). Each callback sees the "symbols" of every field at a point:
 *   s[f*nsym + k], nsym = REFPDE_NSYM(dim), k = 0 the value u_f, 1..dim the
 *   first derivatives d/dx_i, then the second derivatives d2/dx_i dx_j for
 *   i <= j in row-major order (xx, xy, xz, yy, yz, zz), last u_f,t.
 * steady (evolution = 0):   f writes the residuals r_f(x, s) that vanish;
 * evolution (evolution = 1): f writes F_f(x, t, s) with u_f,t = F_f when
 *   order[f] = 1, u_f,tt = F_f when order[f] = 2. The u_t symbol holds
 *   u_f,t for order-2 fields and 0 for order-1 fields (F must not use it).
 * Boundaries: for each non-periodic side (v, s), s = 0 at lo[v], 1 at hi[v],
 * and field f, bcval writes abg = {a, b, g} at a point of the side (x[v]
 * fixed) and time t, meaning a u + b du/dn = g with n the OUTWARD normal
 * (Dirichlet: a = 1, b = 0; Neumann: a = 0, b = 1). Periodic dimensions have
 * REFPDE_PERIODIC on both sides for every field. Edges and corners take the
 * condition of the first Dirichlet side they lie on, else the first side. */
#ifndef PINN_REFPDE_H
#define PINN_REFPDE_H

#include <stddef.h>

#define REFPDE_MAX_DIM 3
#define REFPDE_MAX_FIELDS 4
#define REFPDE_NSYM(d) (2 + (d) + (d) * ((d) + 1) / 2)
#define REFPDE_MAX_NSYM REFPDE_NSYM(REFPDE_MAX_DIM)

/* Return codes, as reference.h: on any non-zero code err holds a message. */
enum { REFPDE_OK = 0, REFPDE_EINVAL = 1, REFPDE_ENOMEM = 2, REFPDE_EFAIL = 3 };

typedef enum { REFPDE_DIRICHLET, REFPDE_NEUMANN, REFPDE_ROBIN, REFPDE_PERIODIC } refpde_bc_kind;

typedef struct refpde_spec {
    size_t dim;                 /* space dimensions, 1..3 */
    double lo[REFPDE_MAX_DIM], hi[REFPDE_MAX_DIM];
    int evolution;              /* 0 steady, 1 time-dependent on [t0, t1] */
    double t0, t1;
    size_t nf;                  /* fields, 1..REFPDE_MAX_FIELDS */
    int order[REFPDE_MAX_FIELDS]; /* evolution: 1 or 2 per field */
    refpde_bc_kind bc[REFPDE_MAX_DIM][2][REFPDE_MAX_FIELDS];
    /* Writes out[nf]; 0 on success, anything else stops the solve. */
    int (*f)(const double *x, double t, const double *s, double *out, void *ctx);
    /* Optional: out[e*nf*nsym + k] = d f_e / d s_k. NULL: central
     * differences of f. Only entries with uses[e*nf*nsym + k] are read. */
    int (*dfds)(const double *x, double t, const double *s, double *out, void *ctx);
    /* Optional sparsity: uses[e*nf*nsym + k] nonzero when f_e depends on
     * symbol k (NULL: on every symbol; correct but a denser Jacobian). */
    const unsigned char *uses;
    int (*bcval)(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx);
    /* u_f at t0 (evolution; for steady problems an optional Newton start,
     * NULL: 0) and u_f,t at t0 for order-2 fields. */
    double (*u0)(const double *x, size_t f, void *ctx);
    double (*ut0)(const double *x, size_t f, void *ctx);
    void *ctx;
} refpde_spec;

/* The discretisation. n[v] is the number of intervals in dimension v
 * (periodic: n[v] nodes, node n[v] being node 0). order is the order of the
 * finite differences, 2, 4 or 6 (one-sided near the boundaries at the same
 * order). rtol, atol are IDA's tolerances (evolution by "mol"); nt the
 * ETDRK4 steps across [t0, t1] ("spectral", n[0] is then the number of
 * Fourier modes, even); newton_tol stops Newton ("fd") when the update's
 * max norm is below newton_tol (1 + max |u|), newton_max iterations. */
typedef struct refpde_opts {
    size_t n[REFPDE_MAX_DIM];
    int order;
    double rtol, atol;
    size_t nt;
    double newton_tol;
    size_t newton_max;
} refpde_opts;

/* Where the caller wants values: a tensor grid of the axes xs[v] (m[v]
 * points each, inside the box) and nts non-decreasing times ts in [t0, t1]
 * (evolution only). u[p*nf + f] for the point index
 *   p = ((k*m[2] + iz)*m[1] + iy)*m[0] + ix   (time slowest, x fastest;
 * missing dimensions dropped). Values between nodes come from degree-5
 * Lagrange interpolation per dimension (spectral: the Fourier interpolant). */
typedef struct refpde_out {
    const double *xs[REFPDE_MAX_DIM];
    size_t m[REFPDE_MAX_DIM];
    const double *ts;
    size_t nts;
} refpde_out;

typedef struct refpde_method {
    const char *name;
    const char *shapes;         /* one line: what it accepts */
    /* 0 when the method can solve p, else 1 with the reason in why. */
    int (*accepts)(const refpde_spec *p, char *why, size_t cap);
    /* Solves and writes u (caller-owned, points * nf doubles). */
    int (*solve)(double *u, const refpde_spec *p, const refpde_opts *o, const refpde_out *out,
                 char *err, size_t errcap);
} refpde_method;

/* "spectral", "mol", "fd", terminated by a NULL name; refpde_method_pick
 * tries them in this order. */
extern const refpde_method refpde_methods[];

/* The method called name, or NULL. */
const refpde_method *refpde_method_find(const char *name);

/* The first method of the table that accepts p, or NULL with every
 * method's reason in why ("spectral: ...; mol: ...; fd: ..."). */
const refpde_method *refpde_method_pick(const refpde_spec *p, char *why, size_t cap);

/* Symbol index of d2/dx_i dx_j (i <= j) within a field, for dim d. */
size_t refpde_sym2(size_t d, size_t i, size_t j);

/* Checks p, o, out (sizes, callbacks, boundaries); 0 or 1 with err. */
int refpde_check(const refpde_spec *p, const refpde_opts *o, const refpde_out *out, char *err,
                 size_t errcap);

#endif
