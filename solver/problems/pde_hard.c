/* solver/problems/pde_hard.c - the hard-constraint transform of a pde
 * problem: g by the Boolean sum of one-dimensional projectors, one per
 * constrained variable, and D as a product of distances (pde_hard.h).
 * It does not train or sample: the trainer calls it through
 * problem_type.constraint.
 *
 * For a constrained variable v the projector P_v interpolates between its
 * traces: both sides Dirichlet P_v F = (1 - s) F|lo + s F|hi with s the
 * normalised coordinate; one side P_v F = F|side; time P_t F = F|t0, plus
 * (t - t0) dF/dt|t0 when second order in t. g = (1 - prod_v (1 - P_v)) F
 * meets every trace of F; a trace on several faces at once comes from the
 * boundary expression of the lowest space variable among them (the initial
 * expressions when t alone is fixed), which is why the conditions must
 * agree where they meet. D = prod_v d_v, d_v = 4 s (1 - s), s, 1 - s, tau
 * or tau^2 (tau = (t - t0) / T). */
#include "problems/pde_hard.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A multi-index (a_0, a_1, a_2) of derivative orders 0..3 is a_0 + 4 a_1 +
 * 16 a_2. */
#define HARD_NDER 64

/* An expression and its partial derivatives by multi-index; d[0] is the
 * pde's own expression (borrowed), the others are owned (NULL: not made). */
typedef struct source {
    expr *d[HARD_NDER];
} source;

struct pde_hard {
    const pde *d;
    size_t nv, m;
    int tv;                      /* time variable, -1 when steady */
    int order2;                  /* second order in t: u_t at t0 is hard too */
    int side[PDE_MAX_VARS][2];   /* Dirichlet sides made exact */
    int cons[PDE_MAX_VARS];      /* variables with a constraint */
    source face[PDE_MAX_VARS][2][PDE_MAX_FIELDS];
    source u0[PDE_MAX_FIELDS], ut0[PDE_MAX_FIELDS];
    double *slots;               /* n_slots values: variables, then constants */
};

static size_t mi_index(const int *a) { return (size_t)(a[0] + 4 * a[1] + 16 * a[2]); }

static void source_release(source *s)
{
    for (size_t k = 1; k < HARD_NDER; k++)
        expr_free(s->d[k]);
    memset(s, 0, sizeof *s);
}

void pde_hard_free(pde_hard *h)
{
    if (!h)
        return;
    for (size_t v = 0; v < PDE_MAX_VARS; v++)
        for (int s = 0; s < 2; s++)
            for (size_t f = 0; f < PDE_MAX_FIELDS; f++)
                source_release(&h->face[v][s][f]);
    for (size_t f = 0; f < PDE_MAX_FIELDS; f++) {
        source_release(&h->u0[f]);
        source_release(&h->ut0[f]);
    }
    free(h->slots);
    free(h);
}

/* The derivatives of e a trace may need: every order up to 2 in the
 * variables other than skip, and, when t3 >= 0, order 3 with one d/dt3
 * (dF/dt at t0 differentiated twice along the face). Each from the one
 * below it: d^a = d/dv d^(a - e_v), v the first variable with a_v > 0. */
static int source_make(source *s, expr *e, size_t nv, int skip, int t3, const cfg *c,
                       const char *path, char *err, size_t errcap)
{
    s->d[0] = e;
    for (int order = 1; order <= 3; order++)
        for (int a2 = 0; a2 <= 3; a2++)
            for (int a1 = 0; a1 <= 3; a1++)
                for (int a0 = 0; a0 <= 3; a0++) {
                    int a[3] = {a0, a1, a2};
                    if (a0 + a1 + a2 != order || (nv < 3 && a2) || (nv < 2 && a1))
                        continue;
                    if (skip >= 0 && a[skip] > 0)
                        continue;
                    if (order == 3 && (t3 < 0 || a[t3] != 1))
                        continue;
                    int v = a0 ? 0 : a1 ? 1 : 2;
                    int b[3] = {a0, a1, a2};
                    b[v]--;
                    const expr *parent = s->d[mi_index(b)];
                    if (!parent)
                        continue;
                    char why[256];
                    if (!(s->d[mi_index(a)] = expr_derivative(parent, (size_t)v, why, sizeof why)))
                        return cfg_fail(c, err, errcap, path,
                                        "network.hard_constraints needs its derivatives: %s", why);
                }
    return 0;
}

/* Value of source s's derivative a at point y (n_vars values). */
static double source_at(pde_hard *h, const source *s, const int *a, const double *y)
{
    const expr *e = s->d[mi_index(a)];
    if (!e)
        return NAN;
    memcpy(h->slots, y, h->nv * sizeof *y);
    return expr_eval(e, h->slots);
}

/* "x = 0, t = 0.5" for a message. */
static void point_text(const pde *d, const double *y, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t v = 0; v < d->n_vars; v++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s = %g", v ? ", " : "", d->var[v], y[v]);
}

static void bc_path(const pde *d, size_t v, int s, size_t f, char *out, size_t cap)
{
    snprintf(out, cap, "problem.boundary.%s_%s.%s", d->var[v], s ? "hi" : "lo", d->field[f]);
}

/* Where two constraints meet they must agree: two Dirichlet sides of
 * different variables, or a side and t = t0 (for u, and for u_t when
 * second order). Checked at 9 points along each free variable. */
static int compatible(pde_hard *h, const cfg *c, char *err, size_t errcap)
{
    const pde *d = h->d;
    size_t nv = h->nv;
    for (size_t f = 0; f < h->m; f++)
        for (size_t v = 0; v < nv; v++)
            for (int s = 0; s < 2; s++) {
                if (!h->side[v][s])
                    continue;
                for (size_t w = v + 1; w < nv; w++)
                    for (int r = 0; r < 2; r++) {
                        int is_t = (int)w == h->tv;
                        if (!(is_t ? r == 0 : h->side[w][r]))
                            continue;
                        /* the free variable (at most one: 3 variables) */
                        int free_v = -1;
                        for (size_t z = 0; z < nv; z++)
                            if (z != v && z != w)
                                free_v = (int)z;
                        for (int k = 0; k < 9; k++) {
                            double y[PDE_MAX_VARS] = {0};
                            y[v] = s ? d->hi[v] : d->lo[v];
                            y[w] = r ? d->hi[w] : d->lo[w];
                            if (free_v >= 0)
                                y[free_v] = d->lo[free_v] + (d->hi[free_v] - d->lo[free_v]) * k / 8.0;
                            for (int der = 0; der <= (is_t && h->order2); der++) {
                                int a[3] = {0, 0, 0};
                                if (der)
                                    a[h->tv] = 1;
                                int z0[3] = {0, 0, 0};
                                double gv = source_at(h, &h->face[v][s][f], a, y);
                                double gw = is_t ? source_at(h, der ? &h->ut0[f] : &h->u0[f], z0, y)
                                                 : source_at(h, &h->face[w][r][f], a, y);
                                if (fabs(gv - gw) <= 1e-9 * (1.0 + fabs(gv) + fabs(gw)))
                                    continue;
                                char path[160], other[160], at[160];
                                bc_path(d, v, s, f, path, sizeof path);
                                if (is_t)
                                    snprintf(other, sizeof other, "problem.initial.%s%s",
                                             d->field[f], der ? "_t" : "");
                                else
                                    bc_path(d, w, r, f, other, sizeof other);
                                point_text(d, y, at, sizeof at);
                                return cfg_fail(c, err, errcap, path,
                                                "%s%s = %.9g%s at (%s) but %s = %.9g there: "
                                                "network.hard_constraints needs the conditions "
                                                "to agree where they meet",
                                                d->field[f], der ? "_t" : "", gv,
                                                der ? " (d/dt of its value)" : "", at, other, gw);
                            }
                        }
                    }
            }
    return 0;
}

pde_hard *pde_hard_alloc(const pde *d, const cfg *c, char *err, size_t errcap)
{
    pde_hard *h = calloc(1, sizeof *h);
    if (!h || !(h->slots = calloc(d->n_slots, sizeof *h->slots))) {
        free(h);
        cfg_fail(c, err, errcap, "network.hard_constraints", "out of memory");
        return NULL;
    }
    h->d = d;
    h->nv = d->n_vars;
    h->m = d->n_fields;
    h->tv = d->time;
    pde_slots_constants(d, h->slots);
    /* the constrained set is the first field's; every field must share it */
    for (size_t f = 0; f < h->m; f++) {
        int o2 = h->tv >= 0 && d->time_order[f] == 2;
        if (f == 0)
            h->order2 = o2;
        for (size_t v = 0; v < h->nv; v++)
            for (int s = 0; s < 2; s++) {
                const pde_bc *bc = &d->bc[v][s][f];
                int dir = (int)v != h->tv && bc->set && bc->kind == PDE_DIRICHLET;
                if (f == 0)
                    h->side[v][s] = dir;
                else if (dir != h->side[v][s]) {
                    pde_hard_free(h);
                    cfg_fail(c, err, errcap, "network.hard_constraints",
                             "the fields differ on side %s_%s (%s is %sDirichlet there, %s is "
                             "%s): the transform's D is shared by the fields, so make the "
                             "same sides Dirichlet for every field or switch it off",
                             d->var[v], s ? "hi" : "lo", d->field[0], dir ? "not " : "",
                             d->field[f], dir ? "" : "not");
                    return NULL;
                }
            }
        if (o2 != h->order2) {
            pde_hard_free(h);
            cfg_fail(c, err, errcap, "network.hard_constraints",
                     "the fields differ in their order in t (%s %s, %s %s): the transform's D "
                     "is shared by the fields", d->field[0], h->order2 ? "second" : "first",
                     d->field[f], o2 ? "second" : "first");
            return NULL;
        }
    }
    int any = h->tv >= 0;
    for (size_t v = 0; v < h->nv; v++) {
        h->cons[v] = (int)v == h->tv || h->side[v][0] || h->side[v][1];
        any |= h->cons[v];
    }
    if (!any) {
        pde_hard_free(h);
        cfg_fail(c, err, errcap, "network.hard_constraints",
                 "nothing to make exact: the problem is steady and has no Dirichlet side "
                 "(Neumann, Robin and periodic sides stay loss terms)");
        return NULL;
    }
    int t3 = h->order2 ? h->tv : -1;
    for (size_t f = 0; f < h->m; f++) {
        char path[160];
        for (size_t v = 0; v < h->nv; v++)
            for (int s = 0; s < 2; s++) {
                if (!h->side[v][s])
                    continue;
                bc_path(d, v, s, f, path, sizeof path);
                if (source_make(&h->face[v][s][f], d->bc[v][s][f].g, h->nv, (int)v, t3, c, path,
                                err, errcap)) {
                    pde_hard_free(h);
                    return NULL;
                }
            }
        if (h->tv < 0)
            continue;
        snprintf(path, sizeof path, "problem.initial.%s", d->field[f]);
        if (source_make(&h->u0[f], d->u0[f], h->nv, h->tv, -1, c, path, err, errcap) ||
            (h->order2 && source_make(&h->ut0[f], d->ut0[f], h->nv, h->tv, -1, c, path, err,
                                      errcap))) {
            pde_hard_free(h);
            return NULL;
        }
    }
    if (compatible(h, c, err, errcap)) {
        pde_hard_free(h);
        return NULL;
    }
    return h;
}

int pde_hard_side(const pde_hard *h, size_t v, int s)
{
    return h && v < PDE_MAX_VARS && s >= 0 && s < 2 && h->side[v][s];
}

/* The modes of variable v's projector: their number, and per mode r-th
 * derivatives (r = 0, 1, 2) of its blending weight phi at y. Space modes
 * are sides (side[k] 0 lo, 1 hi); the time modes are 0 value, 1 d/dt. */
static int modes_of(const pde_hard *h, size_t v, double y, int *side, double phi[2][3])
{
    const pde *d = h->d;
    memset(phi, 0, 2 * 3 * sizeof phi[0][0]);
    if ((int)v == h->tv) {
        phi[0][0] = 1.0;
        side[0] = 0;
        if (!h->order2)
            return 1;
        side[1] = 1;
        phi[1][0] = y - d->lo[v];
        phi[1][1] = 1.0;
        return 2;
    }
    if (h->side[v][0] && h->side[v][1]) {
        double L = d->hi[v] - d->lo[v], s = (y - d->lo[v]) / L;
        side[0] = 0, side[1] = 1;
        phi[0][0] = 1.0 - s, phi[0][1] = -1.0 / L;
        phi[1][0] = s, phi[1][1] = 1.0 / L;
        return 2;
    }
    side[0] = h->side[v][1];
    phi[0][0] = 1.0;
    return 1;
}

/* r-th derivative (0..2) of the distance factor d_v at y. */
static double dist_of(const pde_hard *h, size_t v, double y, int r)
{
    const pde *d = h->d;
    double L = d->hi[v] - d->lo[v], s = (y - d->lo[v]) / L;
    if ((int)v == h->tv) {
        if (h->order2)
            return r == 0 ? s * s : r == 1 ? 2.0 * s / L : 2.0 / (L * L);
        return r == 0 ? s : r == 1 ? 1.0 / L : 0.0;
    }
    if (h->side[v][0] && h->side[v][1])
        return r == 0 ? 4.0 * s * (1.0 - s) : r == 1 ? 4.0 * (1.0 - 2.0 * s) / L : -8.0 / (L * L);
    if (h->side[v][0])
        return r == 0 ? s : r == 1 ? 1.0 / L : 0.0;
    return r == 0 ? 1.0 - s : r == 1 ? -1.0 / L : 0.0;
}

int pde_hard_eval(pde_hard *h, const double *x, size_t n, const mlp_channels *ch, double *g,
                  double *D)
{
    const pde *d = h->d;
    size_t nv = h->nv, m = h->m, C = ch->n;
    int cv[PDE_MAX_VARS], nc = 0; /* the constrained variables */
    for (size_t v = 0; v < nv; v++)
        if (h->cons[v])
            cv[nc++] = (int)v;
    for (size_t p = 0; p < n; p++) {
        const double *xp = x + p * nv;
        int side[PDE_MAX_VARS][2], nmode[PDE_MAX_VARS];
        double phi[PDE_MAX_VARS][2][3];
        for (int a = 0; a < nc; a++)
            nmode[a] = modes_of(h, (size_t)cv[a], xp[cv[a]], side[a], phi[a]);
        for (size_t c = 0; c < C; c++) {
            mlp_channel k = ch->c[c];
            int cnt[3] = {0, 0, 0};
            if (k.i >= 0)
                cnt[k.i]++;
            if (k.j >= 0)
                cnt[k.j]++;
            if (cnt[0] + cnt[1] + cnt[2] > 2)
                return -1;
            /* D: the product rule over the distance factors */
            double dv = 1.0;
            for (size_t v = 0; v < nv; v++)
                dv *= h->cons[v] ? dist_of(h, v, xp[v], cnt[v]) : (cnt[v] ? 0.0 : 1.0);
            D[c * n + p] = dv;
            for (size_t f = 0; f < m; f++) {
                double gv = 0.0;
                /* every nonempty subset A of the constrained variables */
                for (unsigned A = 1; A < (1u << nc); A++) {
                    int inA[3] = {0, 0, 0}, size = 0, nm = 1;
                    for (int a = 0; a < nc; a++)
                        if (A & (1u << a)) {
                            inA[cv[a]] = 1;
                            size++;
                            nm *= nmode[a];
                        }
                    double sign = size % 2 ? 1.0 : -1.0;
                    for (int code = 0; code < nm; code++) {
                        double w = 1.0, y[PDE_MAX_VARS];
                        int rest = code, a3[3] = {0, 0, 0}, tder = 0, low = -1, low_side = 0;
                        memcpy(y, xp, nv * sizeof *y);
                        for (int a = 0; a < nc; a++) {
                            if (!(A & (1u << a)))
                                continue;
                            size_t v = (size_t)cv[a];
                            int md = rest % nmode[a];
                            rest /= nmode[a];
                            w *= phi[a][md][cnt[v]];
                            if ((int)v == h->tv) {
                                y[v] = d->lo[v];
                                tder = md;
                            } else {
                                y[v] = side[a][md] ? d->hi[v] : d->lo[v];
                                if (low < 0)
                                    low = (int)v, low_side = side[a][md];
                            }
                        }
                        if (w == 0.0)
                            continue;
                        for (size_t v = 0; v < nv; v++) /* along A: phi's alone */
                            a3[v] = inA[v] ? 0 : cnt[v];
                        const source *s;
                        if (low >= 0) {
                            s = &h->face[low][low_side][f];
                            if (tder)
                                a3[h->tv] = 1;
                        } else {
                            s = tder ? &h->ut0[f] : &h->u0[f];
                        }
                        gv += sign * w * source_at(h, s, a3, y);
                    }
                }
                g[(c * n + p) * m + f] = gv;
            }
        }
    }
    return 0;
}
