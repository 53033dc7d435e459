/* tests/test_mlp_util.h - helpers the MLP suites share: random nets with
 * non-zero biases, random points, full channel sets, array comparisons.
 * Test code only; nothing in nets/ includes it. */
#ifndef PINN_TEST_MLP_UTIL_H
#define PINN_TEST_MLP_UTIL_H

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>
#include "mlp.h"

/* A net d - h1 - ... - m with the given activation and options (NULL:
 * none), glorot_normal weights from seed, and biases drawn too (mlp_init
 * zeroes them; tests want them live). */
static inline mlp *tmlp_net_opts(size_t n_layers, const size_t *width, const char *act,
                                 unsigned long seed, const mlp_options *opt)
{
    mlp *net = mlp_alloc_opts(n_layers, width, mlp_activation_find(act), opt);
    if (net == NULL)
        return NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    mlp_init(net, mlp_initializer_find("glorot_normal"), r);
    for (size_t l = 0; l < n_layers; l++)
        for (size_t k = 0; k < width[l + 1]; k++)
            mlp_b(net, l)[k] = 0.5 * (2.0 * gsl_rng_uniform(r) - 1.0);
    gsl_rng_free(r);
    return net;
}

static inline mlp *tmlp_net(size_t n_layers, const size_t *width, const char *act,
                            unsigned long seed)
{
    return tmlp_net_opts(n_layers, width, act, seed, NULL);
}

/* The option sets the suites run every check with, for d inputs:
 * 0 none; 1 input 0 periodic on [-1, 1] (3 harmonics); 2 random Fourier
 * features (7, sigma 0.8); the frequencies stay low enough for the
 * suites' finite-difference steps; 3 the last input periodic on [-0.5, 3] (2
 * harmonics) with 5 Fourier features on top and random weight
 * factorization; 4 random weight factorization alone (mu 0.5, sigma 0.1). */
enum { TMLP_N_OPTS = 5 };
static inline mlp_options tmlp_opts(int kind, size_t d)
{
    mlp_options o = {0};
    if (kind == 1) {
        o.embed.periodic = 1u;
        o.embed.harmonics = 3;
        o.embed.lo[0] = -1.0;
        o.embed.period[0] = 2.0;
    } else if (kind == 2) {
        o.embed.fourier = 7;
        o.embed.sigma = 0.8;
    } else if (kind == 3) {
        o.embed.periodic = 1u << (d - 1);
        o.embed.harmonics = 2;
        o.embed.lo[d - 1] = -0.5;
        o.embed.period[d - 1] = 3.5;
        o.embed.fourier = 5;
        o.embed.sigma = 0.3;
    }
    if (kind >= 3) {
        o.rwf = 1;
        o.rwf_mu = 0.5;
        o.rwf_sigma = 0.1;
    }
    return o;
}

/* n uniform draws in [lo, hi). */
static inline void tmlp_fill(double *v, size_t n, double lo, double hi, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * gsl_rng_uniform(r);
    gsl_rng_free(r);
}

/* Value, every d/dx_i, every d2/dx_i dx_j with i <= j (mixed included). */
static inline void tmlp_channels_all(mlp_channels *ch, size_t d)
{
    unsigned all = (1u << d) - 1u;
    mlp_channels_set(ch, all, all, d);
    for (int i = 0; i < (int)d; i++)
        for (int j = i + 1; j < (int)d; j++)
            mlp_channels_add(ch, i, j);
}

static inline double tmlp_maxabs(const double *a, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i]) > m)
            m = fabs(a[i]);
    return m;
}

/* max |a - b| / max(max|b|, tiny): the error relative to the array's scale. */
static inline double tmlp_relerr(const double *a, const double *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > m || isnan(a[i] - b[i]))
            m = isnan(a[i] - b[i]) ? INFINITY : fabs(a[i] - b[i]);
    double s = tmlp_maxabs(b, n);
    return m / (s > 1e-300 ? s : 1e-300);
}

#endif
