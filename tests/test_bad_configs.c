/* tests/test_bad_configs.c - every file in tests/bad-configs/ run through the
 * pinn binary ($PINN): exit status 2, the message its first line expects,
 * one line that says where (FILE:LINE, --set ARG or -o PATH), and nothing
 * written. Line 1 `# expect: FRAGMENT`, line 2 `# args: EXTRA ARGUMENTS`
 * (`$TMP` is the test's empty directory; `NO_O` means run without -o). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_main.h"
#include "io/h5io.h"

#define DIR_BAD "tests/bad-configs"
#define MAX_CASES 256

/* The case files, sorted; filled once when the suite is built (the loop
 * test's children inherit it). */
static char case_names[MAX_CASES][128];
static int n_cases;

static int by_name(const void *a, const void *b) { return strcmp(a, b); }

static void list_cases(void)
{
    DIR *d = opendir(DIR_BAD);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) && n_cases < MAX_CASES;) {
        size_t n = strlen(e->d_name);
        if (n > 4 && n < sizeof case_names[0] && strcmp(e->d_name + n - 4, ".cfg") == 0)
            strcpy(case_names[n_cases++], e->d_name);
    }
    closedir(d);
    qsort(case_names, (size_t)n_cases, sizeof case_names[0], by_name);
}

/* Line `prefix...` number k (1-based) of file without its newline. */
static void header_line(const char *file, int k, const char *prefix, char *out, size_t cap)
{
    FILE *f = fopen(file, "r");
    ck_assert_msg(f != NULL, "cannot open %s", file);
    char line[4096] = "";
    for (int i = 0; i < k; i++)
        ck_assert_msg(fgets(line, sizeof line, f) != NULL, "%s: no line %d", file, k);
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    size_t n = strlen(prefix);
    ck_assert_msg(strncmp(line, prefix, n) == 0, "%s:%d: want '%s'", file, k, prefix);
    const char *v = line + n;
    while (*v == ' ')
        v++;
    snprintf(out, cap, "%s", v);
}

/* s with every "$TMP" replaced by tmp. */
static void subst_tmp(const char *s, const char *tmp, char *out, size_t cap)
{
    size_t w = 0;
    while (*s && w + 1 < cap) {
        if (strncmp(s, "$TMP", 4) == 0) {
            w += (size_t)snprintf(out + w, cap - w, "%s", tmp);
            s += 4;
        } else {
            out[w++] = *s++;
        }
    }
    out[w < cap ? w : cap - 1] = '\0';
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int empty = 1;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

START_TEST(enough_cases)
{
    ck_assert_msg(n_cases >= 30, "%d files in " DIR_BAD, n_cases);
}
END_TEST

START_TEST(bad_config_fails_cleanly)
{
    char file[256], expect_raw[2048], expect[4096], args_raw[2048], args[4096];
    snprintf(file, sizeof file, DIR_BAD "/%s", case_names[_i]);
    header_line(file, 1, "# expect:", expect_raw, sizeof expect_raw);
    header_line(file, 2, "# args:", args_raw, sizeof args_raw);
    char tmp[] = "/tmp/pinn-bad-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    subst_tmp(expect_raw, tmp, expect, sizeof expect);
    subst_tmp(args_raw, tmp, args, sizeof args);
    char out_opt[4200] = "";
    if (strcmp(args, "NO_O") == 0)
        args[0] = '\0';
    else if (strncmp(args, "-o ", 3) != 0 && !strstr(args, " -o "))
        snprintf(out_opt, sizeof out_opt, "-o %s/out.h5", tmp);

    /* libconfig leaks a token on some syntax errors (tests/lsan.supp); the
     * sanitizer build must not turn that into exit status 23. */
    setenv("LSAN_OPTIONS", "suppressions=tests/lsan.supp:print_suppressions=0", 1);
    const char *bin = getenv("PINN");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "timeout 60 %s run %s %s %s 2>&1", bin ? bin : "./pinn", file,
             out_opt, args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char out[4096];
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = '\0';
    int st = pclose(p);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    int empty = dir_is_empty(tmp);
    rmdir(tmp); /* only succeeds when empty: a failed case leaves it to look at */

    ck_assert_msg(rc == 2, "%s: exit %d, want 2; output:\n%s", file, rc, out);
    ck_assert_msg(strstr(out, expect) != NULL, "%s: got '%s', want '%s'", file, out, expect);
    /* One line, and it starts by saying where. */
    ck_assert_msg(len > 0 && out[len - 1] == '\n' && strchr(out, '\n') == out + len - 1,
                  "%s: want one line, got:\n%s", file, out);
    ck_assert_msg(strncmp(out, file, strlen(file)) == 0 || strncmp(out, "--set ", 6) == 0
                      || strncmp(out, "-o ", 3) == 0,
                  "%s: message does not start with the file, --set or -o: %s", file, out);
    ck_assert_msg(empty, "%s: wrote into %s", file, tmp);
}
END_TEST

/* The HDF5 data file of case 47 is made here rather than kept in git: an
 * HDF5 file that holds something, but not the datasets x, t, u; so are the
 * FIFOs of cases 156 and 159. */
static void make_data_files(void)
{
    char err[256];
    h5out *f = h5out_create(DIR_BAD "/data/no_datasets.h5", err, sizeof err);
    if (!f)
        return; /* case 47 then fails with the wrong message, naming why */
    const double v[2] = {1.0, 2.0};
    size_t dims[1] = {2};
    h5out_doubles(f, "/measurements", 1, dims, v);
    h5out_commit(f);
    /* Cases 156 and 159: FIFOs as data files (no writer: reading would block). */
    unlink(DIR_BAD "/data/156-fifo.csv");
    unlink(DIR_BAD "/data/159-fifo.h5");
    mkfifo(DIR_BAD "/data/156-fifo.csv", 0600);
    mkfifo(DIR_BAD "/data/159-fifo.h5", 0600);
}

static Suite *bad_configs_suite(void)
{
    list_cases();
    make_data_files();
    Suite *s = suite_create("bad_configs");
    TCase *tc = tcase_create("bad_configs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, enough_cases);
    tcase_add_loop_test(tc, bad_config_fails_cleanly, 0, n_cases);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(bad_configs_suite)
