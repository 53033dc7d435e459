/* bench/bench_reference.c - time and accuracy of the GSL reference solvers
 * on the problems their tests use: median wall time of 5 runs and the
 * error against the exact solution (or invariant). A benchmark, not a test:
 * it asserts nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include "reference/reference.h"

enum { REPS = 5 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void linspace(double *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = i + 1 == n ? hi : lo + (hi - lo) * (double)i / (double)(n - 1);
}

/* ---- heat problems */

static double sin_pi(double x, void *c)
{
    (void)c;
    return sin(M_PI * x);
}

static double bench_exact(double x, double t)
{
    return exp(-0.4 * M_PI * M_PI * t) * sin(M_PI * x);
}

static double mf_exact(double x, double t)
{
    return exp(-t) * sin(2.0 * x + 1.0) + t * x;
}

static double mf_u0(double x, void *c)
{
    (void)c;
    return mf_exact(x, 0.0);
}

static double mf_source(double x, double t, void *c)
{
    (void)c;
    return exp(-t) * sin(2.0 * x + 1.0) + x;
}

static double mf_ux_left(double t, void *c)
{
    (void)c;
    return 2.0 * exp(-t) * cos(1.0) + t;
}

static double mf_ux_right(double t, void *c)
{
    (void)c;
    return 2.0 * exp(-t) * cos(3.0) + t;
}

static void bench_heat(const char *name, const heat_spec *p, const heat_grid *g,
                       double (*exact)(double, double))
{
    enum { NX = 101, NT = 101 };
    static double xs[NX], ts[NT], u[NX * NT];
    double secs[REPS];
    char err[256];
    linspace(xs, NX, p->a, p->b);
    linspace(ts, NT, p->t0, p->t1);
    for (int r = 0; r < REPS; r++) {
        double t = now();
        if (reference_heat(u, p, g, xs, NX, ts, NT, err, sizeof err) != REFERENCE_OK) {
            printf("%-34s failed: %s\n", name, err);
            return;
        }
        secs[r] = now() - t;
    }
    double num = 0.0, den = 0.0;
    for (size_t k = 0; k < NT; k++)
        for (size_t i = 0; i < NX; i++) {
            double e = exact(xs[i], ts[k]), d = u[k * NX + i] - e;
            num += d * d;
            den += e * e;
        }
    heat_grid gd = HEAT_GRID_DEFAULT;
    const heat_grid *gg = g != NULL ? g : &gd;
    printf("%-34s nx %5zu nt %5zu theta %.1f  rel L2 %.2e  %8.2f ms\n", name, gg->nx, gg->nt,
           gg->theta, sqrt(num / den), 1e3 * median(secs, REPS));
}

/* ---- ODE problems */

static int logistic_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = 2.0 * y[0] * (1.0 - y[0]);
    return 0;
}

static int osc_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = y[1];
    f[1] = -0.4 * y[1] - 4.0 * y[0];
    return 0;
}

static int sir_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = -0.5 * y[0] * y[1];
    f[1] = 0.5 * y[0] * y[1] - 0.1 * y[1];
    f[2] = 0.1 * y[1];
    return 0;
}

static int sir_jac(double t, const double *y, double *J, double *dfdt, void *c)
{
    (void)t, (void)c;
    const double j[9] = {-0.5 * y[1], -0.5 * y[0], 0, 0.5 * y[1], 0.5 * y[0] - 0.1, 0, 0, 0.1, 0};
    memcpy(J, j, sizeof j);
    dfdt[0] = dfdt[1] = dfdt[2] = 0.0;
    return 0;
}

static int rob_rhs(double t, const double *y, double *f, void *c)
{
    (void)t, (void)c;
    f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
    f[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
    f[2] = 3e7 * y[1] * y[1];
    return 0;
}

static int rob_jac(double t, const double *y, double *J, double *dfdt, void *c)
{
    (void)t, (void)c;
    const double j[9] = {-0.04, 1e4 * y[2], 1e4 * y[1], 0.04, -1e4 * y[2] - 6e7 * y[1],
                         -1e4 * y[1], 0, 6e7 * y[1], 0};
    memcpy(J, j, sizeof j);
    dfdt[0] = dfdt[1] = dfdt[2] = 0.0;
    return 0;
}

/* Times p on ts with the stepper; writes the last solution into y. */
static double bench_ode_time(double *y, const ode_spec *p, const char *stepper, double ea,
                             double er, const double *ts, size_t nts)
{
    double secs[REPS];
    char err[256];
    for (int r = 0; r < REPS; r++) {
        double t = now();
        if (reference_ode(y, p, stepper, ea, er, ts, nts, err, sizeof err) != REFERENCE_OK) {
            printf("  %s failed: %s\n", stepper, err);
            return NAN;
        }
        secs[r] = now() - t;
    }
    return 1e3 * median(secs, REPS);
}

int main(void)
{
    gsl_set_error_handler_off();
    printf("heat, output grid 101 x 101 (median of %d runs)\n", REPS);
    heat_spec hb = {0.4, 0, 1, 0, 1, BC_DIRICHLET, BC_DIRICHLET, sin_pi, NULL, NULL, NULL, NULL};
    bench_heat("benchmark, default grid", &hb, NULL, bench_exact);
    const size_t ns[] = {128, 256, 512, 1024, 4096};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        heat_grid g = {ns[i], ns[i], 0.5};
        bench_heat("benchmark", &hb, &g, bench_exact);
    }
    heat_grid space = {1024, 16384, 0.5}, time_only = {16384, 2048, 0.5};
    bench_heat("benchmark, space error alone", &hb, &space, bench_exact);
    bench_heat("benchmark, time error alone", &hb, &time_only, bench_exact);
    heat_grid euler = {2048, 2048, 1.0};
    bench_heat("benchmark, implicit Euler", &hb, &euler, bench_exact);
    heat_spec mf = {0.5, 0, 1, 0, 1, BC_NEUMANN, BC_NEUMANN, mf_u0, mf_ux_left, mf_ux_right,
                    mf_source, NULL};
    bench_heat("manufactured, Neumann, source", &mf, NULL, mf_exact);

    printf("\nODE, epsabs = epsrel = 1e-10 unless stated (median of %d runs)\n", REPS);
    enum { N = 101 };
    double ts[N], y[3 * N];
    const double y_logistic[1] = {0.1}, y_osc[2] = {1, 0}, y_sir[3] = {0.99, 0.01, 0};
    const double y_rob[3] = {1, 0, 0};

    linspace(ts, N, 0, 5);
    ode_spec lg = {1, 0, y_logistic, logistic_rhs, NULL, NULL};
    double ms = bench_ode_time(y, &lg, "rk8pd", 1e-10, 1e-10, ts, N), worst = 0;
    for (size_t k = 0; k < N; k++)
        worst = fmax(worst, fabs(y[k] - 1 / (1 + 9 * exp(-2 * ts[k]))));
    printf("%-34s max err %.2e  %8.3f ms\n", "logistic [0,5], rk8pd", worst, ms);

    linspace(ts, N, 0, 10);
    ode_spec osc = {2, 0, y_osc, osc_rhs, NULL, NULL};
    ms = bench_ode_time(y, &osc, "rk8pd", 1e-10, 1e-10, ts, N);
    worst = 0;
    const double wd = 2 * sqrt(0.99);
    for (size_t k = 0; k < N; k++) {
        double t = ts[k], e = exp(-0.2 * t);
        worst = fmax(worst, fabs(y[2 * k] - e * (cos(wd * t) + 0.2 / wd * sin(wd * t))));
        worst = fmax(worst, fabs(y[2 * k + 1] + e * 4 / wd * sin(wd * t)));
    }
    printf("%-34s max err %.2e  %8.3f ms\n", "damped oscillator [0,10], rk8pd", worst, ms);

    linspace(ts, N, 0, 100);
    ode_spec sir = {3, 0, y_sir, sir_rhs, sir_jac, NULL};
    static double a[3 * N], b[3 * N];
    double ma = bench_ode_time(a, &sir, "rk8pd", 1e-10, 1e-10, ts, N);
    double mb = bench_ode_time(b, &sir, "msbdf", 1e-10, 1e-10, ts, N);
    double da = 0, db = 0, diff = 0;
    for (size_t k = 0; k < N; k++) {
        da = fmax(da, fabs(a[3 * k] + a[3 * k + 1] + a[3 * k + 2] - 1));
        db = fmax(db, fabs(b[3 * k] + b[3 * k + 1] + b[3 * k + 2] - 1));
        for (size_t i = 0; i < 3; i++)
            diff = fmax(diff, fabs(a[3 * k + i] - b[3 * k + i]));
    }
    printf("%-34s drift %.1e  %8.3f ms\n", "SIR [0,100], rk8pd", da, ma);
    printf("%-34s drift %.1e  %8.3f ms  (max |rk8pd - msbdf| %.1e)\n", "SIR [0,100], msbdf", db, mb,
           diff);

    const double tr[5] = {0, 0.4, 4, 40, 4e7};
    ode_spec rob = {3, 0, y_rob, rob_rhs, rob_jac, NULL};
    ma = bench_ode_time(a, &rob, "msbdf", 1e-12, 1e-10, tr, 4);
    mb = bench_ode_time(b, &rob, "rk8pd", 1e-12, 1e-10, tr, 4);
    double r1 = 0, r2 = 0;
    for (size_t k = 1; k < 4; k++) {
        r1 = fmax(r1, fmax(fabs(a[3 * k] - b[3 * k]) / b[3 * k],
                           fabs(a[3 * k + 2] - b[3 * k + 2]) / b[3 * k + 2]));
        r2 = fmax(r2, fabs(a[3 * k + 1] - b[3 * k + 1]) / b[3 * k + 1]);
    }
    printf("%-34s y(40) = (%.6f, %.6e, %.6f)  %8.3f ms\n", "Robertson [0,40], msbdf (1e-12/1e-10)",
           a[9], a[10], a[11], ma);
    printf("%-34s %8.3f ms  (rel diff y1,y3 %.1e, y2 %.1e)\n", "Robertson [0,40], rk8pd (1e-12/1e-10)",
           mb, r1, r2);
    ma = bench_ode_time(a, &rob, "msbdf", 1e-12, 1e-10, tr, 5);
    printf("%-34s y(4e7) = (%.3e, %.3e, %.6f), sum - 1 = %.1e  %8.3f ms\n",
           "Robertson [0,4e7], msbdf", a[12], a[13], a[14], a[12] + a[13] + a[14] - 1, ma);
    return 0;
}
