/* bench/bench_step.c - milliseconds per Adam step of a config (default
 * configs/heat1d.cfg) through the real solver code: the config and problem
 * API build the terms, the trainer's objective (forward, loss, backward of
 * every term) plus adam_step is one step. Prints the median and the minimum
 * at 1 and 2 threads, the step's matrix-product GFLOP/s next to OpenBLAS
 * dgemm and the fast pass's own kernel on the same shapes, and peak RSS.
 * Not a test: it asserts nothing; numbers depend on the machine and its load.
 *
 *   bench_step [CONFIG] [--threads N] [--reps R] [--set path=value ...]
 * With --threads only that count is measured and one line is printed (the
 * scaling script runs one process per configuration for an honest RSS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "mlp.h"
#include "mlp_internal.h"
#include "train/optim.h"
#include "problems/problem.h"
#include "run.h"
#include "train/train.h"

#define MAX_SET 32

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v; returns the median, the minimum into *min. */
static double median(double *v, size_t n, double *min)
{
    qsort(v, n, sizeof *v, cmp_double);
    *min = v[0];
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Peak resident set of this process in MB (VmHWM), -1 if unknown. */
static double peak_rss_mb(void)
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

/* One product shape of the step: M x N x K, counted `times` times. */
typedef struct prod {
    size_t M, N, K;
} prod;

/* The matrix products of one step in the stacked scheme, per term with C
 * channels and n points: every layer's forward product (M = C n), and in
 * backward dW (K = C n) for every layer and G_prev (M = C n) for every layer
 * but the first. Returns the count written to p (at most cap). */
static size_t step_products(const mlp *net, const term *terms, size_t n_terms, prod *p,
                            size_t cap)
{
    size_t k = 0;
    for (size_t t = 0; t < n_terms; t++) {
        size_t rows = terms[t].ch.n * terms[t].n;
        for (size_t l = 0; l < net->n_layers && k + 3 <= cap; l++) {
            size_t wi = net->width[l], wo = net->width[l + 1];
            p[k++] = (prod){rows, wo, wi};
            p[k++] = (prod){wo, wi, rows};
            if (l > 0)
                p[k++] = (prod){rows, wi, wo};
        }
    }
    return k;
}

static double prod_flops(const prod *p, size_t n)
{
    double f = 0;
    for (size_t i = 0; i < n; i++)
        f += 2.0 * (double)p[i].M * (double)p[i].N * (double)p[i].K;
    return f;
}

/* Median ms of reps runs of every product, by OpenBLAS dgemm (kernel 0) or
 * the fast pass's own kernel (kernel 1), on full-size operands. */
static double time_products(const prod *p, size_t np, size_t reps, int kernel, double *min)
{
    size_t big = 0;
    for (size_t i = 0; i < np; i++) {
        size_t a = p[i].M * p[i].K, b = p[i].K * p[i].N, c = p[i].M * p[i].N;
        size_t m = a > b ? a : b;
        m = m > c ? m : c;
        big = m > big ? m : big;
    }
    double *A = malloc(big * sizeof *A), *B = malloc(big * sizeof *B), *C = malloc(big * sizeof *C);
    double *t = malloc(reps * sizeof *t);
    for (size_t i = 0; i < big; i++)
        A[i] = B[i] = 1e-3 * (double)(i % 97);
    for (size_t r = 0; r < reps + 2; r++) {
        double t0 = now_ms();
        for (size_t i = 0; i < np; i++) {
            int M = (int)p[i].M, N = (int)p[i].N, K = (int)p[i].K;
            if (kernel == 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, A, K, B, N,
                            0.0, C, N);
            else
                mlp_gemm(p[i].M, p[i].N, p[i].K, A, p[i].K, 1, B, p[i].N, C, p[i].N, 0);
        }
        if (r >= 2)
            t[r - 2] = now_ms() - t0;
    }
    double m = median(t, reps, min);
    free(A);
    free(B);
    free(C);
    free(t);
    return m;
}

typedef struct setup {
    cfg *c;
    problem *p;
    mlp *net;
    gsl_rng *rng;
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms;
    trainer *tr;
} setup;

static void setup_free(setup *s)
{
    trainer_free(s->tr);
    for (size_t k = 0; k < s->n_terms; k++)
        term_release(&s->terms[k]);
    mlp_free(s->net);
    gsl_rng_free(s->rng);
    problem_free(s->p);
    cfg_free(s->c);
}

/* Builds everything `pinn run` builds before training, as run.c does. */
static int setup_make(setup *s, const char *file, const char *const *sets, size_t n_sets)
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
    s->net = mlp_alloc(nh + 1, width, mlp_activation_find(cfg_string(s->c, "network.activation")));
    if (!s->net) {
        snprintf(err, sizeof err, "cannot make the network");
        goto fail;
    }
    mlp_init(s->net, mlp_initializer_find(cfg_string(s->c, "network.init")), s->rng);
    if (problem_build_terms(s->p, s->c, s->rng, s->terms, &s->n_terms, err, sizeof err))
        goto fail;
    train_options opt = {
        .adam_iterations = 1, .lr = cfg_float(s->c, "train.adam.lr"),
        .beta1 = cfg_float(s->c, "train.adam.beta1"), .beta2 = cfg_float(s->c, "train.adam.beta2"),
        .epsilon = cfg_float(s->c, "train.adam.epsilon"), .log_every = 1000,
        .scale_inputs = cfg_bool(s->c, "network.scale_inputs"), .quiet = 1,
    };
    if (!(s->tr = trainer_alloc(s->p, s->net, s->terms, s->n_terms, s->rng, &opt))) {
        snprintf(err, sizeof err, "out of memory for the trainer");
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "bench_step: %s\n", err);
    setup_free(s);
    return -1;
}

/* Median (and min) ms of one Adam step: trainer_objective + adam_step, the
 * body of trainer_run's Adam loop without its logging; 10 warm-up steps
 * (1 when reps < 20). */
static double time_steps(setup *s, size_t reps, double *min)
{
    double *t = malloc(reps * sizeof *t);
    const size_t warm = reps < 20 ? 1 : 10;
    for (size_t r = 0; r < reps + warm; r++) {
        double t0 = now_ms();
        trainer_objective(s->tr);
        adam_step(s->tr->adam, s->net->params, s->tr->grad, s->tr->opt.lr);
        if (r >= warm)
            t[r - warm] = now_ms() - t0;
    }
    double m = median(t, reps, min);
    free(t);
    return m;
}

static void set_threads(int t)
{
#ifdef _OPENMP
    omp_set_num_threads(t);
#else
    (void)t;
#endif
}

int main(int argc, char **argv)
{
    const char *file = "configs/heat1d.cfg";
    const char *sets[MAX_SET];
    size_t n_sets = 0, reps = 200;
    int threads = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc && n_sets < MAX_SET)
            sets[n_sets++] = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = (size_t)atol(argv[++i]);
        else
            file = argv[i];
    }
    if (reps < 1)
        reps = 1;
    openblas_set_num_threads(1); /* as pinn's main does */
    set_threads(threads > 0 ? threads : 2); /* workspaces are sized for this many */
    setup s;
    if (setup_make(&s, file, sets, n_sets))
        return 1;
    size_t pts = 0;
    for (size_t k = 0; k < s.n_terms; k++)
        pts += s.terms[k].n;
    prod pr[3 * MLP_MAX_LAYERS * PROBLEM_MAX_TERMS];
    size_t npr = step_products(s.net, s.terms, s.n_terms, pr, sizeof pr / sizeof *pr);
    double flops = prod_flops(pr, npr), mn;
    const char *core = getenv("OPENBLAS_CORETYPE");

    if (threads > 0) { /* one configuration, one line */
        double ms = time_steps(&s, reps, &mn);
        printf("%-10s %8zu %5zu %3d %10.3f %10.3f %9.2f %9.1f\n", s.terms[0].name, s.terms[0].n,
               s.net->width[1], threads, ms, mn, flops / ms * 1e-6, peak_rss_mb());
        setup_free(&s);
        return 0;
    }
    printf("Adam step of %s (%zu points in %zu terms, net", file, pts, s.n_terms);
    for (size_t l = 0; l <= s.net->n_layers; l++)
        printf("%s%zu", l ? "-" : " ", s.net->width[l]);
    printf(", %zu parameters), OPENBLAS_CORETYPE=%s\n", s.net->n_params, core ? core : "(unset)");
    printf("matrix products per step: %.1f MFLOP (stacked channels, as counted in the README)\n",
           flops * 1e-6);
    printf("%-34s %10s %10s %9s\n", "what", "median ms", "min ms", "GFLOP/s");
    double step1 = 0;
    for (int t = 1; t <= 2; t++) {
        set_threads(t);
        double ms = time_steps(&s, reps, &mn);
        if (t == 1)
            step1 = ms;
        char what[64];
        snprintf(what, sizeof what, "Adam step, %d thread%s", t, t > 1 ? "s" : "");
        printf("%-34s %10.3f %10.3f %9.2f\n", what, ms, mn, flops / ms * 1e-6);
    }
    double gb = time_products(pr, npr, reps, 0, &mn);
    printf("%-34s %10.3f %10.3f %9.2f\n", "its products by OpenBLAS dgemm", gb, mn, flops / gb * 1e-6);
    double gk = time_products(pr, npr, reps, 1, &mn);
    printf("%-34s %10.3f %10.3f %9.2f\n", "its products by mlp_gemm (AVX2)", gk, mn, flops / gk * 1e-6);
    printf("step / dgemm-of-its-products = %.2f (1 thread); peak RSS %.1f MB\n", step1 / gb,
           peak_rss_mb());
    setup_free(&s);
    return 0;
}
