/* solver/problems/sampler.h - point samplers for collocation sets: fills a box
 * [lo, hi] in 1 to SAMPLER_MAX_DIM dimensions with pseudo-random, Latin
 * hypercube, quasi-random (Sobol, Halton) or lattice points, chosen by name.
 * It does not know what the points are for (interior, boundary, initial):
 * the caller maps them. Plain C + GSL; no config, no output.
 *
 * Types (sampler_types[], picked by name with sampler_alloc):
 *   "uniform"  independent gsl_rng_uniform draws; points in [lo, hi).
 *   "lhs"      Latin hypercube: each fill of n points cuts every axis into n
 *              equal strata, puts exactly one point in each stratum of each
 *              axis, pairs the strata by an independent random permutation
 *              per axis and jitters each point uniformly inside its stratum;
 *              points in [lo, hi).
 *   "sobol"    gsl_qrng_sobol; points in [lo, hi).
 *   "halton"   gsl_qrng_halton; points in [lo, hi).
 *   "grid"     a regular lattice of k points per axis, k = the largest integer
 *              with k^dim <= n (so sampler_count(s, n) = k^dim <= n); along each
 *              axis the nodes are lo + i (hi - lo) / (k - 1), i = 0..k-1, both
 *              ends included (closed box); k = 1 gives the box centre.
 *              Every fill gives the same lattice.
 *
 * Quasi-random sequences continue across fills: two fills of n points give
 * the first 2n points of the sequence, so resampling gives new points. GSL's
 * Sobol and Halton generators already start after the all-zero point (the
 * first Sobol point is (1/2, ..., 1/2), the first Halton point
 * (1/2, 1/3, 1/5, ...)), so nothing is skipped here. "uniform" and "lhs" draw
 * only from the gsl_rng passed to sampler_fill, so a given seed gives the
 * same points. Half-open types never return hi: a value that rounds up to hi
 * is moved to the largest double below it. */
#ifndef PINN_SAMPLER_H
#define PINN_SAMPLER_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

/* Error codes of sampler_fill. */
enum {
    SAMPLER_OK = 0,
    SAMPLER_EINVAL = 1 /* NULL out, or NULL rng for a type that needs one */
};

/* The largest dimension any type supports (GSL's Sobol goes to 40). */
#define SAMPLER_MAX_DIM 8

typedef struct sampler sampler;

/* A sampler family: a name and the operations behind it. */
typedef struct sampler_type {
    const char *name;
    int needs_rng; /* 1: sampler_fill draws from the gsl_rng it is given */
    int (*init)(sampler *s);                    /* per-object state; 0 ok */
    size_t (*count)(const sampler *s, size_t n);
    void (*fill)(sampler *s, gsl_rng *rng, double *out, size_t n);
    void (*free)(sampler *s);                   /* releases what init made */
} sampler_type;

/* The sampler types, in the order listed above, terminated by an entry
 * whose name is NULL. */
extern const sampler_type sampler_types[];

/* Returns the type called name, or NULL if there is none. */
const sampler_type *sampler_type_find(const char *name);

/* Returns a new sampler of the type called name over the box
 * [lo[0], hi[0]] x ... x [lo[dim-1], hi[dim-1]] (lo and hi are copied), or
 * NULL if the name is unknown, dim is 0 or above SAMPLER_MAX_DIM, lo or hi
 * is NULL, some lo[i] >= hi[i] or a bound is not finite, or memory runs out.
 * The caller owns the sampler and releases it with sampler_free. */
sampler *sampler_alloc(const char *name, size_t dim, const double *lo, const double *hi);

/* Releases s and what it holds; sampler_free(NULL) does nothing. */
void sampler_free(sampler *s);

/* Returns the name of s's type. */
const char *sampler_name(const sampler *s);

/* Returns the dimension of s. */
size_t sampler_dim(const sampler *s);

/* Returns how many points sampler_fill(s, rng, out, n) writes: n, except
 * for "grid", which gives k^dim <= n (see above). */
size_t sampler_count(const sampler *s, size_t n);

/* Writes sampler_count(s, n) points into out, row-major (point p's
 * coordinate i at out[p*dim + i]); out must hold count*dim doubles. rng is
 * used by "uniform" and "lhs" (and may be NULL for the others). Returns
 * SAMPLER_OK, or SAMPLER_EINVAL (nothing written) if out is NULL and the
 * count is not 0, or rng is NULL for a type that needs it. */
int sampler_fill(sampler *s, gsl_rng *rng, double *out, size_t n);

#endif
