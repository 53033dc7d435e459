/* nets/mlp_gemm.c - the small matrix product the fast pass runs on row
 * blocks: C (+)= A B for the thin shapes of an MLP (widths 1-200, a few
 * hundred rows). Three kernel paths in one table, chosen once at run time:
 * libxsmm's JIT code (AVX-512 or AVX2 as the CPU has, code made for exactly
 * each shape), our own 4 x 12 AVX2 + FMA register tile (libxsmm's fallback
 * for strides it cannot take), plain loops. Not a general BLAS. */
#include <pthread.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_simd.h"
#ifdef PINN_HAVE_LIBXSMM
#include <libxsmm.h>
#endif

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

#else

int mlp_cpu_fma(void) { return 0; }

static void gemm_avx2(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
                      const double *B, size_t ldb, double *C, size_t ldc, int acc)
{
    mlp_gemm_plain(M, N, K, A, ars, acs, B, ldb, C, ldc, acc);
}

#endif

/* Our own kernel where the CPU has AVX2 + FMA, plain loops otherwise. */
static void gemm_own(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
                     const double *B, size_t ldb, double *C, size_t ldc, int acc)
{
    if (mlp_cpu_fma())
        gemm_avx2(M, N, K, A, ars, acs, B, ldb, C, ldc, acc);
    else
        mlp_gemm_plain(M, N, K, A, ars, acs, B, ldb, C, ldc, acc);
}

#ifdef PINN_HAVE_LIBXSMM
/* libxsmm is column-major: row-major C = A B is column-major C^T = B^T A^T,
 * so B goes first, and A transposed (ars == 1) is its TRANS_B. A dispatch is
 * a 45 ns hash lookup (measured here), some 2% of a heat1d step: each thread
 * keeps the last shapes it asked for in a small direct-mapped cache. */
typedef struct xsmm_key {
    size_t M, N, K, lda, ldb, ldc;
    int trans, acc;
} xsmm_key;

typedef struct xsmm_slot {
    xsmm_key key;
    libxsmm_dmmfunction fn; /* NULL: libxsmm has no code for this shape */
    int used;
} xsmm_slot;

#define XSMM_SLOTS 32
static _Thread_local xsmm_slot xsmm_cache[XSMM_SLOTS];

static libxsmm_dmmfunction xsmm_find(const xsmm_key *k)
{
    size_t h = (k->M * 131 + k->N * 31 + k->K * 7 + k->ldc * 3 + (size_t)k->trans * 2 +
                (size_t)k->acc) % XSMM_SLOTS;
    xsmm_slot *s = &xsmm_cache[h];
    if (s->used && memcmp(&s->key, k, sizeof *k) == 0)
        return s->fn;
    int flags = k->trans ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
    double alpha = 1.0, beta = k->acc ? 1.0 : 0.0;
    libxsmm_blasint m = (libxsmm_blasint)k->N, n = (libxsmm_blasint)k->M;
    libxsmm_blasint kk = (libxsmm_blasint)k->K, lda = (libxsmm_blasint)k->lda;
    libxsmm_blasint ldb = (libxsmm_blasint)k->ldb, ldc = (libxsmm_blasint)k->ldc;
    s->fn = libxsmm_dmmdispatch(m, n, kk, &lda, &ldb, &ldc, &alpha, &beta, &flags, NULL);
    s->key = *k;
    s->used = 1;
    return s->fn;
}

static void gemm_xsmm(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
                      const double *B, size_t ldb, double *C, size_t ldc, int acc)
{
    xsmm_key k;
    memset(&k, 0, sizeof k); /* padding too: the cache compares bytes */
    k.M = M, k.N = N, k.K = K, k.lda = ldb, k.ldc = ldc, k.acc = acc != 0;
    if (acs == 1 && ars >= K) {
        k.ldb = ars; /* A row-major = A^T column-major, lda ars */
    } else if (ars == 1 && acs >= M) {
        k.ldb = acs; /* A^T row-major: column-major A, transposed */
        k.trans = 1;
    } else {
        gemm_own(M, N, K, A, ars, acs, B, ldb, C, ldc, acc);
        return;
    }
    libxsmm_dmmfunction f = M && N && K && ldb >= N && ldc >= N ? xsmm_find(&k) : NULL;
    if (f)
        f(B, A, C);
    else
        gemm_own(M, N, K, A, ars, acs, B, ldb, C, ldc, acc);
}

static int xsmm_usable(void) { return 1; }
#endif

static int own_usable(void) { return mlp_cpu_fma(); }
static int plain_usable(void) { return 1; }

const mlp_gemm_kernel mlp_gemm_kernels[] = {
#ifdef PINN_HAVE_LIBXSMM
    {"libxsmm", xsmm_usable, gemm_xsmm},
#endif
    {"avx2", own_usable, gemm_own},
    {"plain", plain_usable, mlp_gemm_plain},
    {NULL, NULL, NULL}
};

/* The kernel every mlp_gemm call runs: the first usable one of the table
 * unless mlp_gemm_select chose another. PINN_GEMM=name in the environment
 * chooses at start (for comparisons; an unknown or unusable name is
 * ignored). */
static const mlp_gemm_kernel *gemm_active;
static pthread_once_t gemm_once = PTHREAD_ONCE_INIT;

static void gemm_pick(void)
{
    const char *env = getenv("PINN_GEMM");
    const mlp_gemm_kernel *k = env ? mlp_gemm_kernel_find(env) : NULL;
    if (k && k->usable())
        gemm_active = k;
    for (k = mlp_gemm_kernels; !gemm_active && k->name; k++)
        if (k->usable())
            gemm_active = k;
}

const mlp_gemm_kernel *mlp_gemm_kernel_find(const char *name)
{
    for (const mlp_gemm_kernel *k = mlp_gemm_kernels; name && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

const mlp_gemm_kernel *mlp_gemm_active(void)
{
    pthread_once(&gemm_once, gemm_pick);
    return gemm_active;
}

int mlp_gemm_select(const mlp_gemm_kernel *k)
{
    if (k == NULL || !k->usable())
        return MLP_EINVAL;
    pthread_once(&gemm_once, gemm_pick);
    gemm_active = k;
    return MLP_OK;
}

void mlp_gemm(size_t M, size_t N, size_t K, const double *A, size_t ars, size_t acs,
              const double *B, size_t ldb, double *C, size_t ldc, int accumulate)
{
    mlp_gemm_active()->run(M, N, K, A, ars, acs, B, ldb, C, ldc, accumulate);
}
