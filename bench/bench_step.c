/* bench/bench_step.c - milliseconds per Adam step of a config (default
 * configs/heat1d.cfg) through the real solver code: the config and problem
 * API build the terms, the trainer's objective (forward, loss, backward of
 * every term) plus adam_step is one step. Prints the median and the minimum
 * at 1 and 2 threads, the step's matrix-product GFLOP/s next to OpenBLAS
 * dgemm and the fast pass's own kernel on the same shapes, and peak RSS.
 * Not a test: it asserts nothing; numbers depend on the machine and its load.
 *
 *   bench_step [CONFIG] [--threads N] [--reps R] [--cpu] [--set path=value ...]
 * --cpu times by this thread's CPU clock (1 thread on a shared machine).
 * With --threads only that count is measured and one line is printed (the
 * scaling script runs one process per configuration for an honest RSS). */
#include <cblas.h>
#include "bench_common.h"
#include "mlp_internal.h"

#define MAX_SET 32

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
        double t0 = bench_now_ms();
        for (size_t i = 0; i < np; i++) {
            int M = (int)p[i].M, N = (int)p[i].N, K = (int)p[i].K;
            if (kernel == 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, A, K, B, N,
                            0.0, C, N);
            else
                mlp_gemm(p[i].M, p[i].N, p[i].K, A, p[i].K, 1, B, p[i].N, C, p[i].N, 0);
        }
        if (r >= 2)
            t[r - 2] = bench_now_ms() - t0;
    }
    double m = bench_median(t, reps, min);
    free(A);
    free(B);
    free(C);
    free(t);
    return m;
}

/* Median (and min) ms of one Adam step: trainer_objective + adam_step, the
 * body of trainer_run's Adam loop without its logging; 10 warm-up steps
 * (1 when reps < 20). */
static int use_cpu_clock; /* --cpu: this thread's CPU time instead of wall */

static double time_steps(bench_setup *s, size_t reps, double *min)
{
    double *t = malloc(reps * sizeof *t);
    const size_t warm = reps < 20 ? 1 : 10;
    for (size_t r = 0; r < reps + warm; r++) {
        double t0 = use_cpu_clock ? bench_cpu_ms() : bench_now_ms();
        bench_step(s);
        if (r >= warm)
            t[r - warm] = (use_cpu_clock ? bench_cpu_ms() : bench_now_ms()) - t0;
    }
    double m = bench_median(t, reps, min);
    free(t);
    return m;
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
        else if (strcmp(argv[i], "--cpu") == 0)
            use_cpu_clock = 1;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = (size_t)atol(argv[++i]);
        else
            file = argv[i];
    }
    if (reps < 1)
        reps = 1;
    openblas_set_num_threads(1); /* as pinn's main does */
    bench_set_threads(threads > 0 ? threads : 2); /* workspaces are sized for this many */
    bench_setup s;
    if (bench_setup_make(&s, file, sets, n_sets))
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
               s.net->width[1], threads, ms, mn, flops / ms * 1e-6, bench_peak_rss_mb());
        bench_setup_free(&s);
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
        bench_set_threads(t);
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
    printf("%-34s %10.3f %10.3f %9.2f\n", "its products by mlp_gemm", gk, mn, flops / gk * 1e-6);
    printf("step / dgemm-of-its-products = %.2f (1 thread); peak RSS %.1f MB\n", step1 / gb,
           bench_peak_rss_mb());
    bench_setup_free(&s);
    return 0;
}
