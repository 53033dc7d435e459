/* solver/io/h5io.c - HDF5 result files: atomic writer (temp + fsync + rename),
 * reader, and the printed tree behind `pinn info`. Not the output layout
 * (the solver decides what goes where) and not a general HDF5 wrapper: only
 * the types the solver writes (float64, int64, UTF-8 strings). */
#include "io/h5io.h"
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define H5IO_ERRLEN 512
#define H5IO_TREE_DEPTH 64      /* deeper groups are not printed (link cycles) */
#define H5IO_SHORT_STRING 60    /* longer attribute strings print as a length */
#define H5IO_SHORT_ARRAY 8      /* longer numeric attributes print as a shape */
#define H5IO_MAX_ELEMENTS (1ull << 32) /* a dataspace claiming more is corrupt */

struct h5out {
    hid_t file;
    char *final_path;
    char *tmp_path;
    int failed;                 /* an earlier write failed: refuse to commit */
    char err[H5IO_ERRLEN];
};

struct h5in {
    hid_t file;
    char err[H5IO_ERRLEN];
};

static void seterr(char *err, size_t errcap, const char *fmt, ...)
{
    if (err == NULL || errcap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

static void h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static herr_t first_desc(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    char *buf = data;
    if (buf[0] == '\0' && e->desc)
        snprintf(buf, H5IO_ERRLEN / 2, "%s", e->desc);
    return 0;
}

/* The innermost message on HDF5's error stack (where the error was found),
 * or "" ; clears the stack. buf holds H5IO_ERRLEN / 2 bytes. */
static const char *h5_detail(char *buf)
{
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, buf);
    H5Eclear2(H5E_DEFAULT);
    return buf;
}

static hid_t fapl_strong(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

/* 1 when path names an object, walking its components so that a missing
 * parent is "no" rather than an error. */
static int h5_exists(hid_t file, const char *path)
{
    if (path == NULL || path[0] == '\0')
        return 0;
    size_t len = strlen(path);
    char *p = malloc(len + 1);
    if (p == NULL)
        return 0;
    memcpy(p, path, len + 1);
    int ok = 1;
    for (size_t i = 1; i <= len && ok; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (i > 0 && p[i - 1] != '/')   /* skip "//" and the root itself */
            ok = H5Lexists(file, p, H5P_DEFAULT) > 0 && H5Oexists_by_name(file, p, H5P_DEFAULT) > 0;
        p[i] = c;
    }
    free(p);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* ---------------------------------------------------------------- writer */

static int out_fail(h5out *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof f->err, fmt, ap);
    va_end(ap);
    f->failed = 1;
    H5Eclear2(H5E_DEFAULT);
    return -1;
}

static void out_free(h5out *f)
{
    free(f->final_path);
    free(f->tmp_path);
    free(f);
}

h5out *h5out_create(const char *final_path, char *err, size_t errcap)
{
    h5_quiet();
    if (final_path == NULL || final_path[0] == '\0') {
        seterr(err, errcap, "no output path");
        return NULL;
    }
    struct stat st;
    if (stat(final_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        seterr(err, errcap, "'%s' is a directory", final_path);
        return NULL;
    }
    h5out *f = calloc(1, sizeof *f);
    size_t len = strlen(final_path);
    if (f == NULL || (f->final_path = malloc(len + 1)) == NULL
        || (f->tmp_path = malloc(len + 32)) == NULL) {
        if (f) out_free(f);
        seterr(err, errcap, "out of memory");
        return NULL;
    }
    f->file = -1;
    memcpy(f->final_path, final_path, len + 1);
    snprintf(f->tmp_path, len + 32, "%s.tmp.%ld", final_path, (long)getpid());
    /* create it ourselves first, so errno says why a directory is unusable.
     * A temporary that exists already is left by a crashed run with our pid
     * (H5F_ACC_TRUNC below empties it) or is open in this process (HDF5
     * refuses to truncate it; then it is not ours to remove). */
    int created = 1;
    int fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 && errno == EEXIST) {
        created = 0;
        fd = open(f->tmp_path, O_WRONLY);
    }
    if (fd < 0) {
        seterr(err, errcap, "cannot create '%s': %s", f->tmp_path, strerror(errno));
        out_free(f);
        return NULL;
    }
    close(fd);
    /* The file is built in memory (core driver, no backing store) and
     * written by h5out_commit: libhdf5 1.10 never sees a failed write.
     * A full disk under HDF5's own driver left a half-closed file that
     * crashed the process at exit (SEGV in H5F__close_cb). */
    hid_t fapl = fapl_strong();
    if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 20, 0) < 0) {
        H5Pclose(fapl);
        fapl = -1;
    }
    if (fapl >= 0)
        f->file = H5Fcreate(f->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f->file < 0) {
        char d[H5IO_ERRLEN / 2];
        seterr(err, errcap, "cannot create HDF5 file '%s': %s", f->tmp_path, h5_detail(d));
        if (created)
            unlink(f->tmp_path);
        out_free(f);
        return NULL;
    }
    return f;
}

/* A link creation property list that makes missing parent groups. */
static hid_t lcpl_parents(void)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) < 0) {
        H5Pclose(lcpl);
        return -1;
    }
    return lcpl;
}

int h5out_group(h5out *f, const char *path)
{
    if (path == NULL || path[0] == '\0')
        return out_fail(f, "no group path");
    hid_t g = H5Gopen2(f->file, path, H5P_DEFAULT);
    if (g >= 0) {
        H5Gclose(g);
        return 0;
    }
    H5Eclear2(H5E_DEFAULT);
    hid_t lcpl = lcpl_parents();
    g = lcpl < 0 ? -1 : H5Gcreate2(f->file, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    if (g < 0) {
        char d[H5IO_ERRLEN / 2];
        h5_detail(d);
        if (h5_exists(f->file, path))
            return out_fail(f, "cannot create group '%s': something else has that name", path);
        return out_fail(f, "cannot create group '%s': %s", path, d);
    }
    H5Gclose(g);
    return 0;
}

/* Creates dataset path of file type ftype and shape (rank, dims) and writes
 * data (memory type mtype) into it. */
static int out_dataset(h5out *f, const char *path, hid_t ftype, hid_t mtype, size_t rank,
                       const size_t *dims, const void *data)
{
    if (path == NULL || path[0] == '\0')
        return out_fail(f, "no dataset path");
    if (rank > H5IO_MAX_RANK)
        return out_fail(f, "'%s': rank %zu is above %d", path, rank, H5IO_MAX_RANK);
    if (h5_exists(f->file, path))
        return out_fail(f, "'%s' already exists", path);
    hsize_t hd[H5IO_MAX_RANK + 1];
    size_t n = 1;
    for (size_t i = 0; i < rank; i++)
        hd[i] = dims[i], n *= dims[i];
    if (n > 0 && data == NULL)
        return out_fail(f, "'%s': no data", path);
    hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple((int)rank, hd, NULL);
    hid_t lcpl = lcpl_parents();
    hid_t dset = -1;
    if (space >= 0 && lcpl >= 0)
        dset = H5Dcreate2(f->file, path, ftype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    int rc = 0;
    char d[H5IO_ERRLEN / 2];
    if (dset < 0)
        rc = out_fail(f, "cannot create dataset '%s': %s", path, h5_detail(d));
    else if (n > 0 && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = out_fail(f, "cannot write dataset '%s': %s", path, h5_detail(d));
    if (dset >= 0) H5Dclose(dset);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (space >= 0) H5Sclose(space);
    return rc;
}

int h5out_doubles(h5out *f, const char *path, size_t rank, const size_t *dims, const double *data)
{
    return out_dataset(f, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data);
}

int h5out_ints(h5out *f, const char *path, size_t rank, const size_t *dims, const long long *data)
{
    return out_dataset(f, path, H5T_STD_I64LE, H5T_NATIVE_LLONG, rank, dims, data);
}

/* Variable-length UTF-8 string type; the caller closes it. */
static hid_t vlen_utf8(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

int h5out_strings(h5out *f, const char *path, const char *const *s, size_t n)
{
    if (n > 0 && s == NULL)
        return out_fail(f, "'%s': no strings", path ? path : "");
    const char **buf = malloc((n ? n : 1) * sizeof *buf);
    hid_t t = vlen_utf8();
    if (buf == NULL || t < 0) {
        free(buf);
        if (t >= 0) H5Tclose(t);
        return out_fail(f, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] ? s[i] : "";
    size_t dims[1] = {n};
    int rc = out_dataset(f, path, t, t, 1, dims, buf);
    H5Tclose(t);
    free(buf);
    return rc;
}

static int out_attr(h5out *f, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                    const void *value)
{
    if (obj == NULL || name == NULL || name[0] == '\0')
        return out_fail(f, "attribute without an object or a name");
    if (strcmp(obj, "/") != 0 && !h5_exists(f->file, obj))
        return out_fail(f, "cannot set attribute '%s': no object '%s'", name, obj);
    hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
    if (o < 0)
        return out_fail(f, "cannot open '%s' for attribute '%s'", obj, name);
    if (H5Aexists(o, name) > 0 && H5Adelete(o, name) < 0) {
        H5Oclose(o);
        return out_fail(f, "cannot replace attribute '%s' on '%s'", name, obj);
    }
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = space < 0 ? -1 : H5Acreate2(o, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = 0;
    char d[H5IO_ERRLEN / 2];
    if (a < 0 || H5Awrite(a, mtype, value) < 0)
        rc = out_fail(f, "cannot write attribute '%s' on '%s': %s", name, obj, h5_detail(d));
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    H5Oclose(o);
    return rc;
}

int h5out_attr_string(h5out *f, const char *obj, const char *name, const char *value)
{
    hid_t t = vlen_utf8();
    if (t < 0)
        return out_fail(f, "out of memory");
    const char *v = value ? value : "";
    int rc = out_attr(f, obj, name, t, t, &v);
    H5Tclose(t);
    return rc;
}

int h5out_attr_double(h5out *f, const char *obj, const char *name, double value)
{
    return out_attr(f, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int h5out_attr_int(h5out *f, const char *obj, const char *name, long long value)
{
    return out_attr(f, obj, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value);
}

const char *h5out_error(const h5out *f)
{
    return f ? f->err : "no file";
}

/* fsyncs the directory holding path, so the rename itself is durable.
 * Best effort: some file systems refuse fsync on a directory. */
static void fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int h5out_commit_msg(h5out *f, char *err, size_t errcap)
{
    if (f == NULL) {
        seterr(err, errcap, "no file");
        return -1;
    }
    if (f->failed) {
        seterr(err, errcap, "'%s' not written: an earlier write failed: %s", f->final_path, f->err);
        h5out_abort(f);
        return -1;
    }
    char d[H5IO_ERRLEN / 2];
    int flushed = H5Fflush(f->file, H5F_SCOPE_GLOBAL) >= 0;
    ssize_t size = flushed ? H5Fget_file_image(f->file, NULL, 0) : -1;
    char *image = size > 0 ? malloc((size_t)size) : NULL;
    int got = image && H5Fget_file_image(f->file, image, (size_t)size) == size;
    int closed = H5Fclose(f->file) >= 0;
    f->file = -1;
    if (!got || !closed) {
        seterr(err, errcap, "cannot close '%s': %s", f->tmp_path,
               size > 0 && !image ? "out of memory for the file image" : h5_detail(d));
        free(image);
        h5out_abort(f);
        return -1;
    }
    /* Our write: a full disk or a file size limit is an errno, not a crash. */
    int fd = open(f->tmp_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    size_t off = 0;
    while (fd >= 0 && off < (size_t)size) {
        ssize_t w = write(fd, image + off, (size_t)size - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(image);
    if (fd < 0 || off < (size_t)size) {
        seterr(err, errcap, "cannot write '%s': %s", f->tmp_path,
               fd >= 0 && errno == 0 ? "short write" : strerror(errno));
        if (fd >= 0) close(fd);
        h5out_abort(f);
        return -1;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        seterr(err, errcap, "cannot sync '%s': %s", f->tmp_path, strerror(errno));
        h5out_abort(f);
        return -1;
    }
    if (rename(f->tmp_path, f->final_path) < 0) {
        seterr(err, errcap, "cannot rename '%s' to '%s': %s", f->tmp_path, f->final_path,
               strerror(errno));
        h5out_abort(f);
        return -1;
    }
    fsync_dir_of(f->final_path);
    out_free(f);
    return 0;
}

int h5out_commit(h5out *f)
{
    return h5out_commit_msg(f, NULL, 0);
}

void h5out_abort(h5out *f)
{
    if (f == NULL)
        return;
    if (f->file >= 0)
        H5Fclose(f->file);
    H5Eclear2(H5E_DEFAULT);
    unlink(f->tmp_path);
    out_free(f);
}

/* ---------------------------------------------------------------- reader */

static int in_fail(h5in *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof f->err, fmt, ap);
    va_end(ap);
    H5Eclear2(H5E_DEFAULT);
    return -1;
}

h5in *h5in_open(const char *path, char *err, size_t errcap)
{
    h5_quiet();
    if (path == NULL || path[0] == '\0') {
        seterr(err, errcap, "no input path");
        return NULL;
    }
    /* Not blocking on a FIFO; only regular files (HDF5 seeks). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        seterr(err, errcap, "cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    close(fd);
    if (!S_ISREG(st.st_mode)) {
        seterr(err, errcap, "'%s' is not a regular file", path);
        return NULL;
    }
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        seterr(err, errcap, "'%s' is not an HDF5 file", path);
        return NULL;
    }
    h5in *f = calloc(1, sizeof *f);
    if (f == NULL) {
        seterr(err, errcap, "out of memory");
        return NULL;
    }
    hid_t fapl = fapl_strong();
    f->file = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f->file < 0) {
        char d[H5IO_ERRLEN / 2];
        seterr(err, errcap, "cannot open '%s' as HDF5: %s", path, h5_detail(d));
        free(f);
        return NULL;
    }
    return f;
}

int h5in_exists(h5in *f, const char *path)
{
    if (path && strcmp(path, "/") == 0)
        return 1;
    return h5_exists(f->file, path);
}

/* Opens dataset path, or fails with a message saying what is wrong. */
static hid_t in_dataset(h5in *f, const char *path)
{
    if (!h5in_exists(f, path)) {
        in_fail(f, "'%s' does not exist", path ? path : "");
        return -1;
    }
    hid_t o = H5Oopen(f->file, path, H5P_DEFAULT);
    if (o < 0 || H5Iget_type(o) != H5I_DATASET) {
        if (o >= 0) H5Oclose(o);
        in_fail(f, "'%s' is not a dataset", path);
        return -1;
    }
    return o;
}

/* Rank and dims of space; -1 (message in f) above H5IO_MAX_RANK. Returns the
 * number of elements (1 for a scalar, 0 for a null dataspace). */
static long long space_shape(h5in *f, const char *path, hid_t space, size_t *rank, size_t dims[])
{
    int r = H5Sget_simple_extent_ndims(space);
    if (r < 0 || r > H5IO_MAX_RANK)
        return in_fail(f, "'%s': rank %d is not supported (at most %d)", path, r, H5IO_MAX_RANK);
    hsize_t hd[H5IO_MAX_RANK + 1];
    H5Sget_simple_extent_dims(space, hd, NULL);
    *rank = (size_t)r;
    for (int i = 0; i < r; i++)
        dims[i] = (size_t)hd[i];
    hssize_t n = H5Sget_simple_extent_npoints(space);
    return n < 0 ? in_fail(f, "'%s': bad dataspace", path) : (long long)n;
}

int h5in_shape(h5in *f, const char *path, size_t *rank, size_t dims[])
{
    hid_t d = in_dataset(f, path);
    if (d < 0)
        return -1;
    hid_t space = H5Dget_space(d);
    long long n = space < 0 ? -1 : space_shape(f, path, space, rank, dims);
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return n < 0 ? -1 : 0;
}

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integers";
    case H5T_FLOAT: return "floats";
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound values";
    default: return "values of another type";
    }
}

static int in_numeric(h5in *f, const char *path, int ints_only, hid_t mtype, size_t elsize,
                      void **data, size_t *rank, size_t dims[])
{
    *data = NULL;
    hid_t d = in_dataset(f, path);
    if (d < 0)
        return -1;
    hid_t type = H5Dget_type(d), space = H5Dget_space(d);
    H5T_class_t c = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
    int rc = 0;
    long long n = 0;
    if (c != H5T_INTEGER && (ints_only || c != H5T_FLOAT))
        rc = in_fail(f, "'%s' holds %s, not %s", path, class_name(c), ints_only ? "integers" : "numbers");
    else if ((n = space_shape(f, path, space, rank, dims)) < 0)
        rc = -1;
    else if ((unsigned long long)n > H5IO_MAX_ELEMENTS)
        rc = in_fail(f, "'%s': %lld elements is more than a pinn file holds", path, n);
    else if ((*data = malloc((size_t)(n ? n : 1) * elsize)) == NULL)
        rc = in_fail(f, "out of memory reading '%s'", path);
    else if (n > 0 && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
        char dd[H5IO_ERRLEN / 2];
        rc = in_fail(f, "cannot read '%s': %s", path, h5_detail(dd));
    }
    if (rc) {
        free(*data);
        *data = NULL;
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return rc;
}

int h5in_doubles(h5in *f, const char *path, double **data, size_t *rank, size_t dims[])
{
    return in_numeric(f, path, 0, H5T_NATIVE_DOUBLE, sizeof **data, (void **)data, rank, dims);
}

int h5in_ints(h5in *f, const char *path, long long **data, size_t *rank, size_t dims[])
{
    return in_numeric(f, path, 1, H5T_NATIVE_LLONG, sizeof **data, (void **)data, rank, dims);
}

void h5in_strings_free(char **s, size_t n)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* Reads the n strings of a dataset or attribute (obj, type, space) into a
 * malloc'd array of malloc'd copies; NULL on failure. */
static char **read_strings(hid_t obj, int is_attr, hid_t type, hid_t space, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    if (out == NULL)
        return NULL;
    int ok = 0;
    if (H5Tis_variable_str(type) > 0) {
        hid_t m = H5Tcopy(H5T_C_S1);
        char **raw = calloc(n ? n : 1, sizeof *raw);
        if (m >= 0 && raw && H5Tset_size(m, H5T_VARIABLE) >= 0
            && H5Tset_cset(m, H5Tget_cset(type)) >= 0
            && (is_attr ? H5Aread(obj, m, raw) : H5Dread(obj, m, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) >= 0) {
            ok = 1;
            for (size_t i = 0; i < n && ok; i++)
                ok = (out[i] = strdup(raw[i] ? raw[i] : "")) != NULL;
            H5Dvlen_reclaim(m, space, H5P_DEFAULT, raw);
        }
        free(raw);
        if (m >= 0) H5Tclose(m);
    } else {
        size_t size = H5Tget_size(type);
        char *raw = size && size <= (1u << 24) && n <= H5IO_MAX_ELEMENTS / size
                        ? malloc((n ? n : 1) * size) : NULL;
        if (raw && (is_attr ? H5Aread(obj, type, raw)
                            : H5Dread(obj, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) >= 0) {
            int spaces = H5Tget_strpad(type) == H5T_STR_SPACEPAD;
            ok = 1;
            for (size_t i = 0; i < n && ok; i++) {
                size_t len = strnlen(raw + i * size, size);
                while (spaces && len > 0 && raw[i * size + len - 1] == ' ')
                    len--;
                ok = (out[i] = strndup(raw + i * size, len)) != NULL;
            }
        }
        free(raw);
    }
    if (!ok) {
        h5in_strings_free(out, n);
        return NULL;
    }
    return out;
}

int h5in_strings(h5in *f, const char *path, char ***s, size_t *n)
{
    *s = NULL;
    *n = 0;
    hid_t d = in_dataset(f, path);
    if (d < 0)
        return -1;
    hid_t type = H5Dget_type(d), space = H5Dget_space(d);
    size_t rank, dims[H5IO_MAX_RANK];
    long long count = 0;
    int rc = 0;
    if (type < 0 || H5Tget_class(type) != H5T_STRING)
        rc = in_fail(f, "'%s' holds %s, not strings", path,
                     class_name(type < 0 ? H5T_NO_CLASS : H5Tget_class(type)));
    else if ((count = space_shape(f, path, space, &rank, dims)) < 0)
        rc = -1;
    else if (rank > 1)
        rc = in_fail(f, "'%s' is a %zu-D array of strings, not a list", path, rank);
    else if ((*s = read_strings(d, 0, type, space, (size_t)count)) == NULL) {
        char dd[H5IO_ERRLEN / 2];
        rc = in_fail(f, "cannot read strings '%s': %s", path, h5_detail(dd));
    } else
        *n = (size_t)count;
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return rc;
}

int h5in_attr_exists(h5in *f, const char *obj, const char *name)
{
    if (obj == NULL || name == NULL || !h5in_exists(f, obj))
        return 0;
    int r = H5Aexists_by_name(f->file, obj, name, H5P_DEFAULT) > 0;
    H5Eclear2(H5E_DEFAULT);
    return r;
}

/* Opens attribute name on obj with one element; its type and class. */
static hid_t in_attr(h5in *f, const char *obj, const char *name, hid_t *type, H5T_class_t *c)
{
    if (obj == NULL || !h5in_exists(f, obj)) {
        in_fail(f, "no object '%s'", obj ? obj : "");
        return -1;
    }
    if (name == NULL || !h5in_attr_exists(f, obj, name)) {
        in_fail(f, "'%s' has no attribute '%s'", obj, name ? name : "");
        return -1;
    }
    hid_t a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = a < 0 ? -1 : H5Aget_space(a);
    hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    if (space >= 0) H5Sclose(space);
    if (a < 0 || n != 1) {
        if (a >= 0) H5Aclose(a);
        in_fail(f, "attribute '%s' of '%s' is not a single value", name, obj);
        return -1;
    }
    *type = H5Aget_type(a);
    *c = H5Tget_class(*type);
    return a;
}

static int in_attr_number(h5in *f, const char *obj, const char *name, int ints_only, hid_t mtype,
                          void *value)
{
    hid_t type;
    H5T_class_t c;
    hid_t a = in_attr(f, obj, name, &type, &c);
    if (a < 0)
        return -1;
    int rc = 0;
    if (c != H5T_INTEGER && (ints_only || c != H5T_FLOAT))
        rc = in_fail(f, "attribute '%s' of '%s' holds %s, not %s", name, obj, class_name(c),
                     ints_only ? "integers" : "numbers");
    else if (H5Aread(a, mtype, value) < 0)
        rc = in_fail(f, "cannot read attribute '%s' of '%s'", name, obj);
    H5Tclose(type);
    H5Aclose(a);
    return rc;
}

int h5in_attr_double(h5in *f, const char *obj, const char *name, double *value)
{
    return in_attr_number(f, obj, name, 0, H5T_NATIVE_DOUBLE, value);
}

int h5in_attr_int(h5in *f, const char *obj, const char *name, long long *value)
{
    return in_attr_number(f, obj, name, 1, H5T_NATIVE_LLONG, value);
}

int h5in_attr_string(h5in *f, const char *obj, const char *name, char **value)
{
    *value = NULL;
    hid_t type;
    H5T_class_t c;
    hid_t a = in_attr(f, obj, name, &type, &c);
    if (a < 0)
        return -1;
    int rc = 0;
    if (c != H5T_STRING) {
        rc = in_fail(f, "attribute '%s' of '%s' holds %s, not a string", name, obj, class_name(c));
    } else {
        hid_t space = H5Aget_space(a);
        char **s = space < 0 ? NULL : read_strings(a, 1, type, space, 1);
        if (space >= 0) H5Sclose(space);
        if (s == NULL) {
            rc = in_fail(f, "cannot read attribute '%s' of '%s'", name, obj);
        } else {
            *value = s[0];
            free(s);
        }
    }
    H5Tclose(type);
    H5Aclose(a);
    return rc;
}

const char *h5in_error(const h5in *f)
{
    return f ? f->err : "no file";
}

void h5in_close(h5in *f)
{
    if (f == NULL)
        return;
    if (f->file >= 0)
        H5Fclose(f->file);
    H5Eclear2(H5E_DEFAULT);
    free(f);
}

h5in *h5out_reader(h5out *f)
{
    h5in *r = calloc(1, sizeof *r);
    if (r == NULL || H5Iinc_ref(f->file) < 0) {
        free(r);
        return NULL;
    }
    r->file = f->file;
    return r;
}

int h5out_dimscale(h5out *f, const char *dataset, unsigned dim, const char *scale,
                   const char *label)
{
    hid_t d = H5Dopen2(f->file, dataset, H5P_DEFAULT);
    hid_t s = H5Dopen2(f->file, scale, H5P_DEFAULT);
    int rc = -1;
    if (d >= 0 && s >= 0) {
        htri_t is = H5DSis_scale(s);
        if (is > 0 || (is == 0 && H5DSset_scale(s, label) >= 0))
            rc = H5DSattach_scale(d, s, dim) >= 0 ? 0 : -1;
    }
    if (d >= 0)
        H5Dclose(d);
    if (s >= 0)
        H5Dclose(s);
    if (rc)
        return out_fail(f, "cannot attach dimension scale '%s' to dimension %u of '%s'", scale,
                        dim, dataset);
    return 0;
}

typedef struct list_ctx {
    char **names;
    size_t n, cap;
    int failed;
} list_ctx;

static herr_t list_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g, (void)info;
    list_ctx *l = data;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **nn = realloc(l->names, cap * sizeof *nn);
        if (nn == NULL) {
            l->failed = 1;
            return 1;
        }
        l->names = nn, l->cap = cap;
    }
    if ((l->names[l->n] = strdup(name)) == NULL) {
        l->failed = 1;
        return 1;
    }
    l->n++;
    return 0;
}

int h5in_list(h5in *f, const char *group, char ***names, size_t *n)
{
    *names = NULL, *n = 0;
    if (!h5in_exists(f, group))
        return in_fail(f, "%s: no such group", group);
    hid_t g = H5Gopen2(f->file, group, H5P_DEFAULT);
    if (g < 0)
        return in_fail(f, "%s: not a group", group);
    list_ctx l = {0};
    hsize_t idx = 0;
    herr_t rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, list_link, &l);
    H5Gclose(g);
    if (rc < 0 || l.failed) {
        h5in_strings_free(l.names, l.n);
        return in_fail(f, "%s: cannot list its members", group);
    }
    *names = l.names, *n = l.n;
    return 0;
}

/* ------------------------------------------------------------ print tree */

typedef struct {
    FILE *out;
    int depth;
} tree_ctx;

static void type_name(hid_t type, char *buf, size_t cap)
{
    H5T_class_t c = H5Tget_class(type);
    size_t bits = 8 * H5Tget_size(type);
    if (c == H5T_INTEGER)
        snprintf(buf, cap, "%sint%zu", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", bits);
    else if (c == H5T_FLOAT)
        snprintf(buf, cap, "float%zu", bits);
    else if (c == H5T_STRING)
        snprintf(buf, cap, "string");
    else if (c == H5T_COMPOUND)
        snprintf(buf, cap, "compound");
    else if (c == H5T_ENUM)
        snprintf(buf, cap, "enum");
    else
        snprintf(buf, cap, "other");
}

static void print_shape(FILE *out, hid_t space)
{
    int r = H5Sget_simple_extent_ndims(space);
    if (r <= 0 || r > 32) {
        fputs(r == 0 && H5Sget_simple_extent_npoints(space) == 1 ? "scalar" : "empty", out);
        return;
    }
    hsize_t hd[32];
    H5Sget_simple_extent_dims(space, hd, NULL);
    fputc('[', out);
    for (int i = 0; i < r; i++)
        fprintf(out, "%s%llu", i ? " x " : "", (unsigned long long)hd[i]);
    fputc(']', out);
}

/* A string is printed by value when it is short and has no control bytes. */
static int printable(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x20 || s[n] == '"')
            return 0;
    return n <= H5IO_SHORT_STRING;
}

static herr_t tree_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    tree_ctx *t = data;
    fprintf(t->out, "%*s@%s = ", 2 * t->depth + 2, "", name);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = a < 0 ? -1 : H5Aget_type(a), space = a < 0 ? -1 : H5Aget_space(a);
    hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    H5T_class_t c = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
    char tn[32] = "?";
    if (type >= 0)
        type_name(type, tn, sizeof tn);
    if (c == H5T_STRING && n == 1) {
        char **s = read_strings(a, 1, type, space, 1);
        if (s && printable(s[0]))
            fprintf(t->out, "\"%s\"\n", s[0]);
        else if (s)
            fprintf(t->out, "string (%zu bytes)\n", strlen(s[0]));
        else
            fputs("string (unreadable)\n", t->out);
        h5in_strings_free(s, 1);
    } else if ((c == H5T_INTEGER || c == H5T_FLOAT) && n >= 1 && n <= H5IO_SHORT_ARRAY) {
        double v[H5IO_SHORT_ARRAY];
        long long iv[H5IO_SHORT_ARRAY];
        int isint = c == H5T_INTEGER;
        herr_t rc = isint ? H5Aread(a, H5T_NATIVE_LLONG, iv) : H5Aread(a, H5T_NATIVE_DOUBLE, v);
        if (rc < 0) {
            fputs("(unreadable)\n", t->out);
        } else {
            if (H5Sget_simple_extent_ndims(space) > 0) fputc('[', t->out);
            for (hssize_t i = 0; i < n; i++) {
                if (isint)
                    fprintf(t->out, "%s%lld", i ? ", " : "", iv[i]);
                else
                    fprintf(t->out, "%s%.17g", i ? ", " : "", v[i]);
            }
            fputs(H5Sget_simple_extent_ndims(space) > 0 ? "]\n" : "\n", t->out);
        }
    } else {
        fprintf(t->out, "%s ", tn);
        if (space >= 0) print_shape(t->out, space);
        fputc('\n', t->out);
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (a >= 0) H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

static void tree_attrs(hid_t obj, tree_ctx *t)
{
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, tree_attr, t);
}

static herr_t tree_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    tree_ctx *t = data;
    int indent = 2 * t->depth + 2;
    if (info->type != H5L_TYPE_HARD) {
        fprintf(t->out, "%*s%s  (%s link)\n", indent, "", name,
                info->type == H5L_TYPE_SOFT ? "soft" : "external");
        return 0;
    }
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0) {
        fprintf(t->out, "%*s%s  (unreadable)\n", indent, "", name);
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    H5I_type_t kind = H5Iget_type(o);
    if (kind == H5I_GROUP) {
        fprintf(t->out, "%*s%s/\n", indent, "", name);
        t->depth++;
        tree_attrs(o, t);
        if (t->depth < H5IO_TREE_DEPTH) {
            hsize_t idx = 0;
            H5Literate(o, H5_INDEX_NAME, H5_ITER_INC, &idx, tree_link, t);
        }
        t->depth--;
    } else if (kind == H5I_DATASET) {
        hid_t type = H5Dget_type(o), space = H5Dget_space(o);
        char tn[32] = "?";
        if (type >= 0)
            type_name(type, tn, sizeof tn);
        fprintf(t->out, "%*s%s  %s ", indent, "", name, tn);
        if (space >= 0)
            print_shape(t->out, space);
        fputc('\n', t->out);
        if (type >= 0) H5Tclose(type);
        if (space >= 0) H5Sclose(space);
        t->depth++;
        tree_attrs(o, t);
        t->depth--;
    } else {
        fprintf(t->out, "%*s%s  (named datatype)\n", indent, "", name);
    }
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

int h5io_print_tree(const char *path, FILE *out, char *err, size_t errcap)
{
    h5in *f = h5in_open(path, err, errcap);
    if (f == NULL)
        return -1;
    hid_t root = H5Gopen2(f->file, "/", H5P_DEFAULT);
    if (root < 0) {
        seterr(err, errcap, "'%s': cannot open the root group", path);
        h5in_close(f);
        return -1;
    }
    tree_ctx t = {out, 0};
    fputs("/\n", out);
    tree_attrs(root, &t);
    hsize_t idx = 0;
    herr_t rc = H5Literate(root, H5_INDEX_NAME, H5_ITER_INC, &idx, tree_link, &t);
    H5Gclose(root);
    h5in_close(f);
    if (rc < 0 || ferror(out)) {
        seterr(err, errcap, "'%s': cannot list the whole file", path);
        return -1;
    }
    return 0;
}

int h5io_isolated(const char *path, int (*read_fn)(void *ctx, char *err, size_t errcap), void *ctx,
                  char *err, size_t errcap)
{
    const char *env = getenv("PINN_TEST_H5_SECONDS");
    unsigned seconds = env && atoi(env) > 0 ? (unsigned)atoi(env) : H5IO_READ_SECONDS;
    int fd[2];
    if (pipe(fd) != 0) {
        seterr(err, errcap, "%s: cannot read it in a child process: %s", path, strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        seterr(err, errcap, "%s: cannot read it in a child process: %s", path, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        signal(SIGALRM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        alarm(seconds);
        char msg[1024] = "";
        int rc = read_fn(ctx, msg, sizeof msg);
        if (rc != 0) {
            size_t n = strlen(msg), off = 0;
            while (off < n) {
                ssize_t w = write(fd[1], msg + off, n - off);
                if (w <= 0)
                    break;
                off += (size_t)w;
            }
        }
        _exit(rc == 0 ? 0 : 3); /* _exit: no atexit handlers on a damaged HDF5 state */
    }
    close(fd[1]);
    char msg[1024];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd[0], msg + len, sizeof msg - 1 - len);
        if (r > 0 && len + (size_t)r < sizeof msg - 1) {
            len += (size_t)r;
            continue;
        }
        if (r > 0) {
            len += (size_t)r;
            char sink[256]; /* the rest, unread, would block the child */
            while (read(fd[0], sink, sizeof sink) > 0) {
            }
        }
        if (r < 0 && errno == EINTR)
            continue;
        break;
    }
    msg[len] = '\0';
    close(fd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
        seterr(err, errcap, "%s", msg);
        return -1;
    }
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
        seterr(err, errcap, "%s: corrupt file (reading it did not finish in %u s)", path, seconds);
    else if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGINT || WTERMSIG(st) == SIGTERM))
        seterr(err, errcap, "%s: reading it was interrupted", path);
    else
        seterr(err, errcap, "%s: corrupt file (the HDF5 library failed reading it: %s %d)", path,
               WIFSIGNALED(st) ? "signal" : "exit status",
               WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    return -1;
}
