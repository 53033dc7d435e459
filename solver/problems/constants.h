/* solver/problems/constants.h - named constants of a problem
 * (`problem.constants = { nu = "0.01/pi"; c = 2.0; };`), for every problem
 * type: read in file order, each an expression in pi, e and the constants
 * before it, checked to be finite and not to take a name already in use.
 * Expressions of the problem then use them through problem_expr. */
#ifndef PINN_CONSTANTS_H
#define PINN_CONSTANTS_H

#include <stddef.h>

#include "config/config.h"

#define CONSTANTS_MAX 32
#define CONSTANTS_NAME 32

typedef struct constants {
    size_t n;
    char name[CONSTANTS_MAX][CONSTANTS_NAME];
    const char *names[CONSTANTS_MAX]; /* name[i], for expr_compile_bound */
    double value[CONSTANTS_MAX];
} constants; /* names points into name: do not copy a filled struct */

/* Reads problem.constants of c into k (k->n = 0 when absent). taken[] are
 * the names the problem already uses (variables, fields, derivative
 * symbols); a constant may not take one of them, nor a libmatheval function
 * or built-in constant name. Returns 0, or -1 with `FILE:LINE:
 * problem.constants.NAME: why` in err. */
int constants_read(constants *k, const cfg *c, const char *const *taken, size_t n_taken,
                   char *err, size_t errcap);

/* The index of name among k's constants, or -1. */
int constants_find(const constants *k, const char *name);

#endif
