/* tests/test_cli.c - the pinn command line as a user meets it: exit
 * statuses and messages for usage errors. Runs the binary named by $PINN. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "check_main.h"

/* Runs `$PINN args`, captures stdout+stderr into buf, returns exit status. */
static int run_pinn(const char *args, char *buf, size_t cap)
{
    const char *bin = getenv("PINN");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin ? bin : "./pinn", args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = fread(buf, 1, cap - 1, p);
    buf[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(no_arguments_is_usage_error)
{
    char out[4096];
    ck_assert_int_eq(run_pinn("", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "usage: pinn run"));
}
END_TEST

START_TEST(version_prints_and_succeeds)
{
    char out[4096];
    ck_assert_int_eq(run_pinn("--version", out, sizeof out), 0);
    ck_assert_int_eq(strncmp(out, "pinn ", 5), 0);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("usage");
    tcase_add_test(tc, no_arguments_is_usage_error);
    tcase_add_test(tc, version_prints_and_succeeds);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(cli_suite)
