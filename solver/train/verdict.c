/* solver/train/verdict.c - judges a trained network: rel L2 against the
 * exact solution or the reference when one exists, else the RMS residual
 * on a fresh draw of the pde term's points. Prints nothing; run.c reports. */
#include "train/verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double rel_l2(const double *u, const double *v, size_t n)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = u[i] - v[i];
        num += d * d;
        den += v[i] * v[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

/* The pde term's residual RMS on a fresh copy of its point set. */
static int fresh_residual(verdict *v, trainer *tr, gsl_rng *rng, int *fresh)
{
    const term *src = NULL;
    for (size_t k = 0; k < tr->n_terms && !src; k++)
        if (strcmp(tr->terms[k].name, "pde") == 0)
            src = &tr->terms[k];
    if (!src)
        return 1;
    term t = *src;
    t.x = t.aux = t.r = t.bin = NULL;
    t.causal_eps = 0.0; /* the plain mean of r^2, not the causal one */
    if (term_alloc_points(&t, src->n, tr->p->n_in, src->n_aux, src->n_r))
        return -1;
    memcpy(t.x, src->x, src->n * tr->p->n_in * sizeof *t.x);
    memcpy(t.aux, src->aux, src->n_aux * sizeof *t.aux);
    *fresh = src->resample && src->resample(&t, tr->p, rng) == 0;
    double l = trainer_term_loss(tr, &t);
    v->points = t.n;
    term_release(&t);
    v->value = sqrt(l); /* NaN (a non-finite net) fails the verdict */
    return 0;
}

int verdict_judge(verdict *v, trainer *tr, const double *u, const double *exact,
                  const double *ref, size_t n, double tol, double rtol, gsl_rng *rng)
{
    memset(v, 0, sizeof *v);
    v->measure = "none";
    v->value = NAN;
    v->tolerance = tol;
    int fresh = 0;
    if (exact || ref) {
        v->measure = exact ? "rel_l2_vs_exact" : "rel_l2_vs_reference";
        v->value = rel_l2(u, exact ? exact : ref, n);
    } else {
        v->tolerance = rtol;
        int rc = fresh_residual(v, tr, rng, &fresh);
        if (rc < 0) {
            snprintf(v->text, sizeof v->text, "none: out of memory for the residual check");
            return -1;
        }
        if (rc > 0) {
            v->pass = 1;
            snprintf(v->text, sizeof v->text,
                     "none: no exact solution, no reference and no pde term to judge by");
            return 0;
        }
        v->measure = "residual_rms";
    }
    v->pass = v->value <= v->tolerance; /* NaN fails */
    const char *what = strcmp(v->measure, "rel_l2_vs_exact") == 0       ? "rel L2 vs exact"
                     : strcmp(v->measure, "rel_l2_vs_reference") == 0 ? "rel L2 vs reference"
                     : fresh ? "RMS residual on fresh points"
                             : "RMS residual on the training points (fixed set)";
    snprintf(v->text, sizeof v->text, "%s: %s %.3e %s tolerance %.3e", v->pass ? "pass" : "fail",
             what, v->value, v->pass ? "<=" : "exceeds", v->tolerance);
    return 0;
}
