/* losses/version.c - the library's version string. */
#include "pinnloss.h"

const char *pl_version(void) { return "0.1.0"; }
