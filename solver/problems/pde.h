/* solver/problems/pde.h - a general PDE problem (problem.type = "pde") as
 * read from its config: variables and their box, fields, constants, the
 * residual equations and their symbolic partials, boundary, initial and exact
 * expressions. Shared by the pde problem type (problems/pde.c: loss terms,
 * grid) and the glue that hands it to the reference solvers
 * (problems/pde_reference.c). Training and files live elsewhere.
 *
 * Expressions. Every expression of a pde problem is compiled over ONE list of
 * names, the "slots", in this order:
 *   [0, n_vars)                       the variables, space first then t
 *                                     (x, y, z in that order, then t)
 *   [sym0, sym0 + n_fields*n_sym)     for each field f, its symbols: the value
 *                                     (u), d/dv for every variable v (u_x,
 *                                     u_t), d2/dv dw for every pair v <= w in
 *                                     variable order (u_xx, u_xt, u_tt, ...)
 *   [const0, const0 + n_consts)       the named constants
 *   [unk0, unk0 + n_unk)              the unknown constants (problem.unknowns),
 *                                     allowed in the equations only
 * so an evaluator fills one array of n_slots values and calls expr_eval.
 * Boundary, initial and exact expressions use the same list (symbols are
 * allowed only where the kind says so: Robin/Neumann values and u0 use
 * variables and constants only). */
#ifndef PINN_PDE_H
#define PINN_PDE_H

#include <stddef.h>

#include "config/config.h"
#include "config/expr.h"
#include "problems/problem.h"

#define PDE_MAX_VARS 3   /* inputs in all, t included */
#define PDE_MAX_FIELDS 4
#define PDE_MAX_CONSTS 32
/* symbols per field: value + first + second (pure and mixed) */
#define PDE_SYMS(nv) (1 + (nv) + (nv) * ((nv) + 1) / 2)

typedef enum { PDE_DIRICHLET, PDE_NEUMANN, PDE_ROBIN, PDE_PERIODIC } pde_bc_kind;

/* One symbol: field f and the channel (i, j) as in mlp_channel: value
 * (-1, -1), d/dx_i (i, -1), d2/dx_i dx_j (i <= j). */
typedef struct pde_symbol {
    int field, i, j;
} pde_symbol;

/* A condition on one side for one field, with n the outward normal:
 *   dirichlet: u = g          neumann: du/dn = g
 *   robin:     a u + b du/dn = g        periodic: u and du/dn match the
 *   opposite side (g, a, b NULL).
 * a, b, g are expressions over the slot list in the variables and constants
 * (the side's own coordinate is fixed at lo or hi). */
typedef struct pde_bc {
    pde_bc_kind kind;
    expr *g, *a, *b;
    int set;                     /* nonzero when the config gives this condition */
} pde_bc;

typedef struct pde {
    size_t n_vars;               /* 1..3 */
    char var[PDE_MAX_VARS][2];   /* "x", "y", "z", "t" */
    int time;                    /* index of t among the variables, -1 if steady */
    size_t n_space;              /* variables other than t */
    double lo[PDE_MAX_VARS], hi[PDE_MAX_VARS];

    size_t n_fields;
    char field[PDE_MAX_FIELDS][16];

    size_t n_consts;
    char cname[PDE_MAX_CONSTS][32];
    double cvalue[PDE_MAX_CONSTS];

    /* unknown constants: names set by the caller before pde_parse (the
     * problem's unknowns); their slot values change while training */
    size_t n_unk;
    char uname[PDE_MAX_CONSTS][32];
    double uvalue[PDE_MAX_CONSTS]; /* the values a reference solves with (the
                                    * unknowns' true_values) */

    size_t n_sym;                /* PDE_SYMS(n_vars), per field */
    size_t sym0, const0, unk0, n_slots;
    const char **slot_name;      /* n_slots names, owned */
    pde_symbol *slot_sym;        /* symbol of slot sym0 + k, k < n_fields*n_sym */

    size_t n_eq;                 /* equations = fields */
    expr **eq;                   /* residuals r_e, n_eq */
    expr ***deq;                 /* deq[e][k]: d r_e / d symbol k, NULL when r_e
                                  * does not use symbol k */
    expr ***dequ;                /* dequ[e][l]: d r_e / d unknown l, NULL when
                                  * r_e does not use it */
    int time_order[PDE_MAX_FIELDS]; /* highest t-derivative of field f in any
                                  * equation: 0, 1 or 2 */

    /* bc[v][s][f]: variable v (space only), side s (0 = lo, 1 = hi), field f */
    pde_bc bc[PDE_MAX_VARS][2][PDE_MAX_FIELDS];
    int periodic[PDE_MAX_VARS];  /* nonzero when both sides of v are periodic */

    expr *u0[PDE_MAX_FIELDS];    /* field at t0 (time-dependent problems) */
    expr *ut0[PDE_MAX_FIELDS];   /* d field / dt at t0 when time_order is 2 */
    expr *exact[PDE_MAX_FIELDS]; /* NULL when not given */
} pde;

/* Slot index of field f's symbol (i, j) (value: -1, -1), for p. */
size_t pde_slot(const pde *p, int f, int i, int j);

/* Reads problem.* of a pde config into d (zeroed by the caller): variables,
 * fields, constants, equations and their symbolic partials, initial,
 * boundary and exact expressions, every check of the config. 0, or -1 with
 * `FILE:LINE: setting: why` in err (d is then partly filled: pde_release). */
int pde_parse(pde *d, const cfg *c, char *err, size_t errcap);
/* Frees what d owns (d itself is the caller's); a zeroed d is fine. */
void pde_release(pde *d);
/* The parsed problem of a problem of type "pde" (its impl starts with it). */
const pde *pde_of(const problem *p);
/* Writes the slot values of the constants into slots (n_slots values). */
void pde_slots_constants(const pde *d, double *slots);

/* The reference solution of a pde problem on grid g (same contract as
 * problem_type.reference): u is g->n x n_fields, method describes what was
 * done. Nonzero with err when no reference solver takes the problem; the
 * run then goes on without /reference. In problems/pde_reference.c. */
int pde_reference(const problem *p, const cfg *c, const grid *g, double *u, char *method,
                  size_t method_cap, char *err, size_t errcap);

#endif
