/* tests/fuzz/fuzz_expr.c - libFuzzer target: expression text through
 * expr_compile, expr_eval and expr_derivative (fuzz_entry.c). Built and run
 * by `make fuzz`; not part of the pinn binary. */
#include "fuzz_entry.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_expr_one(data, size);
    return 0;
}
