/* solver/problems/sampler.c - the point samplers of sampler.h: one table entry per
 * family, each a few lines over gsl_rng or gsl_qrng. Not the place for
 * mapping points onto boundaries or time slices (the caller does that). */
#include "problems/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_qrng.h>

struct sampler {
    const sampler_type *type;
    size_t dim;
    double lo[SAMPLER_MAX_DIM], hi[SAMPLER_MAX_DIM];
    gsl_qrng *q; /* quasi-random types only */
};

/* Maps u in [0, 1) onto [lo, hi) of axis i, never returning hi itself. */
static double sampler_map_open(const sampler *s, size_t i, double u)
{
    double x = s->lo[i] + (s->hi[i] - s->lo[i]) * u;
    return x < s->hi[i] ? x : nextafter(s->hi[i], s->lo[i]);
}

static int none_init(sampler *s)
{
    (void)s;
    return 0;
}

static void none_free(sampler *s)
{
    (void)s;
}

static size_t same_count(const sampler *s, size_t n)
{
    (void)s;
    return n;
}

static void uniform_fill(sampler *s, gsl_rng *rng, double *out, size_t n)
{
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i < s->dim; i++)
            out[p * s->dim + i] = sampler_map_open(s, i, gsl_rng_uniform(rng));
}

/* Per axis: write the stratum indices 0..n-1 down the column, shuffle the
 * column in place (Fisher-Yates on the strided column, so no workspace),
 * then replace each index k by a uniform point of stratum [k/n, (k+1)/n). */
static void lhs_fill(sampler *s, gsl_rng *rng, double *out, size_t n)
{
    const size_t d = s->dim;
    for (size_t i = 0; i < d; i++) {
        for (size_t p = 0; p < n; p++)
            out[p * d + i] = (double)p;
        for (size_t p = n; p > 1; p--) {
            size_t j = gsl_rng_uniform_int(rng, p);
            double t = out[(p - 1) * d + i];
            out[(p - 1) * d + i] = out[j * d + i];
            out[j * d + i] = t;
        }
        for (size_t p = 0; p < n; p++) {
            double u = (out[p * d + i] + gsl_rng_uniform(rng)) / (double)n;
            out[p * d + i] = sampler_map_open(s, i, u);
        }
    }
}

static int sobol_init(sampler *s)
{
    s->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)s->dim);
    return s->q == NULL;
}

static int halton_init(sampler *s)
{
    s->q = gsl_qrng_alloc(gsl_qrng_halton, (unsigned)s->dim);
    return s->q == NULL;
}

static void qrng_free_state(sampler *s)
{
    gsl_qrng_free(s->q);
    s->q = NULL;
}

static void qrng_fill(sampler *s, gsl_rng *rng, double *out, size_t n)
{
    (void)rng;
    double v[SAMPLER_MAX_DIM];
    for (size_t p = 0; p < n; p++) {
        gsl_qrng_get(s->q, v);
        for (size_t i = 0; i < s->dim; i++)
            out[p * s->dim + i] = sampler_map_open(s, i, v[i]);
    }
}

/* 1 if k^dim <= n, computed without overflow. */
static int grid_fits(size_t k, size_t dim, size_t n)
{
    size_t kk = 1;
    for (size_t i = 0; i < dim; i++) {
        if (kk > n / k)
            return 0;
        kk *= k;
    }
    return 1;
}

/* The largest k with k^dim <= n, for n >= 1 (pow may land one off either
 * way, so step to the exact answer). */
static size_t grid_side(size_t dim, size_t n)
{
    size_t k = (size_t)floor(pow((double)n, 1.0 / (double)dim));
    if (k < 1)
        k = 1;
    while (k > 1 && !grid_fits(k, dim, n))
        k--;
    while (grid_fits(k + 1, dim, n))
        k++;
    return k;
}

static size_t grid_count(const sampler *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t k = grid_side(s->dim, n), c = 1;
    for (size_t i = 0; i < s->dim; i++)
        c *= k;
    return c;
}

/* Node idx of k on axis i: both ends hit exactly, the centre when k is 1. */
static double grid_node(const sampler *s, size_t i, size_t idx, size_t k)
{
    if (k == 1)
        return 0.5 * (s->lo[i] + s->hi[i]);
    if (idx + 1 == k)
        return s->hi[i];
    return s->lo[i] + (s->hi[i] - s->lo[i]) * (double)idx / (double)(k - 1);
}

/* Point p's lattice index along axis i is digit i of p in base k, axis 0
 * varying slowest (so a 2D lattice is row-major in (x0, x1)). */
static void grid_fill(sampler *s, gsl_rng *rng, double *out, size_t n)
{
    (void)rng;
    const size_t d = s->dim, k = grid_side(d, n), c = grid_count(s, n);
    for (size_t p = 0; p < c; p++) {
        size_t r = p;
        for (size_t i = d; i-- > 0;) {
            out[p * d + i] = grid_node(s, i, r % k, k);
            r /= k;
        }
    }
}

const sampler_type sampler_types[] = {
    {"uniform", 1, none_init, same_count, uniform_fill, none_free},
    {"lhs", 1, none_init, same_count, lhs_fill, none_free},
    {"sobol", 0, sobol_init, same_count, qrng_fill, qrng_free_state},
    {"halton", 0, halton_init, same_count, qrng_fill, qrng_free_state},
    {"grid", 0, none_init, grid_count, grid_fill, none_free},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const sampler_type *sampler_type_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const sampler_type *t = sampler_types; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

sampler *sampler_alloc(const char *name, size_t dim, const double *lo, const double *hi)
{
    const sampler_type *t = sampler_type_find(name);
    if (t == NULL || dim == 0 || dim > SAMPLER_MAX_DIM || lo == NULL || hi == NULL)
        return NULL;
    for (size_t i = 0; i < dim; i++)
        if (!isfinite(lo[i]) || !isfinite(hi[i]) || !(lo[i] < hi[i]))
            return NULL;
    sampler *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->type = t;
    s->dim = dim;
    memcpy(s->lo, lo, dim * sizeof *lo);
    memcpy(s->hi, hi, dim * sizeof *hi);
    if (t->init(s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void sampler_free(sampler *s)
{
    if (s == NULL)
        return;
    s->type->free(s);
    free(s);
}

const char *sampler_name(const sampler *s)
{
    return s->type->name;
}

size_t sampler_dim(const sampler *s)
{
    return s->dim;
}

size_t sampler_count(const sampler *s, size_t n)
{
    return s->type->count(s, n);
}

int sampler_fill(sampler *s, gsl_rng *rng, double *out, size_t n)
{
    size_t c = sampler_count(s, n);
    if (c == 0)
        return SAMPLER_OK;
    if (out == NULL || (s->type->needs_rng && rng == NULL))
        return SAMPLER_EINVAL;
    s->type->fill(s, rng, out, n);
    return SAMPLER_OK;
}
