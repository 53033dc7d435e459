/* solver/train/hard.h - hard constraints as an output transform around the
 * network: u = g + D N, with g meeting the initial (and, where the problem
 * type can, the Dirichlet) conditions and D vanishing where they hold, so
 * they are satisfied exactly. The derivative channels of u follow from the
 * net's by the product rule; the problem type supplies g, D and their
 * derivatives (problem_type.constraint). nets/ is not involved. */
#ifndef PINN_HARD_H
#define PINN_HARD_H

#include <stddef.h>

#include "mlp.h"

/* 0 when every second-derivative channel (i, j) of ch has its first
 * derivatives i and j in ch (the product rule needs them), else -1. */
int hard_check(const mlp_channels *ch);
/* In place: out holds the net's channels N (ch->n x n x m, channel-major,
 * physical units) and becomes u's, from g (same shape) and D (ch->n x n). */
void hard_forward(const mlp_channels *ch, size_t n, size_t m, const double *g, const double *D,
                  double *out);
/* In place: gout holds dL/du (channels of u) and becomes dL/dN. */
void hard_backward(const mlp_channels *ch, size_t n, size_t m, const double *D, double *gout);

#endif
