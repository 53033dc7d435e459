/* solver/train/adapt.c - RAR and RAD rounds: a candidate pool from the pde
 * term's resample, the per-point squared residual from the trainer, then
 * GSL picks (gsl_sort_largest_index for RAR, gsl_ran_discrete for RAD). */
#include "train/adapt.h"
#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

int adapt_kind_parse(const char *name)
{
    if (!name || strcmp(name, "none") == 0)
        return ADAPT_NONE;
    if (strcmp(name, "rar") == 0)
        return ADAPT_RAR;
    if (strcmp(name, "rad") == 0)
        return ADAPT_RAD;
    return -1;
}

static term *pde_term(trainer *tr, size_t *index)
{
    for (size_t k = 0; k < tr->n_terms; k++)
        if (strcmp(tr->terms[k].name, "pde") == 0 && tr->terms[k].resample && tr->terms[k].n > 0) {
            *index = k;
            return &tr->terms[k];
        }
    return NULL;
}

/* Copies point i of src into slot j of dst (coordinates, per-point aux). */
static void copy_point(term *dst, size_t j, const term *src, size_t i, size_t d, size_t pa)
{
    memcpy(dst->x + j * d, src->x + i * d, d * sizeof *dst->x);
    if (pa)
        memcpy(dst->aux + j * pa, src->aux + i * pa, pa * sizeof *dst->aux);
}

int adapt_apply(trainer *tr, const adapt_options *o, gsl_rng *rng)
{
    size_t idx = 0;
    term *t = pde_term(tr, &idx);
    if (!t || o->kind == ADAPT_NONE || o->candidates == 0)
        return 0;
    size_t d = tr->p->n_in, n = t->n, M = o->candidates;
    size_t pa = t->n_aux / n, pr = t->n_r / n; /* per point */
    term cand = *t;
    cand.x = cand.aux = cand.r = cand.bin = NULL;
    cand.causal_eps = 0.0;
    double *score = malloc(M * sizeof *score);
    if (!score || term_alloc_points(&cand, M, d, pa * M, pr * M)) {
        free(score);
        return -1;
    }
    int rc = -1;
    if (t->resample(&cand, tr->p, rng) != 0) {
        rc = 0; /* the sampler could not redraw: leave the term alone */
        goto out;
    }
    trainer_term_loss(tr, &cand);
    for (size_t i = 0; i < M; i++) {
        double s = 0.0;
        for (size_t j = 0; j < pr; j++)
            s += cand.r[i * pr + j] * cand.r[i * pr + j];
        score[i] = isfinite(s) ? s : 0.0;
    }
    if (o->kind == ADAPT_RAR) {
        size_t k = o->add < M ? o->add : M;
        size_t *pick = malloc((k ? k : 1) * sizeof *pick);
        double *x = realloc(t->x, (n + k) * d * sizeof *x);
        if (x)
            t->x = x;
        double *aux = realloc(t->aux, ((n + k) * pa + 1) * sizeof *aux);
        if (aux)
            t->aux = aux;
        double *r = realloc(t->r, 2 * (n + k) * pr * sizeof *r);
        if (r)
            t->r = r;
        if (!pick || !x || !aux || !r) {
            free(pick);
            goto out;
        }
        gsl_sort_largest_index(pick, k, score, 1, M);
        for (size_t i = 0; i < k; i++)
            copy_point(t, n + i, &cand, pick[i], d, pa);
        free(pick);
        t->n = n + k;
        t->n_aux = t->n * pa;
        t->n_r = t->n * pr;
        if (trainer_term_resize(tr, idx)) { /* back to the old size */
            t->n = n, t->n_aux = n * pa, t->n_r = n * pr;
            trainer_term_resize(tr, idx);
            goto out;
        }
    } else {
        /* density |r|^k / mean(|r|^k) + c over the pool */
        double mean = 0.0;
        for (size_t i = 0; i < M; i++)
            mean += (score[i] = pow(sqrt(score[i]), o->k)) / (double)M;
        for (size_t i = 0; i < M; i++)
            score[i] = (mean > 0 ? score[i] / mean : 1.0) + o->c; /* no residual: uniform */
        gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(M, score);
        if (!table)
            goto out;
        for (size_t i = 0; i < n; i++)
            copy_point(t, i, &cand, gsl_ran_discrete(rng, table), d, pa);
        gsl_ran_discrete_free(table);
        trainer_term_resize(tr, idx); /* same size: rescales the inputs */
    }
    rc = 0;
out:
    term_release(&cand);
    free(score);
    return rc;
}
