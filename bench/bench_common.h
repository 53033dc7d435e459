/* bench/bench_common.h - what the step benchmarks share: clocks (wall and
 * this thread's CPU time), medians, peak RSS, the thread count, and a setup
 * that builds from a config everything `pinn run` builds before training,
 * so one Adam step is trainer_objective + adam_step. Header-only (static
 * functions) because every bench/bench_*.c is its own program. */
#ifndef PINN_BENCH_COMMON_H
#define PINN_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "mlp.h"
#include "problems/problem.h"
#include "run.h"
#include "train/netopts.h"
#include "train/optim.h"
#include "train/train.h"

static inline double bench_clock_ms(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

/* Wall time, and CPU time of the calling thread: on a shared machine the
 * second leaves out the time other processes held the core. */
static inline double bench_now_ms(void) { return bench_clock_ms(CLOCK_MONOTONIC); }
static inline double bench_cpu_ms(void) { return bench_clock_ms(CLOCK_THREAD_CPUTIME_ID); }

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v; returns the median, the minimum into *min (min may be NULL). */
static inline double bench_median(double *v, size_t n, double *min)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    if (min)
        *min = v[0];
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Peak resident set of this process in MB (VmHWM), -1 if unknown. */
static inline double bench_peak_rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtod(line + 6, NULL);
    if (f)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024.0;
}

/* The 1-minute load average (what else ran on the machine), -1 if unknown. */
static inline double bench_load(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double l = -1;
    if (f && fscanf(f, "%lf", &l) != 1)
        l = -1;
    if (f)
        fclose(f);
    return l;
}

static inline void bench_set_threads(int t)
{
#ifdef _OPENMP
    omp_set_num_threads(t);
#else
    (void)t;
#endif
}

typedef struct bench_setup {
    cfg *c;
    problem *p;
    mlp *net;
    gsl_rng *rng;
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms;
    trainer *tr;
} bench_setup;

static inline void bench_setup_free(bench_setup *s)
{
    trainer_free(s->tr);
    for (size_t k = 0; k < s->n_terms; k++)
        term_release(&s->terms[k]);
    mlp_free(s->net);
    gsl_rng_free(s->rng);
    problem_free(s->p);
    cfg_free(s->c);
    memset(s, 0, sizeof *s);
}

/* Builds everything `pinn run` builds before training, as run.c does, with
 * --set overrides. Workspaces are sized for omp_get_max_threads() now.
 * Returns 0, or -1 with a message on stderr. */
static inline int bench_setup_make(bench_setup *s, const char *file, const char *const *sets,
                                   size_t n_sets)
{
    char err[1024];
    memset(s, 0, sizeof *s);
    if (!(s->c = run_config_load(file, NULL, sets, n_sets, err, sizeof err)) ||
        !(s->p = problem_create(s->c, err, sizeof err)))
        goto fail;
    size_t width[MLP_MAX_LAYERS + 1], nh = cfg_len(s->c, "network.hidden");
    width[0] = s->p->n_in;
    for (size_t l = 0; l < nh; l++)
        width[l + 1] = (size_t)cfg_float_at(s->c, "network.hidden", l);
    width[nh + 1] = s->p->n_out;
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(s->rng, (unsigned long)cfg_int(s->c, "train.seed"));
    mlp_options nopt; /* embeddings and factorization, as run.c */
    if (netopts_from_config(s->c, s->p, &nopt, err, sizeof err))
        goto fail;
    s->net = mlp_alloc_opts(nh + 1, width,
                            mlp_activation_find(cfg_string(s->c, "network.activation")), &nopt);
    if (!s->net) {
        snprintf(err, sizeof err, "cannot make the network");
        goto fail;
    }
    mlp_init(s->net, mlp_initializer_find(cfg_string(s->c, "network.init")), s->rng);
    if (problem_build_terms(s->p, s->c, s->rng, s->terms, &s->n_terms, err, sizeof err))
        goto fail;
    train_options opt = run_train_options(s->c); /* the config's, one Adam step at a time */
    opt.adam_iterations = 1;
    opt.log_every = 1000;
    opt.quiet = 1;
    if (!(s->tr = trainer_alloc(s->p, s->net, s->terms, s->n_terms, s->rng, &opt))) {
        snprintf(err, sizeof err, "out of memory for the trainer");
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "bench: %s: %s\n", file, err);
    bench_setup_free(s);
    return -1;
}

/* One Adam step: the body of trainer_run's Adam loop without its logging. */
static inline void bench_step(bench_setup *s)
{
    trainer_objective(s->tr);
    adam_step(s->tr->adam, s->net->params, s->tr->grad, s->tr->opt.lr);
}

/* Matrix-product flops of one step in the stacked scheme, per term with C
 * channels and n points: every layer's forward product (M = C n), and in
 * backward dW (K = C n) for every layer and G_prev (M = C n) for every layer
 * but the first: 2 M N K each. Nominal (the pass does the input and a
 * one-output layer with cheaper loops), so a rate is comparable across
 * versions and against the README. */
static inline double bench_step_flops(const bench_setup *s)
{
    double f = 0;
    for (size_t t = 0; t < s->n_terms; t++) {
        double rows = (double)(s->terms[t].ch.n * s->terms[t].n);
        for (size_t l = 0; l < s->net->n_layers; l++) {
            double one = 2.0 * rows * (double)s->net->width[l] * (double)s->net->width[l + 1];
            f += l > 0 ? 3 * one : 2 * one;
        }
    }
    return f;
}

#endif
