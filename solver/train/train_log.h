/* solver/train/train_log.h - the trainer's progress output (train_log.c): table
 * rows, the terminal bar, and the monotonic clock both use. Internal to
 * the trainer. */
#ifndef PINN_TRAIN_LOG_H
#define PINN_TRAIN_LOG_H

#include "train/train.h"

/* Seconds on a monotonic clock. */
double train_now(void);
/* The table's header line (term names, weight columns, rel_l2). */
void train_log_header(trainer *tr);
/* One table row for the current step; also refreshes tr->last_rel_l2. */
void train_log_row(trainer *tr, int phase, double loss);
/* Redraws the bar at most every 0.2 s (only on a terminal). */
void train_bar_update(trainer *tr, int phase, long long done, long long total, double loss,
                      double *last_draw);
/* Erases the bar before other output. */
void train_bar_clear(const trainer *tr);

#endif
