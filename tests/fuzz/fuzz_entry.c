/* tests/fuzz/fuzz_entry.c - the two fuzzed entry points, shared by the
 * libFuzzer targets (fuzz_config.c, fuzz_expr.c) and the Check test that
 * replays the kept corpus and crashers (tests/test_fuzz_replay.c). Not a
 * test of results: it only drives the code so sanitizers can object. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "config/config.h"
#include "config/expr.h"
#include "problems/problem.h"
#include "run.h"

int fuzz_config_one(const uint8_t *data, size_t size);
int fuzz_expr_one(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

/* LeakSanitizer asks for this at start-up: libconfig 1.5 leaks a string
 * token's buffer when a syntax error follows it (see tests/lsan.supp). */
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

/* Point counts forced small so every input builds its terms in microseconds;
 * the data term is off so an input cannot name /dev/stdin or a huge file. */
static const char *const fuzz_overrides[] = {
    "points.interior=8", "points.boundary=4", "points.initial=4",
    "loss.conservation.times=3", "loss.conservation.nodes=3", "loss.data.enabled=false",
    "output.nx=4", "output.nt=4",
};

/* Config text -> load, validate, problem, terms (and each residual once),
 * grid, exact: what `pinn run` does before training. Returns 0 when the
 * input was accepted. */
int fuzz_config_one(const uint8_t *data, size_t size)
{
    char err[1024];
    char *text = malloc(size + 1);
    if (!text)
        return -1;
    memcpy(text, data, size);
    text[size] = '\0';
    gsl_set_error_handler_off();
    int rc = -1;
    cfg *c = run_config_load("fuzz.cfg", text, fuzz_overrides,
                             sizeof fuzz_overrides / sizeof *fuzz_overrides, err, sizeof err);
    free(text);
    if (!c)
        return -1;
    problem *p = NULL;
    gsl_rng *rng = NULL;
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms = 0;
    grid g = {0};
    memset(terms, 0, sizeof terms);
    if (!(p = problem_create(c, err, sizeof err)))
        goto done;
    term_plan plans[PROBLEM_MAX_TERMS];
    size_t n_plans = p->type->plan_terms(p, c, plans);
    if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)))
        goto done;
    if (problem_build_terms(p, c, rng, terms, &n_terms, err, sizeof err))
        goto done;
    if (n_plans != n_terms)
        abort(); /* plan_terms and build_terms disagree on the terms */
    /* Each residual once, with a network output of zeros in every channel. */
    for (size_t k = 0; k < n_terms; k++) {
        size_t len = terms[k].ch.n * terms[k].n * p->n_out;
        double *out = calloc(len ? len : 1, sizeof *out);
        double *gout = calloc(len ? len : 1, sizeof *gout);
        if (out && gout)
            (void)terms[k].loss(&terms[k], p, out, gout);
        free(out);
        free(gout);
    }
    if (p->type->make_grid(p, c, &g))
        goto done;
    double *u = malloc(g.n * p->n_out * sizeof *u);
    if (u)
        p->type->exact(p, &g, u);
    free(u);
    rc = 0;
done:
    grid_release(&g);
    for (size_t k = 0; k < n_terms; k++)
        term_release(&terms[k]);
    gsl_rng_free(rng);
    problem_free(p);
    cfg_free(c);
    return rc;
}

/* First byte: how many of x, t, y are variables (1-3); the rest: expression
 * text. Compiles, evaluates at three points, differentiates by each variable
 * and evaluates that. Returns 0 when the text compiled. */
int fuzz_expr_one(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"x", "t", "y"};
    static const double at[3][3] = {{0.0, 0.0, 0.0}, {0.5, -1.25, 3.0}, {-2.0, 1e3, 1e-3}};
    if (size < 1)
        return -1;
    size_t nv = 1 + data[0] % 3;
    char *text = malloc(size);
    if (!text)
        return -1;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char err[256];
    expr *e = expr_compile(text, names, nv, err, sizeof err);
    free(text);
    if (!e)
        return -1;
    volatile double sink = 0.0;
    for (size_t i = 0; i < 3; i++)
        sink += expr_eval(e, at[i]);
    (void)expr_text(e);
    for (size_t k = 0; k < nv; k++) {
        expr *d = expr_derivative(e, k, err, sizeof err);
        if (!d)
            continue;
        for (size_t i = 0; i < 3; i++)
            sink += expr_eval(d, at[i]);
        (void)expr_text(d);
        expr_free(d);
    }
    (void)sink;
    expr_free(e);
    return 0;
}
