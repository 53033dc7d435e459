/* losses/weighting.c - multi-task loss weighting objects (fixed, uncertainty,
 * GradNorm, learning-rate annealing, DWA) picked by name from a const table.
 * The caller computes losses and gradient statistics; nothing here sees a
 * network or allocates after pl_weighting_alloc. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pl_util.h"

enum { K_FIXED, K_UNCERTAINTY, K_GRADNORM, K_ANNEALING, K_DWA };

/* Marks a flat state array as this library's weighting state, format 1. */
#define STATE_TAG 5262423.0 /* "PLW" */
#define STATE_HEAD 4        /* tag, kind, K, steps */

typedef struct scheme {
    const char *name;
    int kind;
    unsigned needs;
} scheme;

static const scheme schemes[] = {
    {"fixed", K_FIXED, PL_NEED_NONE},
    {"uncertainty", K_UNCERTAINTY, PL_NEED_NONE},
    {"gradnorm", K_GRADNORM, PL_NEED_GRAD_NORM},
    {"annealing", K_ANNEALING, PL_NEED_GRAD_MAX_MEAN},
    {"dwa", K_DWA, PL_NEED_NONE},
};
#define N_SCHEMES (sizeof schemes / sizeof schemes[0])

struct pl_weighting {
    const scheme *type;
    size_t K;
    pl_weighting_params p; /* p.init is NULL: copied into lambda */
    double steps;          /* updates fed so far */
    double *lambda;        /* K weights, or s_k for uncertainty */
    double *L0;            /* K first losses (gradnorm) */
    double *last, *last2;  /* K losses of the last two updates */
};

pl_weighting_params pl_weighting_params_default(void)
{
    pl_weighting_params p = {NULL, 1.5, 0.025, 1e-6, 0.1, 0, 2.0};
    return p;
}

const char *pl_weighting_kind_name(size_t i)
{
    return i < N_SCHEMES ? schemes[i].name : NULL;
}

static const scheme *find(const char *name)
{
    for (size_t i = 0; name && i < N_SCHEMES; i++)
        if (strcmp(name, schemes[i].name) == 0)
            return &schemes[i];
    return NULL;
}

const char *pl_weighting_check(const char *kind, size_t K,
                               const pl_weighting_params *params)
{
    const scheme *s = find(kind);
    pl_weighting_params p = params ? *params : pl_weighting_params_default();
    if (!s)
        return "unknown weighting kind (fixed, uncertainty, gradnorm, annealing, dwa)";
    if (K == 0)
        return "number of terms must be at least 1";
    int uses_init = s->kind == K_FIXED || s->kind == K_GRADNORM || s->kind == K_ANNEALING;
    if (uses_init && p.init)
        for (size_t k = 0; k < K; k++)
            if (!pl_pos(p.init[k]))
                return "initial weights must be finite and > 0";
    if (s->kind == K_GRADNORM) {
        if (!pl_nonneg_param(p.alpha))
            return "gradnorm alpha must be finite and >= 0";
        if (!pl_pos(p.min_weight))
            return "gradnorm min_weight must be finite and > 0";
    }
    if ((s->kind == K_GRADNORM || s->kind == K_UNCERTAINTY) && !pl_nonneg_param(p.lr))
        return "learning rate must be finite and >= 0";
    if (s->kind == K_ANNEALING) {
        if (!(p.beta >= 0 && p.beta <= 1))
            return "annealing beta must be in [0, 1]";
        if (p.ref >= K)
            return "annealing reference term must be < K";
    }
    if (s->kind == K_DWA && !pl_pos(p.temperature))
        return "dwa temperature must be finite and > 0";
    return NULL;
}

pl_weighting *pl_weighting_alloc(const char *kind, size_t K,
                                 const pl_weighting_params *params)
{
    if (pl_weighting_check(kind, K, params))
        return NULL;
    pl_weighting *w = malloc(sizeof *w);
    if (!w)
        return NULL;
    w->lambda = calloc(4 * K, sizeof *w->lambda);
    if (!w->lambda) {
        free(w);
        return NULL;
    }
    w->type = find(kind);
    w->K = K;
    w->p = params ? *params : pl_weighting_params_default();
    w->steps = 0;
    w->L0 = w->lambda + K;
    w->last = w->L0 + K;
    w->last2 = w->last + K;
    int uses_init = w->type->kind != K_UNCERTAINTY && w->type->kind != K_DWA;
    for (size_t k = 0; k < K; k++)
        w->lambda[k] = w->type->kind == K_UNCERTAINTY ? 0.0
                       : uses_init && w->p.init ? w->p.init[k] : 1.0;
    if (w->type->kind == K_ANNEALING)
        w->lambda[w->p.ref] = 1.0;
    w->p.init = NULL;
    return w;
}

void pl_weighting_free(pl_weighting *w)
{
    if (!w)
        return;
    free(w->lambda);
    free(w);
}

const char *pl_weighting_name(const pl_weighting *w) { return w ? w->type->name : NULL; }
size_t pl_weighting_size(const pl_weighting *w) { return w ? w->K : 0; }
unsigned pl_weighting_needs(const pl_weighting *w) { return w ? w->type->needs : 0; }

int pl_weighting_weights(const pl_weighting *w, double *lambda)
{
    if (!w || !lambda)
        return PL_EINVAL;
    for (size_t k = 0; k < w->K; k++)
        lambda[k] = w->type->kind == K_UNCERTAINTY ? 0.5 * exp(-w->lambda[k])
                                                   : w->lambda[k];
    return PL_OK;
}

int pl_weighting_combine(const pl_weighting *w, double *total,
                         const double *losses)
{
    if (!w || !total)
        return PL_EINVAL;
    int rc = pl_check(losses, w->K);
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t k = 0; k < w->K; k++) {
        if (w->type->kind == K_UNCERTAINTY)
            s += 0.5 * exp(-w->lambda[k]) * losses[k] + 0.5 * w->lambda[k];
        else
            s += w->lambda[k] * losses[k];
    }
    *total = s;
    return pl_result(total);
}

int pl_weighting_param_grad(const pl_weighting *w, double *grad,
                            const double *losses)
{
    if (!w || !grad || w->type->kind != K_UNCERTAINTY)
        return PL_EINVAL;
    int rc = pl_check(losses, w->K);
    if (rc)
        return rc;
    for (size_t k = 0; k < w->K; k++)
        grad[k] = -0.5 * exp(-w->lambda[k]) * losses[k] + 0.5;
    return PL_OK;
}

double *pl_weighting_trainable(pl_weighting *w, size_t *n)
{
    int has = w && (w->type->kind == K_UNCERTAINTY || w->type->kind == K_GRADNORM);
    if (n)
        *n = has ? w->K : 0;
    return has ? w->lambda : NULL;
}

/* GradNorm: writes d/dlambda_k of sum_k |G_k - target_k| (targets held
 * constant) for losses L and unweighted gradient norms g; L0 from w, or L
 * itself before the first update. */
static void gradnorm_dir(const pl_weighting *w, double *dir, const double *L, const double *g)
{
    size_t K = w->K;
    const double *L0 = w->steps == 0 ? L : w->L0;
    double mean_ratio = 0.0, mean_G = 0.0;
    for (size_t k = 0; k < K; k++) {
        mean_ratio += (L0[k] != 0 ? L[k] / L0[k] : 1.0) / (double)K;
        mean_G += w->lambda[k] * g[k] / (double)K;
    }
    for (size_t k = 0; k < K; k++) {
        double ratio = L0[k] != 0 ? L[k] / L0[k] : 1.0;
        double r = mean_ratio != 0 ? ratio / mean_ratio : 1.0;
        double target = mean_G * pow(r, w->p.alpha);
        double G = w->lambda[k] * g[k];
        double sign = G > target ? 1.0 : G < target ? -1.0 : 0.0;
        dir[k] = sign * g[k];
    }
}

/* GradNorm step on lambda given losses and unweighted gradient norms g:
 * lambda -= lr * dir, clamped, rescaled to sum to K. */
static void gradnorm_step(pl_weighting *w, const double *L, const double *g)
{
    size_t K = w->K;
    double sum = 0.0;
    double *dir = w->last2; /* free until the update's history shift */
    gradnorm_dir(w, dir, L, g);
    for (size_t k = 0; k < K; k++) {
        double lam = w->lambda[k] - w->p.lr * dir[k];
        w->lambda[k] = lam > w->p.min_weight ? lam : w->p.min_weight;
        sum += w->lambda[k];
    }
    for (size_t k = 0; k < K; k++)
        w->lambda[k] *= (double)K / sum;
}

/* Checks that a needed statistic is present, finite and >= 0. */
static int check_stat(const double *s, size_t K)
{
    int rc = pl_check(s, K);
    if (rc)
        return rc;
    for (size_t k = 0; k < K; k++)
        if (s[k] < 0)
            return PL_EINVAL;
    return PL_OK;
}

int pl_weighting_gradnorm_grad(const pl_weighting *w, double *grad, const double *losses,
                               const pl_term_stats *stats)
{
    if (!w || !grad || !stats || w->type->kind != K_GRADNORM)
        return PL_EINVAL;
    int rc = pl_check(losses, w->K);
    if (rc || (rc = check_stat(stats->grad_norm, w->K)))
        return rc;
    gradnorm_dir(w, grad, losses, stats->grad_norm);
    return PL_OK;
}

int pl_weighting_update(pl_weighting *w, const double *losses,
                        const pl_term_stats *stats)
{
    if (!w)
        return PL_EINVAL;
    size_t K = w->K;
    int rc = pl_check(losses, K);
    if (rc)
        return rc;
    if (w->type->needs && !stats)
        return PL_EINVAL;
    if (w->type->needs & PL_NEED_GRAD_NORM && (rc = check_stat(stats->grad_norm, K)))
        return rc;
    if (w->type->needs & PL_NEED_GRAD_MAX_MEAN &&
        ((rc = check_stat(stats->grad_max_abs, K)) || (rc = check_stat(stats->grad_mean_abs, K))))
        return rc;

    switch (w->type->kind) {
    case K_UNCERTAINTY:
        for (size_t k = 0; w->p.lr > 0 && k < K; k++)
            w->lambda[k] -= w->p.lr * (-0.5 * exp(-w->lambda[k]) * losses[k] + 0.5);
        break;
    case K_GRADNORM:
        if (w->steps == 0)
            memcpy(w->L0, losses, K * sizeof *losses);
        gradnorm_step(w, losses, stats->grad_norm);
        break;
    case K_ANNEALING: {
        double top = stats->grad_max_abs[w->p.ref];
        for (size_t k = 0; k < K; k++) {
            double mean = stats->grad_mean_abs[k];
            if (k != w->p.ref && mean > 0)
                w->lambda[k] = (1 - w->p.beta) * w->lambda[k] + w->p.beta * top / mean;
        }
        break;
    }
    default: /* fixed: nothing; dwa: below, from the history */
        break;
    }
    memcpy(w->last2, w->last, K * sizeof *losses);
    memcpy(w->last, losses, K * sizeof *losses);
    w->steps += 1;
    if (w->type->kind == K_DWA && w->steps >= 2) {
        /* lambda = K softmax(r / T), r_k = L_k(t-1) / L_k(t-2); max subtracted */
        double m = -INFINITY, sum = 0.0;
        for (size_t k = 0; k < K; k++) {
            w->lambda[k] = (w->last2[k] != 0 ? w->last[k] / w->last2[k] : 1.0)
                           / w->p.temperature;
            if (w->lambda[k] > m)
                m = w->lambda[k];
        }
        for (size_t k = 0; k < K; k++)
            sum += (w->lambda[k] = exp(w->lambda[k] - m));
        for (size_t k = 0; k < K; k++)
            w->lambda[k] *= (double)K / sum;
    }
    return PL_OK;
}

size_t pl_weighting_state_size(const pl_weighting *w)
{
    return w ? STATE_HEAD + 4 * w->K : 0;
}

int pl_weighting_state_get(const pl_weighting *w, double *state)
{
    if (!w || !state)
        return PL_EINVAL;
    state[0] = STATE_TAG;
    state[1] = (double)w->type->kind;
    state[2] = (double)w->K;
    state[3] = w->steps;
    memcpy(state + STATE_HEAD, w->lambda, 4 * w->K * sizeof *state);
    return PL_OK;
}

int pl_weighting_state_set(pl_weighting *w, const double *state, size_t n)
{
    if (!w || !state || n != pl_weighting_state_size(w))
        return PL_EINVAL;
    if (state[0] != STATE_TAG || state[1] != (double)w->type->kind ||
        state[2] != (double)w->K || !(state[3] >= 0) || state[3] != floor(state[3]))
        return PL_EINVAL;
    if (!pl_finite(state, n))
        return PL_ENAN;
    w->steps = state[3];
    memcpy(w->lambda, state + STATE_HEAD, 4 * w->K * sizeof *state);
    return PL_OK;
}
