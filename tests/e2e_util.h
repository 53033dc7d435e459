/* tests/e2e_util.h - what the end-to-end suites share: a scratch directory,
 * running the pinn binary named by $PINN with its output captured, and a
 * numeric attribute of a result file. */
#ifndef PINN_E2E_UTIL_H
#define PINN_E2E_UTIL_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/h5io.h"

static char tmpdir[256];

static inline void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pinn-e2e-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static inline void remove_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Runs `$PINN args`, output into buf; returns the exit status. */
static inline int run_pinn(const char *args, char *buf, size_t cap)
{
    const char *bin = getenv("PINN");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin ? bin : "./pinn", args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = 0, got;
    while ((got = fread(buf + len, 1, cap - 1 - len, p)) > 0 && len + 1 < cap)
        len += got;
    buf[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline double attr(h5in *f, const char *obj, const char *name)
{
    double v = NAN;
    ck_assert_msg(h5in_attr_double(f, obj, name, &v) == 0, "%s@%s: %s", obj, name, h5in_error(f));
    return v;
}

#endif
