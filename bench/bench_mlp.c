/* bench/bench_mlp.c - speed of the MLP forward+backward with the heat
 * equation's channels {u, u_x, u_t, u_xx}: median milliseconds and dgemm
 * GFLOP/s at 1 and 2 threads, and the naive pass as a baseline. Not a test:
 * it asserts nothing and its numbers depend on the machine and its load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "mlp.h"

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

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* dgemm flops of one forward + backward with every channel stacked: 2 M N K
 * per product, M = C*n; forward one per layer, backward dW per layer and
 * G_prev for every layer but the first. Nominal: the pass does the input
 * layer and a one-output layer with cheaper loops and dgemv, so GFLOP/s is
 * the rate of the method, comparable across versions. */
static double gemm_flops(const mlp *net, size_t rows)
{
    double f = 0.0;
    for (size_t l = 0; l < net->n_layers; l++) {
        double one = 2.0 * (double)rows * (double)net->width[l] * (double)net->width[l + 1];
        f += l > 0 ? 3 * one : 2 * one;
    }
    return f;
}

typedef struct shape {
    const char *name;
    size_t n_layers, width[5], n, reps;
} shape;

typedef int (*fwd_fn)(mlp_workspace *, const mlp *, const mlp_channels *, const double *,
                      size_t, double *);
typedef int (*bwd_fn)(mlp_workspace *, const mlp *, const double *, double *);

/* Median ms of reps forward+backward passes after 3 warm-up passes; the
 * forward share (median of the forward alone) goes to *fwd_ms, the fastest
 * forward+backward to *min_ms (a shared machine's noise only adds time). */
static double time_pass(const mlp *net, mlp_workspace *ws, const mlp_channels *ch,
                        const double *x, size_t n, double *y, const double *gy, double *g,
                        size_t reps, fwd_fn fwd, bwd_fn bwd, double *fwd_ms,
                        double *min_ms)
{
    double *t = malloc(reps * sizeof *t), *tf = malloc(reps * sizeof *tf);
    for (size_t r = 0; r < reps + 3; r++) {
        double t0 = now_ms();
        fwd(ws, net, ch, x, n, y);
        double t1 = now_ms();
        bwd(ws, net, gy, g);
        double t2 = now_ms();
        if (r >= 3) {
            t[r - 3] = t2 - t0;
            tf[r - 3] = t1 - t0;
        }
    }
    double m = median(t, reps);
    *min_ms = t[0]; /* sorted by median() */
    *fwd_ms = median(tf, reps);
    free(t);
    free(tf);
    return m;
}

int main(void)
{
    const shape shapes[] = {
        {"heat 2-20-20-20-1", 4, {2, 20, 20, 20, 1}, 2780, 200},
        {"big  2-64-64-64-1", 4, {2, 64, 64, 64, 1}, 20000, 20},
    };
    mlp_channels ch;
    mlp_channels_set(&ch, 0x3, 0x1, 2); /* u, u_x, u_t, u_xx */
    printf("MLP forward+backward, tanh, channels {u, u_x, u_t, u_xx}; median ms\n");
    printf("%-18s %6s %4s %5s %9s %9s %9s %8s\n", "shape", "N", "omp", "blas", "fwd ms",
           "f+b ms", "min ms", "GFLOP/s");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape *sh = &shapes[s];
        mlp *net = mlp_alloc(sh->n_layers, sh->width, mlp_activation_find("tanh"));
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, 1);
        mlp_init(net, mlp_initializer_find("glorot_normal"), rng);
        size_t n = sh->n, rows = ch.n * n;
        mlp_workspace *ws = mlp_workspace_alloc(net, n, ch.n);
        double *x = malloc(2 * n * sizeof *x), *y = malloc(rows * sizeof *y);
        double *gy = malloc(rows * sizeof *gy), *g = calloc(net->n_params, sizeof *g);
        if (!net || !ws || !x || !y || !gy || !g) {
            fprintf(stderr, "bench_mlp: out of memory\n");
            return 1;
        }
        for (size_t i = 0; i < 2 * n; i++)
            x[i] = gsl_rng_uniform(rng);
        for (size_t i = 0; i < rows; i++)
            gy[i] = gsl_rng_uniform(rng) - 0.5;
        double flops = gemm_flops(net, rows), fast1 = 0.0, fms, mms;
        const int omp_t[] = {1, 2, 2}, blas_t[] = {1, 1, 2};
        for (int v = 0; v < 3; v++) {
#ifdef _OPENMP
            omp_set_num_threads(omp_t[v]);
#endif
            openblas_set_num_threads(blas_t[v]);
            double ms = time_pass(net, ws, &ch, x, n, y, gy, g, sh->reps, mlp_forward,
                                  mlp_backward, &fms, &mms);
            if (v == 0)
                fast1 = ms;
            printf("%-18s %6zu %4d %5d %9.3f %9.3f %9.3f %8.2f\n", sh->name, n, omp_t[v],
                   blas_t[v], fms, ms, mms, flops / ms * 1e-6);
        }
        if (s == 0) {
            double ms = time_pass(net, ws, &ch, x, n, y, gy, g, 20, mlp_forward_naive,
                                  mlp_backward_naive, &fms, &mms);
            printf("%-18s %6zu %4s %5s %9.3f %9.3f %9.3f %8s  naive = %.1f x fast (1 thread)\n",
                   sh->name, n, "1", "-", fms, ms, mms, "-", ms / fast1);
        }
        free(x);
        free(y);
        free(gy);
        free(g);
        mlp_workspace_free(ws);
        gsl_rng_free(rng);
        mlp_free(net);
    }
    return 0;
}
