/* solver/problem.c - the table of problem types and what they share:
 * creating a problem from a config, freeing terms and grids, compiling a
 * config expression with a message that names the setting. */
#include "problem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem_common.h"

extern const problem_type problem_heat;
extern const problem_type problem_ode;

const problem_type *const problem_types[] = {&problem_heat, &problem_ode, NULL};

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
    if (type->setup(p, c, err, errcap) != 0) {
        problem_free(p);
        return NULL;
    }
    return p;
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

void term_release(term *t)
{
    if (!t)
        return;
    free(t->x);
    free(t->aux);
    free(t->r);
    t->x = t->aux = t->r = NULL;
    t->n = t->n_aux = t->n_r = 0;
}

void grid_release(grid *g)
{
    if (!g)
        return;
    free(g->x);
    free(g->axis[0]);
    free(g->axis[1]);
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

expr *problem_expr(const cfg *c, const char *path, const char *text, const char *const *names,
                   size_t n, char *err, size_t errcap)
{
    char why[256];
    expr *e = expr_compile(text, names, n, why, sizeof why);
    if (!e)
        cfg_fail(c, err, errcap, path, "%s", why);
    return e;
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
    pl_residual_mse(&loss, *dldr, t->r, t->n_r);
    return loss;
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
