/* solver/problems/pde.c - reads a general PDE problem (problem.type = "pde")
 * from its config into the struct of pde.h: variables and their box,
 * fields, constants, residual equations with their symbolic partials,
 * initial, boundary and exact expressions, with every check of the config.
 * Loss terms, the grid and the problem-type entry are in problem_pde.c. */
#include "problems/pde.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems/constants.h"
#include "problems/problem_common.h"

static const char VAR_ORDER[] = "xyzt";

size_t pde_slot(const pde *p, int f, int i, int j)
{
    size_t k;
    if (i < 0)
        k = 0;
    else if (j < 0)
        k = 1 + (size_t)i;
    else {
        if (j < i) {
            int s = i;
            i = j;
            j = s;
        }
        /* pairs (a, b), a <= b, in order: (0,0) (0,1) .. (0,nv-1) (1,1) .. */
        size_t nv = p->n_vars, before = 0;
        for (size_t a = 0; a < (size_t)i; a++)
            before += nv - a;
        k = 1 + nv + before + (size_t)(j - i);
    }
    return p->sym0 + (size_t)f * p->n_sym + k;
}

void pde_slots_constants(const pde *d, double *slots)
{
    for (size_t k = 0; k < d->n_consts; k++)
        slots[d->const0 + k] = d->cvalue[k];
}

void pde_release(pde *d)
{
    if (!d)
        return;
    for (size_t e = 0; e < d->n_eq; e++) {
        if (d->eq)
            expr_free(d->eq[e]);
        if (d->deq && d->deq[e]) {
            for (size_t k = 0; k < d->n_fields * d->n_sym; k++)
                expr_free(d->deq[e][k]);
            free(d->deq[e]);
        }
        if (d->dequ && d->dequ[e]) {
            for (size_t l = 0; l < d->n_unk; l++)
                expr_free(d->dequ[e][l]);
            free(d->dequ[e]);
        }
    }
    free(d->eq);
    free(d->deq);
    free(d->dequ);
    for (size_t v = 0; v < PDE_MAX_VARS; v++)
        for (int s = 0; s < 2; s++)
            for (size_t f = 0; f < PDE_MAX_FIELDS; f++) {
                expr_free(d->bc[v][s][f].g);
                expr_free(d->bc[v][s][f].a);
                expr_free(d->bc[v][s][f].b);
            }
    for (size_t f = 0; f < PDE_MAX_FIELDS; f++) {
        expr_free(d->u0[f]);
        expr_free(d->ut0[f]);
        expr_free(d->exact[f]);
    }
    if (d->slot_name)
        free((void *)d->slot_name[0]); /* one block holds every name */
    free(d->slot_name);
    free(d->slot_sym);
    memset(d, 0, sizeof *d);
}

/* ---- names ------------------------------------------------------------- */

static int field_name_ok(const cfg *c, const char *name, char *err, size_t errcap)
{
    const char *path = "problem.fields";
    if (!name || !isalpha((unsigned char)name[0]))
        return cfg_fail(c, err, errcap, path, "'%s' is not a usable field name", name ? name : "");
    for (const char *q = name; *q; q++) {
        if (*q == '_')
            return cfg_fail(c, err, errcap, path,
                            "field '%s': no '_' in a field name (u_x names a derivative)", name);
        if (!isalnum((unsigned char)*q))
            return cfg_fail(c, err, errcap, path, "'%s' is not a usable field name", name);
    }
    if (strlen(name) >= sizeof ((pde *)0)->field[0])
        return cfg_fail(c, err, errcap, path, "field name '%s' is too long", name);
    if (strlen(name) == 1 && strchr(VAR_ORDER, name[0]))
        return cfg_fail(c, err, errcap, path, "field '%s' has the name of a variable", name);
    const char *kind = expr_name_kind(name);
    if (kind)
        return cfg_fail(c, err, errcap, path, "field '%s' has the name of a %s", name, kind);
    return 0;
}

/* Fills the slot list: variables, each field's symbols, the constants. */
static int slots_build(pde *d, const cfg *c, char *err, size_t errcap)
{
    d->n_sym = PDE_SYMS(d->n_vars);
    d->sym0 = d->n_vars;
    d->const0 = d->sym0 + d->n_fields * d->n_sym;
    d->unk0 = d->const0 + d->n_consts;
    d->n_slots = d->unk0 + d->n_unk;
    size_t nsym = d->n_fields * d->n_sym;
    d->slot_name = calloc(d->n_slots, sizeof *d->slot_name);
    d->slot_sym = calloc(nsym, sizeof *d->slot_sym);
    char *block = calloc(d->n_slots, 40);
    if (!d->slot_name || !d->slot_sym || !block) {
        free(block);
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    }
    for (size_t k = 0; k < d->n_slots; k++)
        d->slot_name[k] = block + 40 * k;
    for (size_t v = 0; v < d->n_vars; v++)
        snprintf(block + 40 * v, 40, "%s", d->var[v]);
    int nv = (int)d->n_vars;
    for (size_t f = 0; f < d->n_fields; f++)
        for (int i = -1; i < nv; i++)
            for (int j = -1; j < nv; j++) {
                if ((i < 0 && j >= 0) || (j >= 0 && j < i))
                    continue;
                size_t s = pde_slot(d, (int)f, i, j);
                char *name = block + 40 * s;
                if (i < 0)
                    snprintf(name, 40, "%s", d->field[f]);
                else if (j < 0)
                    snprintf(name, 40, "%s_%s", d->field[f], d->var[i]);
                else
                    snprintf(name, 40, "%s_%s%s", d->field[f], d->var[i], d->var[j]);
                d->slot_sym[s - d->sym0] = (pde_symbol){(int)f, i, j};
            }
    for (size_t k = 0; k < d->n_consts; k++)
        snprintf(block + 40 * (d->const0 + k), 40, "%s", d->cname[k]);
    for (size_t l = 0; l < d->n_unk; l++)
        snprintf(block + 40 * (d->unk0 + l), 40, "%s", d->uname[l]);
    return 0;
}

static expr *compile(const pde *d, const cfg *c, const char *path, const char *text, char *err,
                     size_t errcap)
{
    return problem_expr(c, NULL, path, text, d->slot_name, d->n_slots, err, errcap);
}

/* Fails when e uses a field or derivative symbol: values of conditions are
 * functions of the variables and constants only. */
static int no_symbols(const pde *d, const expr *e, const cfg *c, const char *path, const char *what,
                      char *err, size_t errcap)
{
    for (size_t k = d->sym0; k < d->const0; k++)
        if (expr_uses(e, k))
            return cfg_fail(c, err, errcap, path, "uses '%s': %s", d->slot_name[k], what);
    for (size_t k = d->unk0; k < d->n_slots; k++)
        if (expr_uses(e, k))
            return cfg_fail(c, err, errcap, path, "uses the unknown '%s': unknowns may appear "
                            "in problem.equations only", d->slot_name[k]);
    return 0;
}

/* ---- the parts of the config ------------------------------------------- */

static int read_variables(pde *d, const cfg *c, char *err, size_t errcap)
{
    if (!cfg_has(c, "problem.variables"))
        return cfg_fail(c, err, errcap, "problem.variables",
                        "missing (required for problem.type = \"pde\"): e.g. { x = [0.0, 1.0]; "
                        "t = [0.0, 1.0]; }");
    d->time = -1;
    for (const char *v = VAR_ORDER; *v; v++) {
        char path[64];
        snprintf(path, sizeof path, "problem.variables.%c", *v);
        if (!cfg_has(c, path))
            continue;
        if (d->n_vars == PDE_MAX_VARS)
            return cfg_fail(c, err, errcap, path, "at most %d variables in all (t included)",
                            PDE_MAX_VARS);
        size_t k = d->n_vars++;
        d->var[k][0] = *v;
        d->var[k][1] = '\0';
        d->lo[k] = cfg_float_at(c, path, 0);
        d->hi[k] = cfg_float_at(c, path, 1);
        if (*v == 't')
            d->time = (int)k;
    }
    d->n_space = d->n_vars - (d->time >= 0);
    if (d->n_space == 0)
        return cfg_fail(c, err, errcap, "problem.variables",
                        "needs at least one of x, y, z (a problem in t alone is problem.type = "
                        "\"ode\")");
    return 0;
}

static int read_fields(pde *d, const cfg *c, char *err, size_t errcap)
{
    size_t n = cfg_len(c, "problem.fields");
    if (n > PDE_MAX_FIELDS)
        return cfg_fail(c, err, errcap, "problem.fields", "%zu fields (at most %d)", n,
                        PDE_MAX_FIELDS);
    for (size_t f = 0; f < n; f++) {
        const char *name = cfg_expr_at(c, "problem.fields", f);
        if (field_name_ok(c, name, err, errcap))
            return -1;
        for (size_t g = 0; g < f; g++)
            if (strcmp(d->field[g], name) == 0)
                return cfg_fail(c, err, errcap, "problem.fields", "field '%s' is named twice",
                                name);
        snprintf(d->field[f], sizeof d->field[f], "%s", name);
    }
    d->n_fields = n;
    return 0;
}

static int read_constants(pde *d, const cfg *c, char *err, size_t errcap)
{
    /* the names constants may not take: the slots before the constants */
    d->n_consts = 0;
    if (slots_build(d, c, err, errcap))
        return -1;
    constants *k = malloc(sizeof *k);
    if (!k)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    int rc = constants_read(k, c, d->slot_name, d->const0, err, errcap);
    if (rc == 0) {
        d->n_consts = k->n;
        for (size_t i = 0; i < k->n; i++) {
            snprintf(d->cname[i], sizeof d->cname[i], "%s", k->name[i]);
            d->cvalue[i] = k->value[i];
        }
    }
    free(k);
    free((void *)d->slot_name[0]);
    free(d->slot_name);
    free(d->slot_sym);
    d->slot_name = NULL;
    d->slot_sym = NULL;
    return rc ? -1 : slots_build(d, c, err, errcap);
}

static int read_equations(pde *d, const cfg *c, char *err, size_t errcap)
{
    const char *path = "problem.equations";
    if (!cfg_has(c, path))
        return cfg_fail(c, err, errcap, path,
                        "missing (required for problem.type = \"pde\"): residuals such as "
                        "[\"u_t - 0.1*u_xx\"]");
    size_t n = cfg_len(c, path);
    if (n != d->n_fields)
        return cfg_fail(c, err, errcap, path, "has %zu equations for %zu fields (%s%s)", n,
                        d->n_fields, d->field[0], d->n_fields > 1 ? ", ..." : "");
    size_t nsym = d->n_fields * d->n_sym;
    d->eq = calloc(n, sizeof *d->eq);
    d->deq = calloc(n, sizeof *d->deq);
    d->dequ = calloc(n, sizeof *d->dequ);
    if (!d->eq || !d->deq || !d->dequ)
        return cfg_fail(c, err, errcap, "problem", "out of memory");
    d->n_eq = n;
    for (size_t e = 0; e < n; e++) {
        if (!(d->eq[e] = compile(d, c, path, cfg_expr_at(c, path, e), err, errcap)))
            return -1;
        if (!(d->deq[e] = calloc(nsym, sizeof *d->deq[e])))
            return cfg_fail(c, err, errcap, "problem", "out of memory");
        int any = 0;
        for (size_t k = 0; k < nsym; k++) {
            if (!expr_uses(d->eq[e], d->sym0 + k))
                continue;
            any = 1;
            char why[256];
            if (!(d->deq[e][k] = expr_derivative(d->eq[e], d->sym0 + k, why, sizeof why)))
                return cfg_fail(c, err, errcap, path, "equation %zu: d/d%s: %s", e + 1,
                                d->slot_name[d->sym0 + k], why);
            const pde_symbol *s = &d->slot_sym[k];
            int order = (s->i == d->time) + (s->j == d->time);
            if (d->time >= 0 && order > d->time_order[s->field])
                d->time_order[s->field] = order;
        }
        if (!any)
            return cfg_fail(c, err, errcap, path, "equation %zu uses no field", e + 1);
        if (!(d->dequ[e] = calloc(d->n_unk + 1, sizeof *d->dequ[e])))
            return cfg_fail(c, err, errcap, "problem", "out of memory");
        for (size_t l = 0; l < d->n_unk; l++) {
            char why[256];
            if (expr_uses(d->eq[e], d->unk0 + l) &&
                !(d->dequ[e][l] = expr_derivative(d->eq[e], d->unk0 + l, why, sizeof why)))
                return cfg_fail(c, err, errcap, path, "equation %zu: d/d%s: %s", e + 1,
                                d->uname[l], why);
        }
    }
    return 0;
}

/* problem.initial.<field> (and .<field>_t for a field second order in t). */
static int read_initial(pde *d, const cfg *c, char *err, size_t errcap)
{
    size_t n = cfg_members(c, "problem.initial");
    if (d->time < 0) {
        if (n > 0 || cfg_has(c, "problem.initial"))
            return cfg_fail(c, err, errcap, "problem.initial",
                            "the problem has no variable t: no initial conditions");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = cfg_member_name(c, "problem.initial", i);
        char path[128];
        snprintf(path, sizeof path, "problem.initial.%s", name);
        size_t f = 0, len = strlen(name);
        int dt = len > 2 && strcmp(name + len - 2, "_t") == 0;
        while (f < d->n_fields
               && !(strlen(d->field[f]) == len - 2 * dt && strncmp(d->field[f], name, len - 2 * dt) == 0))
            f++;
        if (f == d->n_fields)
            return cfg_fail(c, err, errcap, path,
                            "'%s' is not a field or a field's _t (fields: %s%s%s%s)", name,
                            d->field[0], d->n_fields > 1 ? ", " : "",
                            d->n_fields > 1 ? d->field[1] : "", d->n_fields > 2 ? ", ..." : "");
        if (dt && d->time_order[f] < 2)
            return cfg_fail(c, err, errcap, path,
                            "the equations are first order in t for %s: give %s only",
                            d->field[f], d->field[f]);
        expr *e = compile(d, c, path, cfg_expr(c, path), err, errcap);
        if (!e)
            return -1;
        if (dt)
            d->ut0[f] = e;
        else
            d->u0[f] = e;
        if (no_symbols(d, e, c, path, "initial values are functions of the variables", err,
                       errcap))
            return -1;
    }
    for (size_t f = 0; f < d->n_fields; f++) {
        if (!d->u0[f])
            return cfg_fail(c, err, errcap, "problem.initial", "missing %s: the value of %s at t = %g",
                            d->field[f], d->field[f], d->lo[d->time]);
        if (d->time_order[f] == 2 && !d->ut0[f])
            return cfg_fail(c, err, errcap, "problem.initial",
                            "missing %s_t: the equations are second order in t for %s",
                            d->field[f], d->field[f]);
    }
    return 0;
}

static int read_condition(pde *d, const cfg *c, size_t v, int side, size_t f, const char *sp,
                          char *err, size_t errcap)
{
    pde_bc *bc = &d->bc[v][side][f];
    char path[160], sub[200];
    snprintf(path, sizeof path, "%s.%s", sp, d->field[f]);
    snprintf(sub, sizeof sub, "%s.type", path);
    const char *type = cfg_string(c, sub);
    if (!type)
        return cfg_fail(c, err, errcap, sub,
                        "missing: dirichlet, neumann, robin or periodic");
    bc->kind = strcmp(type, "dirichlet") == 0 ? PDE_DIRICHLET
             : strcmp(type, "neumann") == 0   ? PDE_NEUMANN
             : strcmp(type, "robin") == 0     ? PDE_ROBIN
                                              : PDE_PERIODIC;
    bc->set = 1;
    static const char *const what = "boundary values are functions of the variables";
    const char *parts[3] = {"value", "a", "b"};
    expr **slot[3] = {&bc->g, &bc->a, &bc->b};
    for (int k = 0; k < 3; k++) {
        snprintf(sub, sizeof sub, "%s.%s", path, parts[k]);
        int want = bc->kind == PDE_PERIODIC ? 0 : k == 0 ? 1 : bc->kind == PDE_ROBIN;
        if (!want) {
            if (cfg_has(c, sub))
                return cfg_fail(c, err, errcap, sub, "not used by a %s condition", type);
            continue;
        }
        const char *text = cfg_expr(c, sub);
        if (!text && k > 0)
            return cfg_fail(c, err, errcap, sub, "missing: robin is a u + b du/dn = value");
        if (!(*slot[k] = compile(d, c, sub, text ? text : "0", err, errcap)))
            return -1;
        if (no_symbols(d, *slot[k], c, sub, what, err, errcap))
            return -1;
    }
    return 0;
}

static int read_boundary(pde *d, const cfg *c, char *err, size_t errcap)
{
    size_t n = cfg_members(c, "problem.boundary");
    char sides[128] = "";
    for (size_t v = 0; v < d->n_vars; v++)
        if ((int)v != d->time)
            snprintf(sides + strlen(sides), sizeof sides - strlen(sides), "%s%s_lo, %s_hi",
                     sides[0] ? ", " : "", d->var[v], d->var[v]);
    for (size_t i = 0; i < n; i++) {
        const char *name = cfg_member_name(c, "problem.boundary", i);
        char sp[128];
        snprintf(sp, sizeof sp, "problem.boundary.%s", name);
        size_t v = 0;
        int side = -1;
        for (; v < d->n_vars; v++) {
            if ((int)v == d->time || strncmp(name, d->var[v], 1) != 0)
                continue;
            if (strcmp(name + 1, "_lo") == 0)
                side = 0;
            else if (strcmp(name + 1, "_hi") == 0)
                side = 1;
            if (side >= 0)
                break;
        }
        if (side < 0)
            return cfg_fail(c, err, errcap, sp, "no side '%s' in this problem (sides: %s)", name,
                            sides);
        size_t m = cfg_members(c, sp);
        for (size_t j = 0; j < m; j++) {
            const char *fname = cfg_member_name(c, sp, j);
            size_t f = 0;
            while (f < d->n_fields && strcmp(d->field[f], fname) != 0)
                f++;
            if (f == d->n_fields) {
                char fp[200];
                snprintf(fp, sizeof fp, "%s.%s", sp, fname);
                return cfg_fail(c, err, errcap, fp, "'%s' is not a field of the problem", fname);
            }
            if (read_condition(d, c, v, side, f, sp, err, errcap))
                return -1;
        }
    }
    for (size_t v = 0; v < d->n_vars; v++) {
        if ((int)v == d->time)
            continue;
        size_t n_per = 0;
        for (size_t f = 0; f < d->n_fields; f++) {
            int p0 = d->bc[v][0][f].set && d->bc[v][0][f].kind == PDE_PERIODIC;
            int p1 = d->bc[v][1][f].set && d->bc[v][1][f].kind == PDE_PERIODIC;
            if (p0 != p1) {
                char path[160];
                snprintf(path, sizeof path, "problem.boundary.%s_%s.%s.type", d->var[v],
                         p0 ? "lo" : "hi", d->field[f]);
                return cfg_fail(c, err, errcap, path,
                                "periodic on one side only: %s_%s needs a periodic %s too",
                                d->var[v], p0 ? "hi" : "lo", d->field[f]);
            }
            n_per += (size_t)p0;
        }
        if (n_per > 0 && n_per < d->n_fields) {
            char path[160];
            snprintf(path, sizeof path, "problem.boundary.%s_lo", d->var[v]);
            return cfg_fail(c, err, errcap, path,
                            "periodic in %s for some fields only: make every field periodic "
                            "in %s or none", d->var[v], d->var[v]);
        }
        d->periodic[v] = n_per > 0;
    }
    return 0;
}

static int read_exact(pde *d, const cfg *c, char *err, size_t errcap)
{
    size_t n = cfg_members(c, "problem.exact");
    for (size_t i = 0; i < n; i++) {
        const char *name = cfg_member_name(c, "problem.exact", i);
        char path[128];
        snprintf(path, sizeof path, "problem.exact.%s", name);
        size_t f = 0;
        while (f < d->n_fields && strcmp(d->field[f], name) != 0)
            f++;
        if (f == d->n_fields)
            return cfg_fail(c, err, errcap, path, "'%s' is not a field of the problem", name);
        if (!(d->exact[f] = compile(d, c, path, cfg_expr(c, path), err, errcap)))
            return -1;
        if (no_symbols(d, d->exact[f], c, path, "an exact solution is a function of the variables",
                       err, errcap))
            return -1;
    }
    for (size_t f = 0; f < d->n_fields; f++)
        if (n > 0 && !d->exact[f])
            return cfg_fail(c, err, errcap, "problem.exact",
                            "has no %s: give the exact solution of every field or of none",
                            d->field[f]);
    return 0;
}

int pde_parse(pde *d, const cfg *c, char *err, size_t errcap)
{
    if (read_variables(d, c, err, errcap) || read_fields(d, c, err, errcap)
        || read_constants(d, c, err, errcap) || read_equations(d, c, err, errcap)
        || read_initial(d, c, err, errcap) || read_boundary(d, c, err, errcap)
        || read_exact(d, c, err, errcap))
        return -1;
    return 0;
}
