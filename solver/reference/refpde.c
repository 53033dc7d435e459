/* solver/reference/refpde.c - the table of reference methods for general PDE
 * problems (refpde.h), picking one by name or by the problem's shape, and
 * the checks every method relies on. The methods live in refpde_steady.c,
 * refpde_mol.c and refpde_spectral.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reference/refpde.h"
#include "reference/refpde_methods.h"

const refpde_method refpde_methods[] = {
    {"spectral", "1D, periodic, first order in time, constant-coefficient u_xx and u_x terms",
     refpde_spectral_accepts, refpde_spectral_solve},
    {"mol", "time-dependent, 1-3 space dimensions, any boundaries", refpde_mol_accepts,
     refpde_mol_solve},
    {"fd", "steady, 1-3 dimensions, any boundaries", refpde_fd_accepts, refpde_fd_solve},
    {NULL, NULL, NULL, NULL},
};

const refpde_method *refpde_method_find(const char *name)
{
    for (const refpde_method *m = refpde_methods; name && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

const refpde_method *refpde_method_pick(const refpde_spec *p, char *why, size_t cap)
{
    size_t used = 0;
    if (cap)
        why[0] = '\0';
    for (const refpde_method *m = refpde_methods; m->name; m++) {
        char r[256];
        if (m->accepts(p, r, sizeof r) == 0)
            return m;
        if (used < cap)
            used += (size_t)snprintf(why + used, cap - used, "%s%s: %s", used ? "; " : "",
                                     m->name, r);
    }
    return NULL;
}

size_t refpde_sym2(size_t d, size_t i, size_t j)
{
    size_t k = 1 + d;
    for (size_t a = 0; a < i; a++)
        k += d - a;
    return k + (j - i);
}

int refpde_check(const refpde_spec *p, const refpde_opts *o, const refpde_out *out, char *err,
                 size_t errcap)
{
#define BAD(...) return snprintf(err, errcap, __VA_ARGS__), 1
    if (p->dim < 1 || p->dim > REFPDE_MAX_DIM)
        BAD("%zu space dimensions (1 to %d)", p->dim, REFPDE_MAX_DIM);
    if (p->nf < 1 || p->nf > REFPDE_MAX_FIELDS)
        BAD("%zu fields (1 to %d)", p->nf, REFPDE_MAX_FIELDS);
    if (!p->f || !p->bcval)
        BAD("no equation or boundary callback");
    if (p->evolution && !(p->t0 < p->t1))
        BAD("time interval [%g, %g] is empty", p->t0, p->t1);
    if (p->evolution && !p->u0)
        BAD("no initial condition");
    for (size_t v = 0; v < p->dim; v++) {
        if (!(p->lo[v] < p->hi[v]) || !isfinite(p->hi[v] - p->lo[v]))
            BAD("dimension %zu: interval [%g, %g] is empty", v, p->lo[v], p->hi[v]);
        if (o->n[v] < 1)
            BAD("dimension %zu: no intervals", v);
        int per = p->bc[v][0][0] == REFPDE_PERIODIC;
        for (size_t f = 0; f < p->nf; f++)
            for (int s = 0; s < 2; s++)
                if ((p->bc[v][s][f] == REFPDE_PERIODIC) != per)
                    BAD("dimension %zu: periodic on some sides or fields only", v);
        if (!out->xs[v] || out->m[v] < 1)
            BAD("dimension %zu: no output points", v);
        for (size_t i = 0; i < out->m[v]; i++)
            if (!(out->xs[v][i] >= p->lo[v] && out->xs[v][i] <= p->hi[v]))
                BAD("dimension %zu: output point %g outside [%g, %g]", v, out->xs[v][i],
                    p->lo[v], p->hi[v]);
    }
    for (size_t f = 0; p->evolution && f < p->nf; f++) {
        if (p->order[f] != 1 && p->order[f] != 2)
            BAD("field %zu: time order %d (1 or 2)", f, p->order[f]);
        if (p->order[f] == 2 && !p->ut0)
            BAD("field %zu: second order in time without an initial u_t", f);
    }
    if (p->evolution) {
        if (!out->ts || out->nts < 1)
            BAD("no output times");
        for (size_t k = 0; k < out->nts; k++)
            if (!(out->ts[k] >= p->t0 && out->ts[k] <= p->t1) ||
                (k && out->ts[k] < out->ts[k - 1]))
                BAD("output times must be non-decreasing in [%g, %g]", p->t0, p->t1);
    }
    if (!(o->rtol >= 0) || !(o->atol >= 0) || (o->rtol == 0 && o->atol == 0))
        BAD("tolerances rtol %g, atol %g", o->rtol, o->atol);
    if (!p->evolution && (!(o->newton_tol > 0) || o->newton_max < 1))
        BAD("Newton tolerance %g, %zu steps", o->newton_tol, o->newton_max);
    return 0;
#undef BAD
}
