/* tests/test_config.c - the config loader: good files and their defaults,
 * --set overrides, and one bad input per kind of mistake, each with the
 * message (file, line, setting) it must produce. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "config/config.h"
#include "problems/problem.h"
#include "config/settings.h"

static char err[1024];

/* Loads text as "t.cfg", validates with the run table and the problem's
 * table, then builds the problem. Returns 0 when all of that succeeds. */
static int load_all(const char *text, const char *const *over, size_t n_over, cfg **out)
{
    err[0] = '\0';
    cfg *c = cfg_load_string(text, "t.cfg", over, n_over, err, sizeof err);
    if (!c)
        return -1;
    const problem_type *pt = problem_type_find(cfg_string(c, "problem.type"));
    const setting_spec *tables[] = {run_settings, pt ? pt->settings : run_settings};
    if (cfg_validate(c, tables, 2, err, sizeof err)) {
        cfg_free(c);
        return -1;
    }
    problem *p = problem_create(c, err, sizeof err);
    if (!p) {
        cfg_free(c);
        return -1;
    }
    problem_free(p);
    if (out)
        *out = c;
    else
        cfg_free(c);
    return 0;
}

#define HEAT_HEAD                                                                                  \
    "problem = {\n"                                                                                \
    "  type = \"heat\";\n"                                                                         \
    "  alpha = 0.4;\n"                                                                             \
    "  x = [0.0, 1.0];\n"                                                                          \
    "  t = [0.0, 1.0];\n"                                                                          \
    "  initial = \"sin(pi*x)\";\n"

#define HEAT_SIDES                                                                                 \
    "  left = { type = \"dirichlet\"; };\n"                                                        \
    "  right = { type = \"dirichlet\"; value = 0; };\n"

static const char *heat_ok = HEAT_HEAD HEAT_SIDES "};\n";

START_TEST(good_file_gets_defaults)
{
    cfg *c = NULL;
    ck_assert_msg(load_all(heat_ok, NULL, 0, &c) == 0, "%s", err);
    ck_assert_double_eq(cfg_float(c, "problem.alpha"), 0.4);
    ck_assert_int_eq(cfg_int(c, "train.adam.iterations"), 20000);
    ck_assert_double_eq_tol(cfg_float(c, "train.adam.lr"), 1e-3, 1e-18);
    ck_assert_str_eq(cfg_string(c, "network.activation"), "tanh");
    ck_assert_uint_eq(cfg_len(c, "network.hidden"), 3);
    ck_assert_double_eq(cfg_float_at(c, "network.hidden", 2), 20);
    ck_assert_str_eq(cfg_expr(c, "problem.left.value"), "0");
    ck_assert(cfg_has(c, "problem.alpha"));
    ck_assert(!cfg_has(c, "train.adam.lr")); /* a default, not in the file */
    ck_assert_int_eq(cfg_line(c, "problem.alpha"), 3);
    cfg_free(c);
}
END_TEST

START_TEST(overrides_replace_and_add)
{
    const char *over[] = {"train.adam.iterations=500", "network.hidden=[8, 8]",
                          "problem.source=x*t", "train.adam.lr=2e-3"};
    cfg *c = NULL;
    ck_assert_msg(load_all(heat_ok, over, 4, &c) == 0, "%s", err);
    ck_assert_int_eq(cfg_int(c, "train.adam.iterations"), 500);
    ck_assert_uint_eq(cfg_len(c, "network.hidden"), 2);
    ck_assert_str_eq(cfg_expr(c, "problem.source"), "x*t");
    ck_assert_double_eq_tol(cfg_float(c, "train.adam.lr"), 2e-3, 1e-18);
    ck_assert(strstr(cfg_overrides(c), "train.adam.iterations=500") != NULL);
    cfg_free(c);
}
END_TEST

/* One bad input and a fragment its message must contain. */
typedef struct bad_case {
    const char *text;
    const char *override;
    const char *expect;
} bad_case;

static const bad_case bad_cases[] = {
    {HEAT_HEAD HEAT_SIDES "};\nnetwork = { hiden = [4]; };\n", NULL,
     "t.cfg:10: network.hiden: unknown setting; did you mean 'hidden'?"},
    {HEAT_HEAD HEAT_SIDES "};\nnetwork = { zzzzzz = 1; };\n", NULL,
     "t.cfg:10: network.zzzzzz: unknown setting"},
    {HEAT_HEAD HEAT_SIDES "};\ntrain = { adam = { iterations = \"many\"; }; };\n", NULL,
     "t.cfg:10: train.adam.iterations: must be an integer"},
    {HEAT_HEAD HEAT_SIDES "};\npoints = { interior = 0; };\n", NULL,
     "t.cfg:10: points.interior: 0 is out of range [1,"},
    {HEAT_HEAD HEAT_SIDES "};\npoints = { interior = -5; };\n", NULL,
     "points.interior: -5 is out of range"},
    {HEAT_HEAD HEAT_SIDES "};\ntrain = { adam = { lr = 0.0; }; };\n", NULL,
     "t.cfg:10: train.adam.lr: 0 is out of range (0,inf)"},
    {"problem = {\n type = \"heat\";\n alpha = 0.4;\n x = [1.0, 0.0];\n", NULL,
     "t.cfg:"}, /* syntax error: unterminated group */
    {"problem = { type = \"heat\"; alpha = 0.4; x = [1.0, 0.0]; t = [0.0, 1.0];\n"
     " initial = \"0\"; " HEAT_SIDES "};\n",
     NULL, "t.cfg:1: problem.x: empty or reversed interval [1, 0]"},
    {"problem = { type = \"heat\"; alpha = 0.4; x = [0.0, 1.0]; t = [0.5, 0.5];\n"
     " initial = \"0\"; " HEAT_SIDES "};\n",
     NULL, "problem.t: empty or reversed interval"},
    {HEAT_HEAD HEAT_SIDES "};\nnetwork = { activation = \"relu\"; };\n", NULL,
     "t.cfg:10: network.activation: 'relu' is not one of tanh|sin|softplus|silu|sigmoid"},
    {HEAT_HEAD "  left = { type = \"dirichlet\"; };\n  right = { type = \"periodic\"; };\n};\n",
     NULL, "t.cfg:8: problem.right.type: periodic must be set on both sides"},
    {HEAT_HEAD "  left = { value = 1; };\n  right = { type = \"dirichlet\"; };\n};\n", NULL,
     "t.cfg:7: problem.left.type: missing"},
    {"problem = { type = \"heat\"; alpha = 0.4; x = [0.0, 1.0]; t = [0.0, 1.0];\n"
     " initial = \"sin(pi*x\"; " HEAT_SIDES "};\n",
     NULL, "t.cfg:2: problem.initial:"},
    {"problem = { type = \"heat\"; alpha = 0.4; x = [0.0, 1.0]; t = [0.0, 1.0];\n"
     " initial = \"sin(pi*y)\"; " HEAT_SIDES "};\n",
     NULL, "'y'"},
    {"problem = { type = \"heat\"; alpha = 0.4; x = [0.0, 1.0]; t = [0.0, 1.0];\n"
     " initial = \"\"; " HEAT_SIDES "};\n",
     NULL, "t.cfg:2: problem.initial: empty expression"},
    {"problem = { type = \"wave\"; };\n", NULL,
     "t.cfg:1: problem.type: 'wave' is not one of heat|ode|pde"},
    {"network = { hidden = [4]; };\n", NULL, "problem.type"},
    {HEAT_HEAD HEAT_SIDES "};\nnetwork = { hidden = [4, 0]; };\n", NULL,
     "t.cfg:10: network.hidden: 0 is out of range [1,4096]"},
    {HEAT_HEAD HEAT_SIDES "};\nnetwork = { hidden = 20; };\n", NULL,
     "t.cfg:10: network.hidden: must be an array of integers"},
    {HEAT_HEAD HEAT_SIDES "};\n", "train.adam.lr=-1", "--set train.adam.lr=-1: -1 is out of range"},
    {HEAT_HEAD HEAT_SIDES "};\n", "train.adam.lr", "--set train.adam.lr: expected path=value"},
    {HEAT_HEAD HEAT_SIDES "};\n", "network.widths=[3]",
     "--set network.widths=[3]: unknown setting"},
    {"problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"y\", \"z\"];\n"
     " rhs = [\"y\"]; initial = [1.0, 2.0]; };\n",
     NULL, "t.cfg:2: problem.rhs: has 1 expressions for 2 variables"},
    {"problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"y\"];\n"
     " rhs = [\"y\"]; initial = [1.0, 2.0]; };\n",
     NULL, "t.cfg:2: problem.initial: has 2 values for 1 variables"},
    {"problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"y\"];\n"
     " rhs = [\"q*y\"]; initial = [1.0]; };\n",
     NULL, "t.cfg:2: problem.rhs:"},
    {"problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"2y\"];\n"
     " rhs = [\"1\"]; initial = [1.0]; };\n",
     NULL, "t.cfg:1: problem.variables: element 1: '2y' is not a usable variable name"},
    {"problem = { type = \"ode\"; t = [0.0, 1.0]; variables = [\"y\"];\n"
     " rhs = [\"y\"]; initial = [1.0]; };\nloss = { conservation = { enabled = true; }; };\n",
     NULL, NULL}, /* fine here: the missing invariant is caught when terms are built */
    /* issue 19 item 2: integers of 2^32 and above do not wrap past the range checks */
    {HEAT_HEAD HEAT_SIDES "};\npoints = { interior = 4294967360; };\n", NULL,
     "t.cfg:10: points.interior: 4294967360 is out of range [1,100000000]"},
    {HEAT_HEAD HEAT_SIDES "};\ntrain = { seed = 4294967297; };\n", NULL,
     "t.cfg:10: train.seed: 4294967297 is out of range [0,4294967295]"},
    {HEAT_HEAD HEAT_SIDES "};\ntrain = { seed = 0x100000001; };\n", NULL,
     "t.cfg:10: train.seed: 4294967297 is out of range"},
    {HEAT_HEAD HEAT_SIDES "};\ntrain = { seed = -4294967295; };\n", NULL,
     "t.cfg:10: train.seed: -4294967295 is out of range"},
    {HEAT_HEAD HEAT_SIDES "};\ntrain = { seed = 99999999999999999999; };\n", NULL,
     "t.cfg:10: integer 99999999999999999999 does not fit in 64 bits"},
    {HEAT_HEAD HEAT_SIDES "};\n", "train.seed=9223372036854775807",
     "--set train.seed=9223372036854775807: 9223372036854775807 is out of range [0,4294967295]"},
    {HEAT_HEAD HEAT_SIDES "};\n", "train.seed=18446744073709551617",
     "--set train.seed=18446744073709551617: integer 18446744073709551617 does not fit"},
    {HEAT_HEAD HEAT_SIDES "};\nnetwork = { hidden = [4, 4294967300]; };\n", NULL,
     "t.cfg:10: network.hidden: 4294967300 is out of range [1,4096]"},
    /* item 13: everything after a ';' in a --set value is refused, not dropped */
    {HEAT_HEAD HEAT_SIDES "};\n", "train.adam.lr=1e-3; bogus=1",
     "--set train.adam.lr=1e-3; bogus=1: one value expected"},
    {HEAT_HEAD HEAT_SIDES "};\n", "train.adam.lr=1e-3;\n@include \"/etc/passwd\"",
     "@include"},
};

START_TEST(bad_input_is_reported)
{
    const bad_case *b = &bad_cases[_i];
    const char *over[1] = {b->override};
    int rc = load_all(b->text, over, b->override ? 1 : 0, NULL);
    if (!b->expect) {
        ck_assert_msg(rc == 0, "case %d: %s", _i, err);
        return;
    }
    ck_assert_msg(rc != 0, "case %d accepted", _i);
    ck_assert_msg(strstr(err, b->expect) != NULL, "case %d: got '%s', want '%s'", _i, err,
                  b->expect);
}
END_TEST

START_TEST(missing_file_is_reported)
{
    cfg *c = cfg_load("/nonexistent/x.cfg", NULL, 0, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert(strstr(err, "/nonexistent/x.cfg: cannot read") != NULL);
    cfg_free(NULL);
}
END_TEST

/* Item 2: an integer above 2^31 that is in range keeps its value. */
START_TEST(big_integer_in_range_is_kept)
{
    cfg *c = NULL;
    ck_assert_msg(load_all(HEAT_HEAD HEAT_SIDES "};\ntrain = { seed = 4294967295; };\n", NULL, 0,
                           &c) == 0, "%s", err);
    ck_assert_int_eq(cfg_int(c, "train.seed"), 4294967295LL);
    /* the stored text is the user's, not the widened one */
    ck_assert_ptr_nonnull(strstr(cfg_text(c), "seed = 4294967295;"));
    cfg_free(c);
    const char *over[] = {"train.seed=3000000000"};
    ck_assert_msg(load_all(heat_ok, over, 1, &c) == 0, "%s", err);
    ck_assert_int_eq(cfg_int(c, "train.seed"), 3000000000LL);
    cfg_free(c);
}
END_TEST

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Item 12: @include resolves against the including file's directory (not
 * the working directory), the included settings are part of the stored
 * text, and a mistake in an included file names that file and line. */
START_TEST(include_is_relative_and_stored)
{
    char dir[] = "/tmp/pinn-inc-XXXXXX", path[256], sub[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/sub", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "# the network\nnetwork = { hidden = [7, 5]; };\n");
    snprintf(path, sizeof path, "%s/sub/inc.cfg", dir);
    write_file(path, "@include \"net.cfg\"\ntrain = { seed = 42; };\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    write_file(path, HEAT_HEAD HEAT_SIDES "};\n@include \"sub/inc.cfg\" # shared\n");
    cfg *c = cfg_load(path, NULL, 0, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    const setting_spec *tables[] = {run_settings, problem_type_find("heat")->settings};
    ck_assert_msg(cfg_validate(c, tables, 2, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cfg_int(c, "train.seed"), 42);
    ck_assert_double_eq(cfg_float_at(c, "network.hidden", 1), 5.0);
    ck_assert_ptr_nonnull(strstr(cfg_text(c), "hidden = [7, 5]"));
    ck_assert_ptr_nonnull(strstr(cfg_text(c), "seed = 42"));
    ck_assert_int_eq((int)cfg_n_inputs(c), 3);
    cfg_free(c);

    /* a bad value in the nested include: its file and line */
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "# the network\nnetwork = { hidden = [7, 0]; };\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    c = cfg_load(path, NULL, 0, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_ne(cfg_validate(c, tables, 2, err, sizeof err), 0);
    char want[512];
    snprintf(want, sizeof want, "%s/sub/net.cfg:2: network.hidden: 0 is out of range", dir);
    ck_assert_msg(strstr(err, want) != NULL, "got '%s', want '%s'", err, want);
    cfg_free(c);

    /* a syntax error in an include, and a cycle */
    write_file(path, HEAT_HEAD HEAT_SIDES "};\n@include \"sub/inc.cfg\"\n");
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "\nnetwork = { hidden = };\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    ck_assert_ptr_null(cfg_load(path, NULL, 0, err, sizeof err));
    snprintf(want, sizeof want, "%s/sub/net.cfg:2: syntax", dir);
    ck_assert_msg(strstr(err, want) != NULL, "got '%s', want '%s'", err, want);
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "@include \"inc.cfg\"\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    ck_assert_ptr_null(cfg_load(path, NULL, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "nested deeper than") != NULL, "%s", err);
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "@include \"/dev/zero\"\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    ck_assert_ptr_null(cfg_load(path, NULL, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "/dev/zero: not a regular file") != NULL, "%s", err);
    snprintf(path, sizeof path, "%s/sub/fifo", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "@include \"fifo\"\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    ck_assert_ptr_null(cfg_load(path, NULL, 0, err, sizeof err)); /* at once, not blocking */
    ck_assert_msg(strstr(err, "fifo: not a regular file") != NULL, "%s", err);
    snprintf(path, sizeof path, "%s/sub/net.cfg", dir);
    write_file(path, "@include \"missing.cfg\"\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    ck_assert_ptr_null(cfg_load(path, NULL, 0, err, sizeof err));
    snprintf(want, sizeof want, "%s/sub/net.cfg:1: @include \"missing.cfg\": ", dir);
    ck_assert_msg(strstr(err, want) != NULL, "got '%s', want '%s'", err, want);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Item 14: a config that can be read only once (a pipe) is read once. */
START_TEST(config_from_pipe_is_read_once)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    const char *text = HEAT_HEAD HEAT_SIDES "};\n";
    ck_assert_int_eq((int)write(fd[1], text, strlen(text)), (int)strlen(text));
    close(fd[1]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fd[0]);
    cfg *c = cfg_load(path, NULL, 0, err, sizeof err);
    close(fd[0]);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_str_eq(cfg_string(c, "problem.type"), "heat");
    cfg_free(c);
}
END_TEST

/* A config that never ends (/dev/zero) or is not text is refused. */
START_TEST(endless_or_binary_config_is_refused)
{
    ck_assert_ptr_null(cfg_load("/dev/zero", NULL, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "/dev/zero: ") != NULL, "%s", err);
    ck_assert_ptr_null(cfg_load("/tmp", NULL, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "/tmp: ") != NULL, "%s", err);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, good_file_gets_defaults);
    tcase_add_test(tc, overrides_replace_and_add);
    tcase_add_loop_test(tc, bad_input_is_reported, 0,
                        (int)(sizeof bad_cases / sizeof *bad_cases));
    tcase_add_test(tc, missing_file_is_reported);
    tcase_add_test(tc, big_integer_in_range_is_kept);
    tcase_add_test(tc, include_is_relative_and_stored);
    tcase_add_test(tc, config_from_pipe_is_read_once);
    tcase_add_test(tc, endless_or_binary_config_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(config_suite)
