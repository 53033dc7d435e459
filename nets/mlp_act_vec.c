/* nets/mlp_act_vec.c - the batch (eval_n) forms of the activations, one
 * function per instruction-set path (mlp_isa.c): tanh by our own kernel
 * (mlp_simd.h) compiled per path, sin and cos by SLEEF's vector sincos
 * (1.0 ulp) at 4 or 8 lanes, libm's sin and cos on the plain path. */
#include <math.h>
#include <stddef.h>
#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_simd.h"

/* sleef.h declares its vector functions only under __AVX__ / __AVX512F__:
 * GCC's pragma turns both on for the include, then each is used only in
 * code for its path. clang (the fuzz build) has no such pragma: libm there. */
#if MLP_X86 && defined(PINN_HAVE_SLEEF) && !defined(__clang__)
#include <immintrin.h>
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f")
#include <sleef.h>
#pragma GCC pop_options
#define MLP_SLEEF 1
#else
#define MLP_SLEEF 0
#endif

typedef void (*act_n_fn)(size_t, const double *, double *, double *, double *, double *);

#define TANH_PATH(isa, ATTR)                                                                 \
    ATTR static void tanh_n_##isa(size_t n, const double *z, double *s0, double *s1,       \
                                  double *s2, double *s3)                                    \
    {                                                                                        \
        mlp_tanh_kernel(n, z, s0, s1, s2, s3);                                               \
    }
TANH_PATH(plain, )
TANH_PATH(avx2, MLP_AVX2)
TANH_PATH(avx512, MLP_AVX512)

static const act_n_fn tanh_n[MLP_ISA_N] = {tanh_n_plain, tanh_n_avx2, tanh_n_avx512};

void mlp_tanh_n(size_t n, const double *z, double *s0, double *s1, double *s2, double *s3)
{
    tanh_n[mlp_isa_active()](n, z, s0, s1, s2, s3);
}

static void sin_n_plain(size_t n, const double *z, double *s0, double *s1, double *s2,
                        double *s3)
{
    for (size_t e = 0; e < n; e++) {
        double s = sin(z[e]), c = cos(z[e]);
        s0[e] = s;
        s1[e] = c;
        s2[e] = -s;
        s3[e] = -c;
    }
}

#if MLP_SLEEF
/* W lanes at a time; the last n % W values go through a padded copy, so a
 * value's result does not depend on where it sits in the array. */
#define SIN_PATH(isa, ATTR, W, VT, LOAD, STORE, NEG, SINCOS, VT2)                            \
    ATTR static void sin_n_##isa(size_t n, const double *z, double *s0, double *s1,        \
                                 double *s2, double *s3)                                     \
    {                                                                                        \
        size_t e = 0;                                                                        \
        for (; e + W <= n; e += W) {                                                         \
            VT2 r = SINCOS(LOAD(z + e));                                                     \
            STORE(s0 + e, r.x);                                                              \
            STORE(s1 + e, r.y);                                                              \
            STORE(s2 + e, NEG(r.x));                                                         \
            STORE(s3 + e, NEG(r.y));                                                         \
        }                                                                                    \
        if (e == n)                                                                          \
            return;                                                                          \
        double zt[W] = {0}, t[4][W];                                                         \
        for (size_t q = e; q < n; q++)                                                       \
            zt[q - e] = z[q];                                                                \
        VT2 r = SINCOS(LOAD(zt));                                                            \
        STORE(t[0], r.x);                                                                    \
        STORE(t[1], r.y);                                                                    \
        for (size_t q = e; q < n; q++) {                                                     \
            s0[q] = t[0][q - e];                                                             \
            s1[q] = t[1][q - e];                                                             \
            s2[q] = -t[0][q - e];                                                            \
            s3[q] = -t[1][q - e];                                                            \
        }                                                                                    \
    }

MLP_AVX2 static inline __m256d neg4(__m256d v) { return _mm256_xor_pd(v, _mm256_set1_pd(-0.0)); }
MLP_AVX512 static inline __m512d neg8(__m512d v) { return _mm512_sub_pd(_mm512_setzero_pd(), v); }
SIN_PATH(avx2, MLP_AVX2, 4, __m256d, _mm256_loadu_pd, _mm256_storeu_pd, neg4,
         Sleef_sincosd4_u10avx2, Sleef___m256d_2)
SIN_PATH(avx512, MLP_AVX512, 8, __m512d, _mm512_loadu_pd, _mm512_storeu_pd, neg8,
         Sleef_sincosd8_u10avx512f, Sleef___m512d_2)
static const act_n_fn sin_n[MLP_ISA_N] = {sin_n_plain, sin_n_avx2, sin_n_avx512};
#else
static const act_n_fn sin_n[MLP_ISA_N] = {sin_n_plain, sin_n_plain, sin_n_plain};
#endif

void mlp_sin_n(size_t n, const double *z, double *s0, double *s1, double *s2, double *s3)
{
    sin_n[mlp_isa_active()](n, z, s0, s1, s2, s3);
}

int mlp_act_rule(const mlp_activation *act)
{
    if (act && act->eval_n == mlp_tanh_n)
        return MLP_RULE_TANH;
    if (act && act->eval_n == mlp_sin_n)
        return MLP_RULE_SIN;
    return MLP_RULE_STORED;
}
