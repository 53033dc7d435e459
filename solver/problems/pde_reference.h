/* solver/problems/pde_reference.h - the reference solution of a general PDE
 * problem (pde.h): turns its residual expressions into the C callbacks of
 * reference/refpde.h, picks a method, solves on the output grid and
 * estimates the reference's own error. The pde problem type calls it;
 * training and files live elsewhere. */
#ifndef PINN_PDE_REFERENCE_H
#define PINN_PDE_REFERENCE_H

#include <stddef.h>

#include "config/config.h"
#include "problems/pde.h"
#include "problems/problem.h"

/* Return codes of pde_reference_solve. */
enum {
    PDE_REF_OK = 0,
    PDE_REF_UNSUPPORTED = 1, /* no method can (or the named one cannot) solve it */
    PDE_REF_EINVAL = 2,      /* bad settings (order, grid) */
    PDE_REF_EFAIL = 3        /* the solve failed */
};

/* How to solve. Zero entries take the defaults below. */
typedef struct pde_ref_config {
    const char *method;  /* "spectral", "mol", "fd"; NULL or "auto": by shape */
    size_t n[PDE_MAX_VARS]; /* intervals (spectral: modes) per space variable */
    int order;           /* finite differences: 2, 4 or 6 */
    double rtol, atol;   /* IDA (mol) */
    size_t nt;           /* ETDRK4 steps (spectral) */
    int estimate;        /* also solve at half resolution to estimate the error */
} pde_ref_config;

/* Defaults, chosen so that the reference is >= 100x more accurate than the
 * best network errors (docs/reference.md has the measurements). */
#define PDE_REF_N_1D 8192
#define PDE_REF_N_1D_WAVE 512 /* second order in time: BDF's cost grows ~n^2 */
#define PDE_REF_N_2D 64
#define PDE_REF_N_3D 16 /* KLU's fill: 32^3 took > 100 s and 700 MB */
#define PDE_REF_MODES 1024
#define PDE_REF_NT 2000
#define PDE_REF_ORDER 4
#define PDE_REF_TOL 1e-10

/* Solves q on the tensor grid of axes[v] (len[v] points) for every variable
 * v of q in q's order (space first, then t) into u[p*n_fields + f], the
 * point index p with time slowest and x fastest. Writes a one-line
 * description into method (including "error estimate E" when estimated;
 * *estimate = E, or NAN). On failure err holds one line: for
 * PDE_REF_UNSUPPORTED which equation and why. u is caller-owned. */
int pde_reference_solve(const pde *q, const pde_ref_config *rc, const double *const *axes,
                        const size_t *len, double *u, char *method, size_t method_cap,
                        double *estimate, char *err, size_t errcap);

/* Reads reference.* of c into rc (method, nx/ny/nz when given, order,
 * epsrel/epsabs, nt when given, estimate). */
void pde_ref_config_read(const cfg *c, pde_ref_config *rc);

/* Before any work: when reference.enabled and reference.method names a
 * method, checks that it can solve q; else "FILE:LINE: reference.method:
 * ..." in err and nonzero (exit 2). */
int pde_reference_check(const pde *q, const cfg *c, char *err, size_t errcap);

/* pde_reference(), problem_type.reference of the pde type, is declared in
 * pde.h. */

#endif
