/* solver/io/xdmf.c - dimension scales and the XDMF sidecar (xdmf.h). The
 * sidecar has one grid per set of axes: a (t, x) field is a 2-D mesh over
 * x and t (a space-time heat map), (t, y, x) and (t, z, y, x) fields are a
 * temporal collection of 2-D or 3-D meshes (an animation), fields without t
 * a single mesh, ODE fields a line of points over t with one attribute per
 * variable. Data stay in the HDF5 file; the sidecar only points at them. */
#include "io/xdmf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/fields.h"

int xdmf_scales_attach(h5out *f, char *err, size_t errcap)
{
    h5in *r = h5out_reader(f);
    if (!r) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    field_layout l;
    if (fields_read(r, &l, err, errcap)) {
        h5in_close(r);
        return -1;
    }
    h5in_close(r);
    int rc = 0;
    for (size_t i = 0; i < l.n_fields && rc == 0; i++)
        for (size_t d = 0; d < l.f[i].rank && rc == 0; d++) {
            int a = l.f[i].axis[d];
            if (a == FIELDS_VARIABLE)
                continue;
            char scale[32];
            snprintf(scale, sizeof scale, "/grid/%s", l.axes[a].name);
            if (h5out_dimscale(f, l.f[i].path, (unsigned)d, scale, l.axes[a].name)) {
                snprintf(err, errcap, "%s", h5out_error(f));
                rc = -1;
            }
        }
    fields_free(&l);
    return rc;
}

void xdmf_sidecar_path(const char *h5path, char *buf, size_t cap)
{
    size_t n = strlen(h5path);
    if (n > 3 && strcmp(h5path + n - 3, ".h5") == 0)
        snprintf(buf, cap, "%.*s.xmf", (int)(n - 3), h5path);
    else
        snprintf(buf, cap, "%s.xmf", h5path);
}

static void put_escaped(FILE *o, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '"': fputs("&quot;", o); break;
        default: fputc(*s, o);
        }
}

static void put_dims(FILE *o, const size_t *dims, size_t rank)
{
    for (size_t d = 0; d < rank; d++)
        fprintf(o, "%s%zu", d ? " " : "", dims[d]);
}

/* A DataItem reading a whole dataset of the HDF5 file. */
static void put_hdf(FILE *o, int ind, const char *h5name, const char *path, const size_t *dims,
                    size_t rank)
{
    fprintf(o, "%*s<DataItem Dimensions=\"", ind, "");
    put_dims(o, dims, rank);
    fputs("\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">", o);
    put_escaped(o, h5name);
    fprintf(o, ":%s</DataItem>\n", path);
}

/* The mesh over the spatial axes sp[0..ns-1] (slowest first; none: a line
 * of points over t). Fewer than two axes become a 2-D mesh one point high. */
static void put_mesh(FILE *o, int ind, const char *h5name, const field_layout *l, const int *sp,
                     size_t ns)
{
    size_t dims[3];
    for (size_t i = 0; i < ns; i++)
        dims[i] = l->axes[sp[i]].n;
    const char *topo = ns == 3 ? "3DRectMesh" : "2DRectMesh";
    fprintf(o, "%*s<Topology TopologyType=\"%s\" Dimensions=\"", ind, "", topo);
    if (ns < 2)
        fputs("1 ", o);
    put_dims(o, dims, ns);
    fprintf(o, "\"/>\n%*s<Geometry GeometryType=\"%s\">\n", ind, "", ns == 3 ? "VXVYVZ" : "VXVY");
    for (size_t i = ns; i-- > 0;) {
        char path[32];
        snprintf(path, sizeof path, "/grid/%s", l->axes[sp[i]].name);
        put_hdf(o, ind + 2, h5name, path, &dims[i], 1);
    }
    if (ns < 2)
        fprintf(o, "%*s<DataItem Dimensions=\"1\" NumberType=\"Float\" Precision=\"8\" "
                   "Format=\"XML\">0</DataItem>\n", ind + 2, "");
    fprintf(o, "%*s</Geometry>\n", ind, "");
}

/* An attribute: the field, or (slice >= 0) its slab at index k of
 * dimension slice, that dimension dropped. */
static void put_attribute(FILE *o, int ind, const char *h5name, const field_info *fi,
                          const char *suffix, int slice, size_t k)
{
    char name[200];
    snprintf(name, sizeof name, "%s_%s%s", fi->group, fi->name, suffix);
    for (char *c = name; *c; c++)
        if (*c == '/')
            *c = '_';
    fprintf(o, "%*s<Attribute Name=\"", ind, "");
    put_escaped(o, name);
    fputs("\" AttributeType=\"Scalar\" Center=\"Node\">\n", o);
    if (slice < 0) {
        put_hdf(o, ind + 2, h5name, fi->path, fi->dims, fi->rank);
    } else {
        size_t start[H5IO_MAX_RANK], count[H5IO_MAX_RANK], out[H5IO_MAX_RANK], n = 0;
        for (size_t d = 0; d < fi->rank; d++) {
            int cut = (int)d == slice;
            start[d] = cut ? k : 0;
            count[d] = cut ? 1 : fi->dims[d];
            if (!cut)
                out[n++] = fi->dims[d];
        }
        fprintf(o, "%*s<DataItem ItemType=\"HyperSlab\" Dimensions=\"", ind + 2, "");
        put_dims(o, out, n);
        fprintf(o, "\" Type=\"HyperSlab\">\n%*s<DataItem Dimensions=\"3 %zu\" Format=\"XML\">",
                ind + 4, "", fi->rank);
        put_dims(o, start, fi->rank);
        for (size_t d = 0; d < fi->rank; d++)
            fputs(" 1", o);
        fputc(' ', o);
        put_dims(o, count, fi->rank);
        fputs("</DataItem>\n", o);
        put_hdf(o, ind + 4, h5name, fi->path, fi->dims, fi->rank);
        fprintf(o, "%*s</DataItem>\n", ind + 2, "");
    }
    fprintf(o, "%*s</Attribute>\n", ind, "");
}

static int same_axes(const field_info *a, const field_info *b)
{
    if (a->rank != b->rank)
        return 0;
    for (size_t d = 0; d < a->rank; d++)
        if (a->axis[d] != b->axis[d])
            return 0;
    return 1;
}

/* One grid (or temporal collection) for the fields with the axes of l->f[lead]. */
static void put_grid(FILE *o, const char *h5name, const field_layout *l, size_t lead)
{
    const field_info *fl = &l->f[lead];
    int t = fields_axis(l, "t");
    int sp[H5IO_MAX_RANK];
    size_t ns = 0, var_dim = 0;
    int has_t = 0, has_var = 0;
    for (size_t d = 0; d < fl->rank; d++) {
        if (fl->axis[d] == FIELDS_VARIABLE)
            has_var = 1, var_dim = d;
        else if (fl->axis[d] == t && t >= 0)
            has_t = 1;
        else
            sp[ns++] = fl->axis[d];
    }
    char gname[64];
    snprintf(gname, sizeof gname, "%s", has_var ? "trajectories" : "fields");
    for (size_t d = 0; d < fl->rank && !has_var; d++)
        snprintf(gname + strlen(gname), sizeof gname - strlen(gname), "_%s",
                 l->axes[fl->axis[d]].name);
    if (has_var || !has_t || ns <= 1) {
        /* one mesh: ODE trajectories over t, (t, x) as a space-time plane,
         * or fields without t */
        int mesh[3];
        size_t nm = 0;
        for (size_t d = 0; d < fl->rank; d++)
            if (fl->axis[d] != FIELDS_VARIABLE)
                mesh[nm++] = fl->axis[d];
        fprintf(o, "    <Grid Name=\"%s\" GridType=\"Uniform\">\n", gname);
        put_mesh(o, 6, h5name, l, mesh, nm);
        for (size_t i = lead; i < l->n_fields; i++) {
            const field_info *fi = &l->f[i];
            if (!same_axes(fi, fl))
                continue;
            if (!has_var) {
                put_attribute(o, 6, h5name, fi, "", -1, 0);
                continue;
            }
            for (size_t j = 0; j < l->n_variables; j++) {
                char suffix[80];
                snprintf(suffix, sizeof suffix, "_%s", l->variables[j]);
                put_attribute(o, 6, h5name, fi, suffix, (int)var_dim, j);
            }
        }
        fputs("    </Grid>\n", o);
        return;
    }
    /* (t, [z,] y, x): a temporal collection, one mesh per time, t slowest */
    fprintf(o, "    <Grid Name=\"%s\" GridType=\"Collection\" CollectionType=\"Temporal\">\n", gname);
    const field_axis *ta = &l->axes[t];
    for (size_t k = 0; k < ta->n; k++) {
        fprintf(o, "      <Grid Name=\"%s_%zu\" GridType=\"Uniform\">\n", gname, k);
        fprintf(o, "        <Time Value=\"%.17g\"/>\n", ta->v[k]);
        put_mesh(o, 8, h5name, l, sp, ns);
        for (size_t i = lead; i < l->n_fields; i++) {
            const field_info *fi = &l->f[i];
            if (!same_axes(fi, fl))
                continue;
            put_attribute(o, 8, h5name, fi, "", 0, k);
        }
        fputs("      </Grid>\n", o);
    }
    fputs("    </Grid>\n", o);
}

int xdmf_write(const char *h5path, char *err, size_t errcap)
{
    h5in *f = h5in_open(h5path, err, errcap);
    if (!f)
        return -1;
    field_layout l;
    int rc = fields_read(f, &l, err, errcap);
    h5in_close(f);
    if (rc)
        return -1;
    char path[1100], tmp[1200];
    xdmf_sidecar_path(h5path, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *o = fopen(tmp, "w");
    if (!o) {
        snprintf(err, errcap, "cannot create '%s': %s", tmp, strerror(errno));
        fields_free(&l);
        return -1;
    }
    const char *slash = strrchr(h5path, '/'), *h5name = slash ? slash + 1 : h5path;
    fputs("<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
          "<Xdmf Version=\"2.0\">\n  <Domain>\n", o);
    for (size_t i = 0; i < l.n_fields; i++) {
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (same_axes(&l.f[j], &l.f[i]))
                first = 0;
        if (first)
            put_grid(o, h5name, &l, i);
    }
    fputs("  </Domain>\n</Xdmf>\n", o);
    fields_free(&l);
    int bad = ferror(o) | fflush(o) | fsync(fileno(o));
    bad |= fclose(o);
    if (bad || rename(tmp, path)) {
        snprintf(err, errcap, "cannot write '%s': %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}
