/* tests/e2e_util.h - what the end-to-end suites share: a scratch directory,
 * running the pinn binary (pinn_cli.h), and a numeric attribute of a result
 * file. */
#ifndef PINN_E2E_UTIL_H
#define PINN_E2E_UTIL_H

#include <check.h>

#include "pinn_cli.h"
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

static inline double attr(h5in *f, const char *obj, const char *name)
{
    double v = NAN;
    ck_assert_msg(h5in_attr_double(f, obj, name, &v) == 0, "%s@%s: %s", obj, name, h5in_error(f));
    return v;
}

#endif
