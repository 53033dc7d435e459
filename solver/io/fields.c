/* solver/io/fields.c - finds the axes and the field datasets of a result
 * file (fields.h): /grid/<var> axes, then every dataset of the field groups
 * whose shape matches its axes ("axes" attribute, or the older heat and ODE
 * layouts). Reads only; plot.c and xdmf.c decide what to do with them. */
#include "io/fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const axis_order[] = {"t", "z", "y", "x"};
static const char *const field_groups[] = {"solution", "reference", "exact", "error"};

int fields_axis(const field_layout *l, const char *name)
{
    for (size_t i = 0; i < l->n_axes; i++)
        if (strcmp(l->axes[i].name, name) == 0)
            return (int)i;
    return -1;
}

void fields_free(field_layout *l)
{
    for (size_t i = 0; i < l->n_axes; i++)
        free(l->axes[i].v);
    h5in_strings_free(l->variables, l->n_variables);
    memset(l, 0, sizeof *l);
}

/* The axis names of a dataset: its "axes" attribute split at commas, or
 * the older layouts. Returns how many, 0 when none fits. */
static size_t dataset_axes(h5in *f, const field_layout *l, const char *path, size_t rank,
                           char names[][16])
{
    char *attr = NULL;
    if (h5in_attr_exists(f, path, "axes") && h5in_attr_string(f, path, "axes", &attr) == 0) {
        size_t n = 0;
        for (char *s = attr; *s && n < H5IO_MAX_RANK;) {
            size_t k = strcspn(s, ",");
            snprintf(names[n++], 16, "%.*s", (int)k, s);
            s += k + (s[k] == ',');
        }
        free(attr);
        return n;
    }
    free(attr);
    if (rank == 2 && fields_axis(l, "x") >= 0 && fields_axis(l, "t") >= 0) {
        snprintf(names[0], 16, "t"), snprintf(names[1], 16, "x");
        return 2;
    }
    if (rank == 2 && l->n_variables && fields_axis(l, "x") < 0) {
        snprintf(names[0], 16, "t"), snprintf(names[1], 16, "variable");
        return 2;
    }
    if (rank == 1) {
        snprintf(names[0], 16, "t");
        return 1;
    }
    return 0;
}

static void add_field(h5in *f, field_layout *l, const char *group, const char *path)
{
    if (l->n_fields == FIELDS_MAX)
        return;
    field_info *fi = &l->f[l->n_fields];
    memset(fi, 0, sizeof *fi);
    if (h5in_shape(f, path, &fi->rank, fi->dims) || fi->rank == 0)
        return;
    char names[H5IO_MAX_RANK][16];
    if (dataset_axes(f, l, path, fi->rank, names) != fi->rank)
        return;
    for (size_t d = 0; d < fi->rank; d++) {
        if (strcmp(names[d], "variable") == 0) {
            if (fi->dims[d] != l->n_variables)
                return;
            fi->axis[d] = FIELDS_VARIABLE;
            continue;
        }
        int a = fields_axis(l, names[d]);
        if (a < 0 || l->axes[a].n != fi->dims[d])
            return;
        fi->axis[d] = a;
    }
    snprintf(fi->path, sizeof fi->path, "%s", path);
    snprintf(fi->group, sizeof fi->group, "%s", group);
    snprintf(fi->name, sizeof fi->name, "%s", path + strlen(group) + 2);
    l->n_fields++;
}

/* Every dataset below path, depth first in name order. */
static void walk(h5in *f, field_layout *l, const char *group, const char *path, int depth)
{
    char **m = NULL;
    size_t n = 0;
    if (depth > 4 || h5in_list(f, path, &m, &n))
        return;
    for (size_t i = 0; i < n; i++) {
        char sub[160];
        if (snprintf(sub, sizeof sub, "%s/%s", path, m[i]) >= (int)sizeof sub)
            continue;
        size_t rank, dims[H5IO_MAX_RANK];
        if (h5in_shape(f, sub, &rank, dims) == 0)
            add_field(f, l, group, sub);
        else
            walk(f, l, group, sub, depth + 1);
    }
    h5in_strings_free(m, n);
}

int fields_read(h5in *f, field_layout *l, char *err, size_t errcap)
{
    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < sizeof axis_order / sizeof *axis_order; i++) {
        char path[32];
        snprintf(path, sizeof path, "/grid/%s", axis_order[i]);
        if (!h5in_exists(f, path))
            continue;
        field_axis *a = &l->axes[l->n_axes];
        size_t rank, dims[H5IO_MAX_RANK];
        if (h5in_doubles(f, path, &a->v, &rank, dims) || rank != 1 || dims[0] == 0) {
            free(a->v);
            a->v = NULL;
            continue;
        }
        snprintf(a->name, sizeof a->name, "%s", axis_order[i]);
        a->n = dims[0];
        l->n_axes++;
    }
    if (l->n_axes == 0) {
        snprintf(err, errcap, "no grid (/grid/t, /grid/x, ...): not a pinn result?");
        return -1;
    }
    if (h5in_exists(f, "/grid/variables") &&
        h5in_strings(f, "/grid/variables", &l->variables, &l->n_variables))
        l->variables = NULL, l->n_variables = 0;
    for (size_t g = 0; g < sizeof field_groups / sizeof *field_groups; g++) {
        char path[32];
        snprintf(path, sizeof path, "/%s", field_groups[g]);
        if (h5in_exists(f, path))
            walk(f, l, field_groups[g], path, 0);
    }
    return 0;
}
