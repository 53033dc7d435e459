/* solver/train/adapt.h - residual-based adaptive sampling of the pde term
 * during Adam (Lu et al. 2021, RAR; Wu et al. 2023, RAD): every N steps a
 * pool of fresh candidate points is drawn and the net's residual evaluated
 * on it; RAR appends the candidates of largest residual to the point set,
 * RAD redraws the whole set from the pool with density
 * |r|^k / mean(|r|^k) + c. The schedule is train.c's. */
#ifndef PINN_ADAPT_H
#define PINN_ADAPT_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

struct trainer; /* train/train.h, which holds adapt_options in its options */

typedef enum { ADAPT_NONE = 0, ADAPT_RAR = 1, ADAPT_RAD = 2 } adapt_kind;

typedef struct adapt_options {
    adapt_kind kind;
    long long every;     /* Adam steps between rounds (>= 1) */
    size_t candidates;   /* pool size per round */
    size_t add;          /* RAR: points appended per round */
    double k, c;         /* RAD: density exponent and constant */
} adapt_options;

/* Parses "none", "rar", "rad"; -1 for anything else. */
int adapt_kind_parse(const char *name);
/* One round on tr's term named "pde" (nothing when there is none or it
 * cannot be redrawn). The candidates come from the term's own resample,
 * so from its sampler and box, and rng. The trainer's buffers for the term
 * follow its new size. 0, or -1 when memory runs out (the term is then as
 * it was). */
int adapt_apply(struct trainer *tr, const adapt_options *o, gsl_rng *rng);

#endif
