/* solver/reference/refpde_fd.h - internal to solver/reference/: the finite
 * difference discretisation of a refpde_spec on a box (nodes, stencils,
 * boundary rows, residual and sparse Jacobian), shared by the steady Newton
 * solver and the method of lines. Not a public API. */
#ifndef PINN_REFPDE_FD_H
#define PINN_REFPDE_FD_H

#include <stdint.h>

#include "reference/refpde.h"

#define FD_MAXW 9 /* widest 1D stencil (order 6, second derivative: 8) */

typedef struct fd_stencil {
    int start, width;           /* nodes start .. start + width - 1 (periodic: mod N) */
    double w[FD_MAXW];
} fd_stencil;

typedef struct fd_disc {
    const refpde_spec *p;
    size_t d, nf, nsym, nc;     /* nc components per node: fields, then u_t of order-2 fields */
    int vcomp[REFPDE_MAX_FIELDS]; /* component of u_f,t, -1 for order-1 / steady fields */
    size_t N[REFPDE_MAX_DIM], stride[REFPDE_MAX_DIM];
    size_t n_nodes, n_unk;      /* n_unk = n_nodes * nc */
    double h[REFPDE_MAX_DIM];
    int periodic[REFPDE_MAX_DIM];
    fd_stencil *st[REFPDE_MAX_DIM][2]; /* [v][m-1][i]: d^m/dx_v^m at node index i */
    int *side;                  /* n_nodes * nf: -1 interior, else 2 v + s of its condition */
    double *x;                  /* n_nodes * d coordinates */
    double *s, *ds, *sp, *fv;   /* scratch: symbols, dF/ds, perturbed symbols, values */
    unsigned char *uses;        /* nf * nf * nsym */
    /* the Jacobian's pattern (CSC) and the slot of every emitted entry */
    size_t nnz, n_emit;
    int64_t *colptr, *rowind;
    int64_t *slot;
    double *jx;                 /* nnz values */
} fd_disc;

/* Builds the discretisation with n[v] intervals and order. NULL with err. */
fd_disc *fd_alloc(const refpde_spec *p, const size_t *n, int order, char *err, size_t errcap);
void fd_free(fd_disc *q);

/* Residual G(y, yp) at time t over all n_unk rows (yp NULL for steady):
 * differential rows yp - F (or yp_u - v), boundary rows the condition.
 * Returns 0, or nonzero when a callback failed or a value is not finite. */
int fd_residual(fd_disc *q, double t, const double *y, const double *yp, double *G);

/* Fills q->jx with dG/dy + cj dG/dyp (steady: cj = 0) in q's CSC pattern. */
int fd_jacobian(fd_disc *q, double t, double cj, const double *y);

/* 1 for rows with a time derivative (IDA's id vector), 0 for algebraic. */
void fd_row_kinds(const fd_disc *q, double *id);

/* Initial values: y from u0 (and ut0 for u_t components), yp 0. */
void fd_initial(const fd_disc *q, double *y);

/* Interpolates component c of y at the output points of out into
 * u[p*nf + f] for field f = c, time slice k (evolution) or steady. */
void fd_interp(const fd_disc *q, const double *y, const refpde_out *out, size_t k, double *u);

#endif
