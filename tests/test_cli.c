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
#include "pinn_cli.h"

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

/* docs/config.md's settings tables are `pinn settings` verbatim (regenerate
 * with scripts/update-config-doc): every line of the tables is in it. */
START_TEST(config_doc_lists_every_setting)
{
    static char out[65536], readme[262144];
    ck_assert_int_eq(run_pinn("settings", out, sizeof out), 0);
    FILE *f = fopen("docs/config.md", "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(readme, 1, sizeof readme - 1, f);
    readme[n] = '\0';
    fclose(f);
    int lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), lines++)
        ck_assert_msg(strstr(readme, line) != NULL,
                      "docs/config.md lacks '%s': run scripts/update-config-doc", line);
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

/* Every command and the long options it takes (main.c's table), as
 * `pinn help CMD` must list them. */
static const struct {
    const char *cmd, *options[9];
} command_options[] = {
    {"run", {"--output", "--set", "--threads", "--seed", "--resume", "--log", "--quiet", "--help"}},
    {"reference", {"--output", "--set", "--quiet", "--help"}},
    {"sample", {"--output", "--points", "--noise", "--fields", "--seed", "--set", "--help"}},
    {"info", {"--help"}},
    {"eval", {"--help"}},
    {"plot", {"--output", "--help"}},
    {"settings", {"--help"}},
    {"help", {"--help"}},
};

START_TEST(help_describes_every_option)
{
    static char out[16384], again[16384];
    char args[128];
    for (size_t i = 0; i < sizeof command_options / sizeof *command_options; i++) {
        const char *cmd = command_options[i].cmd;
        snprintf(args, sizeof args, "help %s", cmd);
        ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
        ck_assert_msg(strncmp(out, "usage: pinn ", 12) == 0, "%s: %s", args, out);
        for (const char *const *o = command_options[i].options; *o; o++)
            ck_assert_msg(strstr(out, *o) != NULL, "pinn help %s lacks %s", cmd, *o);
        snprintf(args, sizeof args, "%s --help", cmd);
        ck_assert_int_eq(run_pinn(args, again, sizeof again), 0);
        ck_assert_str_eq(again, out);
        snprintf(args, sizeof args, "%s -h", cmd);
        ck_assert_int_eq(run_pinn(args, again, sizeof again), 0);
        ck_assert_str_eq(again, out);
    }
    ck_assert_int_eq(run_pinn("help", out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "pinn plot FILE.h5"));
    ck_assert_int_eq(run_pinn("--help", out, sizeof out), 0);
    ck_assert_int_eq(run_pinn("help frobnicate", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "no command 'frobnicate'"));
}
END_TEST

/* The man page names every command and every option. */
START_TEST(man_page_lists_every_option)
{
    static char man[65536];
    FILE *f = fopen("docs/pinn.1", "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(man, 1, sizeof man - 1, f);
    man[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(man, ".TH PINN 1"));
    for (size_t i = 0; i < sizeof command_options / sizeof *command_options; i++) {
        char want[64];
        snprintf(want, sizeof want, "pinn %s", command_options[i].cmd);
        ck_assert_msg(strstr(man, want) != NULL, "docs/pinn.1 lacks '%s'", want);
        for (const char *const *o = command_options[i].options; *o; o++) {
            snprintf(want, sizeof want, "\\-\\-%s", *o + 2);
            ck_assert_msg(strstr(man, want) != NULL, "docs/pinn.1 lacks '%s'", want);
        }
    }
}
END_TEST

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pinn-cli-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

#define SHORT_RUN "--quiet --set train.adam.iterations=30 --set train.lbfgs.iterations=4 " \
                  "--set train.log_every=10 --set output.nx=11 --set output.nt=11 " \
                  "--set reference.nx=64 --set reference.nt=64"

/* Separate and joined option arguments, short and long, in any order. */
START_TEST(getopt_forms_are_equivalent)
{
    static char out[16384];
    char args[1024], a[512], b[512];
    make_tmpdir();
    snprintf(a, sizeof a, "%s/a.h5", tmpdir);
    snprintf(b, sizeof b, "%s/b.h5", tmpdir);
    snprintf(args, sizeof args, "run configs/heat1d.cfg --threads=2 --seed 3 -o %s " SHORT_RUN, a);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(args, sizeof args, "run --output=%s --threads 2 --seed=3 " SHORT_RUN " configs/heat1d.cfg", b);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(args, sizeof args, "info %s", a);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "seed           3, 2 thread(s)") != NULL, "%s", out);
    snprintf(args, sizeof args, "info %s", b);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "seed           3, 2 thread(s)") != NULL, "%s", out);
    /* the same run: the same network at a point */
    char ea[4096], eb[4096];
    snprintf(args, sizeof args, "eval %s 0.3,0.4", a);
    ck_assert_int_eq(run_pinn(args, ea, sizeof ea), 0);
    snprintf(args, sizeof args, "eval %s 0.3,0.4", b);
    ck_assert_int_eq(run_pinn(args, eb, sizeof eb), 0);
    ck_assert_str_eq(ea, eb);
    snprintf(args, sizeof args, "run configs/heat1d.cfg -o%s/c.h5 " SHORT_RUN, tmpdir);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(args, sizeof args, "%s/c.h5", tmpdir);
    ck_assert_int_eq(access(args, R_OK), 0);
    /* errors in options: exit 2 with the option named */
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --threads", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "'--threads' needs an argument"));
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --bogus", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown option '--bogus'"));
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg -Z", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "unknown option '-Z'"));
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg --log=x.txt", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "must end in .csv or .jsonl"));
    ck_assert_int_eq(run_pinn("run configs/heat1d.cfg configs/sir.cfg", out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "unexpected argument 'configs/sir.cfg'"));
    ck_assert_int_eq(run_pinn("reference configs/sir.cfg --threads 2", out, sizeof out), 2);
    remove_tmpdir();
}
END_TEST

/* --log: CSV with a header and a row per log step, or JSON lines. */
START_TEST(training_log_files)
{
    static char out[16384];
    char args[1024], csv[512], jsonl[512], line[1024];
    make_tmpdir();
    snprintf(csv, sizeof csv, "%s/log.csv", tmpdir);
    snprintf(jsonl, sizeof jsonl, "%s/log.jsonl", tmpdir);
    snprintf(args, sizeof args, "run configs/heat1d.cfg -o %s/r.h5 --log %s " SHORT_RUN, tmpdir, csv);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    FILE *f = fopen(csv, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "step,phase,seconds,loss,loss_pde,loss_boundary,loss_initial,"
                           "w_pde,w_boundary,w_initial,rel_l2\n");
    int rows = 0;
    long long last = -1;
    while (fgets(line, sizeof line, f)) {
        int commas = 0;
        for (char *c = line; *c; c++)
            commas += *c == ',';
        ck_assert_int_eq(commas, 10);
        long long step = atoll(line);
        ck_assert_int_gt(step, last); /* one row per log step, in order */
        last = step;
        /* the second phase is named by its method: heat1d.cfg uses
         * ssbroyden; step 30 is the parameters of Adam's last step */
        ck_assert_ptr_nonnull(strstr(line, step <= 30 ? ",adam," : ",ssbroyden,"));
        rows++;
    }
    fclose(f);
    ck_assert_int_ge(rows, 5); /* steps 0, 10, 20, 30 and the last */
    ck_assert_int_eq(last, 34);
    snprintf(args, sizeof args, "run configs/heat1d.cfg -o %s/r.h5 --log=%s " SHORT_RUN, tmpdir, jsonl);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    f = fopen(jsonl, "r");
    ck_assert_ptr_nonnull(f);
    int jrows = 0;
    while (fgets(line, sizeof line, f)) {
        ck_assert_msg(strncmp(line, "{\"step\":", 8) == 0, "%s", line);
        ck_assert_ptr_nonnull(strstr(line, "\"terms\":{\"pde\":"));
        ck_assert_ptr_nonnull(strstr(line, "\"rel_l2\":"));
        ck_assert_str_eq(line + strlen(line) - 2, "}\n");
        jrows++;
    }
    fclose(f);
    ck_assert_int_eq(jrows, rows);
    remove_tmpdir();
}
END_TEST

START_TEST(eval_header_domain_and_errors)
{
    static char out[16384];
    char args[2048], path[512];
    make_tmpdir();
    snprintf(path, sizeof path, "%s/e.h5", tmpdir);
    snprintf(args, sizeof args, "run configs/heat1d.cfg -o %s " SHORT_RUN, path);
    ck_assert_msg(run_pinn(args, out, sizeof out) == 0, "%s", out);
    snprintf(args, sizeof args, "eval %s 0.5,0.5", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
    ck_assert_msg(strncmp(out, "x,t,u\n0.5,0.5,", 14) == 0, "%s", out);
    ck_assert_ptr_null(strstr(out, "warning"));
    /* outside [0, 1] x [0, 1]: a value and a warning */
    snprintf(args, sizeof args, "eval %s 0.5,0.5 1.5,0.5 -0.25,2", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "warning: 2 of 3 point(s) outside the trained domain") != NULL, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "x = 1.5 outside [0, 1]"));
    ck_assert_ptr_nonnull(strstr(out, "\n1.5,0.5,"));
    /* malformed points: status 2 */
    static const char *const bad[] = {"0.5", "0.5,0.5,0.5", "a,b", "0.5,", "nan,0.5", "1e999,0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(args, sizeof args, "eval %s 0.5,0.5 '%s'", path, bad[i]);
        ck_assert_msg(run_pinn(args, out, sizeof out) == 2, "'%s': %s", bad[i], out);
        ck_assert_ptr_nonnull(strstr(out, "point 2"));
    }
    snprintf(args, sizeof args, "eval %s < /dev/null", path);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "no points"));
    char in[600];
    snprintf(in, sizeof in, "%s/in.txt", tmpdir);
    FILE *f = fopen(in, "w");
    fputs("0.1,0.2\n# a comment\n\nzz\n", f);
    fclose(f);
    snprintf(args, sizeof args, "eval %s < %s", path, in);
    ck_assert_int_eq(run_pinn(args, out, sizeof out), 2);
    ck_assert_ptr_nonnull(strstr(out, "input line 4"));
    /* a file without a model: 1 */
    ck_assert_int_eq(run_pinn("eval README.md 1,2", out, sizeof out), 1);
    remove_tmpdir();
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("usage");
    tcase_set_timeout(tc, 60); /* dozens of short pinn processes on a loaded machine */
    tcase_add_test(tc, no_arguments_is_usage_error);
    tcase_add_test(tc, version_prints_and_succeeds);
    tcase_add_test(tc, config_doc_lists_every_setting);
    tcase_add_test(tc, bad_commands_are_usage_errors);
    tcase_add_test(tc, cli_numbers_are_range_checked);
    tcase_add_test(tc, help_describes_every_option);
    tcase_add_test(tc, man_page_lists_every_option);
    suite_add_tcase(s, tc);
    TCase *runs = tcase_create("runs");
    tcase_set_timeout(runs, 120);
    tcase_add_test(runs, getopt_forms_are_equivalent);
    tcase_add_test(runs, training_log_files);
    tcase_add_test(runs, eval_header_domain_and_errors);
    suite_add_tcase(s, runs);
    return s;
}

PINN_CHECK_MAIN(cli_suite)
