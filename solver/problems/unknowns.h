/* solver/problems/unknowns.h - unknown constants of an inverse problem
 * (problem.unknowns): their names, initial guesses, optional bounds or
 * positivity, the values used to make the data, and the map between the
 * optimizer's raw values and the constants. The trainer appends the raw
 * values after the network's parameters (one flat vector); loss terms read
 * the current constants from value[] and add dL/dc into their term's gc. */
#ifndef PINN_UNKNOWNS_H
#define PINN_UNKNOWNS_H

#include <stddef.h>
#include <stdio.h>

#include "config/config.h"

#define UNKNOWNS_MAX 16

/* free: c = s z; positive: c = exp(s z); bounded: c = lo + (hi - lo) / (1 + exp(-s z)),
 * z the raw value the optimizer sees and s = lr_factor (a factor on how far
 * an Adam step moves the unknown). */
typedef enum { UNKNOWN_FREE = 0, UNKNOWN_POSITIVE = 1, UNKNOWN_BOUNDED = 2 } unknown_kind;

typedef struct unknowns {
    size_t n;
    char name[UNKNOWNS_MAX][32];
    unknown_kind kind[UNKNOWNS_MAX];
    double lo[UNKNOWNS_MAX], hi[UNKNOWNS_MAX];
    double initial[UNKNOWNS_MAX];
    int has_truth;                  /* problem.unknowns.true_values given */
    double truth[UNKNOWNS_MAX];
    double scale;                   /* lr_factor */
    double value[UNKNOWNS_MAX];     /* the constants now */
    double dvalue[UNKNOWNS_MAX];    /* d value / d raw now */
} unknowns;

/* The settings (problem.unknowns.*), shared by every problem type. */
extern const setting_spec unknowns_settings[];

/* Reads problem.unknowns (absent: n = 0) and checks it on its own: names
 * are identifiers, not libmatheval's function or constant names, not
 * repeated; initial guesses inside their bounds (> 0 when positive).
 * value[] starts at the initial guesses. 0, or -1 with
 * `FILE:LINE: setting: what is wrong`. */
int unknowns_setup(unknowns *u, const cfg *c, char *err, size_t errcap);
/* -1 with a message when an unknown is named like one of taken[0..n)
 * (what: "variable", "field", ...). */
int unknowns_check_names(const unknowns *u, const cfg *c, const char *const *taken, size_t n,
                         const char *what, char *err, size_t errcap);
/* Index of name among the unknowns, -1 if none. */
int unknowns_find(const unknowns *u, const char *name);
/* The raw values of the initial guesses (n of them). */
void unknowns_raw_initial(const unknowns *u, double *raw);
/* Sets value[] and dvalue[] from raw values. */
void unknowns_set_raw(unknowns *u, const double *raw);
/* draw[j] += dc[j] * dvalue[j]: dL/d(raw) from dL/dc. */
void unknowns_chain(const unknowns *u, const double *dc, double *draw);
/* Prints the table of the unknowns: value, initial guess and, when the
 * config gives them, the true value and the relative error. */
void unknowns_report(const unknowns *u, FILE *f);
/* |value - true| / |true| (|value| when true is 0). */
double unknowns_rel_error(const unknowns *u, size_t j);
/* value[] = the true values (for the reference and `pinn sample`); -1
 * when the config gives none. */
int unknowns_use_truth(unknowns *u);

#endif
