/* bench/bench_allen_cahn_error.c - the rel L2 error of an Allen-Cahn result
 * file (configs/allen_cahn.cfg) against a finite-difference solution made
 * here, since the config has no closed form: u_t = d u_xx - 5 u^3 + 5 u,
 * periodic on [-1, 1), 4th-order central differences on N points, classical
 * RK4 in time; the two finest solutions (N and N/2) are compared to show
 * the reference's own error. Usage:
 *   build/bench/bench_allen_cahn_error [FILE.h5]   (default outputs/allen_cahn.h5) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/h5io.h"

static void rhs(const double *u, double *f, size_t n, double dx, double d)
{
    for (size_t j = 0; j < n; j++) {
        double um2 = u[(j + n - 2) % n], um1 = u[(j + n - 1) % n], up1 = u[(j + 1) % n],
               up2 = u[(j + 2) % n];
        double uxx = (-um2 + 16 * um1 - 30 * u[j] + 16 * up1 - up2) / (12 * dx * dx);
        f[j] = d * uxx - 5 * u[j] * u[j] * u[j] + 5 * u[j];
    }
}

/* Solution at the times t[0..nt) on n points (x_j = -1 + 2 j / n), into
 * out (nt x n). */
static int solve(size_t n, double dt, const double *t, size_t nt, double *out)
{
    const double pi = 3.14159265358979323846, d = 1e-4, dx = 2.0 / (double)n;
    double *u = malloc(6 * n * sizeof *u);
    if (!u)
        return -1;
    double *k1 = u + n, *k2 = k1 + n, *k3 = k2 + n, *k4 = k3 + n, *w = k4 + n;
    for (size_t j = 0; j < n; j++) {
        double x = -1.0 + dx * (double)j;
        u[j] = x * x * cos(pi * x);
    }
    double now = 0.0;
    for (size_t k = 0; k < nt; k++) {
        while (now < t[k] - 1e-12) {
            double h = fmin(dt, t[k] - now);
            rhs(u, k1, n, dx, d);
            for (size_t j = 0; j < n; j++) w[j] = u[j] + 0.5 * h * k1[j];
            rhs(w, k2, n, dx, d);
            for (size_t j = 0; j < n; j++) w[j] = u[j] + 0.5 * h * k2[j];
            rhs(w, k3, n, dx, d);
            for (size_t j = 0; j < n; j++) w[j] = u[j] + h * k3[j];
            rhs(w, k4, n, dx, d);
            for (size_t j = 0; j < n; j++)
                u[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
            now += h;
        }
        for (size_t j = 0; j < n; j++)
            out[k * n + j] = u[j];
    }
    free(u);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "outputs/allen_cahn.h5";
    if (access(path, R_OK) != 0) {
        printf("no %s: run `pinn run configs/allen_cahn.cfg` first (skipped)\n", path);
        return 0;
    }
    char err[512];
    h5in *f = h5in_open(path, err, sizeof err);
    if (!f) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double *u = NULL, *x = NULL, *t = NULL;
    size_t rank, du[4], nx, nt;
    if (h5in_doubles(f, "/solution/u", &u, &rank, du) || h5in_doubles(f, "/grid/x", &x, &rank, &nx)
        || h5in_doubles(f, "/grid/t", &t, &rank, &nt) || du[0] != nt || du[1] != nx) {
        fprintf(stderr, "%s: not an Allen-Cahn result on (t, x): %s\n", path, h5in_error(f));
        return 1;
    }
    /* the output grid's x_i = -1 + 2 i / (nx - 1) sit on the FD points when
     * N is a multiple of nx - 1 */
    size_t per = 40, n = per * (nx - 1), nh = n / 2;
    double *ref = malloc(nt * n * sizeof *ref), *half = malloc(nt * nh * sizeof *half);
    if (!ref || !half || solve(n, 2e-5, t, nt, ref) || solve(nh, 2e-5, t, nt, half)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    double num = 0.0, den = 0.0, rnum = 0.0;
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < nx; i++) {
            size_t j = (i * per) % n, jh = (i * per / 2) % nh;
            double e = ref[k * n + j], dlt = u[k * nx + i] - e, dr = half[k * nh + jh] - e;
            num += dlt * dlt;
            den += e * e;
            rnum += dr * dr;
        }
    printf("%s: rel L2 %.4e vs a 4th-order FD / RK4 solution (N = %zu, dt = 2e-5) on %zu x %zu "
           "(t, x); that solution vs N = %zu: %.1e\n",
           path, sqrt(num / den), n, nt, nx, nh, sqrt(rnum / den));
    free(ref);
    free(half);
    free(u);
    free(x);
    free(t);
    h5in_close(f);
    return 0;
}
