/* solver/reference/refpde_steady.c - the "fd" reference method: steady
 * problems in 1-3 dimensions by finite differences (refpde_fd.c) and
 * Newton's method, each step a sparse LU solve by KLU (SuiteSparse). A
 * linear problem converges in one step (the second only confirms it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klu.h>

#include "reference/refpde_fd.h"
#include "reference/refpde_methods.h"

_Static_assert(sizeof(SuiteSparse_long) == sizeof(int64_t), "KLU's long is 64 bits");

int refpde_fd_accepts(const refpde_spec *p, char *why, size_t cap)
{
    if (p->evolution) {
        snprintf(why, cap, "time-dependent (fd solves steady problems)");
        return 1;
    }
    return 0;
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

static double norm2(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

int refpde_fd_solve(double *u, const refpde_spec *p, const refpde_opts *o, const refpde_out *out,
                    char *err, size_t errcap)
{
    if (refpde_check(p, o, out, err, errcap) || refpde_fd_accepts(p, err, errcap))
        return REFPDE_EINVAL;
    fd_disc *q = fd_alloc(p, o->n, o->order, err, errcap);
    if (!q)
        return REFPDE_ENOMEM;
    size_t n = q->n_unk;
    int rc = REFPDE_ENOMEM;
    double *y = malloc(n * sizeof *y), *G = malloc(n * sizeof *G), *dy = malloc(n * sizeof *dy),
           *yt = malloc(n * sizeof *yt);
    klu_l_common common;
    klu_l_symbolic *sym = NULL;
    klu_l_numeric *num = NULL;
    klu_l_defaults(&common);
    if (!y || !G || !dy || !yt) {
        snprintf(err, errcap, "out of memory for the Newton vectors (%zu unknowns)", n);
        goto done;
    }
    fd_initial(q, y);
    rc = REFPDE_EFAIL;
    if (fd_residual(q, 0.0, y, NULL, G)) {
        snprintf(err, errcap, "fd: the equations are not finite at the starting guess");
        goto done;
    }
    sym = klu_l_analyze((SuiteSparse_long)n, (SuiteSparse_long *)q->colptr,
                        (SuiteSparse_long *)q->rowind, &common);
    if (!sym) {
        snprintf(err, errcap, "fd: KLU analysis failed (status %d)", (int)common.status);
        goto done;
    }
    double gnorm = norm2(G, n), step = INFINITY;
    size_t it;
    for (it = 0; it < o->newton_max; it++) {
        if (fd_jacobian(q, 0.0, 0.0, y)) {
            snprintf(err, errcap, "fd: the Jacobian is not finite at Newton step %zu", it);
            goto done;
        }
        if (num)
            klu_l_free_numeric(&num, &common);
        num = klu_l_factor((SuiteSparse_long *)q->colptr, (SuiteSparse_long *)q->rowind, q->jx,
                           sym, &common);
        /* KLU's cheap estimate min|u_ii| / max|u_ii|: a pure-Neumann
         * problem is singular only up to rounding */
        if (num && common.status == KLU_OK)
            klu_l_rcond(sym, num, &common);
        if (!num || common.status != KLU_OK || !(common.rcond > 1e-13)) {
            snprintf(err, errcap, "fd: the discrete Jacobian is singular at Newton step %zu "
                     "(KLU status %d): is the problem well posed?", it, (int)common.status);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            dy[i] = -G[i];
        if (!klu_l_solve(sym, num, (SuiteSparse_long)n, 1, dy, &common)) {
            snprintf(err, errcap, "fd: KLU solve failed (status %d)", (int)common.status);
            goto done;
        }
        /* backtracking on |G|: halve the step until the residual falls */
        double lam = 1.0, gnew = INFINITY;
        for (int b = 0; b < 30; b++, lam *= 0.5) {
            for (size_t i = 0; i < n; i++)
                yt[i] = y[i] + lam * dy[i];
            if (fd_residual(q, 0.0, yt, NULL, G) == 0 && (gnew = norm2(G, n)) <= gnorm * (1 - 1e-4 * lam))
                break;
            if (gnorm == 0.0)
                break;
        }
        if (!isfinite(gnew)) {
            snprintf(err, errcap, "fd: Newton step %zu gave non-finite values", it);
            goto done;
        }
        memcpy(y, yt, n * sizeof *y);
        gnorm = gnew;
        step = lam * max_abs(dy, n);
        if (step <= o->newton_tol * (1.0 + max_abs(y, n)))
            break;
    }
    if (it == o->newton_max) {
        snprintf(err, errcap, "fd: Newton did not converge in %zu steps (last update %.3g)",
                 o->newton_max, step);
        goto done;
    }
    fd_interp(q, y, out, 0, u);
    rc = REFPDE_OK;
done:
    if (num)
        klu_l_free_numeric(&num, &common);
    if (sym)
        klu_l_free_symbolic(&sym, &common);
    free(y), free(G), free(dy), free(yt);
    fd_free(q);
    return rc;
}
