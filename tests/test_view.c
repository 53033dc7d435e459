/* tests/test_view.c - what viewers get from a result file: `pinn plot`'s
 * PNGs decode (libpng) to the stated size and are not blank; the XDMF
 * sidecar is well-formed XML (libxml2) whose every HDF5 reference names a
 * dataset of the file with the stated shape, and whose attributes fit their
 * mesh; dimension scales name the axes. Heat and ODE files come from short
 * runs of $PINN; n-d files (LAYOUT.md's "axes" layout) are written here. */
#include <check.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check_main.h"
#include "pinn_cli.h"
#include "io/h5io.h"
#include "io/output.h"
#include "io/plot.h"
#include "io/xdmf.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pinn-view-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    if (getenv("PINN_KEEP_TMP")) /* look at the figures: keep the directory */
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}


/* Decodes the whole PNG; checks its size and that it has many colours
 * (a heat map or several lines, not an empty page). */
static void check_png(const char *path, unsigned w, unsigned h, int min_colours)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_file(&img, path), "%s: %s", path, img.message);
    ck_assert_uint_eq(img.width, w);
    ck_assert_uint_eq(img.height, h);
    img.format = PNG_FORMAT_RGB;
    size_t n = PNG_IMAGE_SIZE(img);
    unsigned char *px = malloc(n);
    ck_assert_ptr_nonnull(px);
    ck_assert_msg(png_image_finish_read(&img, NULL, px, 0, NULL), "%s: %s", path, img.message);
    /* distinct colours, by a 4096-bin hash of the top 4 bits of each channel */
    static unsigned char seen[4096];
    memset(seen, 0, sizeof seen);
    int colours = 0;
    for (size_t i = 0; i + 2 < n; i += 3) {
        unsigned k = (unsigned)(px[i] >> 4) << 8 | (unsigned)(px[i + 1] >> 4) << 4 | px[i + 2] >> 4;
        if (!seen[k]++)
            colours++;
    }
    free(px);
    ck_assert_msg(colours >= min_colours, "%s: %d colours, want >= %d", path, colours, min_colours);
}

/* ---- XDMF ------------------------------------------------------------- */

static size_t parse_dims(const char *s, size_t *d, size_t cap)
{
    size_t n = 0;
    char *end;
    while (n < cap) {
        unsigned long v = strtoul(s, &end, 10);
        if (end == s)
            break;
        d[n++] = v;
        s = end;
    }
    return n;
}

static size_t product(const size_t *d, size_t n)
{
    size_t p = 1;
    for (size_t i = 0; i < n; i++)
        p *= d[i];
    return p;
}

static size_t attr_dims(xmlNode *e, const char *name, size_t *d)
{
    xmlChar *v = xmlGetProp(e, (const xmlChar *)name);
    ck_assert_msg(v != NULL, "<%s> without %s", e->name, name);
    size_t n = parse_dims((const char *)v, d, 8);
    xmlFree(v);
    return n;
}

static int is(xmlNode *e, const char *name)
{
    return e->type == XML_ELEMENT_NODE && strcmp((const char *)e->name, name) == 0;
}

static int has_prop(xmlNode *e, const char *name, const char *value)
{
    xmlChar *v = xmlGetProp(e, (const xmlChar *)name);
    int r = v && strcmp((const char *)v, value) == 0;
    xmlFree(v);
    return r;
}

typedef struct xcheck {
    h5in *f;
    const char *h5name;
    int hdf_items, attributes, grids;
} xcheck;

/* A DataItem: HDF ones name an existing dataset of that shape; a hyperslab
 * selects count values that fill its Dimensions. Returns its value count. */
static size_t check_item(xcheck *x, xmlNode *e)
{
    size_t d[8], n = attr_dims(e, "Dimensions", d);
    if (has_prop(e, "ItemType", "HyperSlab")) {
        xmlNode *sel = NULL, *src = NULL;
        for (xmlNode *c = e->children; c; c = c->next)
            if (is(c, "DataItem"))
                *(sel ? &src : &sel) = c;
        ck_assert(sel && src);
        size_t sd[8], sn = attr_dims(sel, "Dimensions", sd);
        ck_assert_uint_eq(sn, 2);
        ck_assert_uint_eq(sd[0], 3);
        xmlChar *txt = xmlNodeGetContent(sel);
        size_t v[32], nv = parse_dims((const char *)txt, v, 32);
        xmlFree(txt);
        ck_assert_uint_eq(nv, 3 * sd[1]);
        size_t srcd[8], srcn = attr_dims(src, "Dimensions", srcd);
        ck_assert_uint_eq(srcn, sd[1]);
        check_item(x, src);
        for (size_t i = 0; i < sd[1]; i++) /* start + (count - 1) * stride inside */
            ck_assert_uint_lt(v[i] + (v[2 * sd[1] + i] - 1) * v[sd[1] + i], srcd[i]);
        ck_assert_uint_eq(product(v + 2 * sd[1], sd[1]), product(d, n));
        return product(d, n);
    }
    if (has_prop(e, "Format", "HDF")) {
        xmlChar *txt = xmlNodeGetContent(e);
        char ref[512];
        snprintf(ref, sizeof ref, "%s", (const char *)txt);
        xmlFree(txt);
        char *colon = strchr(ref, ':');
        ck_assert_ptr_nonnull(colon);
        *colon = '\0';
        ck_assert_str_eq(ref, x->h5name);
        size_t rank, dims[H5IO_MAX_RANK];
        ck_assert_msg(h5in_shape(x->f, colon + 1, &rank, dims) == 0, "%s: no such dataset", colon + 1);
        ck_assert_uint_eq(rank, n);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(dims[i], d[i]);
        x->hdf_items++;
    }
    return product(d, n);
}

/* A uniform grid: geometry vectors fit the topology, attributes have one
 * value per node. */
static void check_grid(xcheck *x, xmlNode *g)
{
    size_t td[8] = {0}, tn = 0, points = 0;
    for (xmlNode *c = g->children; c; c = c->next) {
        if (is(c, "Topology")) {
            tn = attr_dims(c, "Dimensions", td);
            points = product(td, tn);
        } else if (is(c, "Geometry")) {
            ck_assert_uint_gt(tn, 0);
            size_t k = 0;
            for (xmlNode *v = c->children; v; v = v->next)
                if (is(v, "DataItem")) /* VX first: the fastest dimension */
                    ck_assert_uint_eq(check_item(x, v), td[tn - 1 - k++]);
            ck_assert_uint_eq(k, tn);
        } else if (is(c, "Attribute")) {
            for (xmlNode *v = c->children; v; v = v->next)
                if (is(v, "DataItem"))
                    ck_assert_uint_eq(check_item(x, v), points);
            x->attributes++;
        } else if (is(c, "Grid")) {
            check_grid(x, c);
        }
    }
    x->grids++;
}

/* Parses dir/name.xmf and checks it against dir/name.h5; returns the root's
 * number of attributes and grids through x. */
static void check_xdmf(const char *h5path, xcheck *x)
{
    char xmf[600];
    xdmf_sidecar_path(h5path, xmf, sizeof xmf);
    xmlDoc *doc = xmlReadFile(xmf, NULL, XML_PARSE_NONET);
    ck_assert_msg(doc != NULL, "%s: not well-formed XML", xmf);
    xmlNode *root = xmlDocGetRootElement(doc);
    ck_assert(is(root, "Xdmf"));
    char err[512];
    memset(x, 0, sizeof *x);
    x->f = h5in_open(h5path, err, sizeof err);
    ck_assert_msg(x->f != NULL, "%s", err);
    const char *slash = strrchr(h5path, '/');
    x->h5name = slash ? slash + 1 : h5path;
    for (xmlNode *d = root->children; d; d = d->next)
        if (is(d, "Domain"))
            for (xmlNode *g = d->children; g; g = g->next)
                if (is(g, "Grid"))
                    check_grid(x, g);
    h5in_close(x->f);
    xmlFreeDoc(doc);
    ck_assert_int_gt(x->attributes, 0);
}

/* The names of the dimension scales attached to each dimension of dataset. */
static herr_t scale_name(hid_t did, unsigned dim, hid_t sid, void *data)
{
    (void)did, (void)dim;
    H5DSget_scale_name(sid, data, 16);
    return 1;
}

static void check_scales(const char *h5path, const char *dataset, const char *const *axes, int n)
{
    hid_t f = H5Fopen(h5path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    ck_assert_int_ge(d, 0);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(H5DSget_num_scales(d, (unsigned)i), 1);
        char name[16] = "";
        H5DSiterate_scales(d, (unsigned)i, NULL, scale_name, name);
        ck_assert_str_eq(name, axes[i]);
    }
    H5Dclose(d);
    H5Fclose(f);
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(heat_run_plots_sidecar_scales)
{
    char args[2048], out[16384], path[512], dir[600], png[700];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/heat.h5", tmpdir);
    snprintf(args, sizeof args,
             "run configs/heat1d.cfg --quiet -o %s --set train.adam.iterations=30 "
             "--set train.lbfgs.iterations=5 --set output.nx=41 --set output.nt=21",
             path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(args, sizeof args, "plot %s", path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    static const char *const figs[] = {"solution_u", "reference_u", "exact_u", "error_abs",
                                       "loss", "weights"};
    snprintf(dir, sizeof dir, "%s/heat-plots", tmpdir);
    for (size_t i = 0; i < sizeof figs / sizeof *figs; i++) {
        snprintf(png, sizeof png, "%s/%s.png", dir, figs[i]);
        ck_assert_msg(strstr(out, png) != NULL, "pinn plot did not list %s: %s", png, out);
        check_png(png, PLOT_WIDTH, PLOT_HEIGHT, i < 4 ? 40 : 5);
    }
    xcheck x;
    check_xdmf(path, &x);
    ck_assert_int_eq(x.grids, 1);
    ck_assert_int_ge(x.attributes, 4); /* solution, reference, exact, errors */
    check_scales(path, "/solution/u", (const char *const[]){"t", "x"}, 2);
    check_scales(path, "/error/abs", (const char *const[]){"t", "x"}, 2);
    /* -o DIR, and a directory that cannot be made */
    snprintf(args, sizeof args, "plot %s -o %s/mine", path, tmpdir);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(png, sizeof png, "%s/mine/loss.png", tmpdir);
    check_png(png, PLOT_WIDTH, PLOT_HEIGHT, 5);
    snprintf(args, sizeof args, "plot %s --output=%s/no/such/dir", path, tmpdir);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 1);
    ck_assert_ptr_nonnull(strstr(out, "cannot create directory"));
    ck_assert_int_eq(run_pinn("plot README.md", out, sizeof out), 1);
    remove_tmpdir();
}
END_TEST

START_TEST(ode_run_trajectories_and_sidecar)
{
    char args[2048], out[16384], path[512], png[700];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/sir.h5", tmpdir);
    snprintf(args, sizeof args,
             "run configs/sir.cfg --quiet -o %s --set train.adam.iterations=30 "
             "--set train.lbfgs.iterations=5 --set output.nt=51",
             path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(args, sizeof args, "plot %s", path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(png, sizeof png, "%s/sir-plots/trajectories.png", tmpdir);
    check_png(png, PLOT_WIDTH, PLOT_HEIGHT, 5);
    snprintf(png, sizeof png, "%s/sir-plots/error_abs.png", tmpdir);
    check_png(png, PLOT_WIDTH, PLOT_HEIGHT, 5);
    xcheck x;
    check_xdmf(path, &x);
    ck_assert_int_eq(x.attributes, 3 * 3); /* S, I, R of solution, reference, error */
    check_scales(path, "/solution/u", (const char *const[]){"t"}, 1);
    remove_tmpdir();
}
END_TEST

/* A file in LAYOUT.md's n-d layout, as the general PDE type writes it. */
static void write_nd(const char *path, const char *axes, const size_t *len, size_t rank)
{
    char err[512];
    h5out *f = h5out_create(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    h5out_attr_int(f, "/", "format_version", PINN_FORMAT_VERSION);
    size_t n = product(len, rank);
    double *u = malloc(n * sizeof *u);
    ck_assert_ptr_nonnull(u);
    for (size_t i = 0; i < n; i++)
        u[i] = (double)(i % 97) / 97.0;
    for (size_t d = 0; d < rank; d++) {
        double v[64];
        for (size_t i = 0; i < len[d]; i++)
            v[i] = (double)i / (double)(len[d] - 1);
        char p[32];
        snprintf(p, sizeof p, "/grid/%c", axes[2 * d]);
        ck_assert_int_eq(h5out_doubles(f, p, 1, &len[d], v), 0);
    }
    static const char *const fields[] = {"/solution/u", "/solution/v", "/reference/u", "/error/u"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(h5out_doubles(f, fields[i], rank, len, u), 0);
        ck_assert_int_eq(h5out_attr_string(f, fields[i], "axes", axes), 0);
    }
    free(u);
    ck_assert_msg(xdmf_scales_attach(f, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(h5out_commit_msg(f, err, sizeof err), 0);
    ck_assert_msg(xdmf_write(path, err, sizeof err) == 0, "%s", err);
}

START_TEST(nd_layout_time_and_space)
{
    char path[512], err[512], png[700];
    make_tmpdir();
    /* (t, y, x): a temporal collection of 2-D meshes, three time panels */
    snprintf(path, sizeof path, "%s/wave2d.h5", tmpdir);
    write_nd(path, "t,y,x", (const size_t[]){5, 7, 9}, 3);
    xcheck x;
    check_xdmf(path, &x);
    ck_assert_int_eq(x.grids, 1 + 5);      /* the collection and one grid per time */
    ck_assert_int_eq(x.attributes, 4 * 5); /* four fields at five times */
    check_scales(path, "/solution/v", (const char *const[]){"t", "y", "x"}, 3);
    ck_assert_msg(plot_write(path, NULL, NULL, err, sizeof err) == 0, "%s", err);
    snprintf(png, sizeof png, "%s/wave2d-plots/solution_v.png", tmpdir);
    check_png(png, PLOT_WIDE_WIDTH, PLOT_WIDE_HEIGHT, 40);
    /* (z, y, x): one 3-D mesh; the plot is the middle z slice */
    snprintf(path, sizeof path, "%s/box.h5", tmpdir);
    write_nd(path, "z,y,x", (const size_t[]){4, 6, 8}, 3);
    check_xdmf(path, &x);
    ck_assert_int_eq(x.grids, 1);
    ck_assert_int_eq(x.attributes, 4);
    ck_assert_msg(plot_write(path, NULL, NULL, err, sizeof err) == 0, "%s", err);
    snprintf(png, sizeof png, "%s/box-plots/error_u.png", tmpdir);
    check_png(png, PLOT_WIDTH, PLOT_HEIGHT, 40);
    /* (t, z, y, x): temporal collection of 3-D meshes */
    snprintf(path, sizeof path, "%s/box_t.h5", tmpdir);
    write_nd(path, "t,z,y,x", (const size_t[]){3, 4, 5, 6}, 4);
    check_xdmf(path, &x);
    ck_assert_int_eq(x.grids, 1 + 3);
    ck_assert_msg(plot_write(path, NULL, NULL, err, sizeof err) == 0, "%s", err);
    snprintf(png, sizeof png, "%s/box_t-plots/solution_u.png", tmpdir);
    check_png(png, PLOT_WIDE_WIDTH, PLOT_WIDE_HEIGHT, 40);
    remove_tmpdir();
}
END_TEST

/* Histories as the trainer and the inverse problems write them: loss,
 * weights and learned unknowns with their true values. */
START_TEST(history_and_unknowns_plots)
{
    char path[512], err[512], png[700];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/inv.h5", tmpdir);
    h5out *f = h5out_create(path, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    h5out_attr_int(f, "/", "format_version", PINN_FORMAT_VERSION);
    enum { N = 50 };
    long long step[N];
    double t[N], loss[N], terms[N * 2], weights[N * 2], unk[N * 2];
    for (int i = 0; i < N; i++) {
        step[i] = i;
        t[i] = i / (N - 1.0);
        loss[i] = exp(-0.1 * i);
        terms[2 * i] = 0.7 * loss[i], terms[2 * i + 1] = 0.3 * loss[i];
        weights[2 * i] = 1.0, weights[2 * i + 1] = 1.0 + 0.01 * i;
        unk[2 * i] = 0.4 * (1 - exp(-0.2 * i)), unk[2 * i + 1] = 2.0 - exp(-0.1 * i);
    }
    size_t d1[1] = {N}, d2[2] = {N, 2}, dk[1] = {2};
    ck_assert_int_eq(h5out_doubles(f, "/grid/t", 1, d1, t), 0);
    ck_assert_int_eq(h5out_ints(f, "/history/step", 1, d1, step), 0);
    ck_assert_int_eq(h5out_doubles(f, "/history/loss", 1, d1, loss), 0);
    ck_assert_int_eq(h5out_doubles(f, "/history/loss_terms", 2, d2, terms), 0);
    ck_assert_int_eq(h5out_doubles(f, "/history/weights", 2, d2, weights), 0);
    ck_assert_int_eq(h5out_strings(f, "/history/term_names", (const char *const[]){"pde", "data"}, 2), 0);
    ck_assert_int_eq(h5out_doubles(f, "/unknowns/history", 2, d2, unk), 0);
    ck_assert_int_eq(h5out_strings(f, "/unknowns/names", (const char *const[]){"alpha", "k"}, 2), 0);
    ck_assert_int_eq(h5out_doubles(f, "/unknowns/true_values", 1, dk, (const double[]){0.4, 2.0}), 0);
    ck_assert_int_eq(h5out_commit_msg(f, err, sizeof err), 0);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/figs", tmpdir);
    ck_assert_msg(plot_write(path, dir, NULL, err, sizeof err) == 0, "%s", err);
    static const char *const figs[] = {"loss", "weights", "unknowns"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(png, sizeof png, "%s/%s.png", dir, figs[i]);
        check_png(png, PLOT_WIDTH, PLOT_HEIGHT, 5);
    }
    remove_tmpdir();
}
END_TEST

static Suite *view_suite(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("plots_xdmf");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, heat_run_plots_sidecar_scales);
    tcase_add_test(tc, ode_run_trajectories_and_sidecar);
    tcase_add_test(tc, nd_layout_time_and_space);
    tcase_add_test(tc, history_and_unknowns_plots);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(view_suite)
