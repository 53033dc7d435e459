/* solver/problems/pde_hard.h - hard constraints for the general PDE type:
 * u = g + D N with g meeting the Dirichlet sides and the initial condition
 * (u, and u_t for equations second order in t) and D vanishing on them, so
 * they hold exactly. g is the transfinite (Boolean sum) interpolation of
 * the boundary and initial expressions, D a product of normalised
 * distances; both with their derivative channels from libmatheval's
 * symbolic derivatives. The product rule around the net is train/hard.c's. */
#ifndef PINN_PDE_HARD_H
#define PINN_PDE_HARD_H

#include <stddef.h>

#include "config/config.h"
#include "mlp.h"
#include "problems/pde.h"

typedef struct pde_hard pde_hard;

/* The transform of d's constraints (d is borrowed and must outlive it):
 * every Dirichlet side, and t = t0 for a time-dependent problem. NULL with
 * `FILE:LINE: setting: why` in err when the fields differ in their
 * constrained sides or time order (D is shared by the fields), when there
 * is nothing to make exact, when two conditions contradict where they
 * meet, when a derivative cannot be taken, or when memory runs out. */
pde_hard *pde_hard_alloc(const pde *d, const cfg *c, char *err, size_t errcap);
void pde_hard_free(pde_hard *h);
/* Nonzero when side s of variable v is made exact (its Dirichlet rows
 * leave the boundary term). */
int pde_hard_side(const pde_hard *h, size_t v, int s);
/* For n points x (n x n_vars, physical): g (ch->n x n x n_fields,
 * channel-major) and D (ch->n x n), values and the ch channels'
 * derivatives, as problem_type.constraint. 0, or -1 for a channel of
 * order above 2. Serial: it evaluates libmatheval expressions. */
int pde_hard_eval(pde_hard *h, const double *x, size_t n, const mlp_channels *ch, double *g,
                  double *D);

#endif
