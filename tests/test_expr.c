/* tests/test_expr.c - solver/config/expr: values, constants, symbolic derivatives
 * (against hand-written ones and central differences), every error path, and
 * that bad input never reaches libmatheval (which would print or leak). */
#define _XOPEN_SOURCE 700  /* M_PI and the other M_* constants */
#include <check.h>
#include <math.h>
#include <matheval.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check_main.h"
#include "config/expr.h"

static const char *const XT[] = {"x", "t"};

/* relative closeness with a floor of 1 on the scale */
static int close_to(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}

static expr *compile_ok(const char *text, const char *const *names, size_t n)
{
    char err[256] = "";
    expr *e = expr_compile(text, names, n, err, sizeof err);
    ck_assert_msg(e != NULL, "'%s' did not compile: %s", text, err);
    return e;
}

START_TEST(polynomial_values)
{
    static const struct { const char *text; double x, t, want; } cases[] = {
        {"x^2 + 3*x*t", 2, 3, 22},
        {"1 - x + x^2/2 - x^3/6", 0.5, 0, 1 - 0.5 + 0.125 - 0.125 / 6},
        {"(x - 1)*(x + 1) - t", 4, 5, 10},
        {"-x^2", 3, 0, -9},           /* ^ binds tighter than unary minus */
        {"2^3^2", 0, 0, 64},          /* ^ is left-associative in libmatheval */
        {"x*-t", 2, 3, -6},
        {"--x", 7, 0, 7},
        {"1.5e-3*x + .5 + 5.", 1000, 0, 7},
        {"t/x/2", 2, 8, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        expr *e = compile_ok(cases[i].text, XT, 2);
        double v[2] = {cases[i].x, cases[i].t};
        /* a few roundings at most */
        ck_assert_msg(close_to(expr_eval(e, v), cases[i].want, 1e-14), "%s = %.17g, want %.17g",
                      cases[i].text, expr_eval(e, v), cases[i].want);
        expr_free(e);
    }
}
END_TEST

START_TEST(functions_match_libm)
{
    static const struct { const char *text; double (*f)(double); double x; } cases[] = {
        {"sin(x)", sin, 0.7}, {"cos(x)", cos, 0.7}, {"tan(x)", tan, 0.7},
        {"exp(x)", exp, -1.3}, {"log(x)", log, 2.5}, {"sqrt(x)", sqrt, 2.0},
        {"atan(x)", atan, 3.0}, {"tanh(x)", tanh, 0.4}, {"sinh(x)", sinh, 0.4},
        {"abs(x)", fabs, -2.5}, {"erf(x)", erf, 0.3}, {"asin(x)", asin, 0.3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        expr *e = compile_ok(cases[i].text, XT, 2);
        double v[2] = {cases[i].x, 0};
        /* libmatheval calls the same libm function: equal to rounding */
        ck_assert_msg(close_to(expr_eval(e, v), cases[i].f(cases[i].x), 1e-15), "%s",
                      cases[i].text);
        expr_free(e);
    }
    expr *e = compile_ok("x^t", XT, 2);
    double v[2] = {2.5, 1.7};
    ck_assert(close_to(expr_eval(e, v), pow(2.5, 1.7), 1e-15));
    expr_free(e);
}
END_TEST

START_TEST(constants)
{
    static const struct { const char *name; double value; } cases[] = {
        {"pi", M_PI}, {"e", M_E}, {"pi_2", M_PI_2}, {"pi_4", M_PI_4}, {"1_pi", M_1_PI},
        {"2_pi", M_2_PI}, {"2_sqrtpi", M_2_SQRTPI}, {"sqrt2", M_SQRT2},
        {"sqrt1_2", M_SQRT1_2}, {"log2e", M_LOG2E}, {"log10e", M_LOG10E},
        {"ln2", M_LN2}, {"ln10", M_LN10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        expr *e = compile_ok(cases[i].name, NULL, 0);
        ck_assert(expr_is_constant(e));
        ck_assert_msg(expr_eval(e, NULL) == cases[i].value, "%s", cases[i].name);  /* exact */
        expr_free(e);
    }
    expr *e = compile_ok("sin(pi*x) * e^t", XT, 2);
    double v[2] = {0.25, 1};
    ck_assert(close_to(expr_eval(e, v), sin(M_PI * 0.25) * M_E, 1e-15));
    expr_free(e);
    /* constants are case-sensitive: PI and E are (unknown) variables */
    char err[256];
    ck_assert_ptr_null(expr_compile("PI", XT, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "unknown variable 'PI'"));
}
END_TEST

START_TEST(variable_order_is_the_callers)
{
    static const char *const TX[] = {"t", "x"};
    expr *a = compile_ok("t - 2*x", XT, 2), *b = compile_ok("t - 2*x", TX, 2);
    double xt[2] = {1.5, 10}, tx[2] = {10, 1.5};
    ck_assert(expr_eval(a, xt) == 7.0 && expr_eval(b, tx) == 7.0);
    ck_assert(expr_uses(a, 0) && expr_uses(a, 1));
    expr_free(a), expr_free(b);
    /* a variable that is allowed but unused costs nothing and is ignored */
    static const char *const Y[] = {"t", "y1", "y2", "y3"};
    expr *e = compile_ok("y3 - y1", Y, 4);
    double v[4] = {100, 1, 1000, 5};
    ck_assert(expr_eval(e, v) == 4.0);
    ck_assert(!expr_uses(e, 0) && expr_uses(e, 1) && !expr_uses(e, 2) && expr_uses(e, 3));
    ck_assert_uint_eq(expr_nvars(e), 4);
    expr_free(e);
}
END_TEST

START_TEST(batch_matches_single)
{
    expr *e = compile_ok("exp(-t)*sin(pi*x)", XT, 2);
    double pts[10][2], out[10];
    for (int i = 0; i < 10; i++)
        pts[i][0] = 0.1 * i, pts[i][1] = 0.05 * i;
    expr_eval_batch(e, &pts[0][0], 10, out);
    for (int i = 0; i < 10; i++) {
        ck_assert(out[i] == expr_eval(e, pts[i]));
        ck_assert(close_to(out[i], exp(-0.05 * i) * sin(M_PI * 0.1 * i), 1e-15));
    }
    expr_free(e);
}
END_TEST

START_TEST(is_constant_and_text)
{
    expr *e = compile_ok("sin(pi/2) + 1", XT, 2);
    ck_assert(expr_is_constant(e));
    ck_assert(expr_eval(e, (double[]){0, 0}) == 2.0);
    expr_free(e);
    e = compile_ok("x^2+3*x*t", XT, 2);
    ck_assert(!expr_is_constant(e));
    ck_assert_str_eq(expr_text(e), "((x^2)+((3*x)*t))");
    expr_free(e);
    /* newlines (multi-line config strings) are spaces */
    e = compile_ok("x\n + t\r\n\t* 2", XT, 2);
    ck_assert(expr_eval(e, (double[]){1, 2}) == 5.0);
    expr_free(e);
}
END_TEST

START_TEST(nan_and_inf_are_values)
{
    expr *e = compile_ok("log(x)", XT, 2);
    ck_assert(isnan(expr_eval(e, (double[]){-1, 0})));
    ck_assert(isinf(expr_eval(e, (double[]){0, 0})));
    expr_free(e);
    e = compile_ok("log(-1)", NULL, 0);   /* folded to NaN at compile time */
    ck_assert(isnan(expr_eval(e, NULL)));
    expr_free(e);
    e = compile_ok("sqrt(x) + 1/t", XT, 2);
    ck_assert(isnan(expr_eval(e, (double[]){-4, 1})));
    ck_assert(isinf(expr_eval(e, (double[]){4, 0})));
    ck_assert(isnan(expr_eval(e, (double[]){NAN, 1})));
    expr_free(e);
}
END_TEST

/* d/dx against hand-written derivatives at several points */
START_TEST(derivatives_match_hand_written)
{
    static const char *const cases[] = {
        "x^3 - 2*x*t", "sin(x)*exp(-t)", "log(x^2 + t)", "sqrt(x)*t", "x^x",
    };
    double xs[] = {0.3, 1.1, 2.7}, t = 0.6;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        expr *e = compile_ok(cases[i], XT, 2);
        char err[256];
        expr *d = expr_derivative(e, 0, err, sizeof err);
        ck_assert_msg(d != NULL, "%s", err);
        for (size_t j = 0; j < 3; j++) {
            double x = xs[j], want;
            switch (i) {
            case 0: want = 3 * x * x - 2 * t; break;
            case 1: want = cos(x) * exp(-t); break;
            case 2: want = 2 * x / (x * x + t); break;
            case 3: want = t / (2 * sqrt(x)); break;
            default: want = pow(x, x) * (log(x) + 1); break;
            }
            double got = expr_eval(d, (double[]){x, t});
            /* the symbolic form differs from ours only in rounding order */
            ck_assert_msg(close_to(got, want, 1e-13), "d/dx %s at %g: %.17g vs %.17g",
                          cases[i], x, got, want);
        }
        expr_free(d);
        expr_free(e);
    }
}
END_TEST

/* every function libmatheval differentiates, against central differences */
START_TEST(derivatives_match_finite_differences)
{
    static const struct { const char *f; double x; } cases[] = {
        {"exp", 0.3}, {"log", 0.7}, {"sqrt", 0.7}, {"sin", 0.3}, {"cos", 0.3}, {"tan", 0.3},
        {"cot", 0.4}, {"sec", 0.4}, {"csc", 0.4}, {"asin", 0.3}, {"acos", 0.3},
        {"atan", 0.3}, {"acot", 0.3}, {"asec", -2.0}, {"acsc", 2.0}, {"sinh", 0.4},
        {"cosh", 0.4}, {"tanh", 0.4}, {"coth", 0.4}, {"sech", 0.4}, {"csch", -0.4},
        {"acosh", 2.0}, {"atanh", 0.5}, {"asech", 0.5}, {"acsch", -0.7}, {"abs", -1.0},
        {"erf", 0.4}, {"step", 0.5},
    };
    const double h = 1e-5;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[64], err[256];
        /* an inner function of t as well, to exercise the chain rule */
        snprintf(text, sizeof text, "%s(x*t) + x^2", cases[i].f);
        expr *e = compile_ok(text, XT, 2);
        expr *dx = expr_derivative(e, 0, err, sizeof err);
        expr *dt = expr_derivative(e, 1, err, sizeof err);
        ck_assert_msg(dx && dt, "%s: %s", text, err);
        double x = cases[i].x / 0.9, t = 0.9;
        double fd_x = (expr_eval(e, (double[]){x + h, t}) - expr_eval(e, (double[]){x - h, t})) / (2 * h);
        double fd_t = (expr_eval(e, (double[]){x, t + h}) - expr_eval(e, (double[]){x, t - h})) / (2 * h);
        /* central difference: O(h^2 f''') ~ 1e-9 truncation + eps/h ~ 1e-11 rounding */
        ck_assert_msg(close_to(expr_eval(dx, (double[]){x, t}), fd_x, 1e-7), "d/dx %s: %.12g vs %.12g",
                      text, expr_eval(dx, (double[]){x, t}), fd_x);
        ck_assert_msg(close_to(expr_eval(dt, (double[]){x, t}), fd_t, 1e-7), "d/dt %s", text);
        expr_free(dx), expr_free(dt), expr_free(e);
    }
}
END_TEST

START_TEST(derivative_edge_cases)
{
    char err[256];
    expr *e = compile_ok("sin(x)*t", XT, 2);
    /* second derivative, and a derivative outliving its parent */
    expr *d1 = expr_derivative(e, 0, err, sizeof err);
    expr *d2 = expr_derivative(d1, 0, err, sizeof err);
    expr_free(e);
    expr_free(d1);
    ck_assert(close_to(expr_eval(d2, (double[]){0.8, 3}), -3 * sin(0.8), 1e-15));
    expr_free(d2);
    /* with respect to an unused variable: zero, but libmatheval leaves it as
     * (0*x), so it is not reported constant (and is NaN at x = inf) */
    e = compile_ok("x^2", XT, 2);
    expr *dt = expr_derivative(e, 1, err, sizeof err);
    ck_assert_str_eq(expr_text(dt), "(0*x)");
    ck_assert(!expr_is_constant(dt) && expr_eval(dt, (double[]){5, 5}) == 0.0);
    expr_free(dt);
    ck_assert_ptr_null(expr_derivative(e, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "no variable number 2"));
    expr_free(e);
    /* refused where libmatheval 1.1.11 is wrong */
    e = compile_ok("asinh(x) + 1", XT, 2);
    ck_assert_ptr_null(expr_derivative(e, 0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "asinh"));
    expr_free(e);
    e = compile_ok("t*acoth(x)", XT, 2);
    ck_assert_ptr_null(expr_derivative(e, 1, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "acoth"));
    expr_free(e);
    /* but asinh/acoth values are fine */
    e = compile_ok("asinh(x)", XT, 2);
    ck_assert(close_to(expr_eval(e, (double[]){0.7, 0}), asinh(0.7), 1e-15));
    expr_free(e);
}
END_TEST

/* Why the refusal above exists. If this starts failing, libmatheval has been
 * fixed and expr_derivative may allow asinh and acoth again. */
START_TEST(libmatheval_still_gets_asinh_acoth_wrong)
{
    void *f = evaluator_create("asinh(x)"), *df = evaluator_derivative(f, "x");
    double right = 1 / sqrt(1 + 0.49);
    ck_assert(fabs(evaluator_evaluate_x(df, 0.7) - right) > 0.1);
    evaluator_destroy(df), evaluator_destroy(f);
    f = evaluator_create("acoth(x)"), df = evaluator_derivative(f, "x");
    right = 1 / (1 - 4.0);
    ck_assert(fabs(evaluator_evaluate_x(df, 2.0) - right) > 0.1);
    evaluator_destroy(df), evaluator_destroy(f);
}
END_TEST

/* our function and constant tables agree with the library's */
START_TEST(tables_match_libmatheval)
{
    static const char *const fns[] = {"exp", "log", "sqrt", "sin", "cos", "tan", "cot", "sec",
        "csc", "asin", "acos", "atan", "acot", "asec", "acsc", "sinh", "cosh", "tanh", "coth",
        "sech", "csch", "asinh", "acosh", "atanh", "acoth", "asech", "acsch", "abs", "step",
        "delta", "nandelta", "erf"};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        char text[32];
        snprintf(text, sizeof text, "%s(x)", fns[i]);
        void *ev = evaluator_create(text);   /* "name(x)" only parses for a function */
        ck_assert_msg(ev != NULL, "%s", fns[i]);
        evaluator_destroy(ev);
        /* ours: accepted as a function, refused as a variable name */
        expr *e = compile_ok(text, XT, 2);
        expr_free(e);
        char err[256];
        ck_assert_ptr_null(expr_compile("1", (const char *const[]){fns[i]}, 1, err, sizeof err));
        ck_assert_ptr_nonnull(strstr(err, "a libmatheval function"));
    }
}
END_TEST

START_TEST(unknown_variable_is_named)
{
    char err[256] = "";
    ck_assert_ptr_null(expr_compile("x + 2*z", XT, 2, err, sizeof err));
    ck_assert_str_eq(err, "unknown variable 'z' at column 7 (allowed: x, t)");
    ck_assert_ptr_null(expr_compile("y", NULL, 0, err, sizeof err));
    ck_assert_str_eq(err, "unknown variable 'y' at column 1 (allowed: none)");
    /* names that look like other things are still variables to libmatheval */
    ck_assert_ptr_null(expr_compile("sign(x)", XT, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'sign'"));
    ck_assert_ptr_null(expr_compile("pix", XT, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'pix'"));
    /* a small buffer truncates, never overflows */
    char small[12];
    ck_assert_ptr_null(expr_compile("x + q", XT, 2, small, sizeof small));
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_ptr_null(expr_compile("x + q", XT, 2, NULL, 0));
}
END_TEST

START_TEST(syntax_errors_have_positions)
{
    static const struct { const char *text, *msg; } cases[] = {
        {"x+", "expected a number, variable, function or '(' at the end"},
        {"sin(x", "expected ')' at the end"},
        {"(x", "expected ')' at the end"},
        {"x)", "expected an operator or the end at column 2, found ')'"},
        {"2x", "at column 2, found 'x'"},
        {"x t", "at column 3, found 't'"},
        {"sin x", "expected '(' after a function name at column 5"},
        {"sin", "expected '(' after a function name at the end"},
        {"+x", "at column 1, found '+'"},
        {"x**2", "at column 3, found '*'"},
        {"x $ t", "unexpected character '$' at column 3"},
        {"x; t", "unexpected character ';' at column 2"},
        {"x = 1", "unexpected character '=' at column 3"},
        {"pow(x,2)", "unknown variable 'pow' at column 1"},
        {"sin(x,2)", "unexpected character ',' at column 6"},
        {"x[1]", "unexpected character '['"},
        {"x.", "unexpected character '.' at column 2"},
        {".e1", "unexpected character '.' at column 1"},
        {"1e", "at column 2, found 'e'"},
        {"2_pix", "at column 5, found 'x'"},
        {"x + \xc3\xa9", "unexpected byte 0xc3 at column 5"},
        {"()", "at column 2, found ')'"},
        {"x^", "at the end"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[256] = "";
        ck_assert_msg(expr_compile(cases[i].text, XT, 2, err, sizeof err) == NULL, "%s",
                      cases[i].text);
        ck_assert_msg(strstr(err, cases[i].msg) != NULL, "'%s': got \"%s\", want \"%s\"",
                      cases[i].text, err, cases[i].msg);
    }
}
END_TEST

START_TEST(empty_and_null_rejected)
{
    char err[256];
    ck_assert_ptr_null(expr_compile("", XT, 2, err, sizeof err));
    ck_assert_str_eq(err, "empty expression");
    ck_assert_ptr_null(expr_compile(" \t\n", XT, 2, err, sizeof err));
    ck_assert_str_eq(err, "empty expression");
    ck_assert_ptr_null(expr_compile(NULL, XT, 2, err, sizeof err));
    ck_assert_str_eq(err, "no expression");
    expr_free(NULL);
}
END_TEST

START_TEST(bad_variable_names_rejected)
{
    char err[256];
    ck_assert_ptr_null(expr_compile("x", (const char *const[]){"x", "x"}, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'x' given twice"));
    ck_assert_ptr_null(expr_compile("1", (const char *const[]){"e"}, 1, err, sizeof err));
    ck_assert_str_eq(err, "bad variable name 'e': a libmatheval constant");
    ck_assert_ptr_null(expr_compile("1", (const char *const[]){"2x"}, 1, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "'2x'"));
    ck_assert_ptr_null(expr_compile("1", (const char *const[]){"a-b"}, 1, err, sizeof err));
    ck_assert_ptr_null(expr_compile("1", (const char *const[]){""}, 1, err, sizeof err));
    ck_assert_ptr_null(expr_compile("1", (const char *const[]){NULL}, 1, err, sizeof err));
    ck_assert_ptr_null(expr_compile("1", NULL, 2, err, sizeof err));
    ck_assert_str_eq(err, "no variable names for 2 variables");
    /* valid unusual names */
    expr *e = compile_ok("_a + y_10 + E", (const char *const[]){"_a", "y_10", "E"}, 3);
    ck_assert(expr_eval(e, (double[]){1, 2, 3}) == 6.0);
    expr_free(e);
}
END_TEST

START_TEST(nesting_limit)
{
    char text[1024];
    size_t n = 0;
    for (int i = 0; i < 150; i++) text[n++] = '(';
    text[n++] = 'x';
    for (int i = 0; i < 150; i++) text[n++] = ')';
    text[n] = '\0';
    expr *e = compile_ok(text, XT, 2);
    ck_assert(expr_eval(e, (double[]){4, 0}) == 4.0);
    expr_free(e);
    n = 0;
    for (int i = 0; i < 300; i++) text[n++] = '-';
    text[n++] = 'x';
    text[n] = '\0';
    char err[256];
    ck_assert_ptr_null(expr_compile(text, XT, 2, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "nested deeper than 200"));
}
END_TEST

/* Issue 19 item 1: libmatheval's simplifier recurses once per operator and
 * overflows the stack near 50000 of them (the red team's 150000 "+0*y"
 * crashed); every step costs time per operator too. Expressions are
 * bounded: EXPR_MAX_LENGTH characters, EXPR_MAX_OPERATORS operators. */
START_TEST(size_limits)
{
    size_t cap = 700000;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "2*x*(1 - x)");
    char *end = text + strlen(text);
    for (int i = 0; i < 150000; i++, end += 4)
        memcpy(end, "+0*x", 5);
    char err[256];
    ck_assert_ptr_null(expr_compile(text, XT, 2, err, sizeof err));
    ck_assert_msg(strstr(err, "characters long; at most 4096") != NULL, "%s", err);
    /* short enough, but too many operators */
    strcpy(text, "x");
    for (int i = 0; i < 1100; i++)
        strcat(text, "+x");
    ck_assert_ptr_null(expr_compile(text, XT, 2, err, sizeof err));
    ck_assert_msg(strstr(err, "more than 1024 operators") != NULL, "%s", err);
    /* at the limits it compiles, differentiates and evaluates */
    strcpy(text, "x");
    for (int i = 0; i < 1024; i++)
        strcat(text, "+x");
    expr *e = compile_ok(text, XT, 2);
    expr *d = expr_derivative(e, 0, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    ck_assert(expr_eval(e, (double[]){1, 0}) == 1025.0);
    ck_assert(expr_eval(d, (double[]){1, 0}) == 1025.0);
    expr_free(d);
    expr_free(e);
    free(text);
}
END_TEST

/* Nothing is printed on bad input (libmatheval's scanner would echo '$' etc.
 * to stdout if it ever saw them). */
START_TEST(bad_input_prints_nothing)
{
    char path[] = "/tmp/pinn-expr-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stdout), fflush(stderr);
    int out = dup(1), errfd = dup(2);
    dup2(fd, 1), dup2(fd, 2);
    static const char *const bad[] = {"x $ t", "a;b", "x = 1", ".e1", "\xc3\xa9", "x+", "sin(", "{x}"};
    char err[128];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_ptr_null(expr_compile(bad[i], XT, 2, err, sizeof err));
    fflush(stdout), fflush(stderr);
    dup2(out, 1), dup2(errfd, 2);
    close(out), close(errfd);
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    ck_assert_int_eq(size, 0);
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, polynomial_values);
    tcase_add_test(tc, functions_match_libm);
    tcase_add_test(tc, constants);
    tcase_add_test(tc, variable_order_is_the_callers);
    tcase_add_test(tc, batch_matches_single);
    tcase_add_test(tc, is_constant_and_text);
    tcase_add_test(tc, nan_and_inf_are_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("derivatives");
    tcase_add_test(tc, derivatives_match_hand_written);
    tcase_add_test(tc, derivatives_match_finite_differences);
    tcase_add_test(tc, derivative_edge_cases);
    tcase_add_test(tc, libmatheval_still_gets_asinh_acoth_wrong);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, tables_match_libmatheval);
    tcase_add_test(tc, unknown_variable_is_named);
    tcase_add_test(tc, syntax_errors_have_positions);
    tcase_add_test(tc, empty_and_null_rejected);
    tcase_add_test(tc, bad_variable_names_rejected);
    tcase_add_test(tc, nesting_limit);
    tcase_add_test(tc, size_limits);
    tcase_add_test(tc, bad_input_prints_nothing);
    suite_add_tcase(s, tc);
    return s;
}

PINN_CHECK_MAIN(expr_suite)
