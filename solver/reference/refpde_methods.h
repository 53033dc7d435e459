/* solver/reference/refpde_methods.h - internal to solver/reference/: the
 * accepts/solve pair of every reference method, for the table in refpde.c.
 * Not a public API: callers use refpde_methods[]. */
#ifndef PINN_REFPDE_METHODS_H
#define PINN_REFPDE_METHODS_H

#include "reference/refpde.h"

int refpde_fd_accepts(const refpde_spec *p, char *why, size_t cap);
int refpde_fd_solve(double *u, const refpde_spec *p, const refpde_opts *o, const refpde_out *out,
                    char *err, size_t errcap);
int refpde_mol_accepts(const refpde_spec *p, char *why, size_t cap);
int refpde_mol_solve(double *u, const refpde_spec *p, const refpde_opts *o, const refpde_out *out,
                     char *err, size_t errcap);
int refpde_spectral_accepts(const refpde_spec *p, char *why, size_t cap);
int refpde_spectral_solve(double *u, const refpde_spec *p, const refpde_opts *o,
                          const refpde_out *out, char *err, size_t errcap);

#endif
