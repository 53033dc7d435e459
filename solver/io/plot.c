/* solver/io/plot.c - `pinn plot` (plot.h). Finds the fields with fields.c
 * and draws each figure with PLplot into a temporary PNG that is renamed
 * when complete. PLplot ends the process on a fatal error, so what could
 * fail (the driver, the directory) is checked before plinit. */
#include "io/plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <plplot.h>

#include "io/fields.h"
#include "io/h5io.h"

#define PLOT_MAX_SERIES 32
#define PLOT_MAX_VARS 16

typedef struct plot_ctx {
    const char *dir;
    FILE *list;
    char tmp[1200], final[1100];
    char *err;
    size_t errcap;
} plot_ctx;

/* One line of a line plot: y[i * stride] over x[i]. */
typedef struct series {
    const double *y;
    size_t stride;
    const char *label;
    int color, style; /* cmap0 index, PLplot line style (1 solid, 2 dashed, ...) */
} series;

static int driver_present(void)
{
    const char **menu, **names;
    int n = 64;
    menu = malloc((size_t)n * sizeof *menu);
    names = malloc((size_t)n * sizeof *names);
    int found = 0;
    if (menu && names) {
        plgDevs(&menu, &names, &n);
        for (int i = 0; i < n; i++)
            if (strcmp(names[i], "pngcairo") == 0)
                found = 1;
    }
    free(menu);
    free(names);
    return found;
}

static void palette(void)
{
    plscol0(0, 255, 255, 255); /* background */
    plscol0(1, 0, 0, 0);       /* box, labels */
    static const int rgb[][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                 {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                 {188, 189, 34}, {23, 190, 207}};
    for (int i = 0; i < 10; i++)
        plscol0(2 + i, rgb[i][0], rgb[i][1], rgb[i][2]);
    /* viridis, at five control points */
    PLFLT pos[] = {0.0, 0.25, 0.5, 0.75, 1.0};
    PLFLT r[] = {68 / 255., 59 / 255., 33 / 255., 94 / 255., 253 / 255.};
    PLFLT g[] = {1 / 255., 82 / 255., 145 / 255., 201 / 255., 231 / 255.};
    PLFLT b[] = {84 / 255., 139 / 255., 140 / 255., 98 / 255., 37 / 255.};
    plscmap1l(1, 5, pos, r, g, b, NULL);
}

static void fig_begin(plot_ctx *c, const char *name, int w, int h, int nsub)
{
    snprintf(c->final, sizeof c->final, "%s/%s.png", c->dir, name);
    for (char *s = c->final + strlen(c->dir) + 1; *s; s++)
        if (*s == '/')
            *s = '_';
    snprintf(c->tmp, sizeof c->tmp, "%s.tmp.%ld", c->final, (long)getpid());
    plsdev("pngcairo");
    plsfnam(c->tmp);
    plspage(0, 0, w, h, 0, 0);
    plscolbg(255, 255, 255);
    plssub(nsub, 1);
    plinit();
    palette();
    plschr(0, 1.1);
}

static int fig_end(plot_ctx *c)
{
    plend();
    struct stat st;
    if (stat(c->tmp, &st) || st.st_size == 0 || rename(c->tmp, c->final)) {
        snprintf(c->err, c->errcap, "cannot write '%s': %s", c->final, strerror(errno));
        remove(c->tmp);
        return -1;
    }
    if (c->list)
        fprintf(c->list, "%s\n", c->final);
    return 0;
}

static int usable(double v, int logy)
{
    return isfinite(v) && (!logy || v > 0);
}

/* Draws lines over x[0..n-1], breaking them where a value is not finite (or
 * not positive on a log scale), with a legend when there is more than one. */
static void panel_lines(const char *title, const char *xl, const char *yl, int logy,
                        const double *x, size_t n, const series *s, size_t ns)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++)
        x0 = fmin(x0, x[i]), x1 = fmax(x1, x[i]);
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < n; i++) {
            double v = s[k].y[i * s[k].stride];
            if (usable(v, logy)) {
                v = logy ? log10(v) : v;
                y0 = fmin(y0, v), y1 = fmax(y1, v);
            }
        }
    if (!(x0 < x1))
        x0 -= 0.5, x1 += 0.5;
    if (!(y0 <= y1))
        y0 = 0, y1 = 1;
    if (y1 - y0 < 1e-12 * fmax(1.0, fabs(y1)))
        y0 -= 0.5 * fmax(1e-3, fabs(y0)), y1 += 0.5 * fmax(1e-3, fabs(y1));
    double pad = 0.04 * (y1 - y0);
    pladv(0);
    plvsta();
    plwind(x0, x1, y0 - pad, y1 + pad);
    plcol0(1);
    pllsty(1);
    plbox("bcnst", 0, 0, logy ? "bcnstlv" : "bcnstv", 0, 0);
    pllab(xl, yl, title);
    double *px = malloc(n * sizeof *px), *py = malloc(n * sizeof *py);
    for (size_t k = 0; px && py && k < ns; k++) {
        plcol0(s[k].color);
        pllsty(s[k].style);
        plwidth(2.0);
        size_t run = 0;
        for (size_t i = 0; i <= n; i++) {
            double v = i < n ? s[k].y[i * s[k].stride] : NAN;
            if (i < n && usable(v, logy)) {
                px[run] = x[i], py[run] = logy ? log10(v) : v;
                run++;
            } else {
                if (run > 1)
                    plline((PLINT)run, px, py);
                else if (run == 1)
                    plpoin(1, px, py, 1);
                run = 0;
            }
        }
    }
    free(px);
    free(py);
    plwidth(1.0);
    pllsty(1);
    if (ns > 1) {
        PLINT opt[PLOT_MAX_SERIES], tc[PLOT_MAX_SERIES], lc[PLOT_MAX_SERIES], ls[PLOT_MAX_SERIES];
        PLFLT lw[PLOT_MAX_SERIES];
        const char *text[PLOT_MAX_SERIES];
        for (size_t k = 0; k < ns; k++)
            opt[k] = PL_LEGEND_LINE, tc[k] = 1, lc[k] = s[k].color, ls[k] = s[k].style, lw[k] = 2.0,
            text[k] = s[k].label;
        PLFLT w, h;
        pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
                 PL_POSITION_RIGHT | PL_POSITION_TOP | PL_POSITION_INSIDE, 0.01, 0.01, 0.06, 0, 1,
                 1, 0, 0, (PLINT)ns, opt, 0.8, 0.8, 1.8, 0.0, tc, text, NULL, NULL, NULL, NULL, lc,
                 ls, lw, NULL, NULL, NULL, NULL);
    }
}

/* The finite range of v[0..n-1], widened when flat. */
static void value_range(const double *v, size_t n, double *lo, double *hi)
{
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            a = fmin(a, v[i]), b = fmax(b, v[i]);
    if (!(a <= b))
        a = 0, b = 1;
    if (b - a < 1e-300 + 1e-14 * fabs(b))
        a -= 0.5 * fmax(1e-300, fabs(a)), b += 0.5 * fmax(1e-300, fabs(b));
    *lo = a, *hi = b;
}

/* A heat map of z (ny rows of nx values, y slowest) over [x0,x1]x[y0,y1],
 * colours over [zmin, zmax], with a colour bar; panel p of n_panels side by
 * side on the page. */
static void panel_map(const char *title, const char *xl, const char *yl, const double *z,
                      size_t nx, size_t ny, double x0, double x1, double y0, double y1,
                      double zmin, double zmax, size_t p, size_t n_panels)
{
    if (!(x0 < x1))
        x0 -= 0.5, x1 += 0.5;
    if (!(y0 < y1))
        y0 -= 0.5, y1 += 0.5;
    PLFLT **img = NULL;
    plAlloc2dGrid(&img, (PLINT)nx, (PLINT)ny);
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < ny; j++) {
            double v = z[j * nx + i];
            img[i][j] = isfinite(v) ? v : zmin;
        }
    double w = 1.0 / (double)n_panels, left = (double)p * w;
    plvpor(left + 0.15 * w, left + 0.80 * w, 0.13, 0.88);
    plwind(x0, x1, y0, y1);
    plimage((PLFLT_MATRIX)img, (PLINT)nx, (PLINT)ny, x0, x1, y0, y1, zmin, zmax, x0, x1, y0, y1);
    plFree2dGrid(img, (PLINT)nx, (PLINT)ny);
    plcol0(1);
    plbox("bcnst", 0, 0, "bcnstv", 0, 0);
    pllab(xl, yl, title);
    PLFLT cw, ch, vals[2] = {zmin, zmax}, ticks[1] = {0.0};
    const PLFLT *vv[1] = {vals};
    const char *axopts[1] = {"bcvtm"};
    PLINT sub[1] = {0}, nv[1] = {2};
    plcolorbar(&cw, &ch, PL_COLORBAR_GRADIENT, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0,
               0.04, 1.0, 0, 1, 1, 0.0, 0.0, 0, 0.0, 0, NULL, NULL, 1, axopts, ticks, sub, nv, vv);
}

static void field_title(const field_info *fi, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s %s", fi->group, fi->name);
}

/* The maps of one field: a plane as is; (t, y, x) at the first, middle and
 * last time; a 3-D space at its middle z (and at three times with t). */
static int plot_field(plot_ctx *c, h5in *f, const field_layout *l, const field_info *fi)
{
    double *d = NULL;
    size_t rank, dims[H5IO_MAX_RANK];
    if (h5in_doubles(f, fi->path, &d, &rank, dims)) {
        snprintf(c->err, c->errcap, "%s", h5in_error(f));
        return -1;
    }
    int t = fields_axis(l, "t");
    int has_t = fi->axis[0] == t && t >= 0 && fi->rank >= 3;
    size_t sd = has_t ? 1 : 0;          /* first spatial dimension */
    size_t nsp = fi->rank - sd;         /* spatial dimensions (t counts as one when rank 2) */
    char title[400], name[200];
    field_title(fi, title, sizeof title);
    snprintf(name, sizeof name, "%s_%s", fi->group, fi->name);
    int rc = 0;
    if (fi->rank == 1) {
        const field_axis *a = &l->axes[fi->axis[0]];
        series s = {d, 1, fi->name, 2, 1};
        fig_begin(c, name, PLOT_WIDTH, PLOT_HEIGHT, 1);
        panel_lines(title, a->name, fi->name, 0, a->v, a->n, &s, 1);
        rc = fig_end(c);
        free(d);
        return rc;
    }
    /* the plane: the last two dimensions; the ones before are sliced */
    const field_axis *ax = &l->axes[fi->axis[fi->rank - 1]], *ay = &l->axes[fi->axis[fi->rank - 2]];
    size_t plane = ax->n * ay->n;
    size_t mid_z = nsp == 3 ? dims[sd] / 2 : 0, zoff = mid_z * plane;
    size_t steps[3] = {0, 0, 0}, n_panels = 1;
    if (has_t) {
        size_t nt = dims[0];
        steps[0] = 0, steps[1] = nt / 2, steps[2] = nt - 1;
        n_panels = nt >= 3 ? 3 : nt;
    }
    size_t per_t = has_t ? plane * (nsp == 3 ? dims[sd] : 1) : 0;
    /* one colour scale for all panels, so that times compare */
    double zmin, zmax;
    value_range(d, fi->dims[0] * (fi->rank > 1 ? fi->dims[1] : 1) * (fi->rank > 2 ? fi->dims[2] : 1) *
                       (fi->rank > 3 ? fi->dims[3] : 1),
                &zmin, &zmax);
    fig_begin(c, name, n_panels == 3 ? PLOT_WIDE_WIDTH : PLOT_WIDTH,
              n_panels == 3 ? PLOT_WIDE_HEIGHT : PLOT_HEIGHT, 1);
    pladv(0);
    if (n_panels == 3)
        plschr(0, 0.8);
    for (size_t p = 0; p < n_panels; p++) {
        char sub[480];
        int n = snprintf(sub, sizeof sub, "%s", title);
        if (has_t)
            n += snprintf(sub + n, sizeof sub - (size_t)n, ", t = %.3g", l->axes[t].v[steps[p]]);
        if (nsp == 3)
            snprintf(sub + n, sizeof sub - (size_t)n, ", %s = %.3g", l->axes[fi->axis[sd]].name,
                     l->axes[fi->axis[sd]].v[mid_z]);
        panel_map(sub, ax->name, ay->name, d + steps[p] * per_t + zoff, ax->n, ay->n, ax->v[0],
                  ax->v[ax->n - 1], ay->v[0], ay->v[ay->n - 1], zmin, zmax, p, n_panels);
    }
    rc = fig_end(c);
    free(d);
    return rc;
}

/* ODE fields (t, variable): solution solid, reference dashed, exact dotted
 * in one figure; each error field on a log scale. */
static int plot_trajectories(plot_ctx *c, h5in *f, const field_layout *l)
{
    static const char *const groups[] = {"solution", "reference", "exact"};
    static const int styles[] = {1, 2, 3};
    double *data[3] = {NULL, NULL, NULL};
    series s[PLOT_MAX_SERIES];
    char labels[PLOT_MAX_SERIES][96];
    size_t ns = 0, nt = 0, m = l->n_variables < PLOT_MAX_VARS ? l->n_variables : PLOT_MAX_VARS;
    int t = fields_axis(l, "t"), rc = 0;
    if (t < 0)
        return 0;
    for (size_t g = 0; g < 3; g++)
        for (size_t i = 0; i < l->n_fields; i++) {
            const field_info *fi = &l->f[i];
            if (fi->rank != 2 || fi->axis[1] != FIELDS_VARIABLE || strcmp(fi->group, groups[g]) ||
                data[g])
                continue;
            size_t rank, dims[H5IO_MAX_RANK];
            if (h5in_doubles(f, fi->path, &data[g], &rank, dims))
                continue;
            nt = dims[0];
            for (size_t j = 0; j < m && ns < PLOT_MAX_SERIES; j++, ns++) {
                snprintf(labels[ns], sizeof labels[ns], "%s %s", l->variables[j], groups[g]);
                s[ns] = (series){data[g] + j, l->n_variables, labels[ns], 2 + (int)(j % 10), styles[g]};
            }
        }
    if (ns) {
        fig_begin(c, "trajectories", PLOT_WIDTH, PLOT_HEIGHT, 1);
        panel_lines("trajectories: network (solid), reference (dashed), exact (dotted)", "t", "",
                    0, l->axes[t].v, nt, s, ns);
        rc = fig_end(c);
    }
    for (size_t g = 0; g < 3; g++)
        free(data[g]);
    for (size_t i = 0; i < l->n_fields && rc == 0; i++) {
        const field_info *fi = &l->f[i];
        if (fi->rank != 2 || fi->axis[1] != FIELDS_VARIABLE || strcmp(fi->group, "error"))
            continue;
        double *e = NULL;
        size_t rank, dims[H5IO_MAX_RANK];
        if (h5in_doubles(f, fi->path, &e, &rank, dims))
            continue;
        series es[PLOT_MAX_VARS];
        for (size_t j = 0; j < m; j++)
            es[j] = (series){e + j, l->n_variables, l->variables[j], 2 + (int)(j % 10), 1};
        char name[200], title[300];
        snprintf(name, sizeof name, "error_%s", fi->name);
        snprintf(title, sizeof title, "error %s", fi->name);
        fig_begin(c, name, PLOT_WIDTH, PLOT_HEIGHT, 1);
        panel_lines(title, "t", "|error|", 1, l->axes[t].v, dims[0], es, m);
        rc = fig_end(c);
        free(e);
    }
    return rc;
}

/* A history figure: columns of an (n, k) dataset over /history/step. */
static int plot_history(plot_ctx *c, h5in *f, const char *name, const char *title,
                        const char *ylabel, const char *path, const char *names_path,
                        const double *total, const char *truth_path, int logy)
{
    double *step = NULL, *v = NULL, *truth = NULL;
    char **names = NULL;
    size_t n_names = 0, rank, dims[H5IO_MAX_RANK], sdims[H5IO_MAX_RANK];
    int rc = 0;
    if (!h5in_exists(f, path) || !h5in_exists(f, "/history/step") ||
        h5in_doubles(f, "/history/step", &step, &rank, sdims) ||
        h5in_doubles(f, path, &v, &rank, dims) || rank != 2 || dims[0] != sdims[0] || dims[0] == 0)
        goto out;
    if (h5in_exists(f, names_path) && h5in_strings(f, names_path, &names, &n_names))
        names = NULL, n_names = 0;
    size_t k = dims[1] < PLOT_MAX_SERIES - 1 ? dims[1] : PLOT_MAX_SERIES - 1, ns = 0;
    series s[PLOT_MAX_SERIES];
    char labels[PLOT_MAX_SERIES][64];
    if (total)
        s[ns++] = (series){total, 1, "total", 1, 1};
    int all_positive = 1;
    for (size_t i = 0; i < dims[0] * dims[1]; i++)
        if (!(v[i] > 0))
            all_positive = 0;
    for (size_t j = 0; j < k; j++, ns++) {
        snprintf(labels[ns], sizeof labels[ns], "%s", j < n_names ? names[j] : "?");
        s[ns] = (series){v + j, dims[1], labels[ns], 2 + (int)(j % 10), 1};
    }
    /* known true values (synthetic data) as dashed constants: stride 0 */
    size_t tdims[H5IO_MAX_RANK];
    if (truth_path && h5in_exists(f, truth_path) &&
        h5in_doubles(f, truth_path, &truth, &rank, tdims) == 0 && rank == 1 && tdims[0] == dims[1])
        for (size_t j = 0; j < k && ns < PLOT_MAX_SERIES; j++, ns++) {
            snprintf(labels[ns], sizeof labels[ns], "%s true", j < n_names ? names[j] : "?");
            s[ns] = (series){truth + j, 0, labels[ns], 2 + (int)(j % 10), 2};
        }
    fig_begin(c, name, PLOT_WIDTH, PLOT_HEIGHT, 1);
    panel_lines(title, "step", ylabel, logy && (all_positive || total), step, dims[0], s, ns);
    rc = fig_end(c);
out:
    free(step);
    free(v);
    free(truth);
    h5in_strings_free(names, n_names);
    return rc;
}

static int make_dir(const char *dir, char *err, size_t errcap)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode) && access(dir, W_OK) == 0)
            return 0;
        snprintf(err, errcap, "'%s' is not a writable directory", dir);
        return -1;
    }
    if (mkdir(dir, 0777)) {
        snprintf(err, errcap, "cannot create directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int plot_write(const char *h5path, const char *dir, FILE *list, char *err, size_t errcap)
{
    char defdir[1024];
    if (!dir) {
        size_t n = strlen(h5path);
        if (n > 3 && strcmp(h5path + n - 3, ".h5") == 0)
            n -= 3;
        snprintf(defdir, sizeof defdir, "%.*s-plots", (int)n, h5path);
        dir = defdir;
    }
    h5in *f = h5in_open(h5path, err, errcap);
    if (!f)
        return -1;
    field_layout l;
    if (fields_read(f, &l, err, errcap)) {
        h5in_close(f);
        return -1;
    }
    int rc = -1;
    if (!driver_present()) {
        snprintf(err, errcap, "PLplot has no pngcairo driver (install plplot-driver-cairo)");
        goto out;
    }
    if (make_dir(dir, err, errcap))
        goto out;
    plot_ctx c = {.dir = dir, .list = list, .err = err, .errcap = errcap};
    rc = 0;
    for (size_t i = 0; i < l.n_fields && rc == 0; i++) {
        int var = 0;
        for (size_t d = 0; d < l.f[i].rank; d++)
            var |= l.f[i].axis[d] == FIELDS_VARIABLE;
        if (!var)
            rc = plot_field(&c, f, &l, &l.f[i]);
    }
    if (rc == 0)
        rc = plot_trajectories(&c, f, &l);
    double *loss = NULL;
    size_t rank, dims[H5IO_MAX_RANK];
    if (rc == 0 && h5in_exists(f, "/history/loss") &&
        h5in_doubles(f, "/history/loss", &loss, &rank, dims) == 0)
        rc = plot_history(&c, f, "loss", "loss history (unweighted terms)", "loss",
                          "/history/loss_terms", "/history/term_names", loss, NULL, 1);
    free(loss);
    if (rc == 0)
        rc = plot_history(&c, f, "weights", "loss weights", "weight", "/history/weights",
                          "/history/term_names", NULL, NULL, 1);
    if (rc == 0)
        rc = plot_history(&c, f, "unknowns", "learned unknowns", "value", "/unknowns/history",
                          "/unknowns/names", NULL, "/unknowns/true_values", 0);
out:
    fields_free(&l);
    h5in_close(f);
    return rc;
}
