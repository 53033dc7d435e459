/* solver/config/expr.h - expressions from config files (sources, initial and
 * boundary values, ODE right-hand sides, exact solutions, invariants),
 * compiled once through libmatheval and evaluated many times. Not a
 * general-purpose parser: the syntax is libmatheval's, checked here first.
 *
 * Syntax: numbers (1, 2.5, .5, 1e-3), the variables named at compile time,
 * + - * / ^ and unary minus, parentheses, and the functions exp log sqrt
 * sin cos tan cot sec csc asin acos atan acot asec acsc sinh cosh tanh coth
 * sech csch asinh acosh atanh acoth asech acsch abs erf step delta nandelta
 * (log is natural). Constants: e pi pi_2 pi_4 1_pi 2_pi 2_sqrtpi sqrt2
 * sqrt1_2 log2e log10e ln2 ln10 (C's M_* values). '^' is LEFT-associative
 * (2^3^2 = 64) and binds tighter than unary minus (-x^2 = -(x^2)).
 * Newlines and tabs count as spaces. Everything else is rejected here with a
 * column number, before libmatheval sees it: libmatheval itself would echo
 * unknown characters to stdout and leak memory on a syntax error.
 *
 * Threads: compiling (expr_compile, expr_derivative) uses libmatheval's
 * global parser state, so at most one thread may compile at a time. An
 * expression and every derivative taken from it share one table of variable
 * values, so evaluate them from one thread only. Expressions compiled
 * separately (one per thread) may be evaluated on different threads at once.
 */
#ifndef PINN_EXPR_H
#define PINN_EXPR_H
#include <stddef.h>

typedef struct expr expr;

/* Compiles text over the variables names[0..nvars-1] (each a name such as
 * x, t, y1, u_0 that is not a function or constant name; no duplicates).
 * On failure returns NULL and writes a one-line reason to err (if errcap > 0),
 * e.g. "unknown variable 'z' at column 5 (allowed: x, t)" or "cannot parse:
 * expected ')' at column 7". The caller owns the result: expr_free. */
expr *expr_compile(const char *text, const char *const *names, size_t nvars,
                   char *err, size_t errcap);

/* As expr_compile, with nbound more names bnames[] usable in text and bound
 * to the fixed values bvalues[] (copied): named constants. The expression's
 * variables (values passed to expr_eval, expr_derivative's k) are still
 * names[0..nvars-1]. */
expr *expr_compile_bound(const char *text, const char *const *names, size_t nvars,
                         const char *const *bnames, const double *bvalues, size_t nbound,
                         char *err, size_t errcap);

/* "function" or "built-in constant" when name is one of libmatheval's
 * (so it cannot name a variable or constant), else NULL. */
const char *expr_name_kind(const char *name);

/* Value at values[0..nvars-1] (same order as names at compile time). Domain
 * errors give NaN or +-Inf (log(-1) is NaN, 1/0 is Inf), never a crash. */
double expr_eval(const expr *e, const double *values);

/* out[i] = expr_eval(e, points + i*nvars) for i < n; points is n x nvars,
 * row-major. Serial. */
void expr_eval_batch(const expr *e, const double *points, size_t n, double *out);

/* Symbolic derivative with respect to variable names[k], over the same
 * variables. NULL on failure (k out of range; an expression using asinh or
 * acoth, whose derivatives libmatheval 1.1.11 gets wrong). Caller owns it. */
expr *expr_derivative(const expr *e, size_t k, char *err, size_t errcap);

/* The canonical text after libmatheval's simplification, e.g.
 * "((x^2)+(3*t))". Display only: numbers in it are printed with %g, so it
 * may lose precision (exp(1) shows as 2.71828). Owned by e. */
const char *expr_text(const expr *e);

/* Number of variables the expression was compiled over. */
size_t expr_nvars(const expr *e);

/* Nonzero when the simplified expression uses no variable. Conservative:
 * libmatheval does not fold 0*x, so d(x^2)/dt = (0*x) still uses x. */
int expr_is_constant(const expr *e);

/* Nonzero when the expression uses variable names[k]. */
int expr_uses(const expr *e, size_t k);

/* Frees e; NULL is a no-op. */
void expr_free(expr *e);

#endif
