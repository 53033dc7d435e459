/* solver/problems/problem_common.h - helpers shared by the problem types (not part of
 * the trainer's view of a problem): expression compiling with config-aware
 * messages, the mean-square residual, uniform axes, the data-file reader. */
#ifndef PINN_PROBLEM_COMMON_H
#define PINN_PROBLEM_COMMON_H

#include "config/config.h"
#include "config/expr.h"
#include "pinnloss.h"
#include "problems/constants.h"
#include "problems/problem.h"

/* Compiles text over names, with the named constants k (NULL: none) bound
 * to their values; on failure writes `FILE:LINE: path: why`. */
expr *problem_expr(const cfg *c, const constants *k, const char *path, const char *text,
                   const char *const *names, size_t n, char *err, size_t errcap);
/* Fails with `FILE:LINE: path: evaluates to inf at x = 0, t = 1` for the
 * first non-finite v[i]; point i's coordinates are at[i*stride + 0..n_names). */
int problem_check_finite(const cfg *c, const char *path, const double *v, size_t n,
                         const double *at, size_t stride, const char *const *names,
                         size_t n_names, char *err, size_t errcap);
/* L = mean(t->r[0..n_r)^2); *dldr points at dL/dr (inside t->r). */
double term_mse(term *t, double **dldr);
/* Residual r = value channel - targets (t->aux, n_r of them): the initial
 * and data terms of every problem type. */
double term_value_loss(term *t, const problem *p, const double *out, double *gout);
/* Nonzero when s is a name: a letter or '_', then letters, digits, '_'. */
int problem_is_identifier(const char *s);
/* n points from lo to hi inclusive. */
int uniform_axis(double *v, size_t n, double lo, double hi);
/* Nonzero when the config asks for a data term (loss.data.file or
 * loss.data.files given, loss.data.enabled). */
int data_term_wanted(const cfg *c);
/* Builds the data term (name "data", weight loss.data.weight) into t from
 * the config's data files: CSV with a header naming the columns, or HDF5
 * with one dataset per column; columns are matched to p's inputs and
 * fields by name, in any order; every input is required, fields may be a
 * subset; loss.data.sigma.FIELD divides that field's residuals. 0, or -1
 * with `FILE:LINE: loss.data.file: why`. */
int data_term_build(term *t, const problem *p, const cfg *c, char *err, size_t errcap);

#endif
