/* tests/test_loss_install.c - libpinnloss as an outside program meets it:
 * `make install PREFIX=tmp`, then losses/examples/train_logreg.c built with
 * only `pkg-config --cflags --libs pinnloss` (and once statically with just
 * -lm) and run; its printed results are asserted. Run from the repo root
 * (make check does) or below it. Fails loudly; skips nothing. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_main.h"

/* Runs cmd through sh, output (stdout+stderr) into buf; returns exit status. */
static int run(const char *cmd, char *buf, size_t cap)
{
    char full[8300];
    int n = snprintf(full, sizeof full, "%s 2>&1", cmd);
    ck_assert_msg(n > 0 && (size_t)n < sizeof full, "command too long");
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = fread(buf, 1, cap - 1, p);
    buf[len] = '\0';
    while (fgetc(p) != EOF) /* drain the rest so the child does not block */
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The repository root: the first of cwd and its parents holding
 * losses/pinnloss.h and a Makefile. */
static void find_root(char *root, size_t cap)
{
    ck_assert_ptr_nonnull(getcwd(root, cap));
    for (;;) {
        char a[PATH_MAX + 32], b[PATH_MAX + 32];
        snprintf(a, sizeof a, "%s/losses/pinnloss.h", root);
        snprintf(b, sizeof b, "%s/Makefile", root);
        if (access(a, R_OK) == 0 && access(b, R_OK) == 0)
            return;
        char *slash = strrchr(root, '/');
        ck_assert_msg(slash && slash != root, "repository root not found above the cwd");
        *slash = '\0';
    }
}

/* Value after "key " on its own line of out; fails when absent. */
static double field(const char *out, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s ", key);
    const char *at = strstr(out, pat);
    ck_assert_msg(at != NULL, "no '%s' in example output:\n%s", key, out);
    return strtod(at + strlen(pat), NULL);
}

START_TEST(installed_library_builds_and_runs_the_example)
{
    static char root[PATH_MAX], tmp[] = "/tmp/pinnloss-install-XXXXXX";
    static char cmd[8192], out[65536], out2[65536];
    find_root(root, sizeof root);
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    /* the same build flavour as this test (SANITIZE=1 installs the
     * sanitized library, so the example then needs the sanitizer too) */
    const char *san = getenv("SANITIZE");
    int sanitize = san && strcmp(san, "1") == 0;
    const char *xflags = sanitize ? "-fsanitize=address,undefined" : "";

    snprintf(cmd, sizeof cmd,
             "cd '%s' && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make install "
             "PREFIX='%s' SANITIZE=%s", root, tmp, sanitize ? "1" : "");
    int rc = run(cmd, out, sizeof out);
    ck_assert_msg(rc == 0, "make install failed (%d):\n%s", rc, out);
    const char *need[] = {"include/pinnloss.h", "lib/libpinnloss.a", "lib/libpinnloss.so",
                          "lib/libpinnloss.so.0", "lib/pkgconfig/pinnloss.pc"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(cmd, sizeof cmd, "%s/%s", tmp, need[i]);
        ck_assert_msg(access(cmd, R_OK) == 0, "not installed: %s", cmd);
    }

    /* pkg-config must point into the install prefix */
    snprintf(cmd, sizeof cmd,
             "PKG_CONFIG_PATH='%s/lib/pkgconfig' pkg-config --cflags --libs pinnloss", tmp);
    ck_assert_int_eq(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "-I%s/include", tmp);
    ck_assert_msg(strstr(out, cmd), "pkg-config gave: %s", out);

    snprintf(cmd, sizeof cmd,
             "cd '%s' && export PKG_CONFIG_PATH='%s/lib/pkgconfig' && "
             "cc %s losses/examples/train_logreg.c $(pkg-config --cflags --libs pinnloss) "
             "-o '%s/train_logreg' && LD_LIBRARY_PATH='%s/lib' '%s/train_logreg'",
             root, tmp, xflags, tmp, tmp, tmp);
    rc = run(cmd, out, sizeof out);
    ck_assert_msg(rc == 0, "example build or run failed (%d):\n%s", rc, out);
    /* BCE at zero weights is log 2 = 0.693147; 2000 steps of gradient
     * descent on separable data take it well below 0.05 and classify all
     * 200 points (the run gives 0.0335 and 1.000); gradcheck's relative
     * error at a smooth point is ~1e-8 */
    ck_assert_ptr_nonnull(strstr(out, "libpinnloss 0.1.0"));
    ck_assert_double_eq_tol(field(out, "initial_loss"), 0.693147, 1e-6);
    ck_assert_double_lt(field(out, "final_loss"), 0.05);
    ck_assert_double_ge(field(out, "accuracy"), 0.99);
    ck_assert_double_lt(field(out, "gradcheck_max_rel_err"), 1e-5);
    ck_assert_msg(strstr(out, "nan=0 inf=0") && strstr(out, " ok"), "%s", out);

    /* statically: libc and libm are all the library needs */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cc %s losses/examples/train_logreg.c -I'%s/include' "
             "'%s/lib/libpinnloss.a' -lm -o '%s/train_static' && '%s/train_static'",
             root, xflags, tmp, tmp, tmp, tmp);
    rc = run(cmd, out2, sizeof out2);
    ck_assert_msg(rc == 0, "static example failed (%d):\n%s", rc, out2);
    ck_assert_str_eq(out2, out);

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ck_assert_int_eq(run(cmd, out, sizeof out), 0);
}
END_TEST

static Suite *loss_install_suite(void)
{
    Suite *s = suite_create("loss_install");
    TCase *tc = tcase_create("install");
    /* make install may have to (re)build the tree; compiling the example
     * twice takes a few seconds */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, installed_library_builds_and_runs_the_example);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(loss_install_suite)
