/* solver/problems/problem_pde.c - the general PDE problem type ("pde"): its
 * settings, loss terms (pde residuals, boundary sides, initial, data) over
 * a box in 1-3 variables, the n-d output grid and the exact solution. The
 * config is read by pde.c; the reference solvers are behind pde_reference.
 * Seeds for the backward pass come from the symbolic partials of pde.h:
 * dL/d(channel) = sum_e dL/dr_e * dr_e/d(symbol), no hand-written code;
 * likewise dL/dc for the unknown constants (problem.unknowns). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems/pde.h"
#include "problems/pde_hard.h"
#include "problems/pde_reference.h"
#include "problems/problem_common.h"
#include "problems/sampler.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Threads the pde residual loop may use (copies of the equations compiled). */
#define PDE_MAX_THREADS 64
/* Fewer interior points than this are evaluated on one thread. */
#define PDE_PARALLEL_MIN 64

/* One boundary residual: a condition of field f at point p of a side of
 * variable v (outward normal sign), or a periodic pair (p on lo, q on hi)
 * for the value (deriv 0) or the derivative along v (deriv 1). */
typedef struct bc_row {
    size_t p, q;
    int f, v, deriv;
    pde_bc_kind kind;
    double sign, g, a, b;
} bc_row;

/* One thread's equations and their partials (libmatheval keeps a variable
 * table per expression and its derivatives, so each thread needs its own
 * compiled copies) and its slot values. Copy 0 borrows pde's own. A partial
 * that uses no variable is evaluated once: cdeq/cdequ hold its value and
 * its expr pointer is NULL here. */
typedef struct pde_eval {
    expr **eq;          /* n_eq */
    expr **deq;         /* n_eq x nsym, NULL: unused or constant */
    expr **dequ;        /* n_eq x n_unk, NULL: unused or constant */
    double *slots;      /* n_slots */
    int owned;          /* the exprs are this copy's (not pde's) */
} pde_eval;

typedef struct pde_problem {
    pde d;              /* first, so pde_of and p->impl agree */
    double *slots;      /* n_slots scratch values */
    pde_eval *ev;       /* n_ev per-thread evaluators of the pde term */
    size_t n_ev;
    double *cdeq;       /* n_eq x nsym: value of a constant partial */
    double *cdequ;      /* n_eq x n_unk */
    double *gcp;        /* n x n_eq x n_unk: per point dL/dc terms, summed in order */
    sampler *interior;  /* kept so resampling continues quasi-random sequences */
    bc_row *rows;       /* the boundary term's residuals */
    size_t n_rows;
    int sym_ch[PDE_MAX_FIELDS * PDE_SYMS(PDE_MAX_VARS)]; /* pde term: channel of each
                                                          * symbol, -1 if unused */
    pde_hard *hard;     /* network.hard_constraints (NULL: off) */
} pde_problem;

static const setting_spec pde_settings[] = {
    {"problem.variables", SPEC_GROUP, NULL, NULL, NULL,
     "the independent variables and their intervals: any of x, y, z, t, at most 3 (required)"},
    {"problem.variables.x", SPEC_INTERVAL, NULL, NULL, NULL, "x interval [lo, hi]"},
    {"problem.variables.y", SPEC_INTERVAL, NULL, NULL, NULL, "y interval [lo, hi]"},
    {"problem.variables.z", SPEC_INTERVAL, NULL, NULL, NULL, "z interval [lo, hi]"},
    {"problem.variables.t", SPEC_INTERVAL, NULL, NULL, NULL,
     "time interval [t0, t1]; absent for a steady problem"},
    {"problem.fields", SPEC_EXPRS, "[\"u\"]", NULL, NULL,
     "names of the unknown fields (one network output each), e.g. [\"u\", \"v\"]"},
    {"problem.equations", SPEC_EXPRS, NULL, NULL, NULL,
     "one residual per field that must vanish, in the variables, constants, fields and their "
     "derivatives u_x, u_t, u_xx, u_xt, ... (required)"},
    {"problem.initial", SPEC_GROUP, NULL, NULL, NULL,
     "at t0: FIELD = value in the space variables; FIELD_t too when second order in t"},
    {"problem.initial.*", SPEC_EXPR, NULL, NULL, NULL, "u = u0(x), u_t = v0(x)"},
    {"problem.boundary", SPEC_GROUP, NULL, NULL, NULL,
     "conditions per side (x_lo, x_hi, y_lo, ...) and field; a side not named has none"},
    {"problem.boundary.*", SPEC_GROUP, NULL, NULL, NULL, "a side: FIELD = { type = ...; }"},
    {"problem.boundary.*.*", SPEC_GROUP, NULL, NULL, NULL, "the condition of one field"},
    {"problem.boundary.*.*.type", SPEC_STRING, NULL, NULL, "dirichlet|neumann|robin|periodic",
     "u = value; du/dn = value (n the outward normal); a u + b du/dn = value; periodic: u and "
     "its derivative match on the opposite side (required)"},
    {"problem.boundary.*.*.value", SPEC_EXPR, NULL, NULL, NULL,
     "right-hand side, in the variables and constants (default 0)"},
    {"problem.boundary.*.*.a", SPEC_EXPR, NULL, NULL, NULL, "robin: coefficient of u"},
    {"problem.boundary.*.*.b", SPEC_EXPR, NULL, NULL, NULL, "robin: coefficient of du/dn"},
    {"problem.exact", SPEC_GROUP, NULL, NULL, NULL, "exact solution per field; optional"},
    {"problem.exact.*", SPEC_EXPR, NULL, NULL, NULL, "FIELD = expression in the variables"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const pde *pde_of(const problem *p)
{
    return &((const pde_problem *)p->impl)->d;
}

static void evals_free(pde_problem *q)
{
    const pde *d = &q->d;
    size_t nsym = d->n_fields * d->n_sym;
    for (size_t c = 0; c < q->n_ev; c++) {
        pde_eval *v = &q->ev[c];
        for (size_t e = 0; v->owned && e < d->n_eq; e++) {
            expr_free(v->eq ? v->eq[e] : NULL);
            for (size_t k = 0; v->deq && k < nsym; k++)
                expr_free(v->deq[e * nsym + k]);
            for (size_t l = 0; v->dequ && l < d->n_unk; l++)
                expr_free(v->dequ[e * d->n_unk + l]);
        }
        free(v->eq);
        free(v->deq);
        free(v->dequ);
        free(v->slots);
    }
    free(q->ev);
    free(q->cdeq);
    free(q->cdequ);
    free(q->gcp);
    q->ev = NULL;
    q->n_ev = 0;
    q->cdeq = q->cdequ = q->gcp = NULL;
}

static void pde_cleanup(problem *p)
{
    pde_problem *q = p->impl;
    if (!q)
        return;
    evals_free(q);
    pde_hard_free(q->hard);
    pde_release(&q->d);
    free(q->slots);
    free(q->rows);
    sampler_free(q->interior);
    free(q);
    p->impl = NULL;
}

/* An unknown may not take the name of a variable, a field, a derivative
 * symbol (u_x) or a constant: checked on the config before the slot list
 * is built, since a clash would make the names ambiguous there. */
static int unknowns_precheck(const problem *p, const cfg *c, char *err, size_t errcap)
{
    static const char *const vars[] = {"x", "y", "z", "t"};
    if (unknowns_check_names(&p->unk, c, vars, 4, "variable", err, errcap))
        return -1;
    size_t nf = cfg_has(c, "problem.fields") ? cfg_len(c, "problem.fields") : 1;
    for (size_t f = 0; f < nf; f++) {
        const char *name = cfg_has(c, "problem.fields") ? cfg_expr_at(c, "problem.fields", f) : "u";
        size_t len = name ? strlen(name) : 0;
        for (size_t j = 0; j < p->unk.n && len; j++) {
            const char *u = p->unk.name[j];
            if (strcmp(u, name) == 0 || (strncmp(u, name, len) == 0 && u[len] == '_'))
                return cfg_fail(c, err, errcap, "problem.unknowns.names",
                                "'%s' is already the name of a field or of its derivative", u);
        }
    }
    for (size_t j = 0; j < p->unk.n; j++) {
        char path[96];
        snprintf(path, sizeof path, "problem.constants.%s", p->unk.name[j]);
        if (cfg_has(c, path))
            return cfg_fail(c, err, errcap, "problem.unknowns.names",
                            "'%s' is already the name of a constant (problem.constants)",
                            p->unk.name[j]);
    }
    return 0;
}

static int pde_setup(problem *p, const cfg *c, char *err, size_t errcap)
{
    pde_problem *q = calloc(1, sizeof *q);
    if (!q)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    p->impl = q;
    pde *d = &q->d;
    if (unknowns_precheck(p, c, err, errcap))
        return -1;
    d->n_unk = p->unk.n;
    for (size_t l = 0; l < p->unk.n; l++) {
        snprintf(d->uname[l], sizeof d->uname[l], "%s", p->unk.name[l]);
        d->uvalue[l] = p->unk.truth[l];
    }
    if (pde_parse(d, c, err, errcap))
        return -1;
    if (!(q->slots = calloc(d->n_slots, sizeof *q->slots)))
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    pde_slots_constants(d, q->slots);
    p->n_in = d->n_vars;
    p->n_out = d->n_fields;
    for (size_t v = 0; v < d->n_vars; v++) {
        p->in_names[v] = d->var[v];
        p->lo[v] = d->lo[v];
        p->hi[v] = d->hi[v];
        p->periodic[v] = d->periodic[v] != 0;
    }
    if (!(p->out_names = calloc(d->n_fields, sizeof *p->out_names)))
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    for (size_t f = 0; f < d->n_fields; f++) {
        if (!(p->out_names[f] = malloc(strlen(d->field[f]) + 1)))
            return cfg_fail(c, err, errcap, "problem", "out of memory");
        strcpy(p->out_names[f], d->field[f]);
    }
    if (cfg_bool(c, "loss.conservation.enabled"))
        return cfg_fail(c, err, errcap, "loss.conservation.enabled",
                        "not available for problem.type = \"pde\"");
    if (cfg_bool(c, "network.hard_constraints") && !(q->hard = pde_hard_alloc(d, c, err, errcap)))
        return -1;
    if (d->time < 0 && cfg_float(c, "loss.pde.causal_epsilon") > 0)
        return cfg_fail(c, err, errcap, "loss.pde.causal_epsilon",
                        "causal training needs a variable t; this problem is steady");
    return pde_reference_check(d, c, err, errcap); /* a named method that cannot: exit 2 */
}

/* Puts point x's coordinates into the variable slots. */
static void slots_at(pde_problem *q, const double *x)
{
    memcpy(q->slots, x, q->d.n_vars * sizeof *x);
}

/* ---- pde: r_e = equation e at each interior point ---------------------- */

/* Point i's variables and symbols (from the channels in out) into slots. */
static void slots_point(const pde_problem *q, double *slots, const double *x, const double *out,
                        size_t n, size_t i)
{
    const pde *d = &q->d;
    size_t m = d->n_fields;
    memcpy(slots, x + i * d->n_vars, d->n_vars * sizeof *x);
    for (size_t k = 0; k < d->n_fields * d->n_sym; k++) {
        int ch = q->sym_ch[k];
        slots[d->sym0 + k] =
            ch < 0 ? 0.0 : out[((size_t)ch * n + i) * m + (size_t)d->slot_sym[k].field];
    }
}

/* Threads for a loop over n points: at most one per compiled copy. */
static int evals_threads(const pde_problem *q, size_t n)
{
    int nt = 1;
#ifdef _OPENMP
    nt = omp_get_max_threads();
#endif
    if (nt > (int)q->n_ev)
        nt = (int)q->n_ev;
    return n < PDE_PARALLEL_MIN || nt < 1 ? 1 : nt;
}

static pde_eval *evals_mine(pde_problem *q)
{
#ifdef _OPENMP
    return &q->ev[omp_get_thread_num()];
#else
    return &q->ev[0];
#endif
}

/* Each point's residuals and seeds are computed on one thread from that
 * thread's copies of the same compiled trees, and the dL/dc terms are summed
 * serially in point order: the result does not depend on the thread count. */
static double pde_loss(term *t, const problem *p, const double *out, double *gout)
{
    pde_problem *q = p->impl;
    const pde *d = &q->d;
    size_t n = t->n, ne = d->n_eq, m = d->n_fields, nu = d->n_unk, nsym = m * d->n_sym;
    int nt = evals_threads(q, n);
    for (size_t c = 0; c < q->n_ev; c++)
        memcpy(q->ev[c].slots + d->unk0, p->unk.value, nu * sizeof(double));
#pragma omp parallel for num_threads(nt) schedule(static)
    for (size_t i = 0; i < n; i++) {
        pde_eval *v = evals_mine(q);
        slots_point(q, v->slots, t->x, out, n, i);
        for (size_t e = 0; e < ne; e++)
            t->r[i * ne + e] = expr_eval(v->eq[e], v->slots);
    }
    double *dl;
    double loss = term_mse(t, &dl);
    memset(gout, 0, t->ch.n * n * m * sizeof *gout);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (size_t i = 0; i < n; i++) {
        pde_eval *v = evals_mine(q);
        slots_point(q, v->slots, t->x, out, n, i);
        for (size_t e = 0; e < ne; e++) {
            double de = dl[i * ne + e];
            if (de == 0.0)
                continue;
            for (size_t k = 0; k < nsym; k++) {
                if (!d->deq[e][k])
                    continue;
                const expr *g = v->deq[e * nsym + k];
                size_t at = ((size_t)q->sym_ch[k] * n + i) * m + (size_t)d->slot_sym[k].field;
                gout[at] += de * (g ? expr_eval(g, v->slots) : q->cdeq[e * nsym + k]);
            }
            for (size_t l = 0; l < nu; l++)
                if (d->dequ[e][l]) {
                    const expr *g = v->dequ[e * nu + l];
                    q->gcp[(i * ne + e) * nu + l] =
                        de * (g ? expr_eval(g, v->slots) : q->cdequ[e * nu + l]);
                }
        }
    }
    for (size_t i = 0; i < n && nu; i++)
        for (size_t e = 0; e < ne; e++)
            if (dl[i * ne + e] != 0.0)
                for (size_t l = 0; l < nu; l++)
                    if (d->dequ[e][l])
                        t->gc[l] += q->gcp[(i * ne + e) * nu + l];
    return loss;
}

/* One copy of an expression for copy c: pde's own for c = 0, else compiled
 * again from the same text (same tree, same values) or derived from eq. */
static int evals_copy(pde_problem *q, const cfg *c, size_t copy, char *err, size_t errcap)
{
    const pde *d = &q->d;
    size_t ne = d->n_eq, nu = d->n_unk, nsym = d->n_fields * d->n_sym;
    pde_eval *v = &q->ev[copy];
    v->owned = copy > 0;
    v->eq = calloc(ne, sizeof *v->eq);
    v->deq = calloc(ne * nsym, sizeof *v->deq);
    v->dequ = calloc(ne * nu + 1, sizeof *v->dequ);
    v->slots = malloc(d->n_slots * sizeof *v->slots);
    if (!v->eq || !v->deq || !v->dequ || !v->slots)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    pde_slots_constants(d, v->slots);
    const char *path = "problem.equations";
    for (size_t e = 0; e < ne; e++) {
        v->eq[e] = copy ? problem_expr(c, NULL, path, cfg_expr_at(c, path, e), d->slot_name,
                                       d->n_slots, err, errcap)
                        : d->eq[e];
        if (!v->eq[e])
            return -1;
        char why[256];
        for (size_t k = 0; k < nsym; k++) {
            if (!d->deq[e][k] || expr_is_constant(d->deq[e][k]))
                continue;
            v->deq[e * nsym + k] =
                copy ? expr_derivative(v->eq[e], d->sym0 + k, why, sizeof why) : d->deq[e][k];
            if (!v->deq[e * nsym + k])
                return cfg_fail(c, err, errcap, path, "equation %zu: %s", e + 1, why);
        }
        for (size_t l = 0; l < nu; l++) {
            if (!d->dequ[e][l] || expr_is_constant(d->dequ[e][l]))
                continue;
            v->dequ[e * nu + l] =
                copy ? expr_derivative(v->eq[e], d->unk0 + l, why, sizeof why) : d->dequ[e][l];
            if (!v->dequ[e * nu + l])
                return cfg_fail(c, err, errcap, path, "equation %zu: %s", e + 1, why);
        }
    }
    return 0;
}

/* The pde term's evaluators: one per thread OpenMP may use now (compiled
 * here, serially), the constant partials' values, the dL/dc scratch. */
static int evals_build(pde_problem *q, const cfg *c, size_t n, char *err, size_t errcap)
{
    const pde *d = &q->d;
    size_t ne = d->n_eq, nu = d->n_unk, nsym = d->n_fields * d->n_sym, nt = 1;
    evals_free(q);
#ifdef _OPENMP
    nt = (size_t)omp_get_max_threads();
#endif
    if (nt > PDE_MAX_THREADS)
        nt = PDE_MAX_THREADS;
    if (nt < 1)
        nt = 1;
    q->ev = calloc(nt, sizeof *q->ev);
    q->cdeq = calloc(ne * nsym, sizeof *q->cdeq);
    q->cdequ = calloc(ne * nu + 1, sizeof *q->cdequ);
    q->gcp = calloc(n * ne * nu + 1, sizeof *q->gcp);
    if (!q->ev || !q->cdeq || !q->cdequ || !q->gcp)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    for (size_t e = 0; e < ne; e++) {
        for (size_t k = 0; k < nsym; k++)
            if (d->deq[e][k] && expr_is_constant(d->deq[e][k]))
                q->cdeq[e * nsym + k] = expr_eval(d->deq[e][k], q->slots);
        for (size_t l = 0; l < nu; l++)
            if (d->dequ[e][l] && expr_is_constant(d->dequ[e][l]))
                q->cdequ[e * nu + l] = expr_eval(d->dequ[e][l], q->slots);
    }
    for (size_t k = 0; k < nt; k++) {
        q->n_ev = k + 1; /* so evals_free frees what is made */
        if (evals_copy(q, c, k, err, errcap))
            return -1;
    }
    return 0;
}

static int pde_resample(term *t, const problem *p, gsl_rng *rng)
{
    pde_problem *q = p->impl;
    return sampler_fill(q->interior, rng, t->x, t->n);
}

/* The channels the equations read; sym_ch maps each symbol to one. */
static int pde_channels(pde_problem *q, mlp_channels *ch)
{
    const pde *d = &q->d;
    mlp_channels_set(ch, 0, 0, d->n_vars);
    for (size_t k = 0; k < d->n_fields * d->n_sym; k++) {
        q->sym_ch[k] = -1;
        int used = 0;
        for (size_t e = 0; e < d->n_eq; e++)
            used |= d->deq[e][k] != NULL;
        if (!used)
            continue;
        const pde_symbol *s = &d->slot_sym[k];
        /* mlp_forward wants d/dx_i and d/dx_j with d2/dx_i dx_j */
        if (s->i >= 0 && (mlp_channels_add(ch, s->i, -1) != MLP_OK
                          || (s->j >= 0 && mlp_channels_add(ch, s->j, -1) != MLP_OK)
                          || mlp_channels_add(ch, s->i, s->j) != MLP_OK))
            return -1;
        q->sym_ch[k] = mlp_channels_index(ch, s->i, s->j);
    }
    return 0;
}

/* ---- boundary ---------------------------------------------------------- */

static double boundary_loss(term *t, const problem *p, const double *out, double *gout)
{
    const pde_problem *q = p->impl;
    size_t n = t->n, m = q->d.n_fields;
    for (size_t r = 0; r < q->n_rows; r++) {
        const bc_row *w = &q->rows[r];
        size_t f = (size_t)w->f;
        int cv = mlp_channels_index(&t->ch, w->v, -1);
        const double *u = out, *un = out + (size_t)(cv < 0 ? 0 : cv) * n * m;
        double val;
        switch (w->kind) {
        case PDE_DIRICHLET: val = u[w->p * m + f] - w->g; break;
        case PDE_NEUMANN: val = w->sign * un[w->p * m + f] - w->g; break;
        case PDE_ROBIN: val = w->a * u[w->p * m + f] + w->b * w->sign * un[w->p * m + f] - w->g; break;
        default: /* periodic */
            val = w->deriv ? un[w->p * m + f] - un[w->q * m + f] : u[w->p * m + f] - u[w->q * m + f];
        }
        t->r[r] = val;
    }
    double *dl;
    double loss = term_mse(t, &dl);
    memset(gout, 0, t->ch.n * n * m * sizeof *gout);
    for (size_t r = 0; r < q->n_rows; r++) {
        const bc_row *w = &q->rows[r];
        size_t f = (size_t)w->f;
        int cv = mlp_channels_index(&t->ch, w->v, -1);
        double *gu = gout, *gn = gout + (size_t)(cv < 0 ? 0 : cv) * n * m;
        switch (w->kind) {
        case PDE_DIRICHLET: gu[w->p * m + f] += dl[r]; break;
        case PDE_NEUMANN: gn[w->p * m + f] += w->sign * dl[r]; break;
        case PDE_ROBIN:
            gu[w->p * m + f] += w->a * dl[r];
            gn[w->p * m + f] += w->b * w->sign * dl[r];
            break;
        default:
            (w->deriv ? gn : gu)[w->p * m + f] += dl[r];
            (w->deriv ? gn : gu)[w->q * m + f] -= dl[r];
        }
    }
    return loss;
}

/* Is field f's condition on side s of variable v a loss term (given, and
 * not made exact by the hard constraints)? */
static int bc_soft(const pde_problem *q, size_t v, int s, size_t f)
{
    return q->d.bc[v][s][f].set && !pde_hard_side(q->hard, v, s);
}

/* Does side s of variable v carry a loss-term condition for any field? */
static int side_used(const pde_problem *q, size_t v, int s)
{
    for (size_t f = 0; f < q->d.n_fields; f++)
        if (bc_soft(q, v, s, f))
            return 1;
    return 0;
}

/* k points over the variables other than v, written as full points with v
 * left 0: into x (k x nv). Returns the count made, 0 on failure. */
static size_t side_points(const pde *d, const char *smp, size_t v, size_t want, gsl_rng *rng,
                          double **x)
{
    size_t nv = d->n_vars, no = nv - 1;
    double lo[PDE_MAX_VARS], hi[PDE_MAX_VARS];
    for (size_t j = 0, o = 0; j < nv; j++)
        if (j != v) {
            lo[o] = d->lo[j];
            hi[o++] = d->hi[j];
        }
    size_t k = 1;
    double *pts = NULL;
    if (no > 0) {
        sampler *s = sampler_alloc(smp, no, lo, hi);
        k = s ? sampler_count(s, want) : 0;
        pts = k ? malloc(k * no * sizeof *pts) : NULL;
        if (!s || !pts || sampler_fill(s, rng, pts, want)) {
            sampler_free(s);
            free(pts);
            return 0;
        }
        sampler_free(s);
    }
    *x = calloc(k * nv, sizeof **x);
    if (!*x) {
        free(pts);
        return 0;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0, o = 0; j < nv; j++)
            if (j != v)
                (*x)[i * nv + j] = pts[i * no + o++];
    free(pts);
    return k;
}

static double eval_at(pde_problem *q, const expr *e, const double *x)
{
    slots_at(q, x);
    return e ? expr_eval(e, q->slots) : 0.0;
}

static int build_boundary(pde_problem *q, const cfg *c, gsl_rng *rng, term *t, char *err,
                          size_t errcap)
{
    const pde *d = &q->d;
    const char *smp = cfg_string(c, "points.sampler");
    size_t nv = d->n_vars, n_sides = 0;
    for (size_t v = 0; v < nv; v++)
        for (int s = 0; s < 2; s++)
            n_sides += (int)v != d->time && side_used(q, v, s);
    if (n_sides == 0)
        return 1; /* no term */
    size_t want = (size_t)cfg_int(c, "points.boundary") / n_sides;
    if (want < 1)
        want = 1;
    /* first pass: points per variable (shared by its two sides) */
    double *side_x[PDE_MAX_VARS] = {0};
    size_t side_k[PDE_MAX_VARS] = {0}, n_pts = 0, n_rows = 0;
    int rc = 0;
    for (size_t v = 0; v < nv && rc == 0; v++) {
        if ((int)v == d->time || !(side_used(q, v, 0) || side_used(q, v, 1)))
            continue;
        if (!(side_k[v] = side_points(d, smp, v, want, rng, &side_x[v])))
            rc = cfg_fail(c, err, errcap, "points.boundary", "cannot sample the sides of %s",
                          d->var[v]);
        for (int s = 0; s < 2; s++) {
            if (!side_used(q, v, s))
                continue;
            n_pts += side_k[v];
            for (size_t f = 0; f < d->n_fields; f++)
                if (bc_soft(q, v, s, f))
                    n_rows += d->bc[v][s][f].kind == PDE_PERIODIC ? (s == 0) * 2 * side_k[v]
                                                                  : side_k[v];
        }
    }
    free(q->rows);
    q->rows = rc ? NULL : calloc(n_rows, sizeof *q->rows);
    q->n_rows = n_rows;
    if (rc == 0 && (!q->rows || term_alloc_points(t, n_pts, nv, 0, n_rows)))
        rc = cfg_fail(c, err, errcap, "points.boundary", "out of memory");
    size_t at = 0, r = 0;
    for (size_t v = 0; v < nv && rc == 0; v++) {
        if (!side_x[v])
            continue;
        size_t k = side_k[v], first[2] = {0, 0};
        for (int s = 0; s < 2; s++) {
            if (!side_used(q, v, s))
                continue;
            first[s] = at;
            for (size_t i = 0; i < k; i++, at++) {
                memcpy(t->x + at * nv, side_x[v] + i * nv, nv * sizeof(double));
                t->x[at * nv + v] = s ? d->hi[v] : d->lo[v];
            }
        }
        for (int s = 0; s < 2 && rc == 0; s++)
            for (size_t f = 0; f < d->n_fields && rc == 0; f++) {
                const pde_bc *bc = &d->bc[v][s][f];
                if (!bc_soft(q, v, s, f) || (bc->kind == PDE_PERIODIC && s == 1))
                    continue;
                for (size_t i = 0; i < k; i++) {
                    const double *x = t->x + (first[s] + i) * nv;
                    if (bc->kind == PDE_PERIODIC) {
                        for (int dv = 0; dv < 2; dv++)
                            q->rows[r++] = (bc_row){.p = first[0] + i, .q = first[1] + i,
                                                    .f = (int)f, .v = (int)v, .deriv = dv,
                                                    .kind = PDE_PERIODIC, .sign = 1.0};
                        continue;
                    }
                    bc_row w = {.p = first[s] + i, .f = (int)f, .v = (int)v, .kind = bc->kind,
                                .sign = s ? 1.0 : -1.0, .g = eval_at(q, bc->g, x),
                                .a = eval_at(q, bc->a, x), .b = eval_at(q, bc->b, x)};
                    if (!isfinite(w.g) || !isfinite(w.a) || !isfinite(w.b)) {
                        char path[160];
                        snprintf(path, sizeof path, "problem.boundary.%s_%s.%s", d->var[v],
                                 s ? "hi" : "lo", d->field[f]);
                        double bad = !isfinite(w.g) ? w.g : !isfinite(w.a) ? w.a : w.b;
                        rc = problem_check_finite(c, path, &bad, 1, x, 0, d->slot_name, nv, err,
                                                  errcap);
                        break;
                    }
                    q->rows[r++] = w;
                }
            }
    }
    for (size_t v = 0; v < nv; v++)
        free(side_x[v]);
    if (rc)
        return -1;
    mlp_channels_set(&t->ch, 0, 0, nv);
    for (size_t v = 0; v < nv; v++)
        for (int s = 0; s < 2; s++)
            for (size_t f = 0; f < d->n_fields; f++)
                if (bc_soft(q, v, s, f) && d->bc[v][s][f].kind != PDE_DIRICHLET)
                    mlp_channels_add(&t->ch, (int)v, -1);
    t->loss = boundary_loss;
    return 0;
}

/* ---- initial: each field (and u_t where second order in t) at t0 ------- */

/* aux holds the targets; rows per point: the fields, then the u_t of the
 * second-order ones. */
static double initial_loss(term *t, const problem *p, const double *out, double *gout)
{
    const pde *d = pde_of(p);
    size_t n = t->n, m = d->n_fields, per = t->n_r / n;
    int ct = d->time >= 0 ? mlp_channels_index(&t->ch, d->time, -1) : -1;
    for (size_t i = 0; i < n; i++) {
        size_t r = i * per;
        for (size_t f = 0; f < m; f++, r++)
            t->r[r] = out[i * m + f] - t->aux[r];
        for (size_t f = 0; f < m; f++)
            if (d->time_order[f] == 2) {
                t->r[r] = out[((size_t)ct * n + i) * m + f] - t->aux[r];
                r++;
            }
    }
    double *dl;
    double loss = term_mse(t, &dl);
    memset(gout, 0, t->ch.n * n * m * sizeof *gout);
    for (size_t i = 0; i < n; i++) {
        size_t r = i * per;
        for (size_t f = 0; f < m; f++, r++)
            gout[i * m + f] = dl[r];
        for (size_t f = 0; f < m; f++)
            if (d->time_order[f] == 2)
                gout[((size_t)ct * n + i) * m + f] = dl[r++];
    }
    return loss;
}

static int build_initial(pde_problem *q, const cfg *c, gsl_rng *rng, term *t, char *err,
                         size_t errcap)
{
    const pde *d = &q->d;
    size_t nv = d->n_vars, ns = d->n_space, m = d->n_fields, n2 = 0;
    for (size_t f = 0; f < m; f++)
        n2 += d->time_order[f] == 2;
    sampler *s = sampler_alloc(cfg_string(c, "points.sampler"), ns, d->lo, d->hi);
    size_t n = s ? sampler_count(s, (size_t)cfg_int(c, "points.initial")) : 0;
    double *pts = n ? malloc(n * ns * sizeof *pts) : NULL;
    if (!s || !pts || sampler_fill(s, rng, pts, n) || term_alloc_points(t, n, nv, n * (m + n2), n * (m + n2))) {
        sampler_free(s);
        free(pts);
        return cfg_fail(c, err, errcap, "points.initial", "cannot sample the initial points");
    }
    sampler_free(s);
    /* t is the last variable: the space coordinates come first */
    for (size_t i = 0; i < n; i++) {
        memcpy(t->x + i * nv, pts + i * ns, ns * sizeof *pts);
        t->x[i * nv + (size_t)d->time] = d->lo[d->time];
    }
    free(pts);
    size_t per = m + n2;
    for (size_t i = 0; i < n; i++) {
        size_t r = i * per;
        for (size_t f = 0; f < m; f++)
            t->aux[r++] = eval_at(q, d->u0[f], t->x + i * nv);
        for (size_t f = 0; f < m; f++)
            if (d->time_order[f] == 2)
                t->aux[r++] = eval_at(q, d->ut0[f], t->x + i * nv);
    }
    for (size_t i = 0; i < n * per; i++)
        if (!isfinite(t->aux[i]))
            return problem_check_finite(c, "problem.initial", t->aux + i, 1,
                                        t->x + (i / per) * nv, 0, d->slot_name, nv, err, errcap);
    mlp_channels_set(&t->ch, n2 ? 1u << d->time : 0, 0, nv);
    t->loss = initial_loss;
    return 0;
}

/* u = g + D N (pde_hard.h): the Dirichlet sides and the initial condition. */
static int pde_constraint(const problem *p, const double *x, size_t n, const mlp_channels *ch,
                          double *g, double *D)
{
    pde_problem *q = p->impl;
    return q->hard ? pde_hard_eval(q->hard, x, n, ch, g, D) : -1;
}

/* Time-marching: the initial targets from a previous solution's channels
 * (value, and d/dt for the fields second order in t), in aux's layout. */
static int pde_initial_from(const problem *p, term *t, const double *out)
{
    const pde *d = pde_of(p);
    if (t->loss != initial_loss)
        return -1;
    size_t n = t->n, m = d->n_fields, per = t->n_r / n;
    int ct = d->time >= 0 ? mlp_channels_index(&t->ch, d->time, -1) : -1;
    for (size_t i = 0; i < n; i++) {
        size_t r = i * per;
        for (size_t f = 0; f < m; f++)
            t->aux[r++] = out[i * m + f];
        for (size_t f = 0; f < m; f++)
            if (d->time_order[f] == 2) {
                if (ct < 0)
                    return -1;
                t->aux[r++] = out[((size_t)ct * n + i) * m + f];
            }
    }
    return 0;
}

/* ---- building the terms ------------------------------------------------ */

static int pde_build_terms(problem *p, const cfg *c, gsl_rng *rng, term *terms, size_t *n_terms,
                           char *err, size_t errcap)
{
    pde_problem *q = p->impl;
    const pde *d = &q->d;
    size_t nv = d->n_vars, nt = 0;
    for (size_t v = 0; v < nv; v++) { /* the box is the problem's (a march cuts t) */
        q->d.lo[v] = p->lo[v];
        q->d.hi[v] = p->hi[v];
    }
    if (cfg_bool(c, "loss.pde.enabled")) {
        term *t = &terms[nt++];
        strcpy(t->name, "pde");
        t->weight = cfg_float(c, "loss.pde.weight");
        sampler_free(q->interior);
        q->interior = sampler_alloc(cfg_string(c, "points.sampler"), nv, d->lo, d->hi);
        if (!q->interior)
            return cfg_fail(c, err, errcap, "points.sampler", "cannot make a %zu-D sampler", nv);
        size_t n = sampler_count(q->interior, (size_t)cfg_int(c, "points.interior"));
        if (term_alloc_points(t, n, nv, 0, n * d->n_eq))
            return cfg_fail(c, err, errcap, "points.interior", "out of memory");
        if (pde_channels(q, &t->ch))
            return cfg_fail(c, err, errcap, "problem.equations", "too many derivative channels");
        if (evals_build(q, c, n, err, errcap))
            return -1;
        t->loss = pde_loss;
        t->resample = pde_resample;
        if (cfg_float(c, "loss.pde.causal_epsilon") > 0
            && term_set_causal(t, cfg_float(c, "loss.pde.causal_epsilon"),
                               (size_t)cfg_int(c, "loss.pde.causal_bins"), (size_t)d->time, nv,
                               d->lo[d->time], d->hi[d->time]))
            return cfg_fail(c, err, errcap, "loss.pde.causal_bins", "out of memory");
        if (pde_resample(t, p, rng))
            return cfg_fail(c, err, errcap, "points.sampler", "sampling failed");
    }
    if (cfg_bool(c, "loss.boundary.enabled")) {
        int rc = build_boundary(q, c, rng, &terms[nt], err, errcap);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            strcpy(terms[nt].name, "boundary");
            terms[nt++].weight = cfg_float(c, "loss.boundary.weight");
        }
    }
    if (d->time >= 0 && cfg_bool(c, "loss.initial.enabled") && !q->hard) {
        term *t = &terms[nt++];
        strcpy(t->name, "initial");
        t->weight = cfg_float(c, "loss.initial.weight");
        if (build_initial(q, c, rng, t, err, errcap))
            return -1;
    }
    if (data_term_wanted(c) && data_term_build(&terms[nt++], p, c, err, errcap))
        return -1;
    *n_terms = nt;
    return 0;
}

static size_t pde_plan_terms(const problem *p, const cfg *c, term_plan *plans)
{
    const pde *d = pde_of(p);
    size_t nt = 0, m = d->n_fields, chans = 1 + d->n_vars + d->n_vars * (d->n_vars + 1) / 2;
    if (cfg_bool(c, "loss.pde.enabled")) {
        size_t n = (size_t)cfg_int(c, "points.interior");
        plans[nt++] = (term_plan){"points.interior", n, chans, 0, n * d->n_eq};
    }
    size_t n_soft = 0; /* sides left to the boundary term */
    for (size_t v = 0; v < d->n_vars; v++)
        for (int s = 0; s < 2; s++)
            n_soft += (int)v != d->time && side_used(p->impl, v, s);
    if (cfg_bool(c, "loss.boundary.enabled") && n_soft > 0) {
        size_t n = (size_t)cfg_int(c, "points.boundary");
        plans[nt++] = (term_plan){"points.boundary", n, 1 + d->n_vars, 0, 2 * n * m};
    }
    if (d->time >= 0 && cfg_bool(c, "loss.initial.enabled") &&
        !cfg_bool(c, "network.hard_constraints")) {
        size_t n = (size_t)cfg_int(c, "points.initial");
        plans[nt++] = (term_plan){"points.initial", n, 2, 2 * n * m, 2 * n * m};
    }
    if (data_term_wanted(c))
        plans[nt++] = (term_plan){"loss.data.file", 0, 1, 0, 0};
    return nt;
}

/* ---- grid, exact, reference -------------------------------------------- */

/* Axes slowest first, as in the file: t, z, y, x (the variables reversed). */
static int pde_make_grid(const problem *p, const cfg *c, grid *g)
{
    const pde *d = pde_of(p);
    size_t nv = d->n_vars;
    g->n_axes = nv;
    g->n = 1;
    for (size_t a = 0; a < nv; a++) {
        size_t v = nv - 1 - a;
        char path[32];
        snprintf(path, sizeof path, "output.n%s", d->var[v]);
        g->len[a] = (size_t)cfg_int(c, path);
        g->axis_name[a] = d->var[v];
        g->n *= g->len[a];
        if (!(g->axis[a] = malloc(g->len[a] * sizeof(double)))) {
            grid_release(g);
            return -1;
        }
        uniform_axis(g->axis[a], g->len[a], d->lo[v], d->hi[v]);
    }
    if (!(g->x = malloc(g->n * nv * sizeof(double)))) {
        grid_release(g);
        return -1;
    }
    for (size_t i = 0; i < g->n; i++) {
        size_t rest = i;
        for (size_t a = nv; a-- > 0;) {
            size_t k = rest % g->len[a];
            rest /= g->len[a];
            g->x[i * nv + (nv - 1 - a)] = g->axis[a][k];
        }
    }
    return 0;
}

static int pde_exact(const problem *p, const grid *g, double *u)
{
    pde_problem *q = p->impl;
    const pde *d = &q->d;
    if (!d->exact[0])
        return 1;
    for (size_t i = 0; i < g->n; i++)
        for (size_t f = 0; f < d->n_fields; f++)
            u[i * d->n_fields + f] = eval_at(q, d->exact[f], g->x + i * d->n_vars);
    return 0;
}

const problem_type problem_pde = {
    .name = "pde",
    .settings = pde_settings,
    .setup = pde_setup,
    .build_terms = pde_build_terms,
    .plan_terms = pde_plan_terms,
    .make_grid = pde_make_grid,
    .exact = pde_exact,
    .reference = pde_reference,
    .cleanup = pde_cleanup,
    .constraint = pde_constraint,
    .initial_from = pde_initial_from,
};
