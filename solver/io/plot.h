/* solver/io/plot.h - `pinn plot`: PNG figures of a result file (heat maps
 * of the fields, ODE trajectories, loss, weight and unknown histories),
 * drawn with PLplot's pngcairo driver. */
#ifndef PINN_PLOT_H
#define PINN_PLOT_H

#include <stddef.h>
#include <stdio.h>

/* Pixel sizes of the figures: line plots and one-panel maps, and maps with
 * three time panels. */
#define PLOT_WIDTH 900
#define PLOT_HEIGHT 600
#define PLOT_WIDE_WIDTH 1500
#define PLOT_WIDE_HEIGHT 500

/* Writes the figures of the result file h5path into dir (NULL: h5path
 * without ".h5", plus "-plots"; created if missing), each atomically, and
 * prints each PNG's path on a line of list (NULL: silent). 0, or -1 with
 * the reason in err. */
int plot_write(const char *h5path, const char *dir, FILE *list, char *err, size_t errcap);

#endif
