/* tests/test_fuzz_replay.c - replays the kept fuzz corpus and every crasher
 * (tests/fuzz/) through the same entry points the libFuzzer targets call, so
 * a fixed crash or leak cannot come back unnoticed (make SANITIZE=1 check
 * adds ASan/UBSan/LSan). Also checks the harness reaches the end on the
 * example configs. Not the fuzzer itself: see make fuzz. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"
#include "fuzz/fuzz_entry.c"

typedef int (*entry_fn)(const uint8_t *data, size_t size);

/* Runs fn on every regular file in dir whose name starts with prefix;
 * *accepted counts the inputs fn accepted. Returns the number of files. */
static size_t replay_dir(const char *dir, const char *prefix, entry_fn fn, size_t *accepted)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s (run from the top directory)", dir);
    size_t n = 0;
    *accepted = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        FILE *f = fopen(path, "rb");
        ck_assert_msg(f != NULL, "cannot open %s", path);
        uint8_t buf[65536];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        *accepted += fn(buf, len) == 0;
        n++;
    }
    closedir(d);
    return n;
}

START_TEST(config_corpus_replays)
{
    size_t ok, n = replay_dir("tests/fuzz/corpus-config", "", fuzz_config_one, &ok);
    ck_assert_uint_ge(n, 7); /* at least the seeds from configs/ */
    ck_assert_uint_ge(ok, 1);
}
END_TEST

START_TEST(expr_corpus_replays)
{
    size_t ok, n = replay_dir("tests/fuzz/corpus-expr", "", fuzz_expr_one, &ok);
    ck_assert_uint_ge(n, 6);
    ck_assert_uint_ge(ok, 1);
}
END_TEST

START_TEST(crashers_replay)
{
    size_t ok_c, ok_e;
    size_t n = replay_dir("tests/fuzz/crashers", "config-", fuzz_config_one, &ok_c)
             + replay_dir("tests/fuzz/crashers", "expr-", fuzz_expr_one, &ok_e);
    ck_assert_uint_ge(n, 2);
    /* Both kept config crashers are rejected inputs (a syntax error, a
     * conservation term without invariant): their error paths are the point. */
    ck_assert_uint_eq(ok_c, 0);
}
END_TEST

/* The harness must get through build_terms, grid and exact on real configs,
 * or the fuzzer would only ever exercise the error paths. */
START_TEST(example_configs_are_accepted)
{
    size_t ok, n = replay_dir("configs", "", fuzz_config_one, &ok);
    ck_assert_uint_ge(n, 7);
    /* inverse configs (configs/\*_inverse.cfg) need their data term, which
     * the harness switches off: they must be refused, the others accepted */
    size_t inverse = 0;
    DIR *d = opendir("configs");
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        inverse += len > 12 && strcmp(e->d_name + len - 12, "_inverse.cfg") == 0;
    }
    closedir(d);
    ck_assert_uint_eq(ok, n - inverse);
}
END_TEST

START_TEST(expr_entry_accepts_and_rejects)
{
    const char good[] = "\x02" "exp(-t)*sin(pi*x)";
    const char bad[] = "\x00" "sin(pi*t)"; /* one variable, x: t is unknown */
    ck_assert_int_eq(fuzz_expr_one((const uint8_t *)good, sizeof good - 1), 0);
    ck_assert_int_eq(fuzz_expr_one((const uint8_t *)bad, sizeof bad - 1), -1);
    ck_assert_int_eq(fuzz_expr_one(NULL, 0), -1);
}
END_TEST

static Suite *fuzz_replay_suite(void)
{
    Suite *s = suite_create("fuzz_replay");
    TCase *tc = tcase_create("replay");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, config_corpus_replays);
    tcase_add_test(tc, expr_corpus_replays);
    tcase_add_test(tc, crashers_replay);
    tcase_add_test(tc, example_configs_are_accepted);
    tcase_add_test(tc, expr_entry_accepts_and_rejects);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(fuzz_replay_suite)
