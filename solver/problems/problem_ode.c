/* solver/problems/problem_ode.c - a system y' = f(t, y) of m equations on [t0, t1]
 * with named variables, right-hand sides, initial values, optional exact
 * solutions and an optional invariant Q(y): its settings, loss terms (pde,
 * initial, data, conservation), grid, exact and odeiv2 reference.
 * Input is t; outputs are y_1..y_m. d f/d y comes from libmatheval, and
 * so does d f/d c for the unknown constants c of an inverse problem. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems/problem_common.h"
#include "reference/reference.h"
#include "problems/sampler.h"

typedef struct ode {
    size_t m, nc;         /* variables, unknown constants */
    const char **names;   /* "t", the m variables (into out_names), the nc unknowns */
    expr **rhs;           /* f_j(t, y, c) */
    expr **jac;           /* m x m: d f_j / d y_k */
    expr **dfc;           /* m x nc: d f_j / d c_l */
    double *y0;
    expr **exact;         /* m or NULL */
    expr *invariant;      /* Q(t, y) or NULL */
    expr **dinv;          /* m: d Q / d y_k */
    double q0;
    double *vals;         /* scratch: t, y (1 + m) */
    sampler *interior;
    constants k;          /* problem.constants */
} ode;

static const setting_spec ode_settings[] = {
    {"problem.t", SPEC_INTERVAL, NULL, NULL, NULL, "time interval [t0, t1] (required)"},
    {"problem.variables", SPEC_EXPRS, NULL, NULL, NULL,
     "names of y_1..y_m, e.g. [\"S\", \"I\", \"R\"] (required)"},
    {"problem.rhs", SPEC_EXPRS, NULL, NULL, NULL, "f_1..f_m in t and the variables (required)"},
    {"problem.initial", SPEC_FLOATS, NULL, NULL, NULL, "y_1(t0)..y_m(t0) (required)"},
    {"problem.exact", SPEC_EXPRS, NULL, NULL, NULL, "exact y_1(t)..y_m(t); optional"},
    {"problem.invariant", SPEC_EXPR, NULL, NULL, NULL,
     "Q(t, y) that stays equal to Q(t0, y0): the conservation term; optional"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static void free_exprs(expr **e, size_t n)
{
    if (!e)
        return;
    for (size_t i = 0; i < n; i++)
        expr_free(e[i]);
    free(e);
}

static void ode_cleanup(problem *p)
{
    ode *o = p->impl;
    if (!o)
        return;
    free_exprs(o->rhs, o->m);
    free_exprs(o->jac, o->m * o->m);
    free_exprs(o->dfc, o->m * o->nc);
    free_exprs(o->exact, o->m);
    free_exprs(o->dinv, o->m);
    expr_free(o->invariant);
    free(o->names);
    free(o->y0);
    free(o->vals);
    sampler_free(o->interior);
    free(o);
    p->impl = NULL;
}

static int ode_setup(problem *p, const cfg *c, char *err, size_t errcap)
{
    static const char *const required[] = {"problem.t", "problem.variables", "problem.rhs",
                                           "problem.initial"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!cfg_has(c, required[i]))
            return cfg_fail(c, err, errcap, required[i],
                            "missing (required for problem.type = \"ode\")");
    size_t m = cfg_len(c, "problem.variables");
    if (cfg_len(c, "problem.rhs") != m)
        return cfg_fail(c, err, errcap, "problem.rhs", "has %zu expressions for %zu variables",
                        cfg_len(c, "problem.rhs"), m);
    if (cfg_len(c, "problem.initial") != m)
        return cfg_fail(c, err, errcap, "problem.initial", "has %zu values for %zu variables",
                        cfg_len(c, "problem.initial"), m);
    if (cfg_has(c, "problem.exact") && cfg_len(c, "problem.exact") != m)
        return cfg_fail(c, err, errcap, "problem.exact", "has %zu expressions for %zu variables",
                        cfg_len(c, "problem.exact"), m);
    ode *o = calloc(1, sizeof *o);
    if (!o)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    p->impl = o;
    o->m = m;
    o->nc = p->unk.n;
    size_t nc = o->nc;
    p->n_in = 1;
    p->n_out = m;
    p->in_names[0] = "t";
    p->lo[0] = cfg_float_at(c, "problem.t", 0);
    p->hi[0] = cfg_float_at(c, "problem.t", 1);
    o->names = calloc(m + 1 + nc, sizeof *o->names);
    p->out_names = calloc(m, sizeof *p->out_names);
    o->rhs = calloc(m, sizeof *o->rhs);
    o->jac = calloc(m * m, sizeof *o->jac);
    o->y0 = calloc(m, sizeof *o->y0);
    o->vals = calloc(m + 1 + nc, sizeof *o->vals);
    o->dfc = calloc(m * nc + 1, sizeof *o->dfc);
    if (!o->names || !p->out_names || !o->rhs || !o->jac || !o->y0 || !o->vals || !o->dfc)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    o->names[0] = "t";
    for (size_t j = 0; j < m; j++) {
        const char *name = cfg_expr_at(c, "problem.variables", j);
        if (!problem_is_identifier(name) || strcmp(name, "t") == 0)
            return cfg_fail(c, err, errcap, "problem.variables",
                            "element %zu: '%s' is not a usable variable name", j + 1,
                            name ? name : "");
        for (size_t k = 0; k < j; k++)
            if (strcmp(p->out_names[k], name) == 0)
                return cfg_fail(c, err, errcap, "problem.variables", "'%s' is named twice", name);
        p->out_names[j] = malloc(strlen(name) + 1);
        if (!p->out_names[j])
            return cfg_fail(c, err, errcap, "problem", "out of memory");
        strcpy(p->out_names[j], name);
        o->names[j + 1] = p->out_names[j];
    }
    if (constants_read(&o->k, c, o->names, m + 1, err, errcap) ||
        problem_unknowns_check(p, c, o->k.names, o->k.n, err, errcap))
        return -1;
    for (size_t l = 0; l < nc; l++)
        o->names[m + 1 + l] = p->unk.name[l];
    for (size_t j = 0; j < m; j++) {
        o->y0[j] = cfg_float_at(c, "problem.initial", j);
        if (!(o->rhs[j] = problem_expr(c, &o->k, "problem.rhs", cfg_expr_at(c, "problem.rhs", j),
                                       o->names, m + 1 + nc, err, errcap)))
            return -1;
        for (size_t l = 0; l < nc; l++) {
            char why[256];
            if (!(o->dfc[j * nc + l] = expr_derivative(o->rhs[j], m + 1 + l, why, sizeof why)))
                return cfg_fail(c, err, errcap, "problem.rhs", "d/d%s: %s", p->unk.name[l], why);
        }
        for (size_t k = 0; k < m; k++) {
            char why[256];
            if (!(o->jac[j * m + k] = expr_derivative(o->rhs[j], k + 1, why, sizeof why)))
                return cfg_fail(c, err, errcap, "problem.rhs", "d/d%s: %s", o->names[k + 1], why);
        }
    }
    if (cfg_has(c, "problem.exact")) {
        if (!(o->exact = calloc(m, sizeof *o->exact)))
            return cfg_fail(c, err, errcap, "problem", "out of memory");
        for (size_t j = 0; j < m; j++)
            if (!(o->exact[j] = problem_expr(c, &o->k, "problem.exact", cfg_expr_at(c, "problem.exact", j),
                                             o->names, 1, err, errcap)))
                return -1;
    }
    if (cfg_has(c, "problem.invariant")) {
        if (!(o->invariant = problem_expr(c, &o->k, "problem.invariant", cfg_expr(c, "problem.invariant"),
                                          o->names, m + 1, err, errcap)))
            return -1;
        if (!(o->dinv = calloc(m, sizeof *o->dinv)))
            return cfg_fail(c, err, errcap, "problem", "out of memory");
        for (size_t k = 0; k < m; k++) {
            char why[256];
            if (!(o->dinv[k] = expr_derivative(o->invariant, k + 1, why, sizeof why)))
                return cfg_fail(c, err, errcap, "problem.invariant", "%s", why);
        }
        o->vals[0] = p->lo[0];
        memcpy(o->vals + 1, o->y0, m * sizeof *o->y0);
        o->q0 = expr_eval(o->invariant, o->vals);
        if (problem_check_finite(c, "problem.invariant", &o->q0, 1, o->vals, 0, o->names, m + 1,
                                 err, errcap))
            return -1;
    }
    return 0;
}

/* ---- pde: r_pj = y'_j - f_j(t_p, y_p) ----------------------------------- */

static double pde_loss(term *t, const problem *p, const double *out, double *gout)
{
    ode *o = p->impl;
    size_t n = t->n, m = o->m, nc = o->nc;
    const double *y = out, *dy = out + n * m;
    memcpy(o->vals + 1 + m, p->unk.value, nc * sizeof *o->vals);
    for (size_t i = 0; i < n; i++) {
        o->vals[0] = t->x[i];
        memcpy(o->vals + 1, y + i * m, m * sizeof *y);
        for (size_t j = 0; j < m; j++)
            t->r[i * m + j] = dy[i * m + j] - expr_eval(o->rhs[j], o->vals);
    }
    double *d;
    double loss = term_mse(t, &d);
    double *gy = gout, *gdy = gout + n * m;
    for (size_t i = 0; i < n; i++) {
        o->vals[0] = t->x[i];
        memcpy(o->vals + 1, y + i * m, m * sizeof *y);
        for (size_t k = 0; k < m; k++) {
            double s = 0.0;
            for (size_t j = 0; j < m; j++)
                s += d[i * m + j] * expr_eval(o->jac[j * m + k], o->vals);
            gy[i * m + k] = -s;
            gdy[i * m + k] = d[i * m + k];
        }
        for (size_t l = 0; l < nc; l++) /* dr_ij/dc_l = -d f_j/d c_l */
            for (size_t j = 0; j < m; j++)
                t->gc[l] -= d[i * m + j] * expr_eval(o->dfc[j * nc + l], o->vals);
    }
    return loss;
}

static int pde_resample(term *t, const problem *p, gsl_rng *rng)
{
    const ode *o = p->impl;
    return sampler_fill(o->interior, rng, t->x, t->n);
}

/* ---- conservation: r_p = Q(t_p, y_p) - Q(t0, y0) ------------------------ */

static double invariant_loss(term *t, const problem *p, const double *out, double *gout)
{
    ode *o = p->impl;
    size_t n = t->n, m = o->m;
    for (size_t i = 0; i < n; i++) {
        o->vals[0] = t->x[i];
        memcpy(o->vals + 1, out + i * m, m * sizeof *out);
        t->r[i] = expr_eval(o->invariant, o->vals) - o->q0;
    }
    double *d;
    double loss = term_mse(t, &d);
    for (size_t i = 0; i < n; i++) {
        o->vals[0] = t->x[i];
        memcpy(o->vals + 1, out + i * m, m * sizeof *out);
        for (size_t k = 0; k < m; k++)
            gout[i * m + k] = d[i] * expr_eval(o->dinv[k], o->vals);
    }
    return loss;
}

static int ode_build_terms(problem *p, const cfg *c, gsl_rng *rng, term *terms,
                              size_t *n_terms, char *err, size_t errcap)
{
    ode *o = p->impl;
    size_t m = o->m, nt = 0;
    const char *smp = cfg_string(c, "points.sampler");
    if (cfg_bool(c, "loss.pde.enabled")) {
        term *t = &terms[nt++];
        strcpy(t->name, "pde");
        t->weight = cfg_float(c, "loss.pde.weight");
        o->interior = sampler_alloc(smp, 1, p->lo, p->hi);
        if (!o->interior)
            return cfg_fail(c, err, errcap, "points.sampler", "cannot make a 1-D sampler");
        size_t n = sampler_count(o->interior, (size_t)cfg_int(c, "points.interior"));
        if (term_alloc_points(t, n, 1, 0, n * m))
            return cfg_fail(c, err, errcap, "points.interior", "out of memory");
        mlp_channels_set(&t->ch, 1u, 0, 1);
        t->loss = pde_loss;
        t->resample = pde_resample;
        t->pointwise = 1;
        if (cfg_float(c, "loss.pde.causal_epsilon") > 0 &&
            term_set_causal(t, cfg_float(c, "loss.pde.causal_epsilon"),
                            (size_t)cfg_int(c, "loss.pde.causal_bins"), 0, 1, p->lo[0], p->hi[0]))
            return cfg_fail(c, err, errcap, "loss.pde.causal_bins", "out of memory");
        if (pde_resample(t, p, rng))
            return cfg_fail(c, err, errcap, "points.sampler", "sampling failed");
    }
    if (cfg_bool(c, "loss.initial.enabled") && !cfg_bool(c, "network.hard_constraints")) {
        term *t = &terms[nt++];
        strcpy(t->name, "initial");
        t->weight = cfg_float(c, "loss.initial.weight");
        if (term_alloc_points(t, 1, 1, m, m))
            return cfg_fail(c, err, errcap, "loss.initial", "out of memory");
        t->x[0] = p->lo[0];
        memcpy(t->aux, o->y0, m * sizeof *o->y0);
        mlp_channels_set(&t->ch, 0, 0, 1);
        t->loss = term_value_loss;
        t->pointwise = 1;
    }
    if (data_term_wanted(c) && data_term_build(&terms[nt++], p, c, err, errcap))
        return -1;
    if (cfg_bool(c, "loss.conservation.enabled")) {
        if (!o->invariant)
            return cfg_fail(c, err, errcap, "loss.conservation.enabled",
                            "needs problem.invariant for an ODE system");
        term *t = &terms[nt++];
        strcpy(t->name, "conservation");
        t->weight = cfg_float(c, "loss.conservation.weight");
        sampler *s = sampler_alloc(smp, 1, p->lo, p->hi);
        size_t n = s ? sampler_count(s, (size_t)cfg_int(c, "loss.conservation.times")) : 0;
        if (!s || term_alloc_points(t, n, 1, 0, n) || sampler_fill(s, rng, t->x, n)) {
            sampler_free(s);
            return cfg_fail(c, err, errcap, "loss.conservation", "cannot sample times");
        }
        sampler_free(s);
        mlp_channels_set(&t->ch, 0, 0, 1);
        t->loss = invariant_loss;
        t->pointwise = 1;
    }
    *n_terms = nt;
    return 0;
}

static size_t ode_plan_terms(const problem *p, const cfg *c, term_plan *plans)
{
    size_t m = p->n_out, nt = 0;
    if (cfg_bool(c, "loss.pde.enabled")) {
        size_t n = (size_t)cfg_int(c, "points.interior");
        plans[nt++] = (term_plan){"points.interior", n, 2, 0, n * m}; /* y, y' */
    }
    if (cfg_bool(c, "loss.initial.enabled") && !cfg_bool(c, "network.hard_constraints"))
        plans[nt++] = (term_plan){"loss.initial", 1, 1, m, m};
    if (data_term_wanted(c))
        plans[nt++] = (term_plan){"loss.data.file", 0, 1, 0, 0};
    if (cfg_bool(c, "loss.conservation.enabled")) {
        size_t n = (size_t)cfg_int(c, "loss.conservation.times");
        plans[nt++] = (term_plan){"loss.conservation.times", n, 1, 0, n};
    }
    return nt;
}

static int ode_make_grid(const problem *p, const cfg *c, grid *g)
{
    size_t n = (size_t)cfg_int(c, "output.nt");
    g->n_axes = 1;
    g->len[0] = n;
    g->axis_name[0] = "t";
    g->n = n;
    g->axis[0] = malloc(n * sizeof(double));
    g->x = malloc(n * sizeof(double));
    if (!g->axis[0] || !g->x) {
        grid_release(g);
        return -1;
    }
    uniform_axis(g->axis[0], n, p->lo[0], p->hi[0]);
    memcpy(g->x, g->axis[0], n * sizeof(double));
    return 0;
}

static int ode_exact(const problem *p, const grid *g, double *u)
{
    const ode *o = p->impl;
    if (!o->exact)
        return 1;
    for (size_t i = 0; i < g->n; i++)
        for (size_t j = 0; j < o->m; j++)
            u[i * o->m + j] = expr_eval(o->exact[j], &g->x[i]);
    return 0;
}

static int ref_rhs(double t, const double *y, double *f, void *ctx)
{
    ode *o = ctx;
    o->vals[0] = t;
    memcpy(o->vals + 1, y, o->m * sizeof *y);
    for (size_t j = 0; j < o->m; j++)
        f[j] = expr_eval(o->rhs[j], o->vals);
    return 0;
}

static int ref_jac(double t, const double *y, double *dfdy, double *dfdt, void *ctx)
{
    ode *o = ctx;
    size_t m = o->m;
    o->vals[0] = t;
    memcpy(o->vals + 1, y, m * sizeof *y);
    for (size_t j = 0; j < m * m; j++)
        dfdy[j] = expr_eval(o->jac[j], o->vals);
    /* d f / d t by a central difference: only the stiff steppers use it and
     * the systems here are autonomous or nearly so. */
    for (size_t j = 0; j < m; j++) {
        double h = 1e-6 * (1.0 + fabs(t));
        o->vals[0] = t + h;
        double fp = expr_eval(o->rhs[j], o->vals);
        o->vals[0] = t - h;
        double fm = expr_eval(o->rhs[j], o->vals);
        dfdt[j] = (fp - fm) / (2 * h);
    }
    return 0;
}

static int ode_reference(const problem *p, const cfg *c, const grid *g, double *u, char *method,
                         size_t method_cap, char *err, size_t errcap)
{
    ode *o = p->impl;
    if (o->nc > 0) { /* the data were made with the true constants */
        if (!p->unk.has_truth) {
            snprintf(err, errcap, "the unknowns have no problem.unknowns.true_values to solve with");
            return -1;
        }
        memcpy(o->vals + 1 + o->m, p->unk.truth, o->nc * sizeof *o->vals);
    }
    ode_spec spec = {.m = o->m, .t0 = p->lo[0], .y0 = o->y0, .rhs = ref_rhs, .jac = ref_jac,
                     .ctx = o};
    const char *stepper = cfg_string(c, "reference.stepper");
    double ea = cfg_float(c, "reference.epsabs"), er = cfg_float(c, "reference.epsrel");
    snprintf(method, method_cap, "gsl_odeiv2_driver %s, epsabs %g, epsrel %g", stepper, ea, er);
    return reference_ode(u, &spec, stepper, ea, er, g->axis[0], g->len[0], err, errcap);
}

/* y = y0 + D N with D = (t - t0) / (t1 - t0): y(t0) = y0 exactly. */
static int ode_constraint(const problem *p, const double *x, size_t n, const mlp_channels *ch,
                          double *g, double *D)
{
    const ode *o = p->impl;
    size_t m = o->m;
    double t0 = p->lo[0], T = p->hi[0] - p->lo[0];
    for (size_t c = 0; c < ch->n; c++) {
        mlp_channel k = ch->c[c];
        for (size_t q = 0; q < n; q++) {
            D[c * n + q] = k.i < 0 ? (x[q] - t0) / T : k.j < 0 ? 1.0 / T : 0.0;
            for (size_t j = 0; j < m; j++)
                g[(c * n + q) * m + j] = k.i < 0 ? o->y0[j] : 0.0;
        }
    }
    return 0;
}

const problem_type problem_ode = {
    .name = "ode",
    .settings = ode_settings,
    .setup = ode_setup,
    .build_terms = ode_build_terms,
    .plan_terms = ode_plan_terms,
    .make_grid = ode_make_grid,
    .exact = ode_exact,
    .reference = ode_reference,
    .cleanup = ode_cleanup,
    .constraint = ode_constraint,
};
