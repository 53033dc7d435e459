/* losses/version.c - the library's version string and error messages.
 * Nothing numeric lives here. */
#include "pinnloss.h"

const char *pl_version(void) { return "0.1.0"; }

const char *pl_strerror(int code)
{
    switch (code) {
    case PL_OK: return "success";
    case PL_EINVAL: return "invalid argument (NULL, size or parameter)";
    case PL_ENAN: return "input holds NaN or Inf";
    case PL_ENOMEM: return "out of memory";
    case PL_ERANGE: return "result overflows (finite inputs, non-finite loss)";
    default: return "unknown error";
    }
}
