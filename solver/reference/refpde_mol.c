/* solver/reference/refpde_mol.c - the "mol" reference method: time-dependent
 * problems in 1-3 space dimensions by the method of lines. Space is
 * refpde_fd.c's finite differences; boundary conditions stay algebraic
 * rows, so the semi-discrete system is a DAE G(t, y, y') = 0, integrated by
 * SUNDIALS IDA (variable-order BDF, Newton with the exact sparse Jacobian,
 * KLU sparse LU). Second order in time becomes first order in (u, u_t). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ida/ida.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include "reference/refpde_fd.h"
#include "reference/refpde_methods.h"

int refpde_mol_accepts(const refpde_spec *p, char *why, size_t cap)
{
    if (!p->evolution) {
        snprintf(why, cap, "steady (mol integrates time-dependent problems)");
        return 1;
    }
    return 0;
}

typedef struct mol_ctx {
    fd_disc *q;
    char msg[256];
} mol_ctx;

static int mol_res(realtype t, N_Vector yy, N_Vector yp, N_Vector rr, void *ud)
{
    mol_ctx *m = ud;
    return fd_residual(m->q, t, N_VGetArrayPointer(yy), N_VGetArrayPointer(yp),
                       N_VGetArrayPointer(rr))
               ? 1 /* recoverable: IDA retries with a smaller step */
               : 0;
}

static int mol_jac(realtype t, realtype cj, N_Vector yy, N_Vector yp, N_Vector rr, SUNMatrix J,
                   void *ud, N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)yp, (void)rr, (void)t1, (void)t2, (void)t3;
    mol_ctx *m = ud;
    fd_disc *q = m->q;
    if (fd_jacobian(q, t, cj, N_VGetArrayPointer(yy)))
        return 1;
    sunindextype *cp = SUNSparseMatrix_IndexPointers(J), *ri = SUNSparseMatrix_IndexValues(J);
    memcpy(cp, q->colptr, (q->n_unk + 1) * sizeof *cp);
    memcpy(ri, q->rowind, q->nnz * sizeof *ri);
    memcpy(SUNSparseMatrix_Data(J), q->jx, q->nnz * sizeof(double));
    return 0;
}

static void mol_errh(int code, const char *module, const char *function, char *msg, void *ud)
{
    mol_ctx *m = ud;
    (void)code;
    if (!m->msg[0])
        snprintf(m->msg, sizeof m->msg, "%s %s: %s", module, function, msg);
}

int refpde_mol_solve(double *u, const refpde_spec *p, const refpde_opts *o, const refpde_out *out,
                     char *err, size_t errcap)
{
    if (refpde_check(p, o, out, err, errcap) || refpde_mol_accepts(p, err, errcap))
        return REFPDE_EINVAL;
    mol_ctx m = {.q = fd_alloc(p, o->n, o->order, err, errcap)};
    if (!m.q)
        return REFPDE_ENOMEM;
    fd_disc *q = m.q;
    int rc = REFPDE_ENOMEM;
    SUNContext sctx = NULL;
    N_Vector yy = NULL, yp = NULL, id = NULL;
    SUNMatrix A = NULL;
    SUNLinearSolver LS = NULL;
    void *mem = NULL;
    if (SUNContext_Create(NULL, &sctx))
        goto oom;
    sunindextype n = (sunindextype)q->n_unk;
    yy = N_VNew_Serial(n, sctx);
    yp = N_VNew_Serial(n, sctx);
    id = N_VNew_Serial(n, sctx);
    A = yy && yp && id ? SUNSparseMatrix(n, n, (sunindextype)q->nnz, CSC_MAT, sctx) : NULL;
    LS = A ? SUNLinSol_KLU(yy, A, sctx) : NULL;
    mem = LS ? IDACreate(sctx) : NULL;
    if (!mem)
        goto oom;
    double *y = N_VGetArrayPointer(yy);
    fd_initial(q, y);
    N_VConst(0.0, yp);
    fd_row_kinds(q, N_VGetArrayPointer(id));
    rc = REFPDE_EFAIL;
    if (IDASetErrHandlerFn(mem, mol_errh, &m) || IDAInit(mem, mol_res, p->t0, yy, yp) ||
        IDASStolerances(mem, o->rtol, o->atol) || IDASetUserData(mem, &m) ||
        IDASetId(mem, id) || IDASetLinearSolver(mem, LS, A) || IDASetJacFn(mem, mol_jac) ||
        IDASetMaxNumSteps(mem, 10000000) || IDASetStopTime(mem, p->t1)) {
        snprintf(err, errcap, "mol: IDA set-up failed: %s", m.msg);
        goto done;
    }
    double span = p->t1 - p->t0;
    if (IDACalcIC(mem, IDA_YA_YDP_INIT, p->t0 + 1e-6 * span) < 0) {
        snprintf(err, errcap, "mol: no consistent initial values (IDACalcIC): %s", m.msg);
        goto done;
    }
    if (IDAGetConsistentIC(mem, yy, yp) < 0) {
        snprintf(err, errcap, "mol: IDAGetConsistentIC failed");
        goto done;
    }
    for (size_t k = 0; k < out->nts; k++) {
        double tout = out->ts[k], tret = p->t0;
        if (tout > p->t0) {
            int flag = IDASolve(mem, tout, &tret, yy, yp, IDA_NORMAL);
            if (flag < 0) {
                snprintf(err, errcap, "mol: IDA failed before t = %g (flag %d): %s", tout, flag,
                         m.msg);
                goto done;
            }
        }
        fd_interp(q, y, out, k, u);
    }
    rc = REFPDE_OK;
    goto done;
oom:
    snprintf(err, errcap, "mol: out of memory for %zu unknowns", q->n_unk);
done:
    IDAFree(&mem);
    if (LS)
        SUNLinSolFree(LS);
    if (A)
        SUNMatDestroy(A);
    N_VDestroy(yy);
    N_VDestroy(yp);
    N_VDestroy(id);
    if (sctx)
        SUNContext_Free(&sctx);
    fd_free(q);
    return rc;
}
