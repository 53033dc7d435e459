/* solver/train/optim.c - Adam (Kingma & Ba 2015) with bias correction, and the
 * learning-rate schedules. No allocation after adam_alloc. */
#include "train/optim.h"

#include <math.h>
#include <stdlib.h>

adam *adam_alloc(size_t n, double beta1, double beta2, double epsilon)
{
    if (n == 0 || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0))
        return NULL;
    adam *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->m = calloc(2 * n, sizeof *a->m);
    if (!a->m) {
        free(a);
        return NULL;
    }
    a->v = a->m + n;
    a->n = n;
    a->beta1 = beta1;
    a->beta2 = beta2;
    a->epsilon = epsilon;
    return a;
}

void adam_free(adam *a)
{
    if (!a)
        return;
    free(a->m);
    free(a);
}

void adam_step(adam *a, double *x, const double *g, double lr)
{
    a->step++;
    double b1 = a->beta1, b2 = a->beta2;
    double c1 = 1.0 - pow(b1, (double)a->step), c2 = 1.0 - pow(b2, (double)a->step);
    double step = lr / c1, root_c2 = sqrt(c2);
    for (size_t i = 0; i < a->n; i++) {
        a->m[i] = b1 * a->m[i] + (1.0 - b1) * g[i];
        a->v[i] = b2 * a->v[i] + (1.0 - b2) * g[i] * g[i];
        x[i] -= step * a->m[i] / (sqrt(a->v[i]) / root_c2 + a->epsilon);
    }
}

double lr_schedule(double lr0, lr_decay decay, double rate, long long period, long long k)
{
    switch (decay) {
    case LR_STEP:
        return lr0 * pow(rate, (double)(k / period));
    case LR_EXPONENTIAL:
        return lr0 * pow(rate, (double)k / (double)period);
    case LR_NONE:
    default:
        return lr0;
    }
}
