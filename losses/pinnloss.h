/* losses/pinnloss.h - libpinnloss: loss functions with gradients, multi-task
 * weighting and gradient checks, for any C program. Depends on libc and libm
 * only; knows nothing of the pinn solver. (Being written: see issue 4.) */
#ifndef PINNLOSS_H
#define PINNLOSS_H
#include <stddef.h>

enum { PL_OK = 0, PL_EINVAL = 1, PL_ENAN = 2, PL_ENOMEM = 3 };

#endif
