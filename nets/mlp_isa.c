/* nets/mlp_isa.c - which instruction-set path (plain C, AVX2 + FMA, AVX-512)
 * the element-wise loops and activations of nets/ run: decided once from
 * the CPU (and PINN_ISA for comparisons), changeable by tests and bench.
 * The small matrix products have their own table (mlp_gemm.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "mlp_simd.h"

const char *const mlp_isa_names[MLP_ISA_N] = {"plain", "avx2", "avx512"};

int mlp_isa_usable(int isa)
{
    switch (isa) {
    case MLP_ISA_PLAIN:
        return 1;
#if MLP_X86
    case MLP_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case MLP_ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#endif
    default:
        return 0;
    }
}

static int isa_active = -1;
static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

static void isa_pick(void)
{
    const char *env = getenv("PINN_ISA");
    for (int i = 0; env && i < MLP_ISA_N; i++)
        if (strcmp(env, mlp_isa_names[i]) == 0 && mlp_isa_usable(i))
            isa_active = i;
    for (int i = MLP_ISA_N; isa_active < 0 && i-- > 0;)
        if (mlp_isa_usable(i))
            isa_active = i;
}

int mlp_isa_active(void)
{
    pthread_once(&isa_once, isa_pick);
    return isa_active;
}

int mlp_isa_select(int isa)
{
    if (isa < 0 || isa >= MLP_ISA_N || !mlp_isa_usable(isa))
        return -1;
    pthread_once(&isa_once, isa_pick);
    isa_active = isa;
    return 0;
}
