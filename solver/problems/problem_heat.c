/* solver/problems/problem_heat.c - the 1D heat equation u_t = alpha u_xx + f(x, t) on
 * [a, b] x [t0, t1] with Dirichlet, Neumann or periodic sides: its settings,
 * loss terms (pde, boundary, initial, data, conservation), grid, exact and
 * Crank-Nicolson reference. Inputs are (x, t); one output u. alpha may be
 * an unknown constant (problem.unknowns.names = ["alpha"]) learned from data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "problems/problem_common.h"
#include "reference/reference.h"
#include "problems/sampler.h"

enum { IN_X = 0, IN_T = 1 };
enum { SIDE_LEFT = 0, SIDE_RIGHT = 1 };

typedef struct heat {
    double alpha;
    int alpha_unknown; /* index of alpha among problem.unknowns, -1: known */
    bc_kind bc[2];
    expr *initial;   /* u0(x) */
    expr *side[2];   /* g(t) (Dirichlet) or h(t) = u_x (Neumann); NULL for periodic */
    expr *source;    /* f(x, t) or NULL */
    expr *exact;     /* u(x, t) or NULL */
    sampler *interior; /* kept so resampling continues quasi-random sequences */
    constants k;       /* problem.constants */
    /* hard constraints: u0', u0'' and the Dirichlet values' g', g'' */
    expr *du0, *d2u0, *dside[2], *d2side[2];
} heat;

/* Dirichlet on both sides: the hard constraints cover the boundary too. */
static int heat_dirichlet(const heat *h)
{
    return h->bc[SIDE_LEFT] == BC_DIRICHLET && h->bc[SIDE_RIGHT] == BC_DIRICHLET;
}

static const char *const X_NAMES[] = {"x"};
static const char *const T_NAMES[] = {"t"};
static const char *const XT_NAMES[] = {"x", "t"};

static const setting_spec heat_settings[] = {
    {"problem.alpha", SPEC_FLOAT, NULL, "(0,inf)", NULL,
     "diffusivity alpha (required, unless alpha is in problem.unknowns)"},
    {"problem.x", SPEC_INTERVAL, NULL, NULL, NULL, "space interval [a, b] (required)"},
    {"problem.t", SPEC_INTERVAL, NULL, NULL, NULL, "time interval [t0, t1] (required)"},
    {"problem.initial", SPEC_EXPR, NULL, NULL, NULL, "u0(x) at t0 (required)"},
    {"problem.left", SPEC_GROUP, NULL, NULL, NULL, "boundary at x = a (required)"},
    {"problem.left.type", SPEC_STRING, NULL, NULL, "dirichlet|neumann|periodic",
     "dirichlet: u = value; neumann: u_x = value; periodic: both sides (required)"},
    {"problem.left.value", SPEC_EXPR, "0", NULL, NULL, "g(t) or h(t) on this side"},
    {"problem.right", SPEC_GROUP, NULL, NULL, NULL, "boundary at x = b (required)"},
    {"problem.right.type", SPEC_STRING, NULL, NULL, "dirichlet|neumann|periodic",
     "as problem.left.type"},
    {"problem.right.value", SPEC_EXPR, "0", NULL, NULL, "as problem.left.value"},
    {"problem.source", SPEC_EXPR, NULL, NULL, NULL, "f(x, t); none if absent"},
    {"problem.exact", SPEC_EXPR, NULL, NULL, NULL, "exact u(x, t) for error reports; optional"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static int require(const cfg *c, const char *path, char *err, size_t errcap)
{
    if (cfg_has(c, path))
        return 0;
    return cfg_fail(c, err, errcap, path, "missing (required for problem.type = \"heat\")");
}

static void heat_cleanup(problem *p)
{
    heat *h = p->impl;
    if (!h)
        return;
    expr_free(h->initial);
    expr_free(h->side[0]);
    expr_free(h->side[1]);
    expr_free(h->source);
    expr_free(h->exact);
    expr_free(h->du0);
    expr_free(h->d2u0);
    for (int s = 0; s < 2; s++) {
        expr_free(h->dside[s]);
        expr_free(h->d2side[s]);
    }
    sampler_free(h->interior);
    free(h);
    p->impl = NULL;
}

static int heat_setup(problem *p, const cfg *c, char *err, size_t errcap)
{
    static const char *const required[] = {"problem.x", "problem.t", "problem.initial",
                                           "problem.left.type", "problem.right.type"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (require(c, required[i], err, errcap))
            return -1;
    int alpha_unknown = unknowns_find(&p->unk, "alpha");
    static const char *const inputs[] = {"x", "t"}, *const fields[] = {"u"};
    if (unknowns_check_names(&p->unk, c, inputs, 2, "variable", err, errcap) ||
        unknowns_check_names(&p->unk, c, fields, 1, "field", err, errcap))
        return -1;
    for (size_t j = 0; j < p->unk.n; j++)
        if ((int)j != alpha_unknown)
            return cfg_fail(c, err, errcap, "problem.unknowns.names",
                            "'%s': the heat type can learn only alpha (the pde type takes "
                            "unknowns in any expression)", p->unk.name[j]);
    if (alpha_unknown >= 0 && cfg_has(c, "problem.alpha"))
        return cfg_fail(c, err, errcap, "problem.alpha",
                        "alpha is also an unknown (problem.unknowns.names); give one of the two");
    if (alpha_unknown < 0 && require(c, "problem.alpha", err, errcap))
        return -1;
    heat *h = calloc(1, sizeof *h);
    if (!h)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    p->impl = h;
    h->alpha_unknown = alpha_unknown;
    p->n_in = 2;
    p->n_out = 1;
    p->in_names[0] = "x";
    p->in_names[1] = "t";
    p->out_names = calloc(1, sizeof *p->out_names);
    if (!p->out_names || !(p->out_names[0] = malloc(2)))
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    strcpy(p->out_names[0], "u");
    p->lo[IN_X] = cfg_float_at(c, "problem.x", 0);
    p->hi[IN_X] = cfg_float_at(c, "problem.x", 1);
    p->lo[IN_T] = cfg_float_at(c, "problem.t", 0);
    p->hi[IN_T] = cfg_float_at(c, "problem.t", 1);
    h->alpha = alpha_unknown < 0 ? cfg_float(c, "problem.alpha") : p->unk.initial[alpha_unknown];
    static const char *const taken[] = {"x", "t", "u"};
    if (constants_read(&h->k, c, taken, 3, err, errcap) ||
        problem_unknowns_check(p, c, h->k.names, h->k.n, err, errcap))
        return -1;

    static const char *const side_path[2] = {"problem.left", "problem.right"};
    for (int s = 0; s < 2; s++) {
        char path[64];
        snprintf(path, sizeof path, "%s.type", side_path[s]);
        const char *type = cfg_string(c, path);
        h->bc[s] = strcmp(type, "dirichlet") == 0 ? BC_DIRICHLET
                 : strcmp(type, "neumann") == 0   ? BC_NEUMANN
                                                  : BC_PERIODIC;
    }
    if ((h->bc[0] == BC_PERIODIC) != (h->bc[1] == BC_PERIODIC))
        return cfg_fail(c, err, errcap,
                        h->bc[0] == BC_PERIODIC ? "problem.left.type" : "problem.right.type",
                        "periodic must be set on both sides");
    p->periodic[IN_X] = h->bc[0] == BC_PERIODIC;
    for (int s = 0; s < 2; s++) {
        char path[64];
        snprintf(path, sizeof path, "%s.value", side_path[s]);
        if (h->bc[s] == BC_PERIODIC) {
            if (cfg_has(c, path))
                return cfg_fail(c, err, errcap, path, "a periodic side takes no value");
            continue;
        }
        if (!(h->side[s] = problem_expr(c, &h->k, path, cfg_expr(c, path), T_NAMES, 1, err, errcap)))
            return -1;
    }
    if (!(h->initial = problem_expr(c, &h->k, "problem.initial", cfg_expr(c, "problem.initial"), X_NAMES,
                                    1, err, errcap)))
        return -1;
    if (cfg_has(c, "problem.source") &&
        !(h->source = problem_expr(c, &h->k, "problem.source", cfg_expr(c, "problem.source"), XT_NAMES,
                                   2, err, errcap)))
        return -1;
    if (cfg_has(c, "problem.exact") &&
        !(h->exact = problem_expr(c, &h->k, "problem.exact", cfg_expr(c, "problem.exact"), XT_NAMES, 2,
                                  err, errcap)))
        return -1;
    if (cfg_bool(c, "network.hard_constraints")) {
        char why[256];
        if (!(h->du0 = expr_derivative(h->initial, 0, why, sizeof why)) ||
            !(h->d2u0 = expr_derivative(h->du0, 0, why, sizeof why)))
            return cfg_fail(c, err, errcap, "problem.initial", "d/dx: %s", why);
        for (int s = 0; s < 2 && heat_dirichlet(h); s++)
            if (!(h->dside[s] = expr_derivative(h->side[s], 0, why, sizeof why)) ||
                !(h->d2side[s] = expr_derivative(h->dside[s], 0, why, sizeof why)))
                return cfg_fail(c, err, errcap, side_path[s], "d/dt: %s", why);
    }
    return 0;
}

static double source_at(const heat *h, double x, double t)
{
    if (!h->source)
        return 0.0;
    double v[2] = {x, t};
    return expr_eval(h->source, v);
}

/* alpha now: the config's, or the unknown's current value */
static double alpha_of(const heat *h, const problem *p)
{
    return h->alpha_unknown < 0 ? h->alpha : p->unk.value[h->alpha_unknown];
}

/* ---- pde: r = u_t - alpha u_xx - f ------------------------------------- */

static double pde_loss(term *t, const problem *p, const double *out, double *gout)
{
    const heat *h = p->impl;
    size_t n = t->n;
    double alpha = alpha_of(h, p);
    int ct = mlp_channels_index(&t->ch, IN_T, -1), cxx = mlp_channels_index(&t->ch, IN_X, IN_X);
    const double *ut = out + (size_t)ct * n, *uxx = out + (size_t)cxx * n;
    for (size_t i = 0; i < n; i++)
        t->r[i] = ut[i] - alpha * uxx[i] - t->aux[i];
    double *d;
    double loss = term_mse(t, &d);
    memset(gout, 0, t->ch.n * n * sizeof *gout);
    double dalpha = 0.0; /* dr/dalpha = -u_xx */
    for (size_t i = 0; i < n; i++) {
        gout[(size_t)ct * n + i] = d[i];
        gout[(size_t)cxx * n + i] = -alpha * d[i];
        dalpha -= d[i] * uxx[i];
    }
    if (h->alpha_unknown >= 0)
        t->gc[h->alpha_unknown] += dalpha;
    return loss;
}

static int pde_resample(term *t, const problem *p, gsl_rng *rng)
{
    const heat *h = p->impl;
    if (sampler_fill(h->interior, rng, t->x, t->n) != 0)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        t->aux[i] = source_at(h, t->x[2 * i], t->x[2 * i + 1]);
    return 0;
}

/* ---- boundary: k times, points [0, k) at x = a and [k, 2k) at x = b ---- */

static double boundary_loss(term *t, const problem *p, const double *out, double *gout)
{
    const heat *h = p->impl;
    size_t n = t->n, k = n / 2;
    int cx = mlp_channels_index(&t->ch, IN_X, -1);
    const double *u = out, *ux = out + (size_t)cx * n;
    if (h->bc[0] == BC_PERIODIC) {
        for (size_t i = 0; i < k; i++) {
            t->r[i] = u[i] - u[k + i];
            t->r[k + i] = ux[i] - ux[k + i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            int s = i < k ? SIDE_LEFT : SIDE_RIGHT;
            t->r[i] = (h->bc[s] == BC_DIRICHLET ? u[i] : ux[i]) - t->aux[i];
        }
    }
    double *d;
    double loss = term_mse(t, &d);
    memset(gout, 0, t->ch.n * n * sizeof *gout);
    double *gu = gout, *gux = gout + (size_t)cx * n;
    if (h->bc[0] == BC_PERIODIC) {
        for (size_t i = 0; i < k; i++) {
            gu[i] = d[i];
            gu[k + i] = -d[i];
            gux[i] = d[k + i];
            gux[k + i] = -d[k + i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            int s = i < k ? SIDE_LEFT : SIDE_RIGHT;
            (h->bc[s] == BC_DIRICHLET ? gu : gux)[i] = d[i];
        }
    }
    return loss;
}

/* ---- conservation: at K times, Q Gauss-Legendre nodes in x --------------
 * r_k = sum_q w_q u_t(x_q, t_k) - alpha (u_x(b, t_k) - u_x(a, t_k)) - F_k,
 * F_k = sum_q w_q f(x_q, t_k). Points: K*Q nodes, then K at a, then K at b.
 * aux: Q weights, then K values F_k. */

typedef struct conservation_shape {
    size_t times, nodes;
} conservation_shape;

static double conservation_loss(term *t, const problem *p, const double *out, double *gout)
{
    const heat *h = p->impl;
    size_t n = t->n, kq = t->n_r, q = (n - 2 * kq) / kq;
    int cx = mlp_channels_index(&t->ch, IN_X, -1), ct = mlp_channels_index(&t->ch, IN_T, -1);
    const double *ux = out + (size_t)cx * n, *ut = out + (size_t)ct * n;
    const double *w = t->aux, *F = t->aux + q;
    double alpha = alpha_of(h, p), dalpha = 0.0;
    for (size_t k = 0; k < kq; k++) {
        double integral = 0.0;
        for (size_t j = 0; j < q; j++)
            integral += w[j] * ut[k * q + j];
        double flux = ux[kq * q + kq + k] - ux[kq * q + k];
        t->r[k] = integral - alpha * flux - F[k];
    }
    double *d;
    double loss = term_mse(t, &d);
    memset(gout, 0, t->ch.n * n * sizeof *gout);
    double *gux = gout + (size_t)cx * n, *gut = gout + (size_t)ct * n;
    for (size_t k = 0; k < kq; k++) {
        for (size_t j = 0; j < q; j++)
            gut[k * q + j] = w[j] * d[k];
        gux[kq * q + kq + k] = -alpha * d[k];
        gux[kq * q + k] = alpha * d[k];
        dalpha -= d[k] * (ux[kq * q + kq + k] - ux[kq * q + k]);
    }
    if (h->alpha_unknown >= 0)
        t->gc[h->alpha_unknown] += dalpha;
    return loss;
}

/* ---- building the terms ------------------------------------------------ */

static int fill_1d(const char *name, double lo, double hi, gsl_rng *rng, double *v, size_t n)
{
    sampler *s = sampler_alloc(name, 1, &lo, &hi);
    int rc = s ? sampler_fill(s, rng, v, n) : -1;
    sampler_free(s);
    return rc;
}

static size_t count_1d(const char *name, double lo, double hi, size_t n)
{
    sampler *s = sampler_alloc(name, 1, &lo, &hi);
    size_t k = s ? sampler_count(s, n) : 0;
    sampler_free(s);
    return k;
}

static int heat_build_terms(problem *p, const cfg *c, gsl_rng *rng, term *terms,
                               size_t *n_terms, char *err, size_t errcap)
{
    heat *h = p->impl;
    const char *smp = cfg_string(c, "points.sampler");
    double a = p->lo[IN_X], b = p->hi[IN_X], t0 = p->lo[IN_T], t1 = p->hi[IN_T];
    size_t nt = 0;

    if (cfg_bool(c, "loss.pde.enabled")) {
        term *t = &terms[nt++];
        strcpy(t->name, "pde");
        t->weight = cfg_float(c, "loss.pde.weight");
        h->interior = sampler_alloc(smp, 2, p->lo, p->hi);
        if (!h->interior)
            return cfg_fail(c, err, errcap, "points.sampler", "cannot make a 2-D sampler");
        size_t n = sampler_count(h->interior, (size_t)cfg_int(c, "points.interior"));
        if (term_alloc_points(t, n, 2, n, n))
            return cfg_fail(c, err, errcap, "points.interior", "out of memory");
        mlp_channels_set(&t->ch, 1u << IN_X | 1u << IN_T, 1u << IN_X, 2);
        t->loss = pde_loss;
        t->resample = pde_resample;
        t->pointwise = 1;
        if (cfg_float(c, "loss.pde.causal_epsilon") > 0 &&
            term_set_causal(t, cfg_float(c, "loss.pde.causal_epsilon"),
                            (size_t)cfg_int(c, "loss.pde.causal_bins"), IN_T, 2, p->lo[IN_T], p->hi[IN_T]))
            return cfg_fail(c, err, errcap, "loss.pde.causal_bins", "out of memory");
        if (pde_resample(t, p, rng))
            return cfg_fail(c, err, errcap, "points.sampler", "sampling failed");
        if (problem_check_finite(c, "problem.source", t->aux, n, t->x, 2, XT_NAMES, 2, err,
                                 errcap))
            return -1;
    }
    int hard = cfg_bool(c, "network.hard_constraints");
    if (cfg_bool(c, "loss.boundary.enabled") && !(hard && heat_dirichlet(h))) {
        term *t = &terms[nt++];
        strcpy(t->name, "boundary");
        t->weight = cfg_float(c, "loss.boundary.weight");
        size_t k = count_1d(smp, t0, t1, (size_t)cfg_int(c, "points.boundary") / 2);
        if (k == 0)
            return cfg_fail(c, err, errcap, "points.boundary", "need at least 2 points");
        if (term_alloc_points(t, 2 * k, 2, 2 * k, 2 * k))
            return cfg_fail(c, err, errcap, "points.boundary", "out of memory");
        double *times = t->aux; /* borrowed as scratch before the values go in */
        if (fill_1d(smp, t0, t1, rng, times, k))
            return cfg_fail(c, err, errcap, "points.sampler", "sampling failed");
        for (size_t i = 0; i < k; i++) {
            double ti = times[i];
            t->x[2 * i] = a;
            t->x[2 * i + 1] = ti;
            t->x[2 * (k + i)] = b;
            t->x[2 * (k + i) + 1] = ti;
        }
        for (size_t i = 0; i < 2 * k; i++) {
            int s = i < k ? SIDE_LEFT : SIDE_RIGHT;
            double tv = t->x[2 * i + 1];
            t->aux[i] = h->side[s] ? expr_eval(h->side[s], &tv) : 0.0;
        }
        if (problem_check_finite(c, "problem.left.value", t->aux, k, t->x + 1, 2, T_NAMES, 1,
                                 err, errcap)
            || problem_check_finite(c, "problem.right.value", t->aux + k, k, t->x + 2 * k + 1, 2,
                                    T_NAMES, 1, err, errcap))
            return -1;
        mlp_channels_set(&t->ch, 1u << IN_X, 0, 2);
        t->loss = boundary_loss;
    }
    if (cfg_bool(c, "loss.initial.enabled") && !hard) {
        term *t = &terms[nt++];
        strcpy(t->name, "initial");
        t->weight = cfg_float(c, "loss.initial.weight");
        size_t n = count_1d(smp, a, b, (size_t)cfg_int(c, "points.initial"));
        if (term_alloc_points(t, n, 2, n, n))
            return cfg_fail(c, err, errcap, "points.initial", "out of memory");
        if (fill_1d(smp, a, b, rng, t->aux, n))
            return cfg_fail(c, err, errcap, "points.sampler", "sampling failed");
        for (size_t i = 0; i < n; i++) {
            double xi = t->aux[i];
            t->x[2 * i] = xi;
            t->x[2 * i + 1] = t0;
            t->aux[i] = expr_eval(h->initial, &xi);
        }
        if (problem_check_finite(c, "problem.initial", t->aux, n, t->x, 2, X_NAMES, 1, err,
                                 errcap))
            return -1;
        mlp_channels_set(&t->ch, 0, 0, 2);
        t->loss = term_value_loss;
        t->pointwise = 1;
    }
    if (data_term_wanted(c) && data_term_build(&terms[nt++], p, c, err, errcap))
        return -1;
    if (cfg_bool(c, "loss.conservation.enabled")) {
        term *t = &terms[nt++];
        strcpy(t->name, "conservation");
        t->weight = cfg_float(c, "loss.conservation.weight");
        size_t q = (size_t)cfg_int(c, "loss.conservation.nodes");
        size_t k = count_1d(smp, t0, t1, (size_t)cfg_int(c, "loss.conservation.times"));
        gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc(q);
        if (!gl || term_alloc_points(t, k * q + 2 * k, 2, q + k, k)) {
            gsl_integration_glfixed_table_free(gl);
            return cfg_fail(c, err, errcap, "loss.conservation", "out of memory");
        }
        double *times = t->r; /* scratch: k <= 2k residual slots */
        if (fill_1d(smp, t0, t1, rng, times, k)) {
            gsl_integration_glfixed_table_free(gl);
            return cfg_fail(c, err, errcap, "points.sampler", "sampling failed");
        }
        for (size_t j = 0; j < q; j++) {
            double xj, wj;
            gsl_integration_glfixed_point(a, b, j, &xj, &wj, gl);
            t->aux[j] = wj;
            for (size_t i = 0; i < k; i++) {
                t->x[2 * (i * q + j)] = xj;
                t->x[2 * (i * q + j) + 1] = times[i];
            }
        }
        for (size_t i = 0; i < k; i++) {
            double F = 0.0;
            for (size_t j = 0; j < q; j++)
                F += t->aux[j] * source_at(h, t->x[2 * (i * q + j)], times[i]);
            t->aux[q + i] = F;
            t->x[2 * (k * q + i)] = a;
            t->x[2 * (k * q + i) + 1] = times[i];
            t->x[2 * (k * q + k + i)] = b;
            t->x[2 * (k * q + k + i) + 1] = times[i];
        }
        gsl_integration_glfixed_table_free(gl);
        if (problem_check_finite(c, "problem.source", t->aux + q, k, t->x + 2 * k * q + 1, 2,
                                 T_NAMES, 1, err, errcap))
            return -1;
        mlp_channels_set(&t->ch, 1u << IN_X | 1u << IN_T, 0, 2);
        t->loss = conservation_loss;
    }
    *n_terms = nt;
    return 0;
}

static size_t heat_plan_terms(const problem *p, const cfg *c, term_plan *plans)
{
    (void)p;
    size_t nt = 0;
    if (cfg_bool(c, "loss.pde.enabled")) {
        size_t n = (size_t)cfg_int(c, "points.interior");
        plans[nt++] = (term_plan){"points.interior", n, 4, n, n}; /* u, u_x, u_t, u_xx */
    }
    if (cfg_bool(c, "loss.boundary.enabled")) {
        size_t n = (size_t)cfg_int(c, "points.boundary");
        plans[nt++] = (term_plan){"points.boundary", n, 2, n, n};
    }
    if (cfg_bool(c, "loss.initial.enabled")) {
        size_t n = (size_t)cfg_int(c, "points.initial");
        plans[nt++] = (term_plan){"points.initial", n, 1, n, n};
    }
    if (data_term_wanted(c))
        plans[nt++] = (term_plan){"loss.data.file", 0, 1, 0, 0};
    if (cfg_bool(c, "loss.conservation.enabled")) {
        size_t k = (size_t)cfg_int(c, "loss.conservation.times");
        size_t q = (size_t)cfg_int(c, "loss.conservation.nodes");
        plans[nt++] = (term_plan){"loss.conservation.times", k * q + 2 * k, 3, q + k, k};
    }
    return nt;
}

/* ---- grid, exact, reference -------------------------------------------- */

static int heat_make_grid(const problem *p, const cfg *c, grid *g)
{
    size_t nx = (size_t)cfg_int(c, "output.nx"), ntt = (size_t)cfg_int(c, "output.nt");
    g->n_axes = 2;
    g->len[0] = ntt;
    g->len[1] = nx;
    g->axis_name[0] = "t";
    g->axis_name[1] = "x";
    g->n = nx * ntt;
    g->axis[0] = malloc(ntt * sizeof(double));
    g->axis[1] = malloc(nx * sizeof(double));
    g->x = malloc(2 * g->n * sizeof(double));
    if (!g->axis[0] || !g->axis[1] || !g->x) {
        grid_release(g);
        return -1;
    }
    uniform_axis(g->axis[0], ntt, p->lo[IN_T], p->hi[IN_T]);
    uniform_axis(g->axis[1], nx, p->lo[IN_X], p->hi[IN_X]);
    for (size_t k = 0; k < ntt; k++)
        for (size_t i = 0; i < nx; i++) {
            g->x[2 * (k * nx + i)] = g->axis[1][i];
            g->x[2 * (k * nx + i) + 1] = g->axis[0][k];
        }
    return 0;
}

static int heat_exact(const problem *p, const grid *g, double *u)
{
    const heat *h = p->impl;
    if (!h->exact)
        return 1;
    for (size_t i = 0; i < g->n; i++)
        u[i] = expr_eval(h->exact, g->x + 2 * i);
    return 0;
}

static double ref_initial(double x, void *ctx)
{
    const heat *h = ctx;
    return expr_eval(h->initial, &x);
}

static double ref_left(double t, void *ctx)
{
    const heat *h = ctx;
    return h->side[0] ? expr_eval(h->side[0], &t) : 0.0;
}

static double ref_right(double t, void *ctx)
{
    const heat *h = ctx;
    return h->side[1] ? expr_eval(h->side[1], &t) : 0.0;
}

static double ref_source(double x, double t, void *ctx)
{
    return source_at(ctx, x, t);
}

static int heat_reference(const problem *p, const cfg *c, const grid *g, double *u, char *method,
                          size_t method_cap, char *err, size_t errcap)
{
    heat *h = p->impl;
    if (h->alpha_unknown >= 0 && !p->unk.has_truth) {
        snprintf(err, errcap, "alpha is unknown and problem.unknowns.true_values does not give it");
        return -1;
    }
    heat_spec spec = {
        .alpha = h->alpha_unknown < 0 ? h->alpha : p->unk.truth[h->alpha_unknown], .a = p->lo[IN_X], .b = p->hi[IN_X], .t0 = p->lo[IN_T],
        .t1 = p->hi[IN_T], .left = h->bc[0], .right = h->bc[1], .u0 = ref_initial,
        .left_value = ref_left, .right_value = ref_right,
        .source = h->source ? ref_source : NULL, .ctx = h,
    };
    heat_grid hg = {.nx = (size_t)cfg_int(c, "reference.nx"),
                    .nt = (size_t)cfg_int(c, "reference.nt"),
                    .theta = cfg_float(c, "reference.theta")};
    snprintf(method, method_cap, "theta method (theta = %g), %zu x %zu grid, GSL tridiagonal solves",
             hg.theta, hg.nx, hg.nt);
    return reference_heat(u, &spec, &hg, g->axis[1], g->len[1], g->axis[0], g->len[0], err, errcap);
}

/* u = g + D N. Always D ~ tau = (t - t0) / T and g(x, t0) = u0(x): the
 * initial condition holds exactly. With Dirichlet sides g also moves the
 * boundary values linearly in x, g = u0 + w_L (g_L(t) - g_L(t0)) + w_R
 * (g_R(t) - g_R(t0)) with w_L = (b - x) / L, w_R = (x - a) / L, and D =
 * X(x) tau with X = 4 (x - a)(b - x) / L^2, so u(a, t) = g_L(t) and
 * u(b, t) = g_R(t) when u0(a) = g_L(t0) and u0(b) = g_R(t0). */
static int heat_constraint(const problem *p, const double *x, size_t n, const mlp_channels *ch,
                           double *g, double *D)
{
    const heat *h = p->impl;
    double a = p->lo[IN_X], b = p->hi[IN_X], t0 = p->lo[IN_T], T = p->hi[IN_T] - t0, L = b - a;
    int dir = heat_dirichlet(h);
    double gl0 = dir ? expr_eval(h->side[SIDE_LEFT], &t0) : 0.0;
    double gr0 = dir ? expr_eval(h->side[SIDE_RIGHT], &t0) : 0.0;
    for (size_t q = 0; q < n; q++) {
        double xv = x[2 * q], tv = x[2 * q + 1], tau = (tv - t0) / T;
        double u0 = expr_eval(h->initial, &xv), u0x = expr_eval(h->du0, &xv),
               u0xx = expr_eval(h->d2u0, &xv);
        double X = 1.0, Xx = 0.0, Xxx = 0.0, wl = 0.0, wr = 0.0;
        double dl = 0.0, dr = 0.0, dlt = 0.0, drt = 0.0, dltt = 0.0, drtt = 0.0;
        if (dir) {
            X = 4.0 * (xv - a) * (b - xv) / (L * L);
            Xx = 4.0 * (a + b - 2.0 * xv) / (L * L);
            Xxx = -8.0 / (L * L);
            wl = (b - xv) / L, wr = (xv - a) / L;
            dl = expr_eval(h->side[SIDE_LEFT], &tv) - gl0;
            dr = expr_eval(h->side[SIDE_RIGHT], &tv) - gr0;
            dlt = expr_eval(h->dside[SIDE_LEFT], &tv), drt = expr_eval(h->dside[SIDE_RIGHT], &tv);
            dltt = expr_eval(h->d2side[SIDE_LEFT], &tv);
            drtt = expr_eval(h->d2side[SIDE_RIGHT], &tv);
        }
        for (size_t c = 0; c < ch->n; c++) {
            mlp_channel k = ch->c[c];
            double gv, dv;
            if (k.i < 0)
                gv = u0 + wl * dl + wr * dr, dv = X * tau;
            else if (k.j < 0 && k.i == IN_X)
                gv = u0x + (dr - dl) / L, dv = Xx * tau;
            else if (k.j < 0)
                gv = wl * dlt + wr * drt, dv = X / T;
            else if (k.i == IN_X && k.j == IN_X)
                gv = u0xx, dv = Xxx * tau;
            else if (k.i == IN_T && k.j == IN_T)
                gv = wl * dltt + wr * drtt, dv = 0.0;
            else /* d2/dx dt */
                gv = (drt - dlt) / L, dv = Xx / T;
            g[c * n + q] = gv;
            D[c * n + q] = dv;
        }
    }
    return 0;
}

const problem_type problem_heat = {
    .name = "heat",
    .settings = heat_settings,
    .setup = heat_setup,
    .build_terms = heat_build_terms,
    .plan_terms = heat_plan_terms,
    .make_grid = heat_make_grid,
    .exact = heat_exact,
    .reference = heat_reference,
    .cleanup = heat_cleanup,
    .constraint = heat_constraint,
};
