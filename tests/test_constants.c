/* tests/test_constants.c - problem.constants: values in file order (a
 * constant may use the ones above it, pi and e), their use in heat and ode
 * expressions (values, ODE Jacobian), --set of a constant, and every
 * mistake with its FILE:LINE: setting message. */
#include <check.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "config/config.h"
#include "config/settings.h"
#include "problems/constants.h"
#include "problems/problem.h"

static char err[1024];

static cfg *load(const char *text, const char *const *over, size_t n_over)
{
    err[0] = '\0';
    cfg *c = cfg_load_string(text, "k.cfg", over, n_over, err, sizeof err);
    if (!c)
        return NULL;
    const problem_type *pt = problem_type_find(cfg_string(c, "problem.type"));
    const setting_spec *tables[] = {run_settings, pt ? pt->settings : run_settings};
    if (cfg_validate(c, tables, 2, err, sizeof err)) {
        cfg_free(c);
        return NULL;
    }
    return c;
}

#define HEAT(consts, initial)                                                                      \
    "problem = {\n"                                                                                \
    "  type = \"heat\";\n"                                                                         \
    "  constants = {" consts "};\n"                                                                \
    "  alpha = 0.4;\n"                                                                             \
    "  x = [0.0, 1.0];\n"                                                                          \
    "  t = [0.0, 1.0];\n"                                                                          \
    "  initial = \"" initial "\";\n"                                                               \
    "  left = { type = \"dirichlet\"; value = \"a\"; };\n"                                          \
    "  right = { type = \"dirichlet\"; };\n"                                                        \
    "  exact = \"a*x + nu*t\";\n"                                                                   \
    "};\n"

START_TEST(constants_in_order)
{
    cfg *c = load(HEAT("\n    nu = \"0.01/pi\";\n    a = \"2*nu + e\";\n    n = 3;\n", "a*sin(n*pi*x)"),
                  NULL, 0);
    ck_assert_msg(c != NULL, "%s", err);
    constants k;
    ck_assert_msg(constants_read(&k, c, NULL, 0, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(k.n, 3);
    ck_assert_str_eq(k.name[0], "nu");
    ck_assert_double_eq_tol(k.value[0], 0.01 / 3.14159265358979323846, 1e-17);
    ck_assert_double_eq_tol(k.value[1], 0.02 / 3.14159265358979323846 + 2.71828182845904523536, 1e-15);
    ck_assert_double_eq(k.value[2], 3.0);
    ck_assert_int_eq(constants_find(&k, "a"), 1);
    ck_assert_int_eq(constants_find(&k, "b"), -1);
    /* the heat type binds them in its expressions */
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    grid g = {0};
    ck_assert_int_eq(p->type->make_grid(p, c, &g), 0);
    double *u = malloc(g.n * sizeof *u);
    ck_assert_int_eq(p->type->exact(p, &g, u), 0);
    for (size_t i = 0; i < g.n; i += 37)
        ck_assert_double_eq_tol(u[i], k.value[1] * g.x[2 * i] + k.value[0] * g.x[2 * i + 1], 1e-14);
    free(u);
    grid_release(&g);
    problem_free(p);
    cfg_free(c);
}
END_TEST

START_TEST(constant_set_on_command_line)
{
    const char *over[] = {"problem.constants.a=5", "problem.constants.b=a*2"};
    cfg *c = load(HEAT("nu = 1;", "0"), over, 2);
    ck_assert_msg(c != NULL, "%s", err);
    constants k;
    ck_assert_msg(constants_read(&k, c, NULL, 0, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(k.n, 3);
    ck_assert_double_eq(k.value[constants_find(&k, "a")], 5.0);
    ck_assert_double_eq(k.value[constants_find(&k, "b")], 10.0);
    cfg_free(c);
}
END_TEST

/* y' = -r y with r a constant: the rhs and its Jacobian see r. */
START_TEST(ode_uses_constants)
{
    cfg *c = load("problem = { type = \"ode\"; constants = { r = \"ln2\"; }; t = [0.0, 1.0];\n"
                  " variables = [\"y\"]; rhs = [\"-r*y\"]; initial = [1.0];\n"
                  " exact = [\"exp(-r*t)\"]; };\n",
                  NULL, 0);
    ck_assert_msg(c != NULL, "%s", err);
    problem *p = problem_create(c, err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    grid g = {0};
    ck_assert_int_eq(p->type->make_grid(p, c, &g), 0);
    double *u = malloc(g.n * sizeof *u), *ref = malloc(g.n * sizeof *ref);
    ck_assert_int_eq(p->type->exact(p, &g, u), 0);
    ck_assert_double_eq_tol(u[g.n - 1], 0.5, 1e-15);
    char method[128];
    ck_assert_msg(p->type->reference(p, c, &g, ref, method, sizeof method, err, sizeof err) == 0,
                  "%s", err);
    for (size_t i = 0; i < g.n; i++)
        ck_assert_double_eq_tol(ref[i], u[i], 1e-8);
    free(u);
    free(ref);
    grid_release(&g);
    problem_free(p);
    cfg_free(c);
}
END_TEST

typedef struct bad_case {
    const char *text;
    const char *expect;
} bad_case;

static const bad_case bad_cases[] = {
    {HEAT("\n  x = 1;", "0"), "k.cfg:4: problem.constants.x: 'x' is already a variable"},
    {HEAT("\n  u = 1;", "0"), "k.cfg:4: problem.constants.u: 'u' is already a variable"},
    {HEAT("\n  sin = 1;", "0"), "k.cfg:4: problem.constants.sin: 'sin' is a function"},
    {HEAT("\n  pi = 3;", "0"), "k.cfg:4: problem.constants.pi: 'pi' is a built-in constant"},
    {HEAT("\n  a = \"1/0\";", "0"), "k.cfg:4: problem.constants.a: evaluates to inf, not a finite"},
    {HEAT("\n  a = \"log(-1)\";", "0"), "problem.constants.a: evaluates to nan"},
    {HEAT("\n  a = \"2*b\";\n  b = 1;", "0"),
     "k.cfg:4: problem.constants.a: unknown variable 'b' at column 3 (allowed: none)"},
    {HEAT("\n  nu = 1;\n  a = \"2*b\";", "0"),
     "k.cfg:5: problem.constants.a: unknown variable 'b' at column 3 (allowed: nu)"},
    {HEAT("\n  a = \"x\";", "0"), "problem.constants.a: unknown variable 'x'"},
    {HEAT("\n  a = \"\";", "0"), "k.cfg:4: problem.constants.a: empty expression"},
    {HEAT("\n  a = [1, 2];", "0"), "k.cfg:4: problem.constants.a: must be an expression"},
    {HEAT("\n  a = { b = 1; };", "0"), "problem.constants.a: must be an expression"},
    {HEAT("a = 1;", "b*x"), "k.cfg:7: problem.initial: unknown variable 'b' at column 1 (allowed: x, a)"},
    {"problem = { type = \"ode\"; constants = { y = 1; }; t = [0.0, 1.0];\n"
     " variables = [\"y\"]; rhs = [\"-y\"]; initial = [1.0]; };\n",
     "k.cfg:1: problem.constants.y: 'y' is already a variable"},
    {"problem = { type = \"ode\"; constants = { t = 1; }; t = [0.0, 1.0];\n"
     " variables = [\"y\"]; rhs = [\"-y\"]; initial = [1.0]; };\n",
     "problem.constants.t: 't' is already a variable"},
};

START_TEST(bad_constant)
{
    const bad_case *b = &bad_cases[_i];
    cfg *c = load(b->text, NULL, 0);
    problem *p = c ? problem_create(c, err, sizeof err) : NULL;
    ck_assert_msg(p == NULL, "case %d accepted", _i);
    ck_assert_msg(strstr(err, b->expect) != NULL, "case %d: got '%s', want '%s'", _i, err,
                  b->expect);
    cfg_free(c);
}
END_TEST

static Suite *constants_suite(void)
{
    Suite *s = suite_create("constants");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, constants_in_order);
    tcase_add_test(tc, constant_set_on_command_line);
    tcase_add_test(tc, ode_uses_constants);
    tcase_add_loop_test(tc, bad_constant, 0, (int)(sizeof bad_cases / sizeof *bad_cases));
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(constants_suite)
