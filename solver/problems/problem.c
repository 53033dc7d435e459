/* solver/problems/problem.c - the table of problem types and what they share:
 * creating a problem from a config, freeing terms and grids, compiling a
 * config expression with a message that names the setting. */
#include "problems/problem.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems/problem_common.h"

extern const problem_type problem_heat;
extern const problem_type problem_ode;
extern const problem_type problem_pde;

const problem_type *const problem_types[] = {&problem_heat, &problem_ode, &problem_pde, NULL};

const problem_type *problem_type_find(const char *name)
{
    for (size_t i = 0; name && problem_types[i]; i++)
        if (strcmp(problem_types[i]->name, name) == 0)
            return problem_types[i];
    return NULL;
}

problem *problem_create(const cfg *c, char *err, size_t errcap)
{
    const problem_type *type = problem_type_find(cfg_string(c, "problem.type"));
    if (!type) {
        cfg_fail(c, err, errcap, "problem.type", "unknown problem type");
        return NULL;
    }
    problem *p = calloc(1, sizeof *p);
    if (!p) {
        cfg_fail(c, err, errcap, "problem", "out of memory");
        return NULL;
    }
    p->type = type;
    if (unknowns_setup(&p->unk, c, err, errcap) != 0 || type->setup(p, c, err, errcap) != 0 ||
        (p->unk.n > 0 && !data_term_wanted(c) &&
         cfg_fail(c, err, errcap, "problem.unknowns",
                  "nothing to learn the unknowns from: an inverse problem needs a data term "
                  "(loss.data.file or loss.data.files, loss.data.enabled)"))) {
        problem_free(p);
        return NULL;
    }
    return p;
}

int problem_build_terms(problem *p, const cfg *c, gsl_rng *rng, term *terms, size_t *n_terms,
                        char *err, size_t errcap)
{
    memset(terms, 0, PROBLEM_MAX_TERMS * sizeof *terms);
    *n_terms = 0;
    if (p->type->build_terms(p, c, rng, terms, n_terms, err, errcap) == 0)
        return 0;
    for (size_t k = 0; k < PROBLEM_MAX_TERMS; k++)
        term_release(&terms[k]);
    *n_terms = 0;
    return -1;
}

void problem_free(problem *p)
{
    if (!p)
        return;
    if (p->type && p->type->cleanup)
        p->type->cleanup(p);
    if (p->out_names)
        for (size_t i = 0; i < p->n_out; i++)
            free(p->out_names[i]);
    free(p->out_names);
    free(p);
}

int problem_unknowns_check(const problem *p, const cfg *c, const char *const *constants,
                           size_t n_constants, char *err, size_t errcap)
{
    if (unknowns_check_names(&p->unk, c, p->in_names, p->n_in, "variable", err, errcap) ||
        unknowns_check_names(&p->unk, c, (const char *const *)p->out_names, p->n_out, "field",
                             err, errcap) ||
        unknowns_check_names(&p->unk, c, constants, n_constants, "constant (problem.constants)",
                             err, errcap))
        return -1;
    return 0;
}

void term_release(term *t)
{
    if (!t)
        return;
    free(t->x);
    free(t->aux);
    free(t->r);
    free(t->bin);
    t->x = t->aux = t->r = t->bin = NULL;
    t->n = t->n_aux = t->n_r = 0;
}

void grid_release(grid *g)
{
    if (!g)
        return;
    free(g->x);
    for (size_t a = 0; a < GRID_MAX_AXES; a++)
        free(g->axis[a]);
    memset(g, 0, sizeof *g);
}

int term_alloc_points(term *t, size_t n, size_t n_in, size_t n_aux, size_t n_r)
{
    t->n = n;
    t->n_aux = n_aux;
    t->n_r = n_r;
    t->x = calloc(n * n_in > 0 ? n * n_in : 1, sizeof *t->x);
    t->aux = calloc(n_aux > 0 ? n_aux : 1, sizeof *t->aux);
    t->r = calloc(n_r > 0 ? 2 * n_r : 1, sizeof *t->r); /* residuals, then dL/dr */
    if (!t->x || !t->aux || !t->r) {
        term_release(t);
        return -1;
    }
    return 0;
}

expr *problem_expr(const cfg *c, const constants *k, const char *path, const char *text,
                   const char *const *names, size_t n, char *err, size_t errcap)
{
    char why[512];
    expr *e = k ? expr_compile_bound(text, names, n, k->names, k->value, k->n, why, sizeof why)
                : expr_compile(text, names, n, why, sizeof why);
    if (!e)
        cfg_fail(c, err, errcap, path, "%s", why);
    return e;
}

int term_set_causal(term *t, double eps, size_t bins, size_t time_col, size_t n_in, double t0,
                    double t1)
{
    free(t->bin);
    t->bin = calloc(3 * bins, sizeof *t->bin);
    if (!t->bin)
        return -1;
    t->causal_eps = eps;
    t->causal_bins = bins;
    t->time_col = time_col;
    t->n_in = n_in;
    t->t0 = t0;
    t->t1 = t1;
    return 0;
}

static size_t time_bin(const term *t, size_t point)
{
    double s = (t->x[point * t->n_in + t->time_col] - t->t0) / (t->t1 - t->t0);
    double b = floor(s * (double)t->causal_bins);
    if (!(b >= 0))
        return 0;
    return b >= (double)t->causal_bins ? t->causal_bins - 1 : (size_t)b;
}

/* L = (1/M) sum_b w_b L_b over the M non-empty bins, L_b the mean square of
 * bin b's residuals, w_b = exp(-eps sum_{j<b} L_j) held constant in the
 * gradient, as in the paper; a frozen term keeps its last w_b. */
static double causal_mse(term *t, double *d)
{
    size_t nb = t->causal_bins, per = t->n_r / t->n;
    double *sum = t->bin, *count = t->bin + nb, *w = t->bin + 2 * nb;
    memset(t->bin, 0, 2 * nb * sizeof *t->bin);
    for (size_t p = 0; p < t->n; p++) {
        size_t b = time_bin(t, p);
        for (size_t k = 0; k < per; k++)
            sum[b] += t->r[p * per + k] * t->r[p * per + k];
        count[b] += (double)per;
    }
    double before = 0.0, loss = 0.0, used = 0.0;
    for (size_t b = 0; b < nb; b++) {
        if (count[b] == 0) {
            if (!t->causal_frozen)
                w[b] = 0.0;
            continue;
        }
        double lb = sum[b] / count[b];
        if (!t->causal_frozen)
            w[b] = exp(-t->causal_eps * before);
        loss += w[b] * lb;
        before += lb;
        used += 1.0;
    }
    for (size_t p = 0; p < t->n; p++) {
        size_t b = time_bin(t, p);
        double f = 2.0 * w[b] / (count[b] * used);
        for (size_t k = 0; k < per; k++)
            d[p * per + k] = f * t->r[p * per + k];
    }
    return loss / used;
}

int problem_check_finite(const cfg *c, const char *path, const double *v, size_t n,
                         const double *at, size_t stride, const char *const *names,
                         size_t n_names, char *err, size_t errcap)
{
    for (size_t i = 0; i < n; i++) {
        if (isfinite(v[i]))
            continue;
        char where[160] = "";
        size_t w = 0;
        for (size_t j = 0; j < n_names && w < sizeof where; j++)
            w += (size_t)snprintf(where + w, sizeof where - w, "%s%s = %.17g", j ? ", " : " at ",
                                  names[j], at[i * stride + j]);
        return cfg_fail(c, err, errcap, path, "evaluates to %g%s", v[i], where);
    }
    return 0;
}

double term_mse(term *t, double **dldr)
{
    double loss = 0.0;
    *dldr = t->r + t->n_r;
    if (t->causal_eps > 0 && t->bin)
        return causal_mse(t, *dldr);
    if (pl_residual_mse(&loss, *dldr, t->r, t->n_r) == PL_OK)
        return loss;
    /* A non-finite residual (or none): the loss says so and so does its
     * gradient, so the trainer's divergence check names the term. */
    loss = t->n_r ? INFINITY : NAN;
    for (size_t i = 0; i < t->n_r; i++) {
        if (isnan(t->r[i]))
            loss = NAN;
        (*dldr)[i] = isfinite(t->r[i]) ? 2.0 * t->r[i] / (double)t->n_r : t->r[i];
    }
    return loss;
}

double term_value_loss(term *t, const problem *p, const double *out, double *gout)
{
    for (size_t i = 0; i < t->n_r; i++)
        t->r[i] = out[i] - t->aux[i];
    double *d;
    double loss = term_mse(t, &d);
    memset(gout, 0, t->ch.n * t->n * p->n_out * sizeof *gout);
    memcpy(gout, d, t->n_r * sizeof *gout);
    return loss;
}

int problem_is_identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

int uniform_axis(double *v, size_t n, double lo, double hi)
{
    if (n == 1) {
        v[0] = lo;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * (double)i / (double)(n - 1);
    v[n - 1] = hi;
    return 0;
}
