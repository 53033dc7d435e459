/* nets/mlp_simd.h - what lets the element-wise loops of nets/ use AVX2 or
 * AVX-512 on a build for generic x86-64: target attributes, the instruction
 * set paths chosen at run time (mlp_isa.c), and the vectorisable tanh
 * kernel. Internal to nets/; without GCC/clang on x86 every macro falls back
 * to plain C and the results are the same to rounding. */
#ifndef PINN_MLP_SIMD_H
#define PINN_MLP_SIMD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && defined(__x86_64__)
#define MLP_AVX2 __attribute__((target("avx2,fma")))
/* 512-bit vectors for the auto-vectorised loops too, not just intrinsics */
#ifdef __clang__
#define MLP_AVX512 __attribute__((target("avx512f,avx512dq,fma"), min_vector_width(512)))
#else
#define MLP_AVX512 __attribute__((target("avx512f,avx512dq,fma,prefer-vector-width=512")))
#endif
#define MLP_INLINE static inline __attribute__((always_inline))
#define MLP_X86 1
#else
#define MLP_AVX2
#define MLP_AVX512
#define MLP_INLINE static inline
#define MLP_X86 0
#endif

/* The instruction-set paths of the element-wise loops and activations,
 * widest last. Each kernel family keeps one function per path in a table
 * indexed by these. */
enum { MLP_ISA_PLAIN, MLP_ISA_AVX2, MLP_ISA_AVX512, MLP_ISA_N };
/* "plain", "avx2", "avx512" */
extern const char *const mlp_isa_names[MLP_ISA_N];
/* True when this CPU (and build) runs path isa. */
int mlp_isa_usable(int isa);
/* The path the passes run: PINN_ISA (a name) from the environment when
 * usable, else the widest usable one; mlp_isa_select overrides. */
int mlp_isa_active(void);
/* Makes isa the active path (tests, bench; not while passes run). Returns
 * 0, or -1 when isa is not usable here. */
int mlp_isa_select(int isa);

/* tanh t and its derivative d = 1 - t^2 of one value, in a form the
 * compiler can vectorise inside an omp simd loop (libm's tanh cannot be).
 * tanh|z| = -e/(2+e) with e = expm1(-2|z|): no cancellation for small z, so
 * the relative error stays a few ulps everywhere; |z| > 20 is clamped (tanh
 * is 1 in double there), NaN stays NaN. d is computed as 4 e / (1 + e)^2,
 * e = exp(-2|z|), so it keeps its relative accuracy in the tails too.
 * expm1(u) = 2^k (1 + p(r)) - 1 with u = k ln2 + r, |r| <= ln2/2, and p the
 * degree-13 Taylor polynomial of expm1 (remainder < 1e-17 relative). */
MLP_INLINE void mlp_tanh_one(double z, double *t_out, double *d_out)
{
    const double inv_ln2 = 1.44269504088896338700e+00;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double shift = 0x1.8p52; /* adding it rounds to an integer in the low bits */
    const uint64_t bits20 = 0x4034000000000000u, bits_inf = 0x7ff0000000000000u;
    /* clamp |z| to 20 with integer masks: a floating-point ?: would not be
     * if-converted under the default -ftrapping-math */
    double a = fabs(z);
    uint64_t ab, zb, cm, nm;
    memcpy(&ab, &a, sizeof ab);
    memcpy(&zb, &z, sizeof zb);
    cm = (uint64_t)0 - (uint64_t)(ab > bits20);
    nm = (uint64_t)0 - (uint64_t)(ab > bits_inf); /* z is NaN */
    ab = (ab & ~cm) | (bits20 & cm);
    memcpy(&a, &ab, sizeof a);
    double u = -2.0 * a;
    double kd = u * inv_ln2 + shift;
    uint64_t kb;
    memcpy(&kb, &kd, sizeof kb);
    kd -= shift;
    double r = (u - kd * ln2_hi) - kd * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = (p * r) * r + r;
    uint64_t tb = (kb << 52) + ((uint64_t)1023 << 52); /* 2^k: k is in kb's low bits */
    double two_k;
    memcpy(&two_k, &tb, sizeof two_k);
    double em1 = two_k * p + (two_k - 1.0);
    double eu = two_k * p + two_k;      /* exp(-2|z|); 1 + eu = 2 + em1 */
    double inv = 1.0 / (1.0 + eu);       /* the one division */
    double t = copysign(-em1 * inv, z);
    double d = 4.0 * eu * inv * inv;    /* 1 - t^2 without cancellation */
    uint64_t tbits;
    memcpy(&tbits, &t, sizeof tbits);
    tbits = (tbits & ~nm) | (zb & nm); /* NaN in, NaN out */
    memcpy(&t, &tbits, sizeof t);
    *t_out = t;
    *d_out = d;
}

/* tanh's higher derivatives from t = tanh z and d = 1 - t^2. */
MLP_INLINE double mlp_tanh_d2(double t, double d) { return -2.0 * t * d; }
MLP_INLINE double mlp_tanh_d3(double t, double d) { return -2.0 * d * (1.0 - 3.0 * t * t); }

/* tanh and its first three derivatives for n values (mlp_tanh_one). The
 * output arrays must not overlap z or each other. */
MLP_INLINE void mlp_tanh_kernel(size_t n, const double *restrict z, double *restrict s0,
                                double *restrict s1, double *restrict s2, double *restrict s3)
{
#pragma omp simd
    for (size_t e = 0; e < n; e++) {
        double t, d;
        mlp_tanh_one(z[e], &t, &d);
        s0[e] = t;
        s1[e] = d;
        s2[e] = mlp_tanh_d2(t, d);
        s3[e] = mlp_tanh_d3(t, d);
    }
}

#endif
