/* solver/problems/unknowns.c - problem.unknowns: reading and checking the
 * unknown constants of an inverse problem, and the transforms between the
 * optimizer's raw values and the constants (identity, exp for positive
 * ones, a logistic map for bounded ones), with their derivatives. */
#include "problems/unknowns.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/expr.h"
#include "problems/problem_common.h"

const setting_spec unknowns_settings[] = {
    {"problem.unknowns", SPEC_GROUP, NULL, NULL, NULL,
     "unknown constants learned from the data term (inverse problems; docs/inverse.md)"},
    {"problem.unknowns.names", SPEC_EXPRS, NULL, NULL, NULL,
     "names of the unknowns, usable in the problem's expressions (required in the group)"},
    {"problem.unknowns.initial", SPEC_FLOATS, NULL, NULL, NULL,
     "initial guess of each unknown (required in the group)"},
    {"problem.unknowns.positive", SPEC_EXPRS, NULL, NULL, NULL,
     "names of unknowns kept > 0 (trained as log c)"},
    {"problem.unknowns.lower", SPEC_FLOATS, NULL, NULL, NULL,
     "lower bound of each unknown (with upper; trained through a logistic map)"},
    {"problem.unknowns.upper", SPEC_FLOATS, NULL, NULL, NULL, "upper bound of each unknown"},
    {"problem.unknowns.true_values", SPEC_FLOATS, NULL, NULL, NULL,
     "values used to make the data: errors in the report, the reference and `pinn sample`"},
    {"problem.unknowns.lr_factor", SPEC_FLOAT, "1", "(0,1e6]", NULL,
     "how far an optimizer step moves an unknown, relative to a network parameter"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

int unknowns_find(const unknowns *u, const char *name)
{
    for (size_t j = 0; u && j < u->n; j++)
        if (strcmp(u->name[j], name) == 0)
            return (int)j;
    return -1;
}

static int count_matches(const cfg *c, const char *path, size_t n, char *err, size_t errcap)
{
    if (cfg_has(c, path) && cfg_len(c, path) != n)
        return cfg_fail(c, err, errcap, path, "has %zu values for %zu unknowns", cfg_len(c, path),
                        n);
    return 0;
}

int unknowns_setup(unknowns *u, const cfg *c, char *err, size_t errcap)
{
    memset(u, 0, sizeof *u);
    u->scale = 1.0;
    if (!cfg_has(c, "problem.unknowns"))
        return 0;
    if (!cfg_has(c, "problem.unknowns.names"))
        return cfg_fail(c, err, errcap, "problem.unknowns.names", "missing (required in problem.unknowns)");
    if (!cfg_has(c, "problem.unknowns.initial"))
        return cfg_fail(c, err, errcap, "problem.unknowns.initial",
                        "missing (required in problem.unknowns)");
    size_t n = cfg_len(c, "problem.unknowns.names");
    if (n == 0 || n > UNKNOWNS_MAX)
        return cfg_fail(c, err, errcap, "problem.unknowns.names", "needs 1 to %d names",
                        UNKNOWNS_MAX);
    if (cfg_len(c, "problem.unknowns.initial") != n)
        return cfg_fail(c, err, errcap, "problem.unknowns.initial",
                        "has %zu values for %zu unknowns", cfg_len(c, "problem.unknowns.initial"), n);
    if (count_matches(c, "problem.unknowns.lower", n, err, errcap) ||
        count_matches(c, "problem.unknowns.upper", n, err, errcap) ||
        count_matches(c, "problem.unknowns.true_values", n, err, errcap))
        return -1;
    if (cfg_has(c, "problem.unknowns.lower") != cfg_has(c, "problem.unknowns.upper"))
        return cfg_fail(c, err, errcap,
                        cfg_has(c, "problem.unknowns.lower") ? "problem.unknowns.lower"
                                                             : "problem.unknowns.upper",
                        "lower and upper bounds go together");
    int bounded = cfg_has(c, "problem.unknowns.lower");
    u->n = n;
    u->scale = cfg_float(c, "problem.unknowns.lr_factor");
    for (size_t j = 0; j < n; j++) {
        const char *name = cfg_expr_at(c, "problem.unknowns.names", j);
        if (!problem_is_identifier(name) || strlen(name) >= sizeof u->name[j])
            return cfg_fail(c, err, errcap, "problem.unknowns.names",
                            "element %zu: '%s' is not a usable name", j + 1, name ? name : "");
        const char *kind = expr_name_kind(name);
        if (kind)
            return cfg_fail(c, err, errcap, "problem.unknowns.names",
                            "'%s' is a %s of the expression syntax", name, kind);
        if (unknowns_find(u, name) >= 0)
            return cfg_fail(c, err, errcap, "problem.unknowns.names", "'%s' is named twice", name);
        strcpy(u->name[j], name);
        u->initial[j] = cfg_float_at(c, "problem.unknowns.initial", j);
        if (bounded) {
            u->kind[j] = UNKNOWN_BOUNDED;
            u->lo[j] = cfg_float_at(c, "problem.unknowns.lower", j);
            u->hi[j] = cfg_float_at(c, "problem.unknowns.upper", j);
            if (!(u->lo[j] < u->hi[j]))
                return cfg_fail(c, err, errcap, "problem.unknowns.upper",
                                "element %zu: %g is not above the lower bound %g", j + 1, u->hi[j],
                                u->lo[j]);
            if (!(u->initial[j] > u->lo[j] && u->initial[j] < u->hi[j]))
                return cfg_fail(c, err, errcap, "problem.unknowns.initial",
                                "'%s' starts at %g, outside its bounds (%g, %g)", name,
                                u->initial[j], u->lo[j], u->hi[j]);
        }
        if (cfg_has(c, "problem.unknowns.true_values"))
            u->truth[j] = cfg_float_at(c, "problem.unknowns.true_values", j);
    }
    u->has_truth = cfg_has(c, "problem.unknowns.true_values");
    for (size_t k = 0; k < cfg_len(c, "problem.unknowns.positive"); k++) {
        const char *name = cfg_expr_at(c, "problem.unknowns.positive", k);
        int j = unknowns_find(u, name ? name : "");
        if (j < 0)
            return cfg_fail(c, err, errcap, "problem.unknowns.positive",
                            "'%s' is not one of problem.unknowns.names", name ? name : "");
        if (u->kind[j] == UNKNOWN_BOUNDED)
            return cfg_fail(c, err, errcap, "problem.unknowns.positive",
                            "'%s' has bounds already; give bounds or positive, not both", name);
        if (!(u->initial[j] > 0))
            return cfg_fail(c, err, errcap, "problem.unknowns.initial",
                            "'%s' is positive but starts at %g", name, u->initial[j]);
        u->kind[j] = UNKNOWN_POSITIVE;
    }
    for (size_t j = 0; j < n; j++) {
        u->value[j] = u->initial[j];
        u->dvalue[j] = 1.0;
    }
    return 0;
}

int unknowns_check_names(const unknowns *u, const cfg *c, const char *const *taken, size_t n,
                         const char *what, char *err, size_t errcap)
{
    for (size_t k = 0; k < n; k++)
        if (taken[k] && unknowns_find(u, taken[k]) >= 0)
            return cfg_fail(c, err, errcap, "problem.unknowns.names",
                            "'%s' is already the name of a %s", taken[k], what);
    return 0;
}

void unknowns_raw_initial(const unknowns *u, double *raw)
{
    for (size_t j = 0; j < u->n; j++) {
        double c = u->initial[j], z;
        switch (u->kind[j]) {
        case UNKNOWN_POSITIVE:
            z = log(c);
            break;
        case UNKNOWN_BOUNDED: {
            double s = (c - u->lo[j]) / (u->hi[j] - u->lo[j]);
            z = log(s / (1.0 - s));
            break;
        }
        default:
            z = c;
        }
        raw[j] = z / u->scale;
    }
}

void unknowns_set_raw(unknowns *u, const double *raw)
{
    for (size_t j = 0; j < u->n; j++) {
        double z = u->scale * raw[j];
        switch (u->kind[j]) {
        case UNKNOWN_POSITIVE:
            u->value[j] = exp(z);
            u->dvalue[j] = u->scale * u->value[j];
            break;
        case UNKNOWN_BOUNDED: {
            double s = 1.0 / (1.0 + exp(-z)), w = u->hi[j] - u->lo[j];
            u->value[j] = u->lo[j] + w * s;
            u->dvalue[j] = u->scale * w * s * (1.0 - s);
            break;
        }
        default:
            u->value[j] = z;
            u->dvalue[j] = u->scale;
        }
    }
}

void unknowns_chain(const unknowns *u, const double *dc, double *draw)
{
    for (size_t j = 0; j < u->n; j++)
        draw[j] += dc[j] * u->dvalue[j];
}

double unknowns_rel_error(const unknowns *u, size_t j)
{
    double d = fabs(u->value[j] - u->truth[j]);
    return u->truth[j] != 0 ? d / fabs(u->truth[j]) : d;
}

void unknowns_report(const unknowns *u, FILE *f)
{
    if (u->n == 0)
        return;
    fprintf(f, "\n  %-24s %14s %14s", "unknown", "value", "initial");
    if (u->has_truth)
        fprintf(f, " %14s %12s", "true", "rel error");
    fputc('\n', f);
    for (size_t j = 0; j < u->n; j++) {
        fprintf(f, "  %-24s %14.8g %14.8g", u->name[j], u->value[j], u->initial[j]);
        if (u->has_truth)
            fprintf(f, " %14.8g %12.4e", u->truth[j], unknowns_rel_error(u, j));
        fputc('\n', f);
    }
}

int unknowns_use_truth(unknowns *u)
{
    if (u->n > 0 && !u->has_truth)
        return -1;
    for (size_t j = 0; j < u->n; j++)
        u->value[j] = u->truth[j];
    return 0;
}
