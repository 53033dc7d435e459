/* solver/sample.c - `pinn sample CONFIG --points N --noise s --seed S
 * --fields I -o m.csv`: N points drawn in the problem's domain (uniform,
 * from mt19937 seeded by S), the chosen fields there from the exact
 * solution or the GSL reference with the unknowns at their true values,
 * Gaussian noise of s times each field's standard deviation over the
 * points, written as a CSV with a header (inputs, then fields). */
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "problems/problem.h"
#include "run.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Parses "I,R" into field indices; -1 with a message naming the field. */
static int parse_fields(const problem *p, const char *s, int *sel, size_t *n, char *err,
                        size_t errcap)
{
    *n = 0;
    if (!s) {
        for (size_t f = 0; f < p->n_out; f++)
            sel[(*n)++] = (int)f;
        return 0;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
        int f = -1;
        for (size_t k = 0; k < p->n_out; k++)
            if (strcmp(p->out_names[k], tok) == 0)
                f = (int)k;
        if (f < 0) {
            snprintf(err, errcap, "--fields: '%s' is not a field of the problem", tok);
            return -1;
        }
        for (size_t k = 0; k < *n; k++)
            if (sel[k] == f) {
                snprintf(err, errcap, "--fields: '%s' is named twice", tok);
                return -1;
            }
        sel[(*n)++] = f;
    }
    if (*n == 0) {
        snprintf(err, errcap, "--fields: no field named");
        return -1;
    }
    return 0;
}

/* The N points and the fields there (N x n_out) into *x and *u, from the
 * exact solution, else the reference: 0, or -1 with err. For a PDE
 * without an exact solution the points are distinct nodes of the output
 * grid after t0 (the reference is on that grid). */
static int sample_values(const problem *p, const cfg *c, gsl_rng *rng, size_t n, double **xo,
                         double **uo, const char **source, char *err, size_t errcap)
{
    size_t d = p->n_in, m = p->n_out;
    grid g = {0};
    double *x = malloc(n * d * sizeof *x), *u = malloc(n * m * sizeof *u);
    int rc = -1;
    if (!x || !u) {
        snprintf(err, errcap, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = p->lo[j] + (p->hi[j] - p->lo[j]) * gsl_rng_uniform_pos(rng);
    if (d == 1)
        qsort(x, n, sizeof *x, cmp_double);
    /* the exact solution at these points */
    g.n = n;
    g.x = x;
    g.n_axes = 1;
    g.len[0] = n;
    g.axis[0] = x;
    if (p->type->exact(p, &g, u) == 0) {
        *source = "exact solution";
        rc = 0;
        goto done;
    }
    char method[256];
    if (d == 1) { /* an ODE: the reference at the sorted times */
        if (p->type->reference(p, c, &g, u, method, sizeof method, err, errcap))
            goto done;
        *source = "GSL reference";
        rc = 0;
        goto done;
    }
    /* a PDE: the reference on the output grid, then n distinct nodes after t0 */
    memset(&g, 0, sizeof g);
    if (p->type->make_grid(p, c, &g)) {
        snprintf(err, errcap, "out of memory for the grid");
        goto done;
    }
    /* not the nodes at t0: the first slice along axis 0 when that is t */
    int timed = g.axis_name[0] && strcmp(g.axis_name[0], "t") == 0;
    size_t first = timed ? g.n / g.len[0] : 0, nodes = g.n - first;
    double *ug = malloc(g.n * m * sizeof *ug);
    size_t *pick = malloc(nodes * sizeof *pick);
    if (!ug || !pick || nodes < n) {
        snprintf(err, errcap, !ug || !pick ? "out of memory"
                 : "--points: %zu is more than the %zu grid nodes after t0 (raise output.nx, output.nt)", n, nodes);
        free(ug);
        free(pick);
        grid_release(&g);
        goto done;
    }
    if (p->type->reference(p, c, &g, ug, method, sizeof method, err, errcap)) {
        free(ug);
        free(pick);
        grid_release(&g);
        goto done;
    }
    for (size_t i = 0; i < nodes; i++)
        pick[i] = first + i;
    gsl_ran_shuffle(rng, pick, nodes, sizeof *pick);
    for (size_t i = 0; i < n; i++) {
        memcpy(x + i * d, g.x + pick[i] * d, d * sizeof *x);
        memcpy(u + i * m, ug + pick[i] * m, m * sizeof *u);
    }
    free(ug);
    free(pick);
    grid_release(&g);
    *source = "GSL reference on the output grid";
    rc = 0;
done:
    if (rc) {
        free(x);
        free(u);
    } else {
        *xo = x;
        *uo = u;
    }
    return rc;
}

int sample_job(const sample_args *a)
{
    char err[1024];
    cfg *c = run_config_load(a->config, NULL, a->overrides, a->n_overrides, err, sizeof err);
    problem *p = NULL;
    gsl_rng *rng = NULL;
    double *x = NULL, *u = NULL;
    int status = 2;
    if (!c || !(p = problem_create(c, err, sizeof err)))
        goto fail;
    if (unknowns_use_truth(&p->unk)) {
        cfg_fail(c, err, sizeof err, "problem.unknowns.true_values",
                 "missing: `pinn sample` makes the data with the true values of the unknowns");
        goto fail;
    }
    int sel[64];
    size_t ns = 0;
    if (parse_fields(p, a->fields, sel, &ns, err, sizeof err))
        goto fail;
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    gsl_rng_set(rng, a->seed);
    size_t n = (size_t)a->points, d = p->n_in, m = p->n_out;
    const char *source = "";
    status = 1;
    if (sample_values(p, c, rng, n, &x, &u, &source, err, sizeof err))
        goto fail;
    for (size_t k = 0; k < ns; k++) {
        size_t f = (size_t)sel[k];
        double mean = 0.0, var = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += u[i * m + f] / (double)n;
        for (size_t i = 0; i < n; i++)
            var += (u[i * m + f] - mean) * (u[i * m + f] - mean) / (double)n;
        double s = a->noise * sqrt(var);
        for (size_t i = 0; i < n; i++)
            u[i * m + f] += s * gsl_ran_gaussian_ziggurat(rng, 1.0);
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a->output, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, sizeof err, "%.900s: cannot write", tmp);
        goto fail;
    }
    fprintf(f, "# pinn sample %s: %zu points, noise %g x each field's std, seed %lu, from the %s\n",
            a->config, n, a->noise, a->seed, source);
    for (size_t j = 0; j < d; j++)
        fprintf(f, "%s%s", j ? "," : "", p->in_names[j]);
    for (size_t k = 0; k < ns; k++)
        fprintf(f, ",%s", p->out_names[sel[k]]);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            fprintf(f, "%s%.17g", j ? "," : "", x[i * d + j]);
        for (size_t k = 0; k < ns; k++)
            fprintf(f, ",%.17g", u[i * m + (size_t)sel[k]]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, a->output) != 0) {
        remove(tmp);
        snprintf(err, sizeof err, "%.900s: write failed", a->output);
        goto fail;
    }
    fprintf(a->out, "wrote %s: %zu points of", a->output, n);
    for (size_t k = 0; k < ns; k++)
        fprintf(a->out, " %s", p->out_names[sel[k]]);
    fprintf(a->out, " from the %s, noise %g, seed %lu\n", source, a->noise, a->seed);
    status = 0;
fail:
    if (status)
        fprintf(a->errs, "pinn: %s\n", err);
    free(x);
    free(u);
    gsl_rng_free(rng);
    problem_free(p);
    cfg_free(c);
    return status;
}
