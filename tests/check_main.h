/* tests/check_main.h - the main() every Check suite binary shares: runs the
 * suite built by the given function and exits non-zero on any failure. */
#ifndef PINN_CHECK_MAIN_H
#define PINN_CHECK_MAIN_H
#include <check.h>
#include <stdlib.h>

#define PINN_CHECK_MAIN(suite_fn)                                    \
    int main(void)                                                   \
    {                                                                \
        SRunner *sr = srunner_create(suite_fn());                    \
        srunner_run_all(sr, CK_NORMAL);                              \
        int failed = srunner_ntests_failed(sr);                      \
        srunner_free(sr);                                            \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;            \
    }
#endif
