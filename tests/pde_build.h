/* tests/pde_build.h - builds a pde struct (problems/pde.h) from expression
 * strings, the way the pde problem type's parser lays it out (slot list,
 * symbolic partials, time orders), for the reference glue's tests and
 * bench/ before that parser is merged. Not the parser: no config checks;
 * a bad expression aborts the test. */
#ifndef PINN_PDE_BUILD_H
#define PINN_PDE_BUILD_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems/pde.h"

/* One side condition per (variable, side, field) as text: "d:EXPR"
 * (Dirichlet), "n:EXPR" (Neumann), "r:A;B;G" (Robin), "p" (periodic). */
typedef struct pde_text {
    const char *vars;            /* "x,t", "x,y", "x,y,t" */
    double lo[PDE_MAX_VARS], hi[PDE_MAX_VARS];
    const char *fields;          /* "u" or "u,v" */
    const char *consts;          /* "nu=0.003183,c=2" or NULL */
    const char *eq[PDE_MAX_FIELDS];
    const char *bc[PDE_MAX_VARS][2][PDE_MAX_FIELDS];
    const char *u0[PDE_MAX_FIELDS], *ut0[PDE_MAX_FIELDS], *exact[PDE_MAX_FIELDS];
} pde_text;

static char **pb_names; /* slot names of the last pde built (freed with it) */

static expr *pb_compile(const pde *q, const char *text)
{
    char err[256];
    expr *e = expr_compile(text, q->slot_name, q->n_slots, err, sizeof err);
    if (!e) {
        fprintf(stderr, "pde_build: %s: %s\n", text, err);
        abort();
    }
    return e;
}

static size_t pb_split(const char *list, char out[][32], size_t max)
{
    size_t n = 0;
    const char *s = list;
    while (s && *s && n < max) {
        size_t l = strcspn(s, ",");
        snprintf(out[n++], 32, "%.*s", (int)l, s);
        s += l + (s[l] == ',');
    }
    return n;
}

static void pde_build(pde *q, const pde_text *t)
{
    memset(q, 0, sizeof *q);
    char v[PDE_MAX_VARS][32], f[PDE_MAX_FIELDS][32], c[PDE_MAX_CONSTS][32];
    q->n_vars = pb_split(t->vars, v, PDE_MAX_VARS);
    q->time = -1;
    for (size_t i = 0; i < q->n_vars; i++) {
        snprintf(q->var[i], sizeof q->var[i], "%s", v[i]);
        if (strcmp(v[i], "t") == 0)
            q->time = (int)i;
        q->lo[i] = t->lo[i];
        q->hi[i] = t->hi[i];
    }
    q->n_space = q->n_vars - (q->time >= 0);
    q->n_fields = pb_split(t->fields, f, PDE_MAX_FIELDS);
    for (size_t i = 0; i < q->n_fields; i++)
        snprintf(q->field[i], sizeof q->field[i], "%s", f[i]);
    size_t nc = t->consts ? pb_split(t->consts, c, PDE_MAX_CONSTS) : 0;
    q->n_consts = nc;
    q->n_sym = PDE_SYMS(q->n_vars);
    q->sym0 = q->n_vars;
    q->const0 = q->sym0 + q->n_fields * q->n_sym;
    q->n_slots = q->const0 + nc;
    pb_names = calloc(q->n_slots, sizeof *pb_names);
    q->slot_sym = calloc(q->n_fields * q->n_sym, sizeof *q->slot_sym);
    for (size_t i = 0; i < q->n_vars; i++)
        pb_names[i] = strdup(q->var[i]);
    for (size_t g = 0; g < q->n_fields; g++) {
        size_t k = q->sym0 + g * q->n_sym;
        char b[64];
        pb_names[k] = strdup(q->field[g]);
        q->slot_sym[k - q->sym0] = (pde_symbol){(int)g, -1, -1};
        k++;
        for (size_t i = 0; i < q->n_vars; i++, k++) {
            snprintf(b, sizeof b, "%s_%s", q->field[g], q->var[i]);
            pb_names[k] = strdup(b);
            q->slot_sym[k - q->sym0] = (pde_symbol){(int)g, (int)i, -1};
        }
        for (size_t i = 0; i < q->n_vars; i++)
            for (size_t j = i; j < q->n_vars; j++, k++) {
                snprintf(b, sizeof b, "%s_%s%s", q->field[g], q->var[i], q->var[j]);
                pb_names[k] = strdup(b);
                q->slot_sym[k - q->sym0] = (pde_symbol){(int)g, (int)i, (int)j};
            }
    }
    for (size_t i = 0; i < nc; i++) {
        char *eqs = strchr(c[i], '=');
        *eqs = '\0';
        snprintf(q->cname[i], sizeof q->cname[i], "%s", c[i]);
        q->cvalue[i] = strtod(eqs + 1, NULL);
        pb_names[q->const0 + i] = strdup(c[i]);
    }
    q->slot_name = (const char **)pb_names;
    q->n_eq = q->n_fields;
    q->eq = calloc(q->n_eq, sizeof *q->eq);
    q->deq = calloc(q->n_eq, sizeof *q->deq);
    for (size_t e = 0; e < q->n_eq; e++) {
        q->eq[e] = pb_compile(q, t->eq[e]);
        q->deq[e] = calloc(q->n_fields * q->n_sym, sizeof **q->deq);
        for (size_t k = 0; k < q->n_fields * q->n_sym; k++)
            if (expr_uses(q->eq[e], q->sym0 + k)) {
                char err[256];
                q->deq[e][k] = expr_derivative(q->eq[e], q->sym0 + k, err, sizeof err);
                const pde_symbol *s = &q->slot_sym[k];
                int ord = (s->i == q->time) + (s->j == q->time);
                if (q->time >= 0 && ord > q->time_order[s->field])
                    q->time_order[s->field] = ord;
            }
    }
    for (size_t i = 0; i < q->n_space; i++)
        for (int s = 0; s < 2; s++)
            for (size_t g = 0; g < q->n_fields; g++) {
                const char *b = t->bc[i][s][g];
                pde_bc *bc = &q->bc[i][s][g];
                if (!b || b[0] == 'p') {
                    bc->kind = PDE_PERIODIC;
                    q->periodic[i] = 1;
                    continue;
                }
                if (b[0] == 'r') {
                    char parts[3][32];
                    const char *p = b + 2;
                    for (int j = 0; j < 3; j++) {
                        size_t l = strcspn(p, ";");
                        snprintf(parts[j], 32, "%.*s", (int)l, p);
                        p += l + (p[l] == ';');
                    }
                    bc->kind = PDE_ROBIN;
                    bc->a = pb_compile(q, parts[0]);
                    bc->b = pb_compile(q, parts[1]);
                    bc->g = pb_compile(q, parts[2]);
                } else {
                    bc->kind = b[0] == 'd' ? PDE_DIRICHLET : PDE_NEUMANN;
                    bc->g = pb_compile(q, b + 2);
                }
            }
    for (size_t g = 0; g < q->n_fields; g++) {
        q->u0[g] = t->u0[g] ? pb_compile(q, t->u0[g]) : NULL;
        q->ut0[g] = t->ut0[g] ? pb_compile(q, t->ut0[g]) : NULL;
        q->exact[g] = t->exact[g] ? pb_compile(q, t->exact[g]) : NULL;
    }
}

static void pde_unbuild(pde *q)
{
    for (size_t e = 0; e < q->n_eq; e++) {
        expr_free(q->eq[e]);
        for (size_t k = 0; k < q->n_fields * q->n_sym; k++)
            expr_free(q->deq[e][k]);
        free(q->deq[e]);
    }
    free(q->eq);
    free(q->deq);
    for (size_t i = 0; i < PDE_MAX_VARS; i++)
        for (int s = 0; s < 2; s++)
            for (size_t g = 0; g < PDE_MAX_FIELDS; g++) {
                expr_free(q->bc[i][s][g].a);
                expr_free(q->bc[i][s][g].b);
                expr_free(q->bc[i][s][g].g);
            }
    for (size_t g = 0; g < PDE_MAX_FIELDS; g++) {
        expr_free(q->u0[g]);
        expr_free(q->ut0[g]);
        expr_free(q->exact[g]);
    }
    for (size_t i = 0; i < q->n_slots; i++)
        free(pb_names[i]);
    free(pb_names);
    free(q->slot_sym);
    memset(q, 0, sizeof *q);
}

#endif
