/* solver/io/checkpoint.h - `pinn run --resume FILE`: reads the model, the
 * optimizer and weighting state, the random state and the history back from
 * a result file and puts a freshly built trainer in that state. Writing a
 * checkpoint is output_write's (every result of a training run is one). */
#ifndef PINN_CHECKPOINT_H
#define PINN_CHECKPOINT_H

#include <stdio.h>

#include "config/config.h"
#include "train/train.h"

/* Restores tr (allocated from config c with the given seed, before any
 * training) from the checkpoint in path. The file must come from the same
 * problem type, network, loss terms, point counts and weighting scheme;
 * when its stored config text, overrides or seed differ in anything else, a
 * note goes to warn (NULL: none) and the resume goes on. Returns 0, or -1
 * with the reason in err (no such file, not a pinn result, no checkpoint,
 * a different architecture or term set, inconsistent contents). */
int checkpoint_load(const char *path, const cfg *c, unsigned long seed, trainer *tr, FILE *warn,
                    char *err, size_t errcap);

#endif
