/* solver/problems/pde_reference.c - the glue between a general PDE problem
 * (pde.h: residual expressions) and the reference methods (refpde.h: C
 * callbacks). Each residual r_e is solved for field e's highest time
 * derivative when it is linear in it, u_t = -r_e(u_t = 0) / (d r_e/d u_t),
 * with the derivative from libmatheval and its independence of u_t checked
 * at sample points; boundary, initial and exact expressions are evaluated
 * over the pde slot list. Does not read files or train anything. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems/pde_reference.h"
#include "reference/refpde.h"

#define NONE SIZE_MAX
#define SAMPLES 16

typedef struct glue {
    const pde *q;
    size_t d, nf, nsym;
    int evolution;
    int order[PDE_MAX_FIELDS];
    size_t top[PDE_MAX_FIELDS];   /* symbol (relative to sym0) of u_f,t or u_f,tt */
    size_t map[PDE_MAX_FIELDS][REFPDE_MAX_NSYM]; /* refpde symbol -> pde symbol */
    double *vals;                 /* n_slots */
    unsigned char *uses;
} glue;

/* The pde symbol index (relative to sym0) of field f's channel (i, j). */
static size_t sym_find(const pde *q, size_t f, int i, int j)
{
    for (size_t k = 0; k < q->n_fields * q->n_sym; k++) {
        const pde_symbol *s = &q->slot_sym[k];
        if ((size_t)s->field == f && s->i == i && s->j == j)
            return k;
    }
    return NONE;
}

static void vals_set(glue *G, const double *x, double t, const double *s)
{
    const pde *q = G->q;
    memset(G->vals, 0, q->n_slots * sizeof *G->vals);
    for (size_t v = 0; v < G->d; v++)
        G->vals[v] = x[v];
    if (q->time >= 0)
        G->vals[q->time] = t;
    for (size_t i = 0; i < q->n_consts; i++)
        G->vals[q->const0 + i] = q->cvalue[i];
    for (size_t i = 0; i < q->n_unk; i++)
        G->vals[q->unk0 + i] = q->uvalue[i];
    for (size_t f = 0; s && f < G->nf; f++)
        for (size_t k = 0; k < G->nsym; k++)
            if (G->map[f][k] != NONE)
                G->vals[q->sym0 + G->map[f][k]] = s[f * G->nsym + k];
}

static int cb_f(const double *x, double t, const double *s, double *out, void *ctx)
{
    glue *G = ctx;
    const pde *q = G->q;
    vals_set(G, x, t, s);
    for (size_t e = 0; e < G->nf; e++) {
        double r = expr_eval(q->eq[e], G->vals);
        if (!G->evolution) {
            out[e] = r;
            continue;
        }
        double c = expr_eval(q->deq[e][G->top[e]], G->vals);
        if (!(c != 0.0))
            return -1;
        out[e] = -r / c;
    }
    return 0;
}

/* d f_e / d s_k from the symbolic partials; only used when every
 * coefficient d r_e / d top_e is free of symbols (then d F_e = -d r_e / c). */
static int cb_dfds(const double *x, double t, const double *s, double *out, void *ctx)
{
    glue *G = ctx;
    const pde *q = G->q;
    size_t ns = G->nf * G->nsym;
    vals_set(G, x, t, s);
    for (size_t e = 0; e < G->nf; e++) {
        double c = G->evolution ? expr_eval(q->deq[e][G->top[e]], G->vals) : -1.0;
        if (!(c != 0.0))
            return -1;
        for (size_t f = 0; f < G->nf; f++)
            for (size_t k = 0; k < G->nsym; k++) {
                size_t m = G->map[f][k];
                out[e * ns + f * G->nsym + k] =
                    m != NONE && q->deq[e][m] ? -expr_eval(q->deq[e][m], G->vals) / c : 0.0;
            }
    }
    return 0;
}

static int cb_bc(const double *x, double t, size_t v, int side, size_t f, double *abg, void *ctx)
{
    glue *G = ctx;
    const pde_bc *b = &G->q->bc[v][side][f];
    vals_set(G, x, t, NULL);
    abg[0] = b->a ? expr_eval(b->a, G->vals) : 0.0;
    abg[1] = b->b ? expr_eval(b->b, G->vals) : 0.0;
    abg[2] = b->g ? expr_eval(b->g, G->vals) : 0.0;
    return 0;
}

static double cb_init(glue *G, expr *e, const double *x)
{
    vals_set(G, x, G->q->time >= 0 ? G->q->lo[G->q->time] : 0.0, NULL);
    return e ? expr_eval(e, G->vals) : 0.0;
}

static double cb_u0(const double *x, size_t f, void *ctx)
{
    glue *G = ctx;
    return cb_init(G, G->q->u0[f], x);
}

static double cb_ut0(const double *x, size_t f, void *ctx)
{
    glue *G = ctx;
    return cb_init(G, G->q->ut0[f], x);
}

/* A number in [lo, hi) from the state r (deterministic samples). */
static double sample(unsigned long *r, double lo, double hi)
{
    *r = *r * 6364136223846793005UL + 1442695040888963407UL;
    return lo + (hi - lo) * (double)(*r >> 11) / 9007199254740992.0;
}

/* Checks that equation e can be solved for field e's top time derivative;
 * 1 with "equation N (text): why" in why. */
static int check_equation(glue *G, size_t e, char *why, size_t cap)
{
    const pde *q = G->q;
    const char *tv = q->var[q->time];
    size_t ns = q->n_fields * q->n_sym;
#define REFUSE(...)                                                                          \
    do {                                                                                     \
        int n_ = snprintf(why, cap, "equation %zu (%s): ", e + 1, expr_text(q->eq[e]));      \
        if (n_ >= 0 && (size_t)n_ < cap)                                                     \
            snprintf(why + n_, cap - (size_t)n_, __VA_ARGS__);                               \
        return 1;                                                                            \
    } while (0)
    if (!q->deq[e][G->top[e]])
        REFUSE("has no %s_%s%s term, so it cannot be solved for it (equation k must hold "
               "field k's highest time derivative)", q->field[e], tv, G->order[e] == 2 ? tv : "");
    for (size_t k = 0; k < ns; k++) {
        const pde_symbol *s = &q->slot_sym[k];
        int has_t = s->i == q->time || s->j == q->time;
        if (!q->deq[e][k] || !has_t || k == G->top[e])
            continue;
        int mixed = s->j >= 0 && s->i != s->j;
        if (mixed)
            REFUSE("uses the mixed derivative %s, which the method of lines cannot "
                   "integrate", q->slot_name[q->sym0 + k]);
        if ((size_t)s->field != e && k == G->top[s->field])
            REFUSE("also holds %s, the time derivative of another field (one per equation)",
                   q->slot_name[q->sym0 + k]);
        if (G->order[s->field] == 1 || k == G->top[s->field])
            REFUSE("uses %s, which is not an unknown of the method of lines",
                   q->slot_name[q->sym0 + k]);
    }
    /* linear in the top derivatives: d r_e / d top_e does not change with them */
    unsigned long r = 2718281828UL + e;
    for (int i = 0; i < SAMPLES; i++) {
        double s[REFPDE_MAX_FIELDS * REFPDE_MAX_NSYM], x[PDE_MAX_VARS];
        for (size_t k = 0; k < G->nf * G->nsym; k++)
            s[k] = sample(&r, -1.5, 1.5);
        for (size_t v = 0; v < G->d; v++)
            x[v] = sample(&r, q->lo[v], q->hi[v]);
        double t = q->time >= 0 ? sample(&r, q->lo[q->time], q->hi[q->time]) : 0.0;
        vals_set(G, x, t, s);
        double c0 = expr_eval(q->deq[e][G->top[e]], G->vals);
        for (size_t f = 0; f < G->nf; f++)
            G->vals[q->sym0 + G->top[f]] = sample(&r, -3.0, 3.0);
        double c1 = expr_eval(q->deq[e][G->top[e]], G->vals);
        if (isfinite(c0) && isfinite(c1) && fabs(c1 - c0) > 1e-9 * (1.0 + fabs(c0)))
            REFUSE("is not linear in %s_%s%s (its coefficient changes with it)", q->field[e], tv,
                   G->order[e] == 2 ? tv : "");
        if (!isfinite(c0) || c0 == 0.0)
            REFUSE("the coefficient of %s_%s%s is %g at a sample point", q->field[e], tv,
                   G->order[e] == 2 ? tv : "", c0);
    }
    return 0;
#undef REFUSE
}

/* Fills G and spec from q; 1 with the reason when q is not of a form any
 * method takes, -1 out of memory. */
static int glue_build(glue *G, refpde_spec *sp, const pde *q, char *why, size_t cap)
{
    memset(G, 0, sizeof *G);
    memset(sp, 0, sizeof *sp);
    G->q = q;
    G->d = q->n_space;
    G->nf = q->n_fields;
    G->nsym = REFPDE_NSYM(G->d);
    G->evolution = q->time >= 0;
    if (G->d < 1 || G->d > REFPDE_MAX_DIM || G->nf < 1 || G->nf > REFPDE_MAX_FIELDS ||
        q->n_eq != q->n_fields) {
        snprintf(why, cap, "%zu space variables, %zu fields, %zu equations: not a shape the "
                 "reference methods take", G->d, G->nf, q->n_eq);
        return 1;
    }
    G->vals = calloc(q->n_slots, sizeof *G->vals);
    G->uses = calloc(G->nf * G->nf * G->nsym, 1);
    if (!G->vals || !G->uses)
        return -1;
    for (size_t f = 0; f < G->nf; f++) {
        size_t k = 0;
        G->map[f][k++] = sym_find(q, f, -1, -1);
        for (size_t v = 0; v < G->d; v++)
            G->map[f][k++] = sym_find(q, f, (int)v, -1);
        for (size_t a = 0; a < G->d; a++)
            for (size_t b = a; b < G->d; b++)
                G->map[f][k++] = sym_find(q, f, (int)a, (int)b);
        G->map[f][k] = NONE; /* u_t: set below for second-order fields */
        if (!G->evolution)
            continue;
        G->order[f] = q->time_order[f];
        if (G->order[f] != 1 && G->order[f] != 2) {
            snprintf(why, cap, "field %s has no time derivative in any equation (the reference "
                     "methods need every field's u_t or u_tt)", q->field[f]);
            return 1;
        }
        G->top[f] = G->order[f] == 1 ? sym_find(q, f, q->time, -1)
                                     : sym_find(q, f, q->time, q->time);
        if (G->order[f] == 2)
            G->map[f][k] = sym_find(q, f, q->time, -1);
        if (G->top[f] == NONE) {
            snprintf(why, cap, "field %s: no time-derivative symbol", q->field[f]);
            return 1;
        }
    }
    for (size_t e = 0; G->evolution && e < G->nf; e++)
        if (check_equation(G, e, why, cap))
            return 1;
    size_t ns = G->nf * G->nsym;
    for (size_t e = 0; e < G->nf; e++)
        for (size_t f = 0; f < G->nf; f++)
            for (size_t k = 0; k < G->nsym; k++) {
                size_t m = G->map[f][k];
                G->uses[e * ns + f * G->nsym + k] =
                    m != NONE && (q->deq[e][m] != NULL ||
                                  (G->evolution && q->deq[e][G->top[e]] && expr_uses(q->deq[e][G->top[e]], q->sym0 + m)));
            }
    sp->dim = G->d;
    for (size_t v = 0; v < G->d; v++) {
        sp->lo[v] = q->lo[v];
        sp->hi[v] = q->hi[v];
        for (int s = 0; s < 2; s++)
            for (size_t f = 0; f < G->nf; f++) {
                static const refpde_bc_kind kinds[] = {
                    [PDE_DIRICHLET] = REFPDE_DIRICHLET, [PDE_NEUMANN] = REFPDE_NEUMANN,
                    [PDE_ROBIN] = REFPDE_ROBIN, [PDE_PERIODIC] = REFPDE_PERIODIC};
                sp->bc[v][s][f] = q->periodic[v] ? REFPDE_PERIODIC : kinds[q->bc[v][s][f].kind];
            }
    }
    sp->evolution = G->evolution;
    if (G->evolution) {
        sp->t0 = q->lo[q->time];
        sp->t1 = q->hi[q->time];
    }
    sp->nf = G->nf;
    memcpy(sp->order, G->order, sizeof sp->order);
    sp->f = cb_f;
    int exact_partials = 1;
    for (size_t e = 0; G->evolution && e < G->nf; e++)
        for (size_t k = 0; k < q->n_fields * q->n_sym; k++)
            if (expr_uses(q->deq[e][G->top[e]], q->sym0 + k))
                exact_partials = 0;
    sp->dfds = exact_partials ? cb_dfds : NULL;
    sp->uses = G->uses;
    sp->bcval = cb_bc;
    sp->u0 = G->evolution ? cb_u0 : NULL;
    sp->ut0 = cb_ut0;
    sp->ctx = G;
    return 0;
}

static void glue_free(glue *G)
{
    free(G->vals);
    free(G->uses);
}

/* The options for method m from rc (defaults for zero entries) at
 * resolution level 0 (full), 1 (half: n/2, nt/2, tolerances x 2^order) or 2
 * (quarter). */
static refpde_opts opts_for(const refpde_method *m, const pde_ref_config *rc,
                            const refpde_spec *sp, int level)
{
    size_t d = sp->dim;
    size_t n_default[4] = {0, PDE_REF_N_1D, PDE_REF_N_2D, PDE_REF_N_3D};
    for (size_t f = 0; sp->evolution && f < sp->nf; f++)
        if (sp->order[f] == 2)
            n_default[1] = PDE_REF_N_1D_WAVE;
    int spectral = strcmp(m->name, "spectral") == 0;
    refpde_opts o = {.order = rc->order ? rc->order : PDE_REF_ORDER,
                     .rtol = rc->rtol > 0 ? rc->rtol : PDE_REF_TOL,
                     .atol = rc->atol > 0 ? rc->atol : PDE_REF_TOL,
                     .nt = rc->nt ? rc->nt : PDE_REF_NT, .newton_tol = 1e-12,
                     .newton_max = 50};
    for (size_t v = 0; v < d; v++) {
        size_t n = (rc->n[v] ? rc->n[v] : spectral ? PDE_REF_MODES : n_default[d]) >> level;
        if (spectral)
            n += n % 2;
        o.n[v] = n;
    }
    double f = ldexp(1.0, o.order * level);
    o.rtol *= f;
    o.atol *= f;
    o.nt = (o.nt + (1u << level) - 1) >> level;
    return o;
}

/* The reference's own error from solves at half and quarter resolution:
 * d1 = max |u - u_half|, d2 = max |u_half - u_quarter|, the observed order
 * p = log2(d2 / d1) (clamped to [1, nominal]) and e = d1 / (2^p - 1)
 * (Richardson). Appends it to method; NAN when a coarse solve fails. */
static double self_error(const refpde_method *m, const refpde_spec *sp,
                         const pde_ref_config *rc, const refpde_out *out, const double *u,
                         size_t np, char *method, size_t cap)
{
    double *uh = malloc(2 * np * sizeof *uh), d[2] = {0, 0}, est = NAN;
    char e2[256];
    int levels = 0; /* coarse solves that worked: the quarter one may be too coarse */
    for (int level = 1; uh && level <= 2 && levels == level - 1; level++) {
        refpde_opts o = opts_for(m, rc, sp, level);
        if (m->solve(uh + (size_t)(level - 1) * np, sp, &o, out, e2, sizeof e2) == REFPDE_OK)
            levels++;
    }
    size_t n = strlen(method);
    if (!uh || levels == 0) {
        free(uh);
        if (n < cap)
            snprintf(method + n, cap - n, "; no error estimate (a coarse solve failed)");
        return NAN;
    }
    double s2 = 0.0, u2 = 0.0;
    for (size_t i = 0; i < np; i++) {
        d[0] = fmax(d[0], fabs(u[i] - uh[i]));
        if (levels == 2)
            d[1] = fmax(d[1], fabs(uh[i] - uh[np + i]));
        s2 += (u[i] - uh[i]) * (u[i] - uh[i]);
        u2 += u[i] * u[i];
    }
    free(uh);
    int nominal = strcmp(m->name, "spectral") == 0 ? 4 : opts_for(m, rc, sp, 0).order;
    double p = levels == 2 && d[0] > 0 && d[1] > 0 ? log2(d[1] / d[0]) : nominal;
    p = fmin(fmax(p, 1.0), (double)nominal);
    est = d[0] / (pow(2.0, p) - 1.0);
    double rel = u2 > 0 ? sqrt(s2 / u2) / (pow(2.0, p) - 1.0) : NAN;
    if (n < cap)
        snprintf(method + n, cap - n, "; error estimate %.2g max abs, rel L2 %.2g (Richardson, "
                 "%s order %.2f)", est, rel, levels == 2 ? "observed" : "nominal", p);
    return est;
}

static void describe(char *out, size_t cap, const refpde_method *m, const refpde_opts *o,
                     size_t d)
{
    char grid[64];
    int n = snprintf(grid, sizeof grid, "%zu", o->n[0]);
    for (size_t v = 1; v < d && n > 0 && (size_t)n < sizeof grid; v++)
        n += snprintf(grid + n, sizeof grid - (size_t)n, " x %zu", o->n[v]);
    if (strcmp(m->name, "spectral") == 0)
        snprintf(out, cap, "spectral: Fourier (FFTW3), %s modes, ETDRK4, %zu steps", grid,
                 o->nt);
    else if (strcmp(m->name, "mol") == 0)
        snprintf(out, cap, "mol: order-%d finite differences on %s intervals, SUNDIALS IDA "
                 "(BDF, KLU), rtol %g, atol %g", o->order, grid, o->rtol, o->atol);
    else
        snprintf(out, cap, "fd: order-%d finite differences on %s intervals, Newton + KLU",
                 o->order, grid);
}

int pde_reference_solve(const pde *q, const pde_ref_config *rc, const double *const *axes,
                        const size_t *len, double *u, char *method, size_t method_cap,
                        double *estimate, char *err, size_t errcap)
{
    *estimate = NAN;
    glue G;
    refpde_spec sp;
    char why[512];
    int b = glue_build(&G, &sp, q, why, sizeof why);
    if (b) {
        glue_free(&G);
        if (b < 0) {
            snprintf(err, errcap, "out of memory");
            return PDE_REF_EFAIL;
        }
        snprintf(err, errcap, "no reference solution: %s", why);
        return PDE_REF_UNSUPPORTED;
    }
    const refpde_method *m = NULL;
    if (rc->method && strcmp(rc->method, "auto") != 0) {
        m = refpde_method_find(rc->method);
        if (!m || m->accepts(&sp, why, sizeof why)) {
            snprintf(err, errcap, "reference method \"%s\" cannot solve this problem: %s",
                     rc->method, m ? why : "no such method");
            glue_free(&G);
            return PDE_REF_UNSUPPORTED;
        }
    } else if (!(m = refpde_method_pick(&sp, why, sizeof why))) {
        snprintf(err, errcap, "no reference method takes this problem: %s", why);
        glue_free(&G);
        return PDE_REF_UNSUPPORTED;
    }
    refpde_out out = {0};
    size_t np = q->n_fields;
    for (size_t v = 0; v < G.d; v++) {
        out.xs[v] = axes[v];
        out.m[v] = len[v];
        np *= len[v];
    }
    if (G.evolution) {
        out.ts = axes[q->time];
        out.nts = len[q->time];
        np *= len[q->time];
    }
    refpde_opts o = opts_for(m, rc, &sp, 0);
    describe(method, method_cap, m, &o, G.d);
    int rc_ = m->solve(u, &sp, &o, &out, err, errcap);
    if (rc_ == REFPDE_OK && rc->estimate)
        *estimate = self_error(m, &sp, rc, &out, u, np, method, method_cap);
    glue_free(&G);
    if (rc_ == REFPDE_EINVAL)
        return PDE_REF_EINVAL;
    return rc_ == REFPDE_OK ? PDE_REF_OK : PDE_REF_EFAIL;
}

void pde_ref_config_read(const cfg *c, pde_ref_config *rc)
{
    static const char *const npath[3] = {"reference.nx", "reference.ny", "reference.nz"};
    memset(rc, 0, sizeof *rc);
    rc->method = cfg_string(c, "reference.method");
    for (size_t v = 0; v < 3; v++)
        if (cfg_has(c, npath[v]))
            rc->n[v] = (size_t)cfg_int(c, npath[v]);
    rc->order = (int)cfg_int(c, "reference.order");
    rc->rtol = cfg_float(c, "reference.epsrel");
    rc->atol = cfg_float(c, "reference.epsabs");
    if (cfg_has(c, "reference.nt"))
        rc->nt = (size_t)cfg_int(c, "reference.nt");
    rc->estimate = cfg_bool(c, "reference.estimate");
}

int pde_reference_check(const pde *q, const cfg *c, char *err, size_t errcap)
{
    if (!cfg_bool(c, "reference.enabled"))
        return 0;
    const char *name = cfg_string(c, "reference.method");
    int order = (int)cfg_int(c, "reference.order");
    if (order != 2 && order != 4 && order != 6)
        return cfg_fail(c, err, errcap, "reference.order", "%d: must be 2, 4 or 6", order);
    if (!name || strcmp(name, "auto") == 0)
        return 0;
    glue G;
    refpde_spec sp;
    char why[512];
    int b = glue_build(&G, &sp, q, why, sizeof why);
    const refpde_method *m = refpde_method_find(name);
    if (!b && m && m->accepts(&sp, why, sizeof why))
        b = 1;
    glue_free(&G);
    if (b < 0)
        return cfg_fail(c, err, errcap, "reference.method", "out of memory");
    if (b || !m)
        return cfg_fail(c, err, errcap, "reference.method", "\"%s\" cannot solve this problem: %s",
                        name, m ? why : "no such method");
    return 0;
}

int pde_reference(const problem *p, const cfg *c, const grid *g, double *u, char *method,
                  size_t method_cap, char *err, size_t errcap)
{
    const pde *q = pde_of(p);
    if (q->n_unk > 0 && !p->unk.has_truth) {
        snprintf(err, errcap, "the unknowns have no problem.unknowns.true_values to solve with");
        return PDE_REF_UNSUPPORTED;
    }
    if (g->n_axes != q->n_vars) {
        snprintf(err, errcap, "the output grid has %zu axes for %zu variables", g->n_axes,
                 q->n_vars);
        return PDE_REF_EINVAL;
    }
    const double *axes[PDE_MAX_VARS];
    size_t len[PDE_MAX_VARS];
    if (q->time >= 0) {
        axes[q->time] = g->axis[0];
        len[q->time] = g->len[0];
    }
    for (size_t v = 0; v < q->n_space; v++) {
        axes[v] = g->axis[g->n_axes - 1 - v];
        len[v] = g->len[g->n_axes - 1 - v];
    }
    pde_ref_config rc;
    pde_ref_config_read(c, &rc);
    double est;
    return pde_reference_solve(q, &rc, axes, len, u, method, method_cap, &est, err, errcap);
}
