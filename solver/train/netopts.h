/* solver/train/netopts.h - the network options of a config (network.periodic,
 * network.fourier, network.factorization) as nets/' mlp_options, checked
 * against the problem. Building the net stays in run.c. */
#ifndef PINN_NETOPTS_H
#define PINN_NETOPTS_H
#include <stddef.h>
#include "config/config.h"
#include "mlp.h"
#include "problems/problem.h"

/* Fills o from c for problem p: the periodic inputs with lo and period in
 * the net's (scaled, as network.scale_inputs says) coordinates, the Fourier
 * features, the factorization. 0, or -1 with `FILE:LINE: setting: why`. */
int netopts_from_config(const cfg *c, const problem *p, mlp_options *o, char *err,
                        size_t errcap);
/* The first dense layer's input width: n_in raw inputs after o's
 * embeddings (n_in without any). */
size_t netopts_input_width(size_t n_in, const mlp_options *o);
/* The parameters a net of widths width[0..n_layers] (width[0]: raw inputs)
 * with options o has. */
size_t netopts_n_params(const size_t *width, size_t n_layers, const mlp_options *o);
/* Names of o's periodic inputs of p, comma-separated, into buf ("" if none). */
void netopts_periodic_names(const mlp_options *o, const problem *p, char *buf, size_t cap);

#endif
