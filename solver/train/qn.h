/* solver/train/qn.h - full-memory quasi-Newton minimisation for up to ~10^4
 * unknowns: BFGS and self-scaled BFGS on a dense inverse-Hessian
 * approximation (and self-scaled Broyden), with a strong-Wolfe line search (Nocedal & Wright,
 * Numerical Optimization, Algorithms 3.5 and 3.6). GSL-style object: alloc,
 * set, iterate, free; the caller drives the loop and the stop tests. It
 * knows nothing of networks: f and its gradient come from a callback. */
#ifndef PINN_QN_H
#define PINN_QN_H

#include <stddef.h>

/* f(x), with its gradient written into g (n values). A non-finite f is a
 * point the line search backs off from. */
typedef double (*qn_fdf)(void *ctx, const double *x, double *g);

enum {
    QN_OK = 0,
    QN_ENAN = 1,        /* f or the gradient at the starting point is not finite */
    QN_ELINESEARCH = 2, /* no strong-Wolfe point within max_linesearch evaluations,
                           also after a restart from the identity; x unchanged */
    QN_EINVAL = 3       /* qn_iterate before qn_set */
};

typedef struct qn qn;

/* A member of the family: the self-scaling factor tau and the Broyden
 * parameter phi of the update of H from the accepted step (see qn.c). */
typedef struct qn_type {
    const char *name;
    /* sy = s.y, yhy = y.Hy, b = s.B s / s.y (B = H^-1 before the update),
     * n the number of unknowns */
    void (*coefficients)(double sy, double yhy, double b, size_t n, double *tau,
                         double *phi);
} qn_type;

/* "bfgs", "ssbfgs", "ssbroyden"; terminated by a NULL name. */
extern const qn_type qn_types[];
const qn_type *qn_type_find(const char *name);

struct qn {
    const qn_type *type;
    size_t n;
    double *H;                 /* n x n, upper triangle valid (row-major) */
    double *x, *g, f;          /* the current iterate, its gradient and value */
    double *p, *s, *y, *hy, *xt, *gt, *v;
    qn_fdf fdf;
    void *ctx;
    double c1, c2;             /* sufficient decrease, curvature (0 < c1 < c2 < 1) */
    int max_linesearch;
    int scaled;                /* H0 = (s.y / y.y) I applied */
    long long iterations, evaluations, restarts;
    double alpha, tau, phi;    /* the last step's length and update coefficients */
};

/* A minimiser of the type called name in n unknowns; NULL for an unknown
 * name, n = 0 or out of memory (n^2 doubles). Free with qn_free. */
qn *qn_alloc(const char *name, size_t n);
void qn_free(qn *q);
/* Starts at x (copied): evaluates f and g there, H = I. Returns QN_OK or
 * QN_ENAN. c1, c2: the Wolfe constants; max_linesearch: evaluations per
 * iteration. */
int qn_set(qn *q, const double *x, qn_fdf fdf, void *ctx, double c1, double c2,
           int max_linesearch);
/* One iteration: direction p = -H g (the steepest descent and H = I when
 * that is not a descent direction), a strong-Wolfe step, the update of H.
 * q->x, q->g, q->f then hold the new point. */
int qn_iterate(qn *q);
/* The function changed (new points): f and g again at q->x, H kept.
 * QN_OK or QN_ENAN. */
int qn_refresh(qn *q);

#endif
