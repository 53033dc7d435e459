/* solver/problems/data.c - the measurement (data) loss term: reads one or
 * more CSV files (a header line naming the columns, then numbers) or HDF5
 * files (one 1-D dataset per column), matches the columns to the problem's
 * inputs and fields BY NAME in any order (a file may observe some fields
 * only), and builds the term r = (u_f - d) / sigma_f over the observed
 * values. It checks, it does not interpolate. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/h5io.h"
#include "problems/problem_common.h"

#define DATA_MAX_COLS 16
#define DATA_MAX_FILES 16

/* One file's columns mapped onto the problem: col_in[j] / col_field[j] is
 * the input / field of column j (-1 when it is the other kind). */
typedef struct data_file {
    size_t n, ncols;
    int col_in[DATA_MAX_COLS], col_field[DATA_MAX_COLS];
    char names[256];            /* the header's names, ", "-separated */
    double *rows;               /* n x ncols */
} data_file;

/* Larger data files are refused rather than read into memory. */
#define DATA_MAX_BYTES (1ll << 30)

/* Opens a data file for reading if it is a regular file of at most
 * DATA_MAX_BYTES: a FIFO, /dev/zero or a directory would block or never
 * end. The open does not block (O_NONBLOCK), so a FIFO without a writer is
 * refused at once. NULL with the reason in why. */
static FILE *data_file_open(const char *path, char *why, size_t whycap)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, whycap, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    const char *kind = S_ISREG(st.st_mode)    ? NULL
                       : S_ISDIR(st.st_mode)  ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a file";
    FILE *f = NULL;
    if (kind)
        snprintf(why, whycap, "%s: is %s, not a regular file", path, kind);
    else if ((long long)st.st_size > DATA_MAX_BYTES)
        snprintf(why, whycap, "%s: %lld bytes is more than the %lld a data file may have", path,
                 (long long)st.st_size, DATA_MAX_BYTES);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "r")))
        snprintf(why, whycap, "%s: cannot open: %s", path, strerror(errno));
    if (!f)
        close(fd);
    return f;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static void list_names(char *buf, size_t cap, const char *const *names, size_t n)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < n && w < cap; j++)
        w += (size_t)snprintf(buf + w, cap - w, "%s%s", j ? ", " : "", names[j]);
}

/* Maps column name s (column j of path) onto p; -1 with why. */
static int map_column(data_file *d, const problem *p, const char *path, size_t j, const char *s,
                      char *why, size_t whycap)
{
    int in = name_index(p->in_names, p->n_in, s);
    int f = name_index((const char *const *)p->out_names, p->n_out, s);
    if (in < 0 && f < 0) {
        char ins[128], outs[256];
        list_names(ins, sizeof ins, p->in_names, p->n_in);
        list_names(outs, sizeof outs, (const char *const *)p->out_names, p->n_out);
        snprintf(why, whycap, "%s: column %zu '%s' is neither an input (%s) nor a field (%s) of "
                 "the problem", path, j + 1, s, ins, outs);
        return -1;
    }
    for (size_t k = 0; k < j; k++)
        if ((in >= 0 && d->col_in[k] == in) || (f >= 0 && d->col_field[k] == f)) {
            snprintf(why, whycap, "%s: column '%s' is named twice", path, s);
            return -1;
        }
    d->col_in[j] = in;
    d->col_field[j] = f;
    size_t w = strlen(d->names);
    snprintf(d->names + w, sizeof d->names - w, "%s%s", j ? ", " : "", s);
    return 0;
}

/* Every input must be a column and at least one field. */
static int check_columns(const data_file *d, const problem *p, const char *path, char *why,
                         size_t whycap)
{
    for (size_t i = 0; i < p->n_in; i++) {
        size_t j = 0;
        while (j < d->ncols && d->col_in[j] != (int)i)
            j++;
        if (j == d->ncols) {
            snprintf(why, whycap, "%s: no column '%s' (the columns are matched by the header's "
                     "names)", path, p->in_names[i]);
            return -1;
        }
    }
    for (size_t j = 0; j < d->ncols; j++)
        if (d->col_field[j] >= 0)
            return 0;
    char outs[256];
    list_names(outs, sizeof outs, (const char *const *)p->out_names, p->n_out);
    snprintf(why, whycap, "%s: no column names a field of the problem (%s)", path, outs);
    return -1;
}

static int read_h5(data_file *d, const problem *p, const char *path, char *why, size_t whycap)
{
    FILE *guard = data_file_open(path, why, whycap);
    if (!guard)
        return -1;
    fclose(guard);
    h5in *f = h5in_open(path, why, whycap);
    if (!f)
        return -1;
    const char *names[DATA_MAX_COLS];
    size_t nc = 0;
    for (size_t i = 0; i < p->n_in && nc < DATA_MAX_COLS; i++) {
        if (h5in_exists(f, p->in_names[i]) <= 0) {
            snprintf(why, whycap, "%s: no 1-D dataset '%s'", path, p->in_names[i]);
            h5in_close(f);
            return -1;
        }
        names[nc++] = p->in_names[i];
    }
    for (size_t i = 0; i < p->n_out && nc < DATA_MAX_COLS; i++)
        if (h5in_exists(f, p->out_names[i]) > 0)
            names[nc++] = p->out_names[i];
    d->ncols = nc;
    for (size_t j = 0; j < nc; j++)
        if (map_column(d, p, path, j, names[j], why, whycap)) {
            h5in_close(f);
            return -1;
        }
    if (check_columns(d, p, path, why, whycap)) {
        h5in_close(f);
        return -1;
    }
    for (size_t j = 0; j < nc; j++) {
        double *col = NULL;
        size_t rank = 0, dims[H5IO_MAX_RANK] = {0};
        if (h5in_doubles(f, names[j], &col, &rank, dims) != 0 || rank != 1) {
            snprintf(why, whycap, "%s: no 1-D dataset '%s'", path, names[j]);
            free(col);
            h5in_close(f);
            return -1;
        }
        if (j == 0) {
            d->n = dims[0];
            if (!(d->rows = malloc((d->n ? d->n : 1) * nc * sizeof *d->rows))) {
                free(col);
                h5in_close(f);
                snprintf(why, whycap, "out of memory");
                return -1;
            }
        } else if (dims[0] != d->n) {
            snprintf(why, whycap, "%s: dataset '%s' has %zu rows, '%s' has %zu", path, names[j],
                     dims[0], names[0], d->n);
            free(col);
            h5in_close(f);
            return -1;
        }
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(col[i])) {
                snprintf(why, whycap, "%s: dataset '%s' value %zu is not finite", path, names[j],
                         i + 1);
                free(col);
                h5in_close(f);
                return -1;
            }
            d->rows[i * nc + j] = col[i];
        }
        free(col);
    }
    h5in_close(f);
    if (d->n == 0) {
        snprintf(why, whycap, "%s: no data rows", path);
        return -1;
    }
    return 0;
}

/* The header: comma-separated names (spaces around them allowed). */
static int read_header(data_file *d, const problem *p, const char *path, size_t line_no,
                       char *line, char *why, size_t whycap)
{
    char *end;
    strtod(line, &end);
    if (end != line) {
        char ins[128], outs[256];
        list_names(ins, sizeof ins, p->in_names, p->n_in);
        list_names(outs, sizeof outs, (const char *const *)p->out_names, p->n_out);
        snprintf(why, whycap, "%s:%zu: the first line must be a header naming the columns "
                 "(inputs %s and some of the fields %s, in any order)", path, line_no, ins, outs);
        return -1;
    }
    size_t nc = 0;
    for (char *s = line;;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        size_t len = strlen(s);
        while (len > 0 && strchr(" \t\r\n", s[len - 1]))
            s[--len] = '\0';
        if (len == 0) {
            snprintf(why, whycap, "%s:%zu: header column %zu has no name", path, line_no, nc + 1);
            return -1;
        }
        if (nc == DATA_MAX_COLS) {
            snprintf(why, whycap, "%s:%zu: more than %d columns", path, line_no, DATA_MAX_COLS);
            return -1;
        }
        if (map_column(d, p, path, nc, s, why, whycap))
            return -1;
        nc++;
        if (!comma)
            break;
        s = comma + 1;
    }
    d->ncols = nc;
    return check_columns(d, p, path, why, whycap);
}

static int read_csv(data_file *d, const problem *p, const char *path, char *why, size_t whycap)
{
    FILE *f = data_file_open(path, why, whycap);
    if (!f)
        return -1;
    size_t cap = 256, n = 0, line_no = 0;
    double *out = NULL;
    char line[4096];
    int rc = 0, have_header = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        line_no++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\n' || *s == '\r' || *s == '\0' || *s == '#')
            continue;
        if (!have_header) {
            rc = read_header(d, p, path, line_no, s, why, whycap);
            have_header = 1;
            if (rc == 0 && !(out = malloc(cap * d->ncols * sizeof *out))) {
                snprintf(why, whycap, "out of memory");
                rc = -1;
            }
            continue;
        }
        double v[DATA_MAX_COLS];
        size_t k = 0;
        char *end = s;
        while (k < d->ncols) {
            v[k] = strtod(s, &end);
            if (end == s)
                break;
            k++;
            while (*end == ' ' || *end == '\t')
                end++;
            if (k < d->ncols && *end == ',')
                end++;
            s = end;
        }
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (k != d->ncols || *end != '\0') {
            snprintf(why, whycap, "%s:%zu: expected %zu numbers (%s)", path, line_no, d->ncols,
                     d->names);
            rc = -1;
            break;
        }
        for (size_t j = 0; j < d->ncols && rc == 0; j++)
            if (!isfinite(v[j])) {
                snprintf(why, whycap, "%s:%zu: value %zu is not finite", path, line_no, j + 1);
                rc = -1;
            }
        if (rc)
            break;
        if (n == cap) {
            double *nb = realloc(out, 2 * cap * d->ncols * sizeof *out);
            if (!nb) {
                snprintf(why, whycap, "out of memory");
                rc = -1;
                break;
            }
            out = nb;
            cap *= 2;
        }
        memcpy(out + n * d->ncols, v, d->ncols * sizeof *v);
        n++;
    }
    fclose(f);
    if (rc == 0 && !have_header) {
        snprintf(why, whycap, "%s: no header and no data rows", path);
        rc = -1;
    }
    if (rc == 0 && n == 0) {
        snprintf(why, whycap, "%s: no data rows", path);
        rc = -1;
    }
    if (rc) {
        free(out);
        return -1;
    }
    d->rows = out;
    d->n = n;
    return 0;
}

static int data_file_read(data_file *d, const problem *p, const char *path, char *why,
                          size_t whycap)
{
    memset(d, 0, sizeof *d);
    if (ends_with(path, ".h5") || ends_with(path, ".hdf5"))
        return read_h5(d, p, path, why, whycap);
    return read_csv(d, p, path, why, whycap);
}

/* ---- the term: aux = [n_obs field indices][n_obs factors][n x n_obs targets],
 * a NaN target where a file does not observe that field ------------------- */

static double data_loss(term *t, const problem *p, const double *out, double *gout)
{
    size_t n = t->n, no = t->n_r / n, m = p->n_out;
    const double *fidx = t->aux, *w = t->aux + no, *tgt = t->aux + 2 * no;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < no; j++) {
            double d = tgt[i * no + j];
            t->r[i * no + j] = isnan(d) ? 0.0 : (out[i * m + (size_t)fidx[j]] - d) * w[j];
        }
    double *d;
    double loss = term_mse(t, &d);
    memset(gout, 0, t->ch.n * n * m * sizeof *gout);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < no; j++)
            if (!isnan(tgt[i * no + j]))
                gout[i * m + (size_t)fidx[j]] += d[i * no + j] * w[j];
    return loss;
}

/* The data files of the config: loss.data.file, or the list loss.data.files. */
static size_t data_paths(const cfg *c, const char **paths)
{
    if (cfg_has(c, "loss.data.file")) {
        paths[0] = cfg_string(c, "loss.data.file");
        return 1;
    }
    size_t n = cfg_len(c, "loss.data.files");
    for (size_t i = 0; i < n && i < DATA_MAX_FILES; i++)
        paths[i] = cfg_expr_at(c, "loss.data.files", i);
    return n < DATA_MAX_FILES ? n : DATA_MAX_FILES;
}

int data_term_wanted(const cfg *c)
{
    return (cfg_has(c, "loss.data.file") || cfg_has(c, "loss.data.files")) &&
           cfg_bool(c, "loss.data.enabled");
}

int data_term_build(term *t, const problem *p, const cfg *c, char *err, size_t errcap)
{
    strcpy(t->name, "data");
    t->weight = cfg_float(c, "loss.data.weight");
    const char *where = cfg_has(c, "loss.data.file") ? "loss.data.file" : "loss.data.files";
    if (cfg_has(c, "loss.data.file") && cfg_has(c, "loss.data.files"))
        return cfg_fail(c, err, errcap, "loss.data.files", "give loss.data.file or "
                        "loss.data.files, not both");
    if (cfg_len(c, "loss.data.files") > DATA_MAX_FILES)
        return cfg_fail(c, err, errcap, "loss.data.files", "at most %d files", DATA_MAX_FILES);
    /* sigma per field: loss.data.sigma.NAME */
    double sigma[DATA_MAX_COLS];
    size_t m = p->n_out;
    if (m > DATA_MAX_COLS)
        return cfg_fail(c, err, errcap, where, "the data term takes at most %d fields",
                        DATA_MAX_COLS);
    for (size_t f = 0; f < m; f++)
        sigma[f] = 1.0;
    for (size_t i = 0; i < cfg_members(c, "loss.data.sigma"); i++) {
        const char *name = cfg_member_name(c, "loss.data.sigma", i);
        char path[128];
        snprintf(path, sizeof path, "loss.data.sigma.%s", name);
        int f = name_index((const char *const *)p->out_names, m, name);
        if (f < 0)
            return cfg_fail(c, err, errcap, path, "'%s' is not a field of the problem", name);
        sigma[f] = cfg_float(c, path);
        if (!(sigma[f] > 0) || !isfinite(sigma[f]))
            return cfg_fail(c, err, errcap, path, "must be a finite number > 0");
    }
    const char *paths[DATA_MAX_FILES];
    size_t nf = data_paths(c, paths);
    data_file files[DATA_MAX_FILES];
    memset(files, 0, sizeof files);
    int observed[DATA_MAX_COLS] = {0}, rc = -1;
    size_t n = 0;
    char why[512];
    for (size_t k = 0; k < nf; k++) {
        if (!paths[k] || data_file_read(&files[k], p, paths[k], why, sizeof why)) {
            cfg_fail(c, err, errcap, where, "%s", paths[k] ? why : "not a file name");
            goto done;
        }
        n += files[k].n;
        for (size_t j = 0; j < files[k].ncols; j++)
            if (files[k].col_field[j] >= 0)
                observed[files[k].col_field[j]] = 1;
    }
    /* the observed fields, in problem order */
    size_t no = 0, slot[DATA_MAX_COLS];
    for (size_t f = 0; f < m; f++)
        if (observed[f])
            slot[f] = no++;
    if (term_alloc_points(t, n, p->n_in, 2 * no + n * no, n * no)) {
        cfg_fail(c, err, errcap, where, "out of memory");
        goto done;
    }
    double *tgt = t->aux + 2 * no;
    for (size_t i = 0; i < n * no; i++)
        tgt[i] = NAN;
    size_t row = 0, count = 0;
    for (size_t k = 0; k < nf; k++) {
        const data_file *d = &files[k];
        for (size_t i = 0; i < d->n; i++, row++)
            for (size_t j = 0; j < d->ncols; j++) {
                double v = d->rows[i * d->ncols + j];
                if (d->col_in[j] >= 0)
                    t->x[row * p->n_in + (size_t)d->col_in[j]] = v;
                else {
                    tgt[row * no + slot[d->col_field[j]]] = v;
                    count++;
                }
            }
    }
    /* mean over the observed values: r scaled by sqrt(slots / observed) */
    double fill = sqrt((double)(n * no) / (double)count);
    for (size_t f = 0; f < m; f++)
        if (observed[f]) {
            t->aux[slot[f]] = (double)f;
            t->aux[no + slot[f]] = fill / sigma[f];
        }
    mlp_channels_set(&t->ch, 0, 0, p->n_in);
    t->loss = data_loss;
    rc = 0;
done:
    for (size_t k = 0; k < nf; k++)
        free(files[k].rows);
    return rc;
}
