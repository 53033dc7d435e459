/* bench/bench_burgers_error.c - the rel L2 error of a Burgers result file
 * (configs/burgers.cfg) against the Cole-Hopf solution on its grid, since
 * the config has no closed-form exact solution. Usage:
 *   build/bench/bench_burgers_error [FILE.h5]   (default outputs/burgers.h5) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../tests/burgers_exact.h"
#include "io/h5io.h"

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "outputs/burgers.h5";
    if (access(path, R_OK) != 0) {
        printf("no %s: run `pinn run configs/burgers.cfg` first (skipped)\n", path);
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
        fprintf(stderr, "%s: not a Burgers result on (t, x): %s\n", path, h5in_error(f));
        return 1;
    }
    double nu = 0.01 / 3.14159265358979323846, num = 0.0, den = 0.0, mx = 0.0;
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < nx; i++) {
            double e = burgers_exact(x[i], t[k], nu), d = u[k * nx + i] - e;
            num += d * d;
            den += e * e;
            mx = fmax(mx, fabs(d));
        }
    printf("%s: rel L2 %.4e, max abs %.4e vs Cole-Hopf on %zu x %zu (t, x)\n", path,
           sqrt(num / den), mx, nt, nx);
    free(u);
    free(x);
    free(t);
    h5in_close(f);
    return 0;
}
