/* tests/test_h5io.c - solver/io/h5io: round trips of every type and rank,
 * attributes, the atomic commit (temp, rename, abort, old file untouched),
 * every error path, silence on errors, and the printed tree. All files live
 * in one mkdtemp directory per test case, removed afterwards. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <float.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check_main.h"
#include "io/h5io.h"

static char scratch[64];

/* unchecked fixture: runs in the parent, so cleanup happens even when a
 * test fails */
static void scratch_make(void)
{
    strcpy(scratch, "/tmp/pinn-h5io-XXXXXX");
    if (mkdtemp(scratch) == NULL)
        abort();
}

static void scratch_remove(void)
{
    DIR *d = opendir(scratch);
    if (d == NULL)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(scratch);
}

/* path of a file in the scratch directory (static buffers, two in turn) */
static const char *at(const char *name)
{
    static char buf[2][512];
    static int i;
    i ^= 1;
    snprintf(buf[i], sizeof buf[i], "%s/%s", scratch, name);
    return buf[i];
}

/* number of entries in the scratch directory whose name starts with prefix */
static int count_files(const char *prefix)
{
    DIR *d = opendir(scratch);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static h5out *create_ok(const char *name)
{
    char err[512] = "";
    h5out *f = h5out_create(at(name), err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    return f;
}

static h5in *open_ok(const char *name)
{
    char err[512] = "";
    h5in *f = h5in_open(at(name), err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    return f;
}

static void commit_ok(h5out *f)
{
    char err[512] = "";
    ck_assert_msg(h5out_commit_msg(f, err, sizeof err) == 0, "%s", err);
}

#define W(call) ck_assert_msg((call) == 0, "%s: %s", #call, h5out_error(f))

START_TEST(doubles_round_trip_every_rank)
{
    double v[24];
    for (int i = 0; i < 24; i++)
        v[i] = (i - 7) * 0.1 + 1e-300 * i;
    v[0] = -0.0, v[1] = DBL_MAX, v[2] = DBL_MIN, v[3] = NAN, v[4] = -INFINITY;
    h5out *f = create_ok("d.h5");
    W(h5out_doubles(f, "/r1", 1, (size_t[]){24}, v));
    W(h5out_doubles(f, "/r2", 2, (size_t[]){4, 6}, v));
    W(h5out_doubles(f, "/deep/er/r3", 3, (size_t[]){2, 3, 4}, v));
    W(h5out_doubles(f, "/r4", 4, (size_t[]){1, 2, 3, 4}, v));
    W(h5out_doubles(f, "/scalar", 0, NULL, (double[]){42.5}));
    W(h5out_doubles(f, "/empty", 2, (size_t[]){0, 3}, NULL));
    commit_ok(f);

    h5in *in = open_ok("d.h5");
    static const struct { const char *path; size_t rank, dims[4], n; } cases[] = {
        {"/r1", 1, {24}, 24}, {"/r2", 2, {4, 6}, 24}, {"/deep/er/r3", 3, {2, 3, 4}, 24},
        {"r4", 4, {1, 2, 3, 4}, 24}, {"/empty", 2, {0, 3}, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        double *got = NULL;
        size_t rank = 99, dims[H5IO_MAX_RANK] = {0};
        ck_assert_msg(h5in_doubles(in, cases[c].path, &got, &rank, dims) == 0, "%s", h5in_error(in));
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(rank, cases[c].rank);
        for (size_t i = 0; i < rank; i++)
            ck_assert_uint_eq(dims[i], cases[c].dims[i]);
        /* float64 on disk: bit for bit, NaN and -0 included */
        ck_assert(memcmp(got, v, cases[c].n * sizeof *v) == 0);
        free(got);
    }
    double *s;
    size_t rank, dims[H5IO_MAX_RANK];
    ck_assert_int_eq(h5in_doubles(in, "/scalar", &s, &rank, dims), 0);
    ck_assert_uint_eq(rank, 0);
    ck_assert(s[0] == 42.5);
    free(s);
    ck_assert_int_eq(h5in_shape(in, "/deep/er/r3", &rank, dims), 0);
    ck_assert(rank == 3 && dims[0] == 2 && dims[1] == 3 && dims[2] == 4);
    h5in_close(in);
}
END_TEST

START_TEST(ints_round_trip_every_rank)
{
    long long v[12] = {0, 1, -1, LLONG_MAX, LLONG_MIN, 1LL << 53, (1LL << 53) + 1, 7, 8, 9, 10, 11};
    h5out *f = create_ok("i.h5");
    W(h5out_ints(f, "a/r1", 1, (size_t[]){12}, v));
    W(h5out_ints(f, "a/r2", 2, (size_t[]){3, 4}, v));
    W(h5out_ints(f, "a/r3", 3, (size_t[]){2, 2, 3}, v));
    commit_ok(f);
    h5in *in = open_ok("i.h5");
    const char *paths[] = {"/a/r1", "/a/r2", "/a/r3"};
    for (size_t r = 0; r < 3; r++) {
        long long *got;
        size_t rank, dims[H5IO_MAX_RANK];
        ck_assert_msg(h5in_ints(in, paths[r], &got, &rank, dims) == 0, "%s", h5in_error(in));
        ck_assert_uint_eq(rank, r + 1);
        ck_assert(memcmp(got, v, sizeof v) == 0);   /* exact, extremes included */
        free(got);
    }
    /* integers read as doubles convert; doubles never read as integers */
    double *d;
    size_t rank, dims[H5IO_MAX_RANK];
    ck_assert_int_eq(h5in_doubles(in, "/a/r2", &d, &rank, dims), 0);
    ck_assert(d[1] == 1.0 && d[2] == -1.0 && d[11] == 11.0);
    free(d);
    h5in_close(in);
}
END_TEST

START_TEST(strings_round_trip_utf8)
{
    const char *s[] = {"loss", "h\xc3\xa9llo", "\xe6\xb8\xa9\xe5\xba\xa6", "", NULL,
                       "emoji \xf0\x9f\x98\x80", "with\nnewline"};
    h5out *f = create_ok("s.h5");
    W(h5out_strings(f, "/history/names", s, 7));
    W(h5out_strings(f, "/none", NULL, 0));
    commit_ok(f);
    h5in *in = open_ok("s.h5");
    char **got;
    size_t n;
    ck_assert_msg(h5in_strings(in, "/history/names", &got, &n) == 0, "%s", h5in_error(in));
    ck_assert_uint_eq(n, 7);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(got[i], s[i] ? s[i] : "");
    h5in_strings_free(got, n);
    ck_assert_int_eq(h5in_strings(in, "/none", &got, &n), 0);
    ck_assert_uint_eq(n, 0);
    h5in_strings_free(got, n);
    h5in_close(in);
}
END_TEST

START_TEST(attributes_on_root_group_dataset)
{
    /* a config far above HDF5's 64 KiB object-header limit for attributes */
    size_t big = 200000;
    char *config = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        config[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
    config[big] = '\0';
    h5out *f = create_ok("a.h5");
    W(h5out_attr_int(f, "/", "format_version", 1));
    W(h5out_attr_string(f, "/", "config", config));
    W(h5out_attr_string(f, "/", "created", "2024-01-02T03:04:05Z"));
    W(h5out_group(f, "/reference"));
    W(h5out_attr_string(f, "/reference", "method", "crank-nicolson \xe2\x80\x94 GSL"));
    W(h5out_attr_double(f, "/reference", "tolerance", 1e-10));
    W(h5out_doubles(f, "/error/abs", 1, (size_t[]){2}, (double[]){1, 2}));
    W(h5out_attr_double(f, "/error/abs", "rel_l2", 0.1 + 0.2));
    W(h5out_attr_int(f, "/error/abs", "count", -5));
    W(h5out_attr_int(f, "/error/abs", "count", 6));     /* replaced */
    commit_ok(f);

    h5in *in = open_ok("a.h5");
    long long iv;
    double dv;
    char *sv;
    ck_assert_int_eq(h5in_attr_int(in, "/", "format_version", &iv), 0);
    ck_assert_int_eq(iv, 1);
    ck_assert_int_eq(h5in_attr_string(in, "/", "config", &sv), 0);
    ck_assert_str_eq(sv, config);
    free(sv);
    ck_assert_int_eq(h5in_attr_string(in, "/reference", "method", &sv), 0);
    ck_assert_str_eq(sv, "crank-nicolson \xe2\x80\x94 GSL");
    free(sv);
    ck_assert_int_eq(h5in_attr_double(in, "/reference", "tolerance", &dv), 0);
    ck_assert(dv == 1e-10);
    ck_assert_int_eq(h5in_attr_double(in, "/error/abs", "rel_l2", &dv), 0);
    ck_assert(dv == 0.1 + 0.2);                       /* exact */
    ck_assert_int_eq(h5in_attr_int(in, "/error/abs", "count", &iv), 0);
    ck_assert_int_eq(iv, 6);
    ck_assert_int_eq(h5in_attr_double(in, "/error/abs", "count", &dv), 0);   /* int -> double */
    ck_assert(dv == 6.0);
    ck_assert(h5in_attr_exists(in, "/", "config"));
    ck_assert(!h5in_attr_exists(in, "/", "nope"));
    ck_assert(!h5in_attr_exists(in, "/nope", "config"));
    /* wrong kinds fail with a reason */
    ck_assert_int_ne(h5in_attr_int(in, "/reference", "tolerance", &iv), 0);
    ck_assert_ptr_nonnull(strstr(h5in_error(in), "holds floats, not integers"));
    ck_assert_int_ne(h5in_attr_string(in, "/", "format_version", &sv), 0);
    ck_assert_ptr_null(sv);
    ck_assert_ptr_nonnull(strstr(h5in_error(in), "not a string"));
    ck_assert_int_ne(h5in_attr_double(in, "/", "created", &dv), 0);
    ck_assert_int_ne(h5in_attr_double(in, "/", "missing", &dv), 0);
    ck_assert_str_eq(h5in_error(in), "'/' has no attribute 'missing'");
    ck_assert_int_ne(h5in_attr_double(in, "/gone", "x", &dv), 0);
    ck_assert_str_eq(h5in_error(in), "no object '/gone'");
    h5in_close(in);
    free(config);
}
END_TEST

START_TEST(groups_and_parents)
{
    h5out *f = create_ok("g.h5");
    W(h5out_group(f, "/a/b/c"));
    W(h5out_group(f, "/a/b"));          /* existing: fine */
    W(h5out_group(f, "/"));
    W(h5out_doubles(f, "/a/b/c/x", 1, (size_t[]){1}, (double[]){3}));
    W(h5out_ints(f, "/model/layers", 1, (size_t[]){3}, (long long[]){2, 20, 1}));
    commit_ok(f);
    h5in *in = open_ok("g.h5");
    ck_assert(h5in_exists(in, "/"));
    ck_assert(h5in_exists(in, "/a"));
    ck_assert(h5in_exists(in, "a/b/c"));
    ck_assert(h5in_exists(in, "/a/b/c/x"));
    ck_assert(h5in_exists(in, "/model/layers"));
    ck_assert(!h5in_exists(in, "/a/x"));
    ck_assert(!h5in_exists(in, "/nope/deeper/still"));
    ck_assert(!h5in_exists(in, ""));
    ck_assert(!h5in_exists(in, NULL));
    h5in_close(in);
}
END_TEST

START_TEST(commit_leaves_only_the_final_file)
{
    h5out *f = create_ok("c.h5");
    ck_assert_int_eq(count_files("c.h5.tmp."), 1);   /* the data goes to the temporary */
    ck_assert_int_eq(access(at("c.h5"), F_OK), -1);
    W(h5out_doubles(f, "/x", 1, (size_t[]){1}, (double[]){1}));
    ck_assert_int_eq(h5out_commit(f), 0);
    ck_assert_int_eq(access(at("c.h5"), F_OK), 0);
    ck_assert_int_eq(count_files("c.h5"), 1);        /* no temporary left */
}
END_TEST

START_TEST(abort_removes_the_temporary_and_keeps_the_old_file)
{
    h5out *f = create_ok("ab.h5");
    W(h5out_doubles(f, "/x", 1, (size_t[]){1}, (double[]){1}));
    h5out_abort(f);
    ck_assert_int_eq(count_files("ab.h5"), 0);
    h5out_abort(NULL);

    f = create_ok("old.h5");
    W(h5out_ints(f, "/old", 1, (size_t[]){1}, (long long[]){17}));
    commit_ok(f);
    f = create_ok("old.h5");
    W(h5out_ints(f, "/new", 1, (size_t[]){1}, (long long[]){18}));
    h5out_abort(f);
    ck_assert_int_eq(count_files("old.h5"), 1);
    h5in *in = open_ok("old.h5");
    long long *v;
    size_t rank, dims[H5IO_MAX_RANK];
    ck_assert_int_eq(h5in_ints(in, "/old", &v, &rank, dims), 0);
    ck_assert_int_eq(v[0], 17);
    free(v);
    ck_assert(!h5in_exists(in, "/new"));
    h5in_close(in);
}
END_TEST

START_TEST(old_file_replaced_only_at_commit)
{
    h5out *f = create_ok("r.h5");
    W(h5out_attr_string(f, "/", "run", "first"));
    commit_ok(f);
    f = create_ok("r.h5");
    W(h5out_attr_string(f, "/", "run", "second"));
    W(h5out_doubles(f, "/solution/u", 1, (size_t[]){2}, (double[]){1, 2}));
    h5in *in = open_ok("r.h5");          /* before the commit: the old content */
    char *s;
    ck_assert_int_eq(h5in_attr_string(in, "/", "run", &s), 0);
    ck_assert_str_eq(s, "first");
    free(s);
    ck_assert(!h5in_exists(in, "/solution/u"));
    commit_ok(f);
    /* a reader that opened the old file keeps reading the old file */
    ck_assert_int_eq(h5in_attr_string(in, "/", "run", &s), 0);
    ck_assert_str_eq(s, "first");
    free(s);
    h5in_close(in);
    in = open_ok("r.h5");
    ck_assert_int_eq(h5in_attr_string(in, "/", "run", &s), 0);
    ck_assert_str_eq(s, "second");
    free(s);
    ck_assert(h5in_exists(in, "/solution/u"));
    h5in_close(in);
    ck_assert_int_eq(count_files("r.h5"), 1);
}
END_TEST

/* a temporary left by a crashed run with our pid is reused; a second writer
 * on the same path in this process is refused without harming the first */
START_TEST(stale_temporary_and_second_writer)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", at("st.h5"), (long)getpid());
    FILE *p = fopen(tmp, "w");
    fputs("half a file from a crash", p);
    fclose(p);
    h5out *f = create_ok("st.h5");
    W(h5out_ints(f, "/n", 1, (size_t[]){1}, (long long[]){5}));
    char err[512] = "";
    ck_assert_ptr_null(h5out_create(at("st.h5"), err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "cannot create HDF5 file"));
    ck_assert_int_eq(count_files("st.h5.tmp."), 1);
    commit_ok(f);
    ck_assert_int_eq(count_files("st.h5"), 1);
    h5in *in = open_ok("st.h5");
    long long *v;
    size_t rank, dims[H5IO_MAX_RANK];
    ck_assert_int_eq(h5in_ints(in, "/n", &v, &rank, dims), 0);
    ck_assert_int_eq(v[0], 5);
    free(v);
    h5in_close(in);
}
END_TEST

START_TEST(a_failed_write_blocks_the_commit)
{
    h5out *f = create_ok("fail.h5");
    W(h5out_doubles(f, "/x", 1, (size_t[]){1}, (double[]){1}));
    ck_assert_int_ne(h5out_doubles(f, "/x", 1, (size_t[]){1}, (double[]){2}), 0);
    ck_assert_str_eq(h5out_error(f), "'/x' already exists");
    ck_assert_int_ne(h5out_ints(f, "/y", 5, (size_t[]){1, 1, 1, 1, 1}, (long long[]){1}), 0);
    ck_assert_ptr_nonnull(strstr(h5out_error(f), "rank 5"));
    ck_assert_int_ne(h5out_group(f, "/x"), 0);
    ck_assert_ptr_nonnull(strstr(h5out_error(f), "something else has that name"));
    ck_assert_int_ne(h5out_doubles(f, "/x/under_a_dataset", 1, (size_t[]){1}, (double[]){1}), 0);
    ck_assert_int_ne(h5out_attr_int(f, "/missing", "a", 1), 0);
    ck_assert_str_eq(h5out_error(f), "cannot set attribute 'a': no object '/missing'");
    ck_assert_int_ne(h5out_doubles(f, "/nodata", 1, (size_t[]){3}, NULL), 0);
    char err[512] = "";
    ck_assert_int_ne(h5out_commit_msg(f, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "an earlier write failed"));
    ck_assert_int_eq(count_files("fail.h5"), 0);
    ck_assert_int_ne(h5out_commit(NULL), 0);
}
END_TEST

START_TEST(create_fails_with_a_reason)
{
    char err[512] = "";
    char path[600];
    snprintf(path, sizeof path, "%s/missing-dir/x.h5", scratch);
    ck_assert_ptr_null(h5out_create(path, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
    ck_assert_ptr_nonnull(strstr(err, "missing-dir/x.h5.tmp."));
    /* a path under a regular file (root can write into a chmod-000 directory) */
    FILE *p = fopen(at("plain"), "w");
    fputs("not a directory\n", p);
    fclose(p);
    snprintf(path, sizeof path, "%s/plain/x.h5", scratch);
    ck_assert_ptr_null(h5out_create(path, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "Not a directory"));
    ck_assert_ptr_null(h5out_create(scratch, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "is a directory"));
    ck_assert_ptr_null(h5out_create("", err, sizeof err));
    ck_assert_str_eq(err, "no output path");
    ck_assert_ptr_null(h5out_create(NULL, NULL, 0));
    ck_assert_int_eq(count_files("plain"), 1);
}
END_TEST

START_TEST(open_fails_with_a_reason)
{
    char err[512] = "";
    ck_assert_ptr_null(h5in_open(at("nothing.h5"), err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
    FILE *p = fopen(at("text.h5"), "w");
    fputs("this is not HDF5\n", p);
    fclose(p);
    ck_assert_ptr_null(h5in_open(at("text.h5"), err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "is not an HDF5 file"));
    fclose(fopen(at("empty.h5"), "w"));
    ck_assert_ptr_null(h5in_open(at("empty.h5"), err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "is not an HDF5 file"));
    ck_assert_ptr_null(h5in_open("", err, sizeof err));
    ck_assert_int_ne(h5io_print_tree(at("text.h5"), stdout, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "is not an HDF5 file"));
    h5in_close(NULL);
}
END_TEST

START_TEST(reading_what_is_not_there_fails_cleanly)
{
    h5out *f = create_ok("m.h5");
    W(h5out_doubles(f, "/g/x", 1, (size_t[]){2}, (double[]){1, 2}));
    W(h5out_strings(f, "/g/s", (const char *[]){"a"}, 1));
    commit_ok(f);
    h5in *in = open_ok("m.h5");
    double *d = (double *)1;
    long long *iv;
    char **s;
    size_t rank, dims[H5IO_MAX_RANK], n;
    ck_assert_int_ne(h5in_doubles(in, "/g/nope", &d, &rank, dims), 0);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(h5in_error(in), "'/g/nope' does not exist");
    ck_assert_int_ne(h5in_doubles(in, "/a/b/c", &d, &rank, dims), 0);
    ck_assert_str_eq(h5in_error(in), "'/a/b/c' does not exist");
    ck_assert_int_ne(h5in_doubles(in, "/g", &d, &rank, dims), 0);
    ck_assert_str_eq(h5in_error(in), "'/g' is not a dataset");
    ck_assert_int_ne(h5in_ints(in, "/g/x", &iv, &rank, dims), 0);
    ck_assert_str_eq(h5in_error(in), "'/g/x' holds floats, not integers");
    ck_assert_int_ne(h5in_doubles(in, "/g/s", &d, &rank, dims), 0);
    ck_assert_str_eq(h5in_error(in), "'/g/s' holds strings, not numbers");
    ck_assert_int_ne(h5in_strings(in, "/g/x", &s, &n), 0);
    ck_assert_str_eq(h5in_error(in), "'/g/x' holds floats, not strings");
    ck_assert_int_ne(h5in_shape(in, "/zzz", &rank, dims), 0);
    h5in_close(in);
}
END_TEST

/* HDF5 prints error stacks to stderr by default; the library must not. */
START_TEST(errors_print_nothing)
{
    char log[600];
    snprintf(log, sizeof log, "%s/stderr.log", scratch);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    fflush(stdout), fflush(stderr);
    int o1 = dup(1), o2 = dup(2);
    dup2(fd, 1), dup2(fd, 2);
    FILE *p = fopen(at("junk"), "w");
    fputs("junk", p);
    fclose(p);
    char err[256], path[600];
    snprintf(path, sizeof path, "%s/no/dir.h5", scratch);
    int failures = (h5in_open(at("junk"), err, sizeof err) == NULL)
                 + (h5out_create(path, err, sizeof err) == NULL);
    h5out *f = h5out_create(at("q.h5"), err, sizeof err);
    failures += f && h5out_doubles(f, "/x", 1, (size_t[]){1}, (double[]){1}) == 0
                && h5out_doubles(f, "/x", 1, (size_t[]){1}, (double[]){1}) != 0
                && h5out_group(f, "/x") != 0;
    if (f) h5out_commit(f);
    h5in *in = h5in_open(at("junk"), err, sizeof err);
    fflush(stdout), fflush(stderr);
    dup2(o1, 1), dup2(o2, 2);
    close(o1), close(o2);
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(log);
    ck_assert_ptr_null(in);
    ck_assert_int_eq(failures, 3);
    ck_assert_int_eq(size, 0);
}
END_TEST

/* files written by other tools: float32 data and fixed-length strings */
START_TEST(reads_foreign_types)
{
    hid_t file = H5Fcreate(at("foreign.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(file, 0);
    hsize_t n = 3;
    hid_t space = H5Screate_simple(1, &n, NULL);
    float fv[3] = {0.5f, -1.25f, 3.0f};
    hid_t d = H5Dcreate2(file, "f32", H5T_IEEE_F32BE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, fv);
    H5Dclose(d);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, 5);
    H5Tset_strpad(st, H5T_STR_NULLPAD);
    char fixed[15] = {'a', 'b', 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 'x', 0, 0, 0, 0};
    d = H5Dcreate2(file, "fixed", st, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, fixed);
    hid_t sc = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(d, "unit", st, sc, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, st, "kg\0\0\0");
    H5Aclose(a);
    a = H5Acreate2(d, "n32", H5T_STD_I32LE, sc, H5P_DEFAULT, H5P_DEFAULT);
    int i32 = -12;
    H5Awrite(a, H5T_NATIVE_INT, &i32);
    H5Aclose(a);
    H5Dclose(d);
    H5Sclose(sc), H5Tclose(st), H5Sclose(space);
    H5Fclose(file);

    h5in *in = open_ok("foreign.h5");
    double *v;
    size_t rank, dims[H5IO_MAX_RANK];
    ck_assert_int_eq(h5in_doubles(in, "/f32", &v, &rank, dims), 0);
    ck_assert(v[0] == 0.5 && v[1] == -1.25 && v[2] == 3.0);   /* exact in float32 */
    free(v);
    char **s;
    size_t ns;
    ck_assert_msg(h5in_strings(in, "/fixed", &s, &ns) == 0, "%s", h5in_error(in));
    ck_assert_uint_eq(ns, 3);
    ck_assert_str_eq(s[0], "ab");
    ck_assert_str_eq(s[1], "hello");
    ck_assert_str_eq(s[2], "x");
    h5in_strings_free(s, ns);
    char *unit;
    ck_assert_int_eq(h5in_attr_string(in, "/fixed", "unit", &unit), 0);
    ck_assert_str_eq(unit, "kg");
    free(unit);
    long long iv;
    ck_assert_int_eq(h5in_attr_int(in, "/fixed", "n32", &iv), 0);
    ck_assert_int_eq(iv, -12);
    h5in_close(in);
}
END_TEST

START_TEST(print_tree_lists_everything)
{
    h5out *f = create_ok("t.h5");
    char longtext[200];
    memset(longtext, 'c', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    W(h5out_attr_int(f, "/", "format_version", 1));
    W(h5out_attr_string(f, "/", "config", longtext));
    W(h5out_attr_string(f, "/", "pinn_version", "0.1.0"));
    W(h5out_doubles(f, "/grid/x", 1, (size_t[]){5}, (double[]){0, 0.25, 0.5, 0.75, 1}));
    W(h5out_attr_string(f, "/grid/x", "units", "m"));
    W(h5out_doubles(f, "/solution/u", 2, (size_t[]){5, 3}, (double[15]){0}));
    W(h5out_attr_double(f, "/solution", "rel_l2", 0.125));
    W(h5out_ints(f, "/history/step", 1, (size_t[]){4}, (long long[]){0, 1, 2, 3}));
    W(h5out_strings(f, "/history/names", (const char *[]){"pde", "ic", "bc"}, 3));
    W(h5out_doubles(f, "/seed", 0, NULL, (double[]){7}));
    commit_ok(f);

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char err[256] = "";
    ck_assert_msg(h5io_print_tree(at("t.h5"), out, err, sizeof err) == 0, "%s", err);
    fclose(out);
    const char *want =
        "/\n"
        "  @config = string (199 bytes)\n"
        "  @format_version = 1\n"
        "  @pinn_version = \"0.1.0\"\n"
        "  grid/\n"
        "    x  float64 [5]\n"
        "      @units = \"m\"\n"
        "  history/\n"
        "    names  string [3]\n"
        "    step  int64 [4]\n"
        "  seed  float64 scalar\n"
        "  solution/\n"
        "    @rel_l2 = 0.125\n"
        "    u  float64 [5 x 3]\n";
    ck_assert_str_eq(buf, want);
    free(buf);
}
END_TEST

static Suite *h5io_suite(void)
{
    Suite *s = suite_create("h5io");
    TCase *tc = tcase_create("round trips");
    tcase_add_unchecked_fixture(tc, scratch_make, scratch_remove);
    tcase_add_test(tc, doubles_round_trip_every_rank);
    tcase_add_test(tc, ints_round_trip_every_rank);
    tcase_add_test(tc, strings_round_trip_utf8);
    tcase_add_test(tc, attributes_on_root_group_dataset);
    tcase_add_test(tc, groups_and_parents);
    tcase_add_test(tc, reads_foreign_types);
    tcase_add_test(tc, print_tree_lists_everything);
    suite_add_tcase(s, tc);
    tc = tcase_create("atomic commit");
    tcase_add_unchecked_fixture(tc, scratch_make, scratch_remove);
    tcase_add_test(tc, commit_leaves_only_the_final_file);
    tcase_add_test(tc, abort_removes_the_temporary_and_keeps_the_old_file);
    tcase_add_test(tc, old_file_replaced_only_at_commit);
    tcase_add_test(tc, stale_temporary_and_second_writer);
    tcase_add_test(tc, a_failed_write_blocks_the_commit);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_unchecked_fixture(tc, scratch_make, scratch_remove);
    tcase_add_test(tc, create_fails_with_a_reason);
    tcase_add_test(tc, open_fails_with_a_reason);
    tcase_add_test(tc, reading_what_is_not_there_fails_cleanly);
    tcase_add_test(tc, errors_print_nothing);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(h5io_suite)
