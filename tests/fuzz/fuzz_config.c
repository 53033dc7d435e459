/* tests/fuzz/fuzz_config.c - libFuzzer target: config text through the
 * loader, the checker and the problem builders (fuzz_entry.c). Built and run
 * by `make fuzz`; not part of the pinn binary. */
#include "fuzz_entry.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_config_one(data, size);
    return 0;
}
