/* solver/problems/problem.h - what a problem type (heat, ode, ...) provides to the
 * trainer: its settings, its input/output sizes, its loss terms (point sets,
 * channels and residuals), its evaluation grid, exact and reference
 * solutions. Problem types are entries of a const table; adding a problem
 * is adding an entry. Training, optimizers and files live elsewhere. */
#ifndef PINN_PROBLEM_H
#define PINN_PROBLEM_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "config/config.h"
#include "mlp.h"
#include "problems/unknowns.h"

#define PROBLEM_MAX_IN 3
#define PROBLEM_MAX_TERMS 8

typedef struct problem problem;
typedef struct term term;

/* One loss term: a point set, the channels it needs and its residual.
 * Points are in physical coordinates; the trainer feeds the net scaled
 * inputs and hands `loss` channels in physical units. */
struct term {
    char name[24];          /* "pde", "boundary", "initial", "data", "conservation" */
    double weight;          /* fixed weight from the config */
    size_t n;               /* points */
    double *x;              /* n x n_in, owned */
    double *aux;            /* per-term data (targets, source values, ...), owned */
    size_t n_aux;
    double *r;              /* residual scratch, n_r values, owned */
    size_t n_r;
    mlp_channels ch;
    /* Causal training (Wang, Sankaran & Perdikaris 2022), off when eps = 0:
     * residuals are grouped in time bins and bin b is weighted by
     * exp(-eps * sum of the mean squared residuals of the earlier bins). */
    double causal_eps;
    size_t causal_bins;
    size_t time_col, n_in;     /* where t is in a point */
    double t0, t1;
    double *bin;               /* 3 * causal_bins scratch, owned */
    /* Frozen: the bin weights of the last unfrozen evaluation are kept, so
     * the loss is the function whose gradient is computed (a quasi-Newton
     * line search needs that; Adam does not). */
    int causal_frozen;
    /* dL/dc for each unknown constant (problem.unknowns): the trainer zeroes
     * it before loss, a loss whose residual uses an unknown adds to it. */
    double gc[UNKNOWNS_MAX];
    /* 1: residual i depends on point i alone, and aux and r hold the same
     * whole number of values per point, so MPI strong scaling may give
     * each rank a block of rows (train/parallel.h). 0 (the default): the
     * term is trained whole by one rank. */
    int pointwise;
    /* Computes the residuals from the channels in out ((ch.n * n) x n_out),
     * returns L = mean(r^2) and writes dL/d(out) into gout (same shape). */
    double (*loss)(term *t, const problem *p, const double *out, double *gout);
    /* Redraws the points (NULL: fixed set). */
    int (*resample)(term *t, const problem *p, gsl_rng *rng);
};

#define GRID_MAX_AXES 4

/* The output grid: points (n x n_in) and its shape for the file. Axes are
 * slowest first, as the fields are stored: t, z, y, x over the variables
 * present (heat: t, x; ode: t alone), the last axis varying fastest in x. */
typedef struct grid {
    size_t n;
    double *x;              /* n x n_in, owned */
    size_t n_axes;          /* 1 (ode: t) to 4 */
    size_t len[GRID_MAX_AXES];        /* points along each axis */
    double *axis[GRID_MAX_AXES];      /* owned */
    const char *axis_name[GRID_MAX_AXES]; /* "t", "z", "y", "x"; static strings */
} grid;

/* A loss term's size before its points exist, for the memory estimate that
 * runs before anything large is allocated (see run.c). */
typedef struct term_plan {
    const char *setting;    /* the setting that fixes its point count */
    size_t n;               /* points (as requested; samplers may round) */
    size_t channels;        /* network output channels the term reads */
    size_t n_aux, n_r;      /* as term_alloc_points */
} term_plan;

typedef struct problem_type {
    const char *name;
    const setting_spec *settings; /* problem.* settings of this type */
    /* Reads and checks the problem settings, compiles expressions; errors
     * name the file, line and setting. */
    int (*setup)(problem *p, const cfg *c, char *err, size_t errcap);
    /* Builds the enabled loss terms and their points into terms (zeroed
     * by the caller). Call it through problem_build_terms, which cleans up
     * after a failure. */
    int (*build_terms)(problem *p, const cfg *c, gsl_rng *rng, term *terms, size_t *n_terms,
                       char *err, size_t errcap);
    /* The terms build_terms would make, without making them: fills plans
     * (PROBLEM_MAX_TERMS) and returns how many. Data terms count 0 points
     * (their size is the file's). */
    size_t (*plan_terms)(const problem *p, const cfg *c, term_plan *plans);
    int (*make_grid)(const problem *p, const cfg *c, grid *g);
    /* Exact solution on the grid (grid.n x n_out); 1 if none is given. */
    int (*exact)(const problem *p, const grid *g, double *u);
    /* GSL reference on the grid; writes method description into method. */
    int (*reference)(const problem *p, const cfg *c, const grid *g, double *u, char *method,
                     size_t method_cap, char *err, size_t errcap);
    void (*cleanup)(problem *p);
    /* Hard constraints u = g + D N (network.hard_constraints; NULL: the type
     * has none). For n points x (physical) fills g (ch->n x n x n_out,
     * channel-major as the net's output) and D (ch->n x n): the values and
     * the ch channels' derivatives of g, which meets the conditions made
     * exact, and of D, which vanishes where they hold (train/hard.h). Its
     * build_terms leaves out the terms it makes exact. 0, or -1 for a
     * channel it cannot give. */
    int (*constraint)(const problem *p, const double *x, size_t n, const mlp_channels *ch,
                      double *g, double *D);
    /* Time-marching (train/march.h): sets the initial term t's targets
     * from out, the channels t->ch of the previous window's solution at
     * t's points (t->ch.n x t->n x n_out, channel-major, physical units).
     * NULL: t is a value target (term_value_loss, aux = the values). 0, or
     * -1 when t is not the type's initial term. */
    int (*initial_from)(const problem *p, term *t, const double *out);
} problem_type;

struct problem {
    const problem_type *type;
    size_t n_in, n_out;
    const char *in_names[PROBLEM_MAX_IN];
    char **out_names;                 /* n_out names, owned */
    double lo[PROBLEM_MAX_IN], hi[PROBLEM_MAX_IN];
    int periodic[PROBLEM_MAX_IN];     /* every condition on both sides of input i is periodic */
    void *impl;                       /* the type's own data */
    unknowns unk;                     /* problem.unknowns (unk.n = 0: none) */
};

extern const problem_type *const problem_types[]; /* NULL-terminated */
const problem_type *problem_type_find(const char *name);

/* Looks up problem.type in c and runs its setup. NULL with err on failure. */
problem *problem_create(const cfg *c, char *err, size_t errcap);
void problem_free(problem *p);
/* Builds p's enabled loss terms into terms (PROBLEM_MAX_TERMS entries,
 * zeroed first). On failure every term is released again, *n_terms is 0
 * and err names the setting. */
int problem_build_terms(problem *p, const cfg *c, gsl_rng *rng, term *terms, size_t *n_terms,
                        char *err, size_t errcap);

/* Refuses unknowns named like an input or an output of p (after setup
 * named them) or like one of the problem's constants; 0 or -1 with the
 * message. */
int problem_unknowns_check(const problem *p, const cfg *c, const char *const *constants,
                           size_t n_constants, char *err, size_t errcap);

void term_release(term *t);           /* frees what a term owns */
void grid_release(grid *g);

/* Helpers for problem types. */
int term_alloc_points(term *t, size_t n, size_t n_in, size_t n_aux, size_t n_r);
/* Switches causal weighting on for t (eps > 0, bins >= 1); -1 on out of memory. */
int term_set_causal(term *t, double eps, size_t bins, size_t time_col, size_t n_in, double t0,
                    double t1);

#endif
