/* solver/io/h5io.h - HDF5 result files: writing with an atomic commit (temp
 * file, fsync, rename), reading back, and a printed tree of what a file
 * holds. Not the output layout itself: which datasets a run writes is the
 * solver's business (DESIGN.md, "Output file").
 *
 * Paths name objects from the root ("/grid/x" or "grid/x"); attributes sit on
 * an object path, "/" for the root. Numbers are stored as little-endian
 * float64 and int64, strings as variable-length UTF-8 (what h5py reads as
 * str). All functions return 0 on success and nonzero on failure with the
 * reason in h5out_error / h5in_error; none print. HDF5's own error printing
 * is switched off process-wide (H5Eset_auto2) on the first create or open.
 * Not thread-safe (the Debian HDF5 build is not).
 */
#ifndef PINN_H5IO_H
#define PINN_H5IO_H
#include <stddef.h>
#include <stdio.h>

#define H5IO_MAX_RANK 4   /* datasets of rank 0 (scalar) to 4 */

typedef struct h5out h5out;

/* Opens a new file that will become final_path on h5out_commit; the data goes
 * first to "final_path.tmp.<pid>" beside it, and an existing file at
 * final_path is untouched until the commit. A temporary of that name left by
 * a crashed run is overwritten; one open in this process (a second writer on
 * the same path) makes the create fail. NULL on failure, with the reason
 * in err (e.g. "cannot create 'out/x.h5.tmp.42': No such file or directory").
 * The caller must end with h5out_commit or h5out_abort. */
h5out *h5out_create(const char *final_path, char *err, size_t errcap);

/* Creates group path and any missing parents; an existing group is fine. */
int h5out_group(h5out *f, const char *path);

/* Writes a new dataset of rank 0..H5IO_MAX_RANK with dims[0..rank-1]
 * (row-major data, prod(dims) values; any dim may be 0), creating missing
 * parent groups. Fails if path already exists. */
int h5out_doubles(h5out *f, const char *path, size_t rank, const size_t *dims, const double *data);
int h5out_ints(h5out *f, const char *path, size_t rank, const size_t *dims, const long long *data);

/* Writes a 1-D dataset of n strings (NULL entries are written as ""). */
int h5out_strings(h5out *f, const char *path, const char *const *s, size_t n);

/* Sets a scalar attribute on the existing object obj ("/" for the root),
 * replacing one of the same name. Strings of any length (the whole config
 * text is fine). */
int h5out_attr_string(h5out *f, const char *obj, const char *name, const char *value);
int h5out_attr_double(h5out *f, const char *obj, const char *name, double value);
int h5out_attr_int(h5out *f, const char *obj, const char *name, long long value);

/* Makes dataset scale (1-D) an HDF5 dimension scale named label, if it is
 * not one yet, and attaches it to dimension dim of dataset (H5DS), so that
 * h5py, xarray and other readers see the axes. */
int h5out_dimscale(h5out *f, const char *dataset, unsigned dim, const char *scale,
                   const char *label);

/* The last error message ("" if none). Owned by f. */
const char *h5out_error(const h5out *f);

/* Flushes and closes the file, fsyncs it, renames it over final_path and
 * fsyncs the directory. Frees f in every case; returns nonzero on failure, in
 * which case the temporary is removed and any old final_path is left as it
 * was. Also fails, without touching final_path, when an earlier write on f
 * failed: an unchecked error never becomes a finished file. */
int h5out_commit(h5out *f);

/* h5out_commit that also writes the reason for a failure to err. */
int h5out_commit_msg(h5out *f, char *err, size_t errcap);

/* Closes the file, removes the temporary and frees f; NULL is a no-op. */
void h5out_abort(h5out *f);

typedef struct h5in h5in;

/* Opens an HDF5 file read-only. NULL on failure with the reason in err
 * ("'x.txt' is not an HDF5 file", "cannot open 'y.h5': No such file ..."). */
h5in *h5in_open(const char *path, char *err, size_t errcap);

/* 1 when path names an object (group, dataset) in the file, else 0. */
int h5in_exists(h5in *f, const char *path);

/* The shape of dataset path: *rank and dims[0..*rank-1] (dims holds
 * H5IO_MAX_RANK entries). */
int h5in_shape(h5in *f, const char *path, size_t *rank, size_t dims[]);

/* Reads a whole numeric dataset. *data is malloc'd (never NULL on success,
 * even for 0 elements) and the caller frees it; *rank and dims as in
 * h5in_shape. h5in_doubles converts any integer or float type; h5in_ints
 * accepts integer types only. */
int h5in_doubles(h5in *f, const char *path, double **data, size_t *rank, size_t dims[]);
int h5in_ints(h5in *f, const char *path, long long **data, size_t *rank, size_t dims[]);

/* Reads a 1-D (or scalar) dataset of fixed- or variable-length strings into
 * *s, a malloc'd array of *n malloc'd strings; free with h5in_strings_free. */
int h5in_strings(h5in *f, const char *path, char ***s, size_t *n);
void h5in_strings_free(char **s, size_t n);

/* 1 when object obj has attribute name, else 0. */
int h5in_attr_exists(h5in *f, const char *obj, const char *name);

/* Reads a scalar (or one-element) attribute. *value from attr_string is
 * malloc'd; the caller frees it. attr_double converts integers too;
 * attr_int accepts integer types only. */
int h5in_attr_string(h5in *f, const char *obj, const char *name, char **value);
int h5in_attr_double(h5in *f, const char *obj, const char *name, double *value);
int h5in_attr_int(h5in *f, const char *obj, const char *name, long long *value);

/* The last error message ("" if none). Owned by f. */
const char *h5in_error(const h5in *f);

/* Closes f; NULL is a no-op. */
void h5in_close(h5in *f);

/* A reader over the file f is writing (what is written so far), for code
 * that reads back what it wrote; h5in_close it before the commit. */
h5in *h5out_reader(h5out *f);

/* The names of group's members (groups and datasets) in name order, as
 * h5in_strings: free with h5in_strings_free. */
int h5in_list(h5in *f, const char *group, char ***names, size_t *n);

/* Prints to out a tree of every group and dataset (shape and type, in name
 * order) with its attributes: numbers and short strings by value, long or
 * multi-line strings by length. The generic part of `pinn info`. Returns 0,
 * or nonzero with the reason in err. */
int h5io_print_tree(const char *path, FILE *out, char *err, size_t errcap);

/* Runs read(ctx, err, errcap) in a child process (at most H5IO_READ_SECONDS,
 * or $PINN_TEST_H5_SECONDS) and returns what it returned: 0, or -1 with its
 * message in err. A child that crashes or hangs - libhdf5 1.10 does on some
 * corrupted files (SEGV in H5HG_read, overflows in H5Aexists_by_name, endless
 * loops) - gives -1 and "PATH: corrupt file ...". The read's results stay in
 * the child: callers run it again in-process once it passed here. */
#define H5IO_READ_SECONDS 60
int h5io_isolated(const char *path, int (*read)(void *ctx, char *err, size_t errcap), void *ctx,
                  char *err, size_t errcap);

#endif
