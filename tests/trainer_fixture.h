/* tests/trainer_fixture.h - what the trainer suites share: a config given
 * as text, loaded and validated as `pinn run` does, its problem and terms,
 * a small tanh net (n_in-h1-h2-n_out) and a trainer over them. */
#ifndef PINN_TRAINER_FIXTURE_H
#define PINN_TRAINER_FIXTURE_H

#include <check.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "problems/problem.h"
#include "run.h"
#include "train/train.h"

typedef struct fixture {
    cfg *c;
    problem *p;
    mlp *net;
    gsl_rng *rng;
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms;
    trainer *tr;
} fixture;

static inline void fixture_setup(fixture *f, const char *text, size_t h1, size_t h2,
                                 const train_options *opt)
{
    char err[1024];
    memset(f, 0, sizeof *f);
    gsl_set_error_handler_off();
    f->c = run_config_load("t.cfg", text, NULL, 0, err, sizeof err);
    ck_assert_msg(f->c != NULL, "%s", err);
    f->p = problem_create(f->c, err, sizeof err);
    ck_assert_msg(f->p != NULL, "%s", err);
    f->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(f->rng, 3);
    size_t width[4] = {f->p->n_in, h1, h2, f->p->n_out};
    f->net = mlp_alloc(3, width, mlp_activation_find("tanh"));
    mlp_init(f->net, mlp_initializer_find("glorot_normal"), f->rng);
    ck_assert_msg(problem_build_terms(f->p, f->c, f->rng, f->terms, &f->n_terms, err, sizeof err)
                      == 0,
                  "%s", err);
    f->tr = trainer_alloc(f->p, f->net, f->terms, f->n_terms, f->rng, opt);
    ck_assert_ptr_nonnull(f->tr);
}

static inline void fixture_teardown(fixture *f)
{
    trainer_free(f->tr);
    for (size_t k = 0; k < f->n_terms; k++)
        term_release(&f->terms[k]);
    mlp_free(f->net);
    gsl_rng_free(f->rng);
    problem_free(f->p);
    cfg_free(f->c);
}

#endif
