/* tests/e2e_util.h - what the end-to-end suites share: a scratch directory,
 * running the pinn binary (pinn_cli.h), a numeric attribute of a result
 * file, and the check that two results hold the same network bits. */
#ifndef PINN_E2E_UTIL_H
#define PINN_E2E_UTIL_H

#include <check.h>

#include "pinn_cli.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

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

/* The trained parameters of result files a and b are the same bits. */
static inline void assert_same_params(const char *a, const char *b)
{
    char err[512];
    h5in *fa = h5in_open(a, err, sizeof err);
    ck_assert_msg(fa != NULL, "%s: %s", a, err);
    h5in *fb = h5in_open(b, err, sizeof err);
    ck_assert_msg(fb != NULL, "%s: %s", b, err);
    double *pa = NULL, *pb = NULL;
    size_t ra, rb, na, nb;
    ck_assert_msg(h5in_doubles(fa, "/model/params", &pa, &ra, &na) == 0, "%s", h5in_error(fa));
    ck_assert_msg(h5in_doubles(fb, "/model/params", &pb, &rb, &nb) == 0, "%s", h5in_error(fb));
    ck_assert_uint_eq(ra, 1);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(memcmp(pa, pb, na * sizeof *pa) == 0, "%s and %s: parameters differ", a, b);
    free(pa);
    free(pb);
    h5in_close(fa);
    h5in_close(fb);
}

#endif
