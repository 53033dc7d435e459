/* tests/test_cli.c - the pinn command line as a user meets it: exit
 * statuses and messages for usage errors. Runs the binary named by $PINN. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
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

/* README's config reference is `pinn settings` verbatim (regenerate with
 * scripts/update-readme-settings): every line of the tables is in it. */
START_TEST(readme_lists_every_setting)
{
    static char out[65536], readme[262144];
    ck_assert_int_eq(run_pinn("settings", out, sizeof out), 0);
    FILE *f = fopen("README.md", "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(readme, 1, sizeof readme - 1, f);
    readme[n] = '\0';
    fclose(f);
    int lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), lines++)
        ck_assert_msg(strstr(readme, line) != NULL,
                      "README.md lacks '%s': run scripts/update-readme-settings", line);
    ck_assert_int_gt(lines, 60);
}
END_TEST

START_TEST(bad_commands_are_usage_errors)
{
    char out[4096];
    ck_assert_int_eq(run_pinn("frobnicate", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown command 'frobnicate'"));
    ck_assert_int_eq(run_pinn("run", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "no CONFIG given"));
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --threads x", out, sizeof out), 2);
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --bogus", out, sizeof out), 2);
    ck_assert_int_eq(run_pinn("run /nonexistent.cfg", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "/nonexistent.cfg: cannot read"));
    ck_assert_int_eq(run_pinn("info /nonexistent.h5", out, sizeof out), 1);
    ck_assert_int_eq(run_pinn("eval README.md 1,2", out, sizeof out), 1);
    /* issue 19: HDF5 inputs that are not regular files are refused at once */
    ck_assert_int_eq(run_pinn("info /dev/zero", out, sizeof out), 1);
    ck_assert_ptr_nonnull(strstr(out, "'/dev/zero' is not a regular file"));
    char fifo[] = "/tmp/pinn-cli-fifo-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(fifo));
    char path[64], args[128];
    snprintf(path, sizeof path, "%s/f.h5", fifo);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    snprintf(args, sizeof args, "eval %s 1,2", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 1);
    ck_assert_ptr_nonnull(strstr(out, "is not a regular file"));
    unlink(path);
    rmdir(fifo);
}
END_TEST

/* Issue 19 item 3: --threads and --seed get the range checks of
 * train.threads and train.seed, and numbers that overflow are refused. */
START_TEST(cli_numbers_are_range_checked)
{
    char out[4096];
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --threads 99999", out, sizeof out), 2);
    ck_assert_msg(strstr(out, "--threads: 99999 is out of range [0,1024]") != NULL, "%s", out);
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --seed 99999999999999999999999", out,
                              sizeof out), 2);
    ck_assert_msg(strstr(out, "--seed: 99999999999999999999999 is out of range") != NULL, "%s",
                  out);
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --seed 4294967296", out, sizeof out), 2);
    ck_assert_msg(strstr(out, "--seed: 4294967296 is out of range [0,4294967295]") != NULL, "%s",
                  out);
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --seed -1", out, sizeof out), 2);
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --seed 1x", out, sizeof out), 2);
    ck_assert_msg(strstr(out, "--seed: '1x' is not an integer") != NULL, "%s", out);
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --threads ''", out, sizeof out), 2);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("usage");
    tcase_set_timeout(tc, 60); /* each test starts pinn several times; the machine is shared */
    tcase_add_test(tc, no_arguments_is_usage_error);
    tcase_add_test(tc, version_prints_and_succeeds);
    tcase_add_test(tc, readme_lists_every_setting);
    tcase_add_test(tc, bad_commands_are_usage_errors);
    tcase_add_test(tc, cli_numbers_are_range_checked);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(cli_suite)
