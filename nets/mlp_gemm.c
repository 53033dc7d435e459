/* nets/mlp_gemm.c - the small matrix product the fast pass runs on row
 * blocks: C (+)= A B for the thin shapes of an MLP (widths 1-200, a few
 * hundred rows), register-blocked 4 x 12 with AVX2 + FMA when the CPU has
 * them, plain loops otherwise. Not a general BLAS: no alpha, no transposed B. */
#include <stddef.h>
#include "mlp_internal.h"
#include "mlp_simd.h"

void mlp_gemm_plain(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
                    const double *B, size_t ldb, double *C, size_t ldc, int accumulate)
{
    for (size_t i = 0; i < M; i++) {
        double *c = C + i * ldc;
        if (!accumulate)
            for (size_t j = 0; j < N; j++)
                c[j] = 0.0;
        for (size_t k = 0; k < K; k++) {
            const double a = A[i * ars + k * acs], *b = B + k * ldb;
            for (size_t j = 0; j < N; j++)
                c[j] += a * b[j];
        }
    }
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

#define MLP_FMA __attribute__((target("avx2,fma")))

/* One tile: MR rows (1-4) by NV vectors of 4 columns (1-3); when masked the
 * last vector holds only the columns set in mask. With constant MR, NV and
 * masked after inlining the accumulators live in registers. */
MLP_FMA static inline __attribute__((always_inline)) void
tile(size_t MR, size_t NV, int masked, __m256i mask, size_t K, const double *A, size_t ars,
     size_t acs, const double *B, size_t ldb, double *C, size_t ldc, int accumulate)
{
    __m256d acc[4][3];
#pragma GCC unroll 4
    for (size_t r = 0; r < MR; r++)
#pragma GCC unroll 3
        for (size_t v = 0; v < NV; v++) {
            if (!accumulate)
                acc[r][v] = _mm256_setzero_pd();
            else if (masked && v + 1 == NV)
                acc[r][v] = _mm256_maskload_pd(C + r * ldc + 4 * v, mask);
            else
                acc[r][v] = _mm256_loadu_pd(C + r * ldc + 4 * v);
        }
    for (size_t k = 0; k < K; k++) {
        const double *b = B + k * ldb;
        __m256d bv[3];
#pragma GCC unroll 3
        for (size_t v = 0; v < NV; v++)
            bv[v] = masked && v + 1 == NV ? _mm256_maskload_pd(b + 4 * v, mask)
                                          : _mm256_loadu_pd(b + 4 * v);
        const double *a = A + k * acs;
#pragma GCC unroll 4
        for (size_t r = 0; r < MR; r++) {
            __m256d av = _mm256_broadcast_sd(a + r * ars);
#pragma GCC unroll 3
            for (size_t v = 0; v < NV; v++)
                acc[r][v] = _mm256_fmadd_pd(av, bv[v], acc[r][v]);
        }
    }
#pragma GCC unroll 4
    for (size_t r = 0; r < MR; r++)
#pragma GCC unroll 3
        for (size_t v = 0; v < NV; v++) {
            if (masked && v + 1 == NV)
                _mm256_maskstore_pd(C + r * ldc + 4 * v, mask, acc[r][v]);
            else
                _mm256_storeu_pd(C + r * ldc + 4 * v, acc[r][v]);
        }
}

/* Instantiates tile for MR rows and every (NV, masked). */
#define TILE_ROWS(MR)                                                                        \
    MLP_FMA static void tile_##MR(size_t nv, int masked, __m256i mask, size_t K,            \
                                  const double *A, size_t ars, size_t acs, const double *B,  \
                                  size_t ldb, double *C, size_t ldc, int acc)                \
    {                                                                                        \
        if (nv == 3 && !masked)                                                              \
            tile(MR, 3, 0, mask, K, A, ars, acs, B, ldb, C, ldc, acc);                       \
        else if (nv == 3)                                                                    \
            tile(MR, 3, 1, mask, K, A, ars, acs, B, ldb, C, ldc, acc);                       \
        else if (nv == 2 && !masked)                                                         \
            tile(MR, 2, 0, mask, K, A, ars, acs, B, ldb, C, ldc, acc);                       \
        else if (nv == 2)                                                                    \
            tile(MR, 2, 1, mask, K, A, ars, acs, B, ldb, C, ldc, acc);                       \
        else if (!masked)                                                                    \
            tile(MR, 1, 0, mask, K, A, ars, acs, B, ldb, C, ldc, acc);                       \
        else                                                                                 \
            tile(MR, 1, 1, mask, K, A, ars, acs, B, ldb, C, ldc, acc);                       \
    }
TILE_ROWS(1)
TILE_ROWS(2)
TILE_ROWS(3)
TILE_ROWS(4)

MLP_FMA static void gemm_avx2(size_t M, size_t N, size_t K, const double *A, size_t ars,
                              size_t acs, const double *B, size_t ldb, double *C, size_t ldc,
                              int acc)
{
    for (size_t j = 0; j < N; j += 12) {
        size_t nc = N - j < 12 ? N - j : 12, nv = (nc + 3) / 4, rem = nc % 4;
        int masked = rem != 0;
        __m256i mask = _mm256_setr_epi64x(-1, rem == 0 || rem > 1 ? -1 : 0,
                                          rem == 0 || rem > 2 ? -1 : 0, rem == 0 ? -1 : 0);
        size_t i = 0;
        for (; i + 4 <= M; i += 4)
            tile_4(nv, masked, mask, K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc,
                   acc);
        const double *a = A + i * ars;
        double *c = C + i * ldc + j;
        switch (M - i) {
        case 3:
            tile_3(nv, masked, mask, K, a, ars, acs, B + j, ldb, c, ldc, acc);
            break;
        case 2:
            tile_2(nv, masked, mask, K, a, ars, acs, B + j, ldb, c, ldc, acc);
            break;
        case 1:
            tile_1(nv, masked, mask, K, a, ars, acs, B + j, ldb, c, ldc, acc);
            break;
        default:
            break;
        }
    }
}

int mlp_cpu_fma(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

void mlp_gemm(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
              const double *B, size_t ldb, double *C, size_t ldc, int accumulate)
{
    if (mlp_cpu_fma())
        gemm_avx2(M, N, K, A, ars, acs, B, ldb, C, ldc, accumulate);
    else
        mlp_gemm_plain(M, N, K, A, ars, acs, B, ldb, C, ldc, accumulate);
}

#else

int mlp_cpu_fma(void) { return 0; }

void mlp_gemm(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
              const double *B, size_t ldb, double *C, size_t ldc, int accumulate)
{
    mlp_gemm_plain(M, N, K, A, ars, acs, B, ldb, C, ldc, accumulate);
}

#endif
