/* solver/problems/data.c - reads measurement rows for the data loss term from a CSV
 * file (one header line naming the columns, then numbers) or an HDF5 file
 * (one 1-D dataset per column). It checks, it does not interpolate. */
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

static int read_h5(const char *path, const char *const *cols, size_t ncols, double **rows,
                   size_t *nrows, char *why, size_t whycap)
{
    FILE *guard = data_file_open(path, why, whycap);
    if (!guard)
        return -1;
    fclose(guard);
    h5in *f = h5in_open(path, why, whycap);
    if (!f)
        return -1;
    size_t n = 0;
    double *out = NULL;
    for (size_t j = 0; j < ncols; j++) {
        double *col = NULL;
        size_t rank = 0, dims[4] = {0};
        if (h5in_doubles(f, cols[j], &col, &rank, dims) != 0 || rank != 1) {
            snprintf(why, whycap, "%s: no 1-D dataset '%s'", path, cols[j]);
            free(col);
            free(out);
            h5in_close(f);
            return -1;
        }
        if (j == 0) {
            n = dims[0];
            out = malloc((n ? n : 1) * ncols * sizeof *out);
            if (!out) {
                free(col);
                h5in_close(f);
                snprintf(why, whycap, "out of memory");
                return -1;
            }
        } else if (dims[0] != n) {
            snprintf(why, whycap, "%s: dataset '%s' has %zu rows, '%s' has %zu", path, cols[j],
                     dims[0], cols[0], n);
            free(col);
            free(out);
            h5in_close(f);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            out[i * ncols + j] = col[i];
        free(col);
    }
    h5in_close(f);
    *rows = out;
    *nrows = n;
    return 0;
}

static int read_csv(const char *path, const char *const *cols, size_t ncols, double **rows,
                    size_t *nrows, char *why, size_t whycap)
{
    FILE *f = data_file_open(path, why, whycap);
    if (!f)
        return -1;
    size_t cap = 256, n = 0, line_no = 0;
    double *out = malloc(cap * ncols * sizeof *out);
    char line[4096];
    int rc = 0;
    while (out && fgets(line, sizeof line, f)) {
        line_no++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\0' || *p == '#')
            continue;
        double v[16];
        size_t k = 0;
        char *end = p;
        int header = 0;
        while (k < ncols) {
            v[k] = strtod(p, &end);
            if (end == p) {
                header = 1;
                break;
            }
            k++;
            while (*end == ' ' || *end == '\t')
                end++;
            if (*end == ',')
                end++;
            p = end;
        }
        if (header && n == 0 && line_no == 1)
            continue; /* a header line */
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (header || k != ncols || *end != '\0') {
            char names[256] = "";
            for (size_t j = 0, w = 0; j < ncols && w < sizeof names; j++)
                w += (size_t)snprintf(names + w, sizeof names - w, "%s%s", j ? ", " : "", cols[j]);
            snprintf(why, whycap, "%s:%zu: expected %zu numbers (%s)", path, line_no, ncols, names);
            rc = -1;
            break;
        }
        for (size_t j = 0; j < ncols; j++)
            if (!isfinite(v[j])) {
                snprintf(why, whycap, "%s:%zu: value %zu is not finite", path, line_no, j + 1);
                rc = -1;
            }
        if (rc)
            break;
        if (n == cap) {
            double *nb = realloc(out, 2 * cap * ncols * sizeof *out);
            if (!nb) {
                free(out);
                out = NULL;
                break;
            }
            out = nb;
            cap *= 2;
        }
        memcpy(out + n * ncols, v, ncols * sizeof *v);
        n++;
    }
    fclose(f);
    if (!out) {
        snprintf(why, whycap, "out of memory");
        return -1;
    }
    if (rc == 0 && n == 0) {
        snprintf(why, whycap, "%s: no data rows", path);
        rc = -1;
    }
    if (rc) {
        free(out);
        return -1;
    }
    *rows = out;
    *nrows = n;
    return 0;
}

int data_read(const char *path, const char *const *cols, size_t ncols, double **rows,
              size_t *nrows, char *why, size_t whycap)
{
    if (ncols == 0 || ncols > 16) {
        snprintf(why, whycap, "%zu columns is not supported", ncols);
        return -1;
    }
    if (ends_with(path, ".h5") || ends_with(path, ".hdf5"))
        return read_h5(path, cols, ncols, rows, nrows, why, whycap);
    return read_csv(path, cols, ncols, rows, nrows, why, whycap);
}
