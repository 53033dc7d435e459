/* solver/problems/pde_reference.c - the reference solution of a pde problem:
 * a placeholder that reports that there is none, so a run goes on without
 * /reference. Branch `ref` replaces this file with the glue to the
 * reference solvers (same contract, declared in pde.h). */
#include <stdio.h>

#include "problems/pde.h"

int pde_reference(const problem *p, const cfg *c, const grid *g, double *u, char *method,
                  size_t method_cap, char *err, size_t errcap)
{
    (void)p, (void)c, (void)g, (void)u;
    if (method_cap)
        method[0] = '\0';
    snprintf(err, errcap, "no reference solver for pde problems");
    return -1;
}
