/* solver/io/inspect.c - `pinn info` and `pinn eval`: read a result file back,
 * summarise it, and evaluate its saved network at new points without
 * retraining. Rejects files of an unknown format version. */
#include "io/inspect.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5io.h"
#include "mlp.h"
#include "io/output.h"

static int check_version(h5in *f, const char *path, char *err, size_t errcap)
{
    long long v = 0;
    if (h5in_attr_int(f, "/", "format_version", &v) != 0) {
        snprintf(err, errcap, "%s: not a pinn result (no format_version)", path);
        return -1;
    }
    if (v != PINN_FORMAT_VERSION) {
        snprintf(err, errcap, "%s: format version %lld, this pinn reads %d", path, v,
                 PINN_FORMAT_VERSION);
        return -1;
    }
    return 0;
}

int inspect_info(const char *path, FILE *out, char *err, size_t errcap)
{
    h5in *f = h5in_open(path, err, errcap);
    if (!f)
        return -1;
    if (check_version(f, path, err, errcap)) {
        h5in_close(f);
        return -1;
    }
    char *s = NULL;
    fprintf(out, "%s\n", path);
    static const char *const attrs[] = {"problem", "config_file", "pinn_version", "created", "status"};
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
        if (h5in_attr_string(f, "/", attrs[i], &s) == 0) {
            fprintf(out, "  %-14s %s\n", attrs[i], s);
            free(s);
        }
    long long seed = 0, threads = 0;
    if (h5in_attr_int(f, "/", "seed", &seed) == 0 && h5in_attr_int(f, "/", "threads", &threads) == 0)
        fprintf(out, "  %-14s %lld, %lld thread(s)\n", "seed", seed, threads);
    double secs;
    if (h5in_attr_double(f, "/history", "train_seconds", &secs) == 0)
        fprintf(out, "  %-14s %.2f s\n", "training", secs);
    if (h5in_attr_double(f, "/reference/u", "seconds", &secs) == 0)
        fprintf(out, "  %-14s %.3f s\n", "reference", secs);
    static const char *const errs[][2] = {
        {"/error/abs", "network vs reference"},
        {"/error/vs_exact/abs", "network vs exact"},
        {"/error/reference_vs_exact/abs", "reference vs exact"},
    };
    for (size_t i = 0; i < 3; i++) {
        double rel, mx;
        if (h5in_attr_double(f, errs[i][0], "rel_l2", &rel) == 0 &&
            h5in_attr_double(f, errs[i][0], "max_abs", &mx) == 0)
            fprintf(out, "  %-22s rel L2 %.4e  max abs %.4e\n", errs[i][1], rel, mx);
    }
    h5in_close(f);
    fprintf(out, "\ncontents:\n");
    return h5io_print_tree(path, out, err, errcap);
}

/* The saved network and its input scaling. */
typedef struct saved_model {
    mlp *net;
    size_t n_in, n_out;
    double *shift, *scale;
} saved_model;

static void model_free(saved_model *m)
{
    mlp_free(m->net);
    free(m->shift);
    free(m->scale);
}

static int model_read(const char *path, saved_model *m, char *err, size_t errcap)
{
    memset(m, 0, sizeof *m);
    h5in *f = h5in_open(path, err, errcap);
    if (!f)
        return -1;
    long long *w = NULL;
    double *params = NULL;
    char *act_name = NULL;
    size_t rank, dims[4], pdims[4], sd[4];
    int rc = -1;
    if (check_version(f, path, err, errcap))
        goto out;
    if (h5in_attr_exists(f, "/model", "hard_constraints")) { /* /model is N, not u */
        snprintf(err, errcap, "%s: a result with hard constraints: eval of u = g + D N is not "
                 "supported; /solution holds u", path);
        goto out;
    }
    if (h5in_exists(f, "/windows")) { /* /model is the last window's net only */
        snprintf(err, errcap, "%s: a time-marching result (/windows): eval of its windows' "
                 "networks is not supported; /solution holds the stitched solution", path);
        goto out;
    }
    if (h5in_ints(f, "/model/widths", &w, &rank, dims) || rank != 1 || dims[0] < 2 ||
        dims[0] > MLP_MAX_LAYERS + 1 || h5in_doubles(f, "/model/params", &params, &rank, pdims) ||
        h5in_attr_string(f, "/model", "activation", &act_name) ||
        h5in_doubles(f, "/model/input_shift", &m->shift, &rank, sd) ||
        h5in_doubles(f, "/model/input_scale", &m->scale, &rank, sd)) {
        snprintf(err, errcap, "%s: no usable /model (was it written by `pinn run`?)", path);
        goto out;
    }
    size_t width[MLP_MAX_LAYERS + 1];
    for (size_t l = 0; l < dims[0]; l++) {
        if (w[l] < 1) {
            snprintf(err, errcap, "%s: /model/widths has a width < 1", path);
            goto out;
        }
        width[l] = (size_t)w[l];
    }
    const mlp_activation *act = mlp_activation_find(act_name);
    if (!act) {
        snprintf(err, errcap, "%s: unknown activation '%s'", path, act_name);
        goto out;
    }
    m->net = mlp_alloc(dims[0] - 1, width, act);
    if (!m->net || m->net->n_params != pdims[0] || sd[0] != width[0]) {
        snprintf(err, errcap, "%s: /model/params does not match /model/widths", path);
        goto out;
    }
    memcpy(m->net->params, params, pdims[0] * sizeof *params);
    m->n_in = width[0];
    m->n_out = width[dims[0] - 1];
    rc = 0;
out:
    free(w);
    free(params);
    free(act_name);
    h5in_close(f);
    if (rc)
        model_free(m);
    return rc;
}

/* Parses "a,b,..." with exactly n finite numbers. */
static int parse_point(const char *s, double *x, size_t n)
{
    char *end;
    for (size_t j = 0; j < n; j++) {
        errno = 0;
        x[j] = strtod(s, &end);
        if (end == s || errno || !isfinite(x[j]))
            return -1;
        s = end;
        if (j + 1 < n) {
            if (*s != ',')
                return -1;
            s++;
        }
    }
    return *s == '\0' ? 0 : -1;
}

int inspect_eval(const char *path, const char *const *points, size_t n_points, FILE *in,
                 FILE *out, char *err, size_t errcap)
{
    saved_model m;
    if (model_read(path, &m, err, errcap))
        return -1;
    size_t cap = n_points ? n_points : 1024, n = 0;
    double *x = malloc(cap * m.n_in * sizeof *x);
    int rc = -1;
    if (!x) {
        snprintf(err, errcap, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_points; i++, n++)
        if (parse_point(points[i], x + n * m.n_in, m.n_in)) {
            snprintf(err, errcap, "point %zu '%s': expected %zu comma-separated numbers", i + 1,
                     points[i], m.n_in);
            goto out;
        }
    if (n_points == 0 && in) {
        char line[1024];
        size_t line_no = 0;
        while (fgets(line, sizeof line, in)) {
            line_no++;
            line[strcspn(line, "\r\n")] = '\0';
            if (!line[0] || line[0] == '#')
                continue;
            if (n == cap) {
                double *nx = realloc(x, 2 * cap * m.n_in * sizeof *x);
                if (!nx) {
                    snprintf(err, errcap, "out of memory");
                    goto out;
                }
                x = nx;
                cap *= 2;
            }
            if (parse_point(line, x + n * m.n_in, m.n_in)) {
                snprintf(err, errcap, "input line %zu: expected %zu comma-separated numbers",
                         line_no, m.n_in);
                goto out;
            }
            n++;
        }
    }
    if (n == 0) {
        snprintf(err, errcap, "no points to evaluate");
        goto out;
    }
    mlp_workspace *ws = mlp_workspace_alloc(m.net, n, 1);
    double *xn = malloc(n * m.n_in * sizeof *xn), *u = malloc(n * m.n_out * sizeof *u);
    if (ws && xn && u) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m.n_in; j++)
                xn[i * m.n_in + j] = (x[i * m.n_in + j] - m.shift[j]) * m.scale[j];
        mlp_channels ch;
        mlp_channels_set(&ch, 0, 0, m.n_in);
        mlp_forward(ws, m.net, &ch, xn, n, u);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < m.n_in; j++)
                fprintf(out, "%.17g,", x[i * m.n_in + j]);
            for (size_t j = 0; j < m.n_out; j++)
                fprintf(out, "%.17g%c", u[i * m.n_out + j], j + 1 < m.n_out ? ',' : '\n');
        }
        rc = 0;
    } else {
        snprintf(err, errcap, "out of memory");
    }
    mlp_workspace_free(ws);
    free(xn);
    free(u);
out:
    free(x);
    model_free(&m);
    return rc;
}
