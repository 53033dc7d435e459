/* solver/config/expr.c - config expressions through libmatheval: a validator that
 * mirrors libmatheval's scanner and grammar (so bad input never reaches it),
 * then compile, evaluate, differentiate. Not an evaluator of its own: the
 * arithmetic and the symbolic derivatives are libmatheval's. */
#include "config/expr.h"
#include <matheval.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting of parentheses, functions and unary minus is refused: no
 * config needs it, and libmatheval recurses once per level. */
#define EXPR_MAX_DEPTH 200
/* libmatheval's simplifier and evaluator recurse once per operator: a chain
 * of ~50000 (a 200 KB sum) overflows an 8 MB stack, and every operator
 * costs time at every point of every step. 1024 operators in 4096
 * characters run under a 256 KB stack (measured with tests/test_expr.c's
 * size_limits), far beyond any config's needs. */
#define EXPR_MAX_LENGTH 4096
#define EXPR_MAX_OPERATORS 1024

struct expr {
    void *ev;          /* the libmatheval evaluator */
    size_t nvars;      /* variables compiled over (the caller's order) */
    size_t nall;       /* nvars, then the bound names (fixed values) */
    char **names;      /* copies of all nall names; owned */
    double *bound;     /* nall - nvars values of the bound names */
    size_t nused;      /* variables the simplified expression references */
    char **used;       /* their names in libmatheval's order; owned by ev */
    size_t *used_at;   /* used[j] takes values[used_at[j]] */
    double *buf;       /* nused values in libmatheval's order (scratch) */
};

/* libmatheval 1.1.11's function and constant names (checked against the
 * library in tests/test_expr.c). */
static const char *const expr_functions[] = {
    "exp", "log", "sqrt", "sin", "cos", "tan", "cot", "sec", "csc", "asin",
    "acos", "atan", "acot", "asec", "acsc", "sinh", "cosh", "tanh", "coth",
    "sech", "csch", "asinh", "acosh", "atanh", "acoth", "asech", "acsch",
    "abs", "step", "delta", "nandelta", "erf", NULL};
static const char *const expr_constants[] = {
    "e", "log2e", "log10e", "ln2", "ln10", "pi", "pi_2", "pi_4", "1_pi",
    "2_pi", "2_sqrtpi", "sqrt2", "sqrt1_2", NULL};

static void expr_seterr(char *err, size_t errcap, const char *fmt, ...)
{
    if (err == NULL || errcap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

static int in_list(const char *const *list, const char *s, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && strncmp(*list, s, len) == 0)
            return 1;
    return 0;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Length of the longest match of libmatheval's number pattern at s:
 * (D+ | D+ '.' D* | D* '.' D+) ([Ee] [+-]? D+)?, 0 if none. */
static size_t number_len(const char *s)
{
    size_t i = 0, digits = 0;
    while (is_digit(s[i])) i++, digits++;
    if (s[i] == '.') {
        size_t j = i + 1;
        while (is_digit(s[j])) j++, digits++;
        i = j;
    }
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-') j++;
        if (is_digit(s[j])) {
            while (is_digit(s[j])) j++;
            i = j;
        }
    }
    return i;
}

enum { T_END, T_NUM, T_VAR, T_FUNC, T_OP, T_LPAREN, T_RPAREN };

typedef struct {
    const char *s;
    size_t pos;              /* where the next token starts scanning */
    int kind;                /* current token */
    size_t start, len;
    const char *const *names;
    size_t nvars;
    int depth;
    int operators;
    char *err;
    size_t errcap;
} expr_parser;

/* Reads the next token into p; -1 (with err) on a character libmatheval's
 * scanner does not match. */
static int lex(expr_parser *p)
{
    const char *s = p->s;
    while (is_space(s[p->pos])) p->pos++;
    p->start = p->pos;
    int c = (unsigned char)s[p->pos];
    size_t n = 0;
    if (c == '\0') {
        p->kind = T_END;
    } else if ((n = number_len(s + p->pos)) > 0) {
        /* flex takes the longest match: "2_pi" is a constant, not "2" */
        for (const char *const *k = expr_constants; *k; k++)
            if (is_digit((unsigned char)**k) && strncmp(s + p->pos, *k, strlen(*k)) == 0
                && strlen(*k) > n)
                n = strlen(*k);
        p->kind = T_NUM;
    } else if (is_alpha(c)) {
        while (is_alpha((unsigned char)s[p->pos + n]) || is_digit((unsigned char)s[p->pos + n]))
            n++;
        p->kind = in_list(expr_functions, s + p->pos, n) ? T_FUNC
                : in_list(expr_constants, s + p->pos, n) ? T_NUM : T_VAR;
    } else if (strchr("+-*/^", c)) {
        p->kind = T_OP, n = 1;
    } else if (c == '(' || c == ')') {
        p->kind = c == '(' ? T_LPAREN : T_RPAREN, n = 1;
    } else {
        if (c >= 0x21 && c < 0x7f)
            expr_seterr(p->err, p->errcap, "cannot parse: unexpected character '%c' at column %zu",
                        c, p->pos + 1);
        else
            expr_seterr(p->err, p->errcap, "cannot parse: unexpected byte 0x%02x at column %zu",
                        c, p->pos + 1);
        return -1;
    }
    p->len = n;
    p->pos += n;
    return 0;
}

static int parse_error(expr_parser *p, const char *what)
{
    if (p->kind == T_END)
        expr_seterr(p->err, p->errcap, "cannot parse: %s at the end", what);
    else
        expr_seterr(p->err, p->errcap, "cannot parse: %s at column %zu, found '%.*s'", what,
                    p->start + 1, (int)p->len, p->s + p->start);
    return -1;
}

static int deeper(expr_parser *p)
{
    if (++p->depth > EXPR_MAX_DEPTH) {
        expr_seterr(p->err, p->errcap, "cannot parse: nested deeper than %d at column %zu",
                    EXPR_MAX_DEPTH, p->start + 1);
        return -1;
    }
    return 0;
}

static int unknown_variable(expr_parser *p)
{
    char *e = p->err;
    size_t cap = p->errcap;
    if (e == NULL || cap == 0)
        return -1;
    int w = snprintf(e, cap, "unknown variable '%.*s' at column %zu (allowed: ", (int)p->len,
                     p->s + p->start, p->start + 1);
    for (size_t k = 0; k < p->nvars && w >= 0 && (size_t)w < cap; k++)
        w += snprintf(e + w, cap - (size_t)w, "%s%s", k ? ", " : "", p->names[k]);
    if (w >= 0 && (size_t)w < cap)
        snprintf(e + w, cap - (size_t)w, "%s)", p->nvars ? "" : "none");
    return -1;
}

static int parse_sum(expr_parser *p);

/* operand: '-'* (number | variable | function '(' sum ')' | '(' sum ')') */
static int parse_operand(expr_parser *p)
{
    int minus = 0;
    while (p->kind == T_OP && p->s[p->start] == '-') {
        if (deeper(p) || lex(p)) return -1;
        minus++;
    }
    switch (p->kind) {
    case T_NUM:
        if (lex(p)) return -1;
        break;
    case T_VAR: {
        size_t k = 0;
        while (k < p->nvars && !(strlen(p->names[k]) == p->len
                                 && strncmp(p->names[k], p->s + p->start, p->len) == 0))
            k++;
        if (k == p->nvars) return unknown_variable(p);
        if (lex(p)) return -1;
        break;
    }
    case T_FUNC:
    case T_LPAREN:
        if (p->kind == T_FUNC) {
            if (lex(p)) return -1;
            if (p->kind != T_LPAREN) return parse_error(p, "expected '(' after a function name");
        }
        if (deeper(p) || lex(p) || parse_sum(p)) return -1;
        if (p->kind != T_RPAREN) return parse_error(p, "expected ')'");
        p->depth--;
        if (lex(p)) return -1;
        break;
    default:
        return parse_error(p, "expected a number, variable, function or '('");
    }
    p->depth -= minus;
    return 0;
}

/* sum: operand (op operand)* ; precedence does not change what is accepted */
static int parse_sum(expr_parser *p)
{
    if (parse_operand(p)) return -1;
    while (p->kind == T_OP) {
        if (++p->operators > EXPR_MAX_OPERATORS) {
            expr_seterr(p->err, p->errcap, "more than %d operators (at column %zu): split it or "
                        "simplify it", EXPR_MAX_OPERATORS, p->start + 1);
            return -1;
        }
        if (lex(p) || parse_operand(p)) return -1;
    }
    return 0;
}

static int expr_validate(const char *text, const char *const *names, size_t nvars,
                         char *err, size_t errcap)
{
    size_t len = strlen(text);
    if (len > EXPR_MAX_LENGTH) {
        expr_seterr(err, errcap, "expression is %zu characters long; at most %d", len,
                    EXPR_MAX_LENGTH);
        return -1;
    }
    expr_parser p = {.s = text, .names = names, .nvars = nvars, .err = err, .errcap = errcap};
    if (lex(&p)) return -1;
    if (p.kind == T_END) {
        expr_seterr(err, errcap, "empty expression");
        return -1;
    }
    if (parse_sum(&p)) return -1;
    if (p.kind != T_END) return parse_error(&p, "expected an operator or the end");
    return 0;
}

static int check_names(const char *const *names, size_t nvars, char *err, size_t errcap)
{
    if (nvars > 0 && names == NULL) {
        expr_seterr(err, errcap, "no variable names for %zu variables", nvars);
        return -1;
    }
    for (size_t k = 0; k < nvars; k++) {
        const char *s = names[k];
        if (s == NULL || !is_alpha((unsigned char)s[0])) {
            expr_seterr(err, errcap, "bad variable name '%s'", s ? s : "(null)");
            return -1;
        }
        for (const char *q = s; *q; q++)
            if (!is_alpha((unsigned char)*q) && !is_digit((unsigned char)*q)) {
                expr_seterr(err, errcap, "bad variable name '%s'", s);
                return -1;
            }
        if (in_list(expr_functions, s, strlen(s)) || in_list(expr_constants, s, strlen(s))) {
            expr_seterr(err, errcap, "bad variable name '%s': a libmatheval %s", s,
                        in_list(expr_functions, s, strlen(s)) ? "function" : "constant");
            return -1;
        }
        for (size_t j = 0; j < k; j++)
            if (strcmp(names[j], s) == 0) {
                expr_seterr(err, errcap, "variable name '%s' given twice", s);
                return -1;
            }
    }
    return 0;
}

/* Wraps evaluator ev (taken over: destroyed on failure) for the variables
 * names[0..nvars-1] followed by nall - nvars names bound to bound[]. */
static expr *expr_wrap(void *ev, const char *const *names, size_t nvars, size_t nall,
                       const double *bound, char *err, size_t errcap)
{
    expr *e = calloc(1, sizeof *e);
    if (e == NULL) {
        evaluator_destroy(ev);
        expr_seterr(err, errcap, "out of memory");
        return NULL;
    }
    e->ev = ev;
    e->nvars = nvars;
    e->nall = nall;
    char **used;
    int nused;
    evaluator_get_variables(ev, &used, &nused);
    e->used = used;
    e->nused = (size_t)nused;
    e->names = calloc(nall ? nall : 1, sizeof *e->names);
    e->bound = calloc(nall > nvars ? nall - nvars : 1, sizeof *e->bound);
    e->used_at = calloc(e->nused ? e->nused : 1, sizeof *e->used_at);
    e->buf = calloc(e->nused ? e->nused : 1, sizeof *e->buf);
    if (e->names == NULL || e->bound == NULL || e->used_at == NULL || e->buf == NULL)
        goto oom;
    for (size_t k = 0; k < nall; k++)
        if ((e->names[k] = strdup(names[k])) == NULL)
            goto oom;
    if (nall > nvars)
        memcpy(e->bound, bound, (nall - nvars) * sizeof *bound);
    for (size_t j = 0; j < e->nused; j++) {
        size_t k = 0;
        while (k < nall && strcmp(names[k], used[j]) != 0) k++;
        if (k == nall) {    /* the validator should have caught this */
            expr_seterr(err, errcap, "unknown variable '%s'", used[j]);
            expr_free(e);
            return NULL;
        }
        e->used_at[j] = k;
    }
    return e;
oom:
    expr_seterr(err, errcap, "out of memory");
    expr_free(e);
    return NULL;
}

static expr *expr_create(const char *text, const char *const *names, size_t nvars, size_t nall,
                         const double *bound, char *err, size_t errcap);

expr *expr_compile(const char *text, const char *const *names, size_t nvars,
                   char *err, size_t errcap)
{
    return expr_compile_bound(text, names, nvars, NULL, NULL, 0, err, errcap);
}

expr *expr_compile_bound(const char *text, const char *const *names, size_t nvars,
                         const char *const *bnames, const double *bvalues, size_t nbound,
                         char *err, size_t errcap)
{
    if (text == NULL) {
        expr_seterr(err, errcap, "no expression");
        return NULL;
    }
    if (nvars > 0 && names == NULL) {
        expr_seterr(err, errcap, "no variable names for %zu variables", nvars);
        return NULL;
    }
    size_t nall = nvars + nbound;
    const char **all = malloc((nall ? nall : 1) * sizeof *all);
    if (all == NULL) {
        expr_seterr(err, errcap, "out of memory");
        return NULL;
    }
    for (size_t k = 0; k < nvars; k++)
        all[k] = names[k];
    for (size_t k = 0; k < nbound; k++)
        all[nvars + k] = bnames[k];
    expr *e = NULL;
    if (check_names(all, nall, err, errcap) == 0 && expr_validate(text, all, nall, err, errcap) == 0)
        e = expr_create(text, all, nvars, nall, bvalues, err, errcap);
    free(all);
    return e;
}

/* Hands text (validated over names) to libmatheval. */
static expr *expr_create(const char *text, const char *const *names, size_t nvars, size_t nall,
                         const double *bound, char *err, size_t errcap)
{
    char *copy = strdup(text);
    if (copy == NULL) {
        expr_seterr(err, errcap, "out of memory");
        return NULL;
    }
    for (char *q = copy; *q; q++)   /* libmatheval ends its input at '\n' */
        if (is_space((unsigned char)*q))
            *q = ' ';
    void *ev = evaluator_create(copy);
    free(copy);
    if (ev == NULL) {
        expr_seterr(err, errcap, "cannot parse (libmatheval rejected it)");
        return NULL;
    }
    return expr_wrap(ev, names, nvars, nall, bound, err, errcap);
}

double expr_eval(const expr *e, const double *values)
{
    for (size_t j = 0; j < e->nused; j++) {
        size_t k = e->used_at[j];
        e->buf[j] = k < e->nvars ? values[k] : e->bound[k - e->nvars];
    }
    return evaluator_evaluate(e->ev, (int)e->nused, e->used, e->buf);
}

void expr_eval_batch(const expr *e, const double *points, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = expr_eval(e, points + i * e->nvars);
}

/* Nonzero when the canonical text calls function fn. */
static int calls(const char *text, const char *fn)
{
    size_t n = strlen(fn);
    for (const char *q = strstr(text, fn); q; q = strstr(q + 1, fn))
        if ((q == text || !(is_alpha((unsigned char)q[-1]) || is_digit((unsigned char)q[-1])))
            && q[n] == '(')
            return 1;
    return 0;
}

expr *expr_derivative(const expr *e, size_t k, char *err, size_t errcap)
{
    if (k >= e->nvars) {
        expr_seterr(err, errcap, "no variable number %zu (the expression has %zu)", k, e->nvars);
        return NULL;
    }
    const char *text = evaluator_get_string(e->ev);
    if (calls(text, "asinh")) {
        expr_seterr(err, errcap, "cannot differentiate asinh (libmatheval gets it wrong); "
                    "write log(u+sqrt(u^2+1)) instead");
        return NULL;
    }
    if (calls(text, "acoth")) {
        expr_seterr(err, errcap, "cannot differentiate acoth (libmatheval gets it wrong); "
                    "write 0.5*log((u+1)/(u-1)) instead");
        return NULL;
    }
    void *d = evaluator_derivative(e->ev, e->names[k]);
    if (d == NULL) {
        expr_seterr(err, errcap, "cannot differentiate '%s' with respect to %s", text, e->names[k]);
        return NULL;
    }
    return expr_wrap(d, (const char *const *)e->names, e->nvars, e->nall, e->bound, err, errcap);
}

const char *expr_text(const expr *e) { return evaluator_get_string(e->ev); }

size_t expr_nvars(const expr *e) { return e->nvars; }

int expr_is_constant(const expr *e)
{
    for (size_t j = 0; j < e->nused; j++)
        if (e->used_at[j] < e->nvars)
            return 0;
    return 1;
}

const char *expr_name_kind(const char *name)
{
    if (name == NULL)
        return NULL;
    if (in_list(expr_functions, name, strlen(name)))
        return "function";
    if (in_list(expr_constants, name, strlen(name)))
        return "built-in constant";
    return NULL;
}

int expr_uses(const expr *e, size_t k)
{
    for (size_t j = 0; j < e->nused; j++)
        if (e->used_at[j] == k)
            return 1;
    return 0;
}

void expr_free(expr *e)
{
    if (e == NULL)
        return;
    if (e->ev)
        evaluator_destroy(e->ev);
    if (e->names)
        for (size_t k = 0; k < e->nall; k++)
            free(e->names[k]);
    free(e->names);
    free(e->bound);
    free(e->used_at);
    free(e->buf);
    free(e);
}
