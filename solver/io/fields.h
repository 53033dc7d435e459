/* solver/io/fields.h - what a result file holds on its grid, found from the
 * file alone: the axes (/grid/<var>) and every field dataset under
 * /solution, /reference, /exact and /error with the axis of each dimension.
 * Shared by plot.c (figures) and xdmf.c (sidecar, dimension scales). */
#ifndef PINN_FIELDS_H
#define PINN_FIELDS_H

#include <stddef.h>

#include "io/h5io.h"

#define FIELDS_MAX_AXES 4
#define FIELDS_MAX 64
#define FIELDS_VARIABLE (-1) /* a dimension that runs over an ODE's variables */

typedef struct field_axis {
    char name[16]; /* t, z, y or x */
    size_t n;
    double *v;     /* the n coordinates */
} field_axis;

typedef struct field_info {
    char path[160];  /* "/solution/u", "/error/vs_exact/abs" */
    char group[16];  /* "solution", "reference", "exact" or "error" */
    char name[128];  /* the path below the group: "u", "vs_exact/abs" */
    size_t rank, dims[H5IO_MAX_RANK];
    int axis[H5IO_MAX_RANK]; /* per dimension: an index into axes[] or FIELDS_VARIABLE */
} field_info;

typedef struct field_layout {
    field_axis axes[FIELDS_MAX_AXES]; /* those present, in the order t, z, y, x */
    size_t n_axes;
    char **variables;                 /* ODE: the names of the variable dimension */
    size_t n_variables;
    field_info f[FIELDS_MAX];
    size_t n_fields;
} field_layout;

/* Fills l from the file: fields laid out as LAYOUT.md says ("axes"
 * attribute "t,y,x" on each dataset) and the older layouts without it:
 * (nt, nx) heat fields over /grid/t and /grid/x, (nt, m) ODE fields over
 * /grid/t and /grid/variables. Datasets that match no axis set are left
 * out. 0, or -1 with the reason in err (no /grid/t nor any axis). */
int fields_read(h5in *f, field_layout *l, char *err, size_t errcap);
void fields_free(field_layout *l);

/* The index of axis name in l->axes, or -1. */
int fields_axis(const field_layout *l, const char *name);

#endif
