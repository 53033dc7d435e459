/* solver/train/optim.h - Adam on a flat parameter vector (L-BFGS comes from
 * liblbfgs, driven by train.c). The caller owns the loop and the gradient;
 * this only keeps the moments and takes steps. */
#ifndef PINN_OPTIM_H
#define PINN_OPTIM_H

#include <stddef.h>

typedef struct adam {
    size_t n;
    double beta1, beta2, epsilon;
    long long step;   /* steps taken */
    double *m, *v;    /* moments, n each, one block */
} adam;

/* NULL on bad arguments or out of memory. */
adam *adam_alloc(size_t n, double beta1, double beta2, double epsilon);
void adam_free(adam *a);
/* One bias-corrected Adam step on x with gradient g and learning rate lr. */
void adam_step(adam *a, double *x, const double *g, double lr);

typedef enum { LR_NONE, LR_STEP, LR_EXPONENTIAL } lr_decay;
/* Learning rate after k steps under the schedule. */
double lr_schedule(double lr0, lr_decay decay, double rate, long long period, long long k);

#endif
