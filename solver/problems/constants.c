/* solver/problems/constants.c - problem.constants: each entry an expression
 * evaluated once at setup, in file order, over the constants before it.
 * It does not substitute them into other expressions: problem_expr binds
 * them (expr_compile_bound), the pde type puts them in its slot list. */
#include "problems/constants.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/expr.h"


int constants_find(const constants *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->name[i], name) == 0)
            return (int)i;
    return -1;
}

int constants_read(constants *k, const cfg *c, const char *const *taken, size_t n_taken,
                   char *err, size_t errcap)
{
    memset(k, 0, sizeof *k);
    size_t n = cfg_members(c, "problem.constants");
    if (n > CONSTANTS_MAX)
        return cfg_fail(c, err, errcap, "problem.constants", "%zu constants (at most %d)", n,
                        CONSTANTS_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *name = cfg_member_name(c, "problem.constants", i);
        char path[128];
        snprintf(path, sizeof path, "problem.constants.%s", name);
        if (strlen(name) >= CONSTANTS_NAME)
            return cfg_fail(c, err, errcap, path, "name longer than %d characters",
                            CONSTANTS_NAME - 1);
        for (const char *q = name; *q; q++)
            if (!isalnum((unsigned char)*q) && *q != '_')
                return cfg_fail(c, err, errcap, path, "'%s' is not a usable name", name);
        const char *kind = expr_name_kind(name);
        if (kind)
            return cfg_fail(c, err, errcap, path, "'%s' is a %s of the expression syntax", name,
                            kind);
        for (size_t j = 0; j < n_taken; j++)
            if (strcmp(taken[j], name) == 0)
                return cfg_fail(c, err, errcap, path,
                                "'%s' is already a variable, field or derivative of the problem",
                                name);
        char why[256];
        expr *e = expr_compile_bound(cfg_expr(c, path), NULL, 0, k->names, k->value, k->n, why,
                                     sizeof why);
        if (!e)
            return cfg_fail(c, err, errcap, path, "%s", why);
        double v = expr_eval(e, NULL);
        expr_free(e);
        if (!isfinite(v))
            return cfg_fail(c, err, errcap, path, "evaluates to %s, not a finite number",
                            isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        snprintf(k->name[k->n], CONSTANTS_NAME, "%s", name);
        k->names[k->n] = k->name[k->n];
        k->value[k->n] = v;
        k->n++;
    }
    return 0;
}
