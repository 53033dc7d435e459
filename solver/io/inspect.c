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

/* The unknown constants of an inverse problem, when the file has them:
 * every dataset of /unknowns must have one value per name. */
static void print_unknowns(h5in *f, FILE *out)
{
    char **names = NULL;
    size_t n = 0, rank, dims[H5IO_MAX_RANK];
    if (h5in_exists(f, "/unknowns/names") <= 0 || h5in_strings(f, "/unknowns/names", &names, &n))
        return;
    static const char *const sets[] = {"/unknowns/values", "/unknowns/initial",
                                       "/unknowns/true_values", "/unknowns/rel_error"};
    double *v[4] = {NULL, NULL, NULL, NULL};
    for (size_t k = 0; k < 4; k++)
        if (h5in_exists(f, sets[k]) > 0 &&
            (h5in_doubles(f, sets[k], &v[k], &rank, dims) || rank != 1 || dims[0] != n)) {
            free(v[k]);
            v[k] = NULL;
        }
    if (v[0]) {
        fprintf(out, "  %-22s %14s %14s", "unknown", "value", "initial");
        if (v[2] && v[3])
            fprintf(out, " %14s %12s", "true", "rel error");
        fputc('\n', out);
        for (size_t j = 0; j < n; j++) {
            fprintf(out, "  %-22s %14.8g", names[j], v[0][j]);
            if (v[1])
                fprintf(out, " %14.8g", v[1][j]);
            if (v[1] && v[2] && v[3])
                fprintf(out, " %14.8g %12.4e", v[2][j], v[3][j]);
            fputc('\n', out);
        }
    }
    for (size_t k = 0; k < 4; k++)
        free(v[k]);
    h5in_strings_free(names, n);
}

static int info_print(const char *path, FILE *out, char *err, size_t errcap)
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
    print_unknowns(f, out);
    h5in_close(f);
    fprintf(out, "\ncontents:\n");
    return h5io_print_tree(path, out, err, errcap);
}

/* The whole of `pinn info`, output discarded: run in a child first. */
static int info_probe(void *ctx, char *err, size_t errcap)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink) {
        snprintf(err, errcap, "cannot open /dev/null");
        return -1;
    }
    int rc = info_print(ctx, sink, err, errcap);
    fclose(sink);
    return rc;
}

int inspect_info(const char *path, FILE *out, char *err, size_t errcap)
{
    if (h5io_isolated(path, info_probe, (void *)path, err, errcap))
        return -1;
    return info_print(path, out, err, errcap);
}

/* The saved network and its input scaling. */
typedef struct saved_model {
    mlp *net;
    size_t n_in, n_out;
    double *shift, *scale;
    char **in_names, **out_names; /* NULL when the file has none */
    size_t n_in_names, n_out_names;
    double lo[8], hi[8];          /* span of /grid/<input>; lo > hi: unknown */
} saved_model;

static void model_free(saved_model *m)
{
    mlp_free(m->net);
    free(m->shift);
    free(m->scale);
    h5in_strings_free(m->in_names, m->n_in_names);
    h5in_strings_free(m->out_names, m->n_out_names);
}

/* Names and the trained domain: optional, a file without them still evaluates. */
static void model_read_names(h5in *f, saved_model *m)
{
    if (h5in_strings(f, "/model/inputs", &m->in_names, &m->n_in_names))
        m->in_names = NULL, m->n_in_names = 0;
    if (h5in_strings(f, "/model/outputs", &m->out_names, &m->n_out_names))
        m->out_names = NULL, m->n_out_names = 0;
    for (size_t j = 0; j < m->n_in && j < 8; j++) {
        m->lo[j] = 1, m->hi[j] = 0;
        if (m->n_in_names != m->n_in)
            continue;
        char path[256];
        snprintf(path, sizeof path, "/grid/%s", m->in_names[j]);
        double *v = NULL;
        size_t rank, dims[H5IO_MAX_RANK];
        if (h5in_exists(f, path) && h5in_doubles(f, path, &v, &rank, dims) == 0 && rank == 1 &&
            dims[0] > 0) {
            m->lo[j] = m->hi[j] = v[0];
            for (size_t i = 1; i < dims[0]; i++)
                m->lo[j] = fmin(m->lo[j], v[i]), m->hi[j] = fmax(m->hi[j], v[i]);
        }
        free(v);
    }
}

/* Widths beyond this are not a pinn network (network.hidden allows 4096). */
#define INSPECT_MAX_WIDTH 65536

/* The embedding and factorization of /model (nets/mlp.h's options; none
 * when absent) for a net of n_in inputs; B into *B (the caller frees it). */
static int model_read_options(h5in *f, const char *path, size_t n_in, mlp_options *o,
                              double **B, char *err, size_t errcap)
{
    memset(o, 0, sizeof *o);
    if (h5in_attr_exists(f, "/model", "factorization_mu")) {
        o->rwf = 1;
        if (h5in_attr_double(f, "/model", "factorization_mu", &o->rwf_mu) ||
            h5in_attr_double(f, "/model", "factorization_sigma", &o->rwf_sigma))
            goto bad;
    }
    if (!h5in_exists(f, "/model/embedding"))
        return 0;
    long long mask, harm, four;
    double *lo = NULL, *per = NULL;
    size_t r1, d1[4], r2, d2[4], rb, db[4];
    int ok = n_in >= 1 && n_in <= MLP_MAX_INPUTS &&
             !h5in_attr_int(f, "/model/embedding", "periodic_mask", &mask) &&
             !h5in_attr_int(f, "/model/embedding", "harmonics", &harm) &&
             !h5in_attr_int(f, "/model/embedding", "fourier", &four) &&
             !h5in_attr_double(f, "/model/embedding", "sigma", &o->embed.sigma) &&
             !h5in_doubles(f, "/model/embedding/lo", &lo, &r1, d1) && r1 == 1 && d1[0] == n_in &&
             !h5in_doubles(f, "/model/embedding/period", &per, &r2, d2) && r2 == 1 &&
             d2[0] == n_in && mask >= 0 && mask < (1ll << n_in) && harm >= 0 &&
             harm <= MLP_MAX_EMBED && four >= 0 && four <= MLP_MAX_EMBED;
    if (ok) {
        o->embed.periodic = (unsigned)mask;
        o->embed.harmonics = (size_t)harm;
        o->embed.fourier = (size_t)four;
        memcpy(o->embed.lo, lo, n_in * sizeof *lo);
        memcpy(o->embed.period, per, n_in * sizeof *per);
    }
    free(lo);
    free(per);
    if (ok && four > 0) {
        size_t mid = 0;
        for (size_t j = 0; j < n_in; j++)
            mid += mask & (1ll << j) ? 2 * (size_t)harm : 1;
        ok = !h5in_doubles(f, "/model/embedding/fourier_B", B, &rb, db) && rb == 2 &&
             db[0] == (size_t)four && db[1] == mid;
        for (size_t k = 0; ok && k < db[0] * db[1]; k++)
            ok = isfinite((*B)[k]);
    }
    if (ok)
        return 0;
bad:
    snprintf(err, errcap, "%s: /model/embedding or the factorization attributes are "
             "incomplete or corrupt", path);
    return -1;
}

static int model_read(const char *path, saved_model *m, char *err, size_t errcap)
{
    memset(m, 0, sizeof *m);
    h5in *f = h5in_open(path, err, errcap);
    if (!f)
        return -1;
    long long *w = NULL;
    double *params = NULL, *fourier_B = NULL;
    char *act_name = NULL;
    size_t rank, dims[4], pdims[4], sd[4];
    int rc = -1;
    if (check_version(f, path, err, errcap))
        goto out;
    size_t prank = 0, srank = 0, scale_rank = 0, scale_dims[4];
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
        dims[0] > MLP_MAX_LAYERS + 1 || h5in_doubles(f, "/model/params", &params, &prank, pdims) ||
        prank != 1 || h5in_attr_string(f, "/model", "activation", &act_name) ||
        h5in_doubles(f, "/model/input_shift", &m->shift, &srank, sd) || srank != 1 ||
        h5in_doubles(f, "/model/input_scale", &m->scale, &scale_rank, scale_dims) ||
        scale_rank != 1 || scale_dims[0] != sd[0]) {
        snprintf(err, errcap, "%s: no usable /model (was it written by `pinn run`?)", path);
        goto out;
    }
    size_t width[MLP_MAX_LAYERS + 1];
    for (size_t l = 0; l < dims[0]; l++) {
        if (w[l] < 1 || w[l] > INSPECT_MAX_WIDTH) {
            snprintf(err, errcap, "%s: /model/widths has a width of %lld (corrupt file?)", path,
                     w[l]);
            goto out;
        }
        width[l] = (size_t)w[l];
    }
    /* What is read is checked before it is trusted: a NaN model would
     * evaluate to NaN with exit status 0. */
    for (size_t i = 0; i < pdims[0]; i++)
        if (!isfinite(params[i])) {
            snprintf(err, errcap, "%s: /model/params holds a non-finite value (element %zu): "
                     "corrupt file or a diverged run", path, i + 1);
            goto out;
        }
    for (size_t j = 0; j < sd[0]; j++)
        if (!isfinite(m->shift[j]) || !isfinite(m->scale[j]) || m->scale[j] == 0.0) {
            snprintf(err, errcap, "%s: /model/input_shift or input_scale is not finite and "
                     "nonzero", path);
            goto out;
        }
    const mlp_activation *act = mlp_activation_find(act_name);
    if (!act) {
        snprintf(err, errcap, "%s: unknown activation '%s'", path, act_name);
        goto out;
    }
    mlp_options opt;
    if (model_read_options(f, path, sd[0], &opt, &fourier_B, err, errcap))
        goto out;
    size_t stored_w0 = width[0];
    width[0] = sd[0]; /* the raw inputs; an embedding widens them again */
    m->net = mlp_alloc_opts(dims[0] - 1, width, act, &opt);
    if (!m->net || m->net->n_params != pdims[0] || m->net->width[0] != stored_w0) {
        snprintf(err, errcap, "%s: /model/params does not match /model/widths", path);
        goto out;
    }
    memcpy(m->net->params, params, pdims[0] * sizeof *params);
    if (m->net->fourier_B)
        memcpy(m->net->fourier_B, fourier_B,
               m->net->emb.fourier * m->net->emb_mid * sizeof *fourier_B);
    m->n_in = m->net->n_in;
    m->n_out = width[dims[0] - 1];
    model_read_names(f, m);
    rc = 0;
out:
    free(w);
    free(params);
    free(fourier_B);
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

static int model_probe(void *ctx, char *err, size_t errcap)
{
    saved_model m;
    if (model_read(ctx, &m, err, errcap))
        return -1;
    model_free(&m);
    return 0;
}

static void print_header(FILE *out, const saved_model *m)
{
    for (size_t j = 0; j < m->n_in; j++)
        if (m->n_in_names == m->n_in)
            fprintf(out, "%s,", m->in_names[j]);
        else
            fprintf(out, "in%zu,", j);
    for (size_t j = 0; j < m->n_out; j++) {
        if (m->n_out_names == m->n_out)
            fputs(m->out_names[j], out);
        else
            fprintf(out, "out%zu", j);
        fputc(j + 1 < m->n_out ? ',' : '\n', out);
    }
}

/* One warning for the points outside the trained domain: how many, and the first. */
static void warn_outside(FILE *errs, const saved_model *m, const double *x, size_t n)
{
    size_t outside = 0, first = 0, axis = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m->n_in && j < 8; j++) {
            double v = x[i * m->n_in + j];
            if (m->lo[j] <= m->hi[j] && (v < m->lo[j] || v > m->hi[j])) {
                if (!outside++)
                    first = i, axis = j;
                break;
            }
        }
    if (!outside || !errs)
        return;
    fprintf(errs,
            "pinn: eval: warning: %zu of %zu point(s) outside the trained domain, the first "
            "is point %zu with %s = %g outside [%g, %g]: the network extrapolates there\n",
            outside, n, first + 1, m->n_in_names == m->n_in ? m->in_names[axis] : "input",
            x[first * m->n_in + axis], m->lo[axis], m->hi[axis]);
}

int inspect_eval(const char *path, const char *const *points, size_t n_points, FILE *in,
                 FILE *out, FILE *errs, char *err, size_t errcap)
{
    saved_model m;
    if (h5io_isolated(path, model_probe, (void *)path, err, errcap) ||
        model_read(path, &m, err, errcap))
        return 1;
    char names[256] = "";
    for (size_t j = 0, k = 0; j < m.n_in && m.n_in_names == m.n_in && k < sizeof names; j++)
        k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", j ? "," : "", m.in_names[j]);
    size_t cap = n_points ? n_points : 1024, n = 0;
    double *x = malloc(cap * m.n_in * sizeof *x);
    int rc = 1;
    if (!x) {
        snprintf(err, errcap, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_points; i++, n++)
        if (parse_point(points[i], x + n * m.n_in, m.n_in)) {
            snprintf(err, errcap, "eval: point %zu '%s': expected %zu comma-separated finite numbers (%s)",
                     i + 1, points[i], m.n_in, names);
            rc = 2;
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
                snprintf(err, errcap,
                         "eval: input line %zu: expected %zu comma-separated finite numbers (%s)",
                         line_no, m.n_in, names);
                rc = 2;
                goto out;
            }
            n++;
        }
    }
    if (n == 0) {
        snprintf(err, errcap, "eval: no points to evaluate");
        rc = 2;
        goto out;
    }
    warn_outside(errs, &m, x, n);
    mlp_workspace *ws = mlp_workspace_alloc(m.net, n, 1);
    double *xn = malloc(n * m.n_in * sizeof *xn), *u = malloc(n * m.n_out * sizeof *u);
    if (ws && xn && u) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m.n_in; j++)
                xn[i * m.n_in + j] = (x[i * m.n_in + j] - m.shift[j]) * m.scale[j];
        mlp_channels ch;
        mlp_channels_set(&ch, 0, 0, m.n_in);
        mlp_forward(ws, m.net, &ch, xn, n, u);
        print_header(out, &m);
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
