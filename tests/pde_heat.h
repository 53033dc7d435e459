/* tests/pde_heat.h - the general pde type's heat problem u_t = 0.1 u_xx on
 * [0, 1] x [0, 1], u0 = sin(pi x), u = 0 on both sides, with its exact
 * solution: the small time-dependent problem the march and hard suites train. */
#ifndef PINN_TEST_PDE_HEAT_H
#define PINN_TEST_PDE_HEAT_H

#define PDE_HEAT_PROBLEM                                                                   \
    "problem = { type = \"pde\"; variables = { x = [0.0, 1.0]; t = [0.0, 1.0]; };"         \
    " constants = { k = 0.1; }; equations = [\"u_t - k*u_xx\"];"                           \
    " initial = { u = \"sin(pi*x)\"; };"                                                   \
    " boundary = { x_lo = { u = { type = \"dirichlet\"; }; };"                             \
    " x_hi = { u = { type = \"dirichlet\"; }; }; };"                                       \
    " exact = { u = \"exp(-k*pi^2*t)*sin(pi*x)\"; }; };\n"

#endif
