// Private: the single-precision exp of every kernel (ck_vexp, softmax, flash attention, GELU): one method, in
// two forms, one lane in plain C and a template on the vector vocabulary of ck_simd.h (which includes this last).
//
// Method (identical arithmetic on every path, so the paths agree to the last bit where FMA is used):
//   1. Clamp x to [-104, 89]. Below -104, exp(x) < 2^-150 rounds to +0; above 89 it overflows to +inf;
//      the clamped value still produces exactly those results through the normal path, so there is no
//      special-case blend. The min/max operand order keeps NaN (x86 min/max return the second operand
//      when either is NaN), so NaN flows through the arithmetic and comes out NaN.
//   2. n = round(x * log2(e)), r = x - n*ln2 by Cody-Waite with ln2 = LN2_HI + LN2_LO. LN2_HI has 15
//      significant bits, so n*LN2_HI (|n| <= 150) and x - n*LN2_HI are exact; |r| <= ln2/2 (+ a hair when
//      the rounding of x*log2(e) picks the other neighbour, which the polynomial tolerates).
//   3. exp(r) by the degree-7 Taylor polynomial in Horner form (FMA where available). Truncation error
//      r^8/8! <= 5.2e-9 relative at |r| = ln2/2, i.e. <= 0.05 ulp; the rest of the budget is rounding.
//   4. Scale by 2^n with one rounding: AVX-512 uses vscalefps; the others split n = n1 + n2
//      (n1 = n >> 1) and multiply twice: p * 2^n1 is exact (still normal for n1 >= -75) and only the
//      second product rounds, so subnormal results (n down to -150) are rounded once, correctly, and
//      n = 128 (x up to 88.72) still gives a finite result.
//
// Max error over all 2^32 float inputs (Scripts/check_exp_ulp.c, against exp() in double; on x86 with
// clang, arm64 under qemu-user with GCC):
//   path     ulp error vs exact exp    ulp distance vs exp correctly rounded to float
//   avx512   0.939 (x = 0x1.ab05d2p+4)  1
//   avx2     0.939 (same inputs, bit-identical results to avx512)  1
//   scalar   1.221 (x = 0x1.da1f2ep+5; no FMA on baseline x86-64)  1
//   neon     0.939 (x = 0x1.ab05d2p+4)  1   (the arm64 scalar build, FMA-contracted, matches it)
// Every NaN input gives NaN, +-inf and overflow / underflow give exactly +inf / +0; subnormal results
// are within the same bounds (one rounding, see step 4).
#ifndef CK_EXP_H
#define CK_EXP_H

#define CK_EXP_LO (-104.0f)
#define CK_EXP_HI 89.0f
#define CK_LOG2E 1.44269504088896341f
#define CK_LN2_HI 0.693145751953125f      // 0x1.62e4p-1: 15 significant bits
#define CK_LN2_LO 1.42860682030941723e-6f // ln 2 - CK_LN2_HI
#define CK_P2 0.5f
#define CK_P3 (1.0f / 6.0f)
#define CK_P4 (1.0f / 24.0f)
#define CK_P5 (1.0f / 120.0f)
#define CK_P6 (1.0f / 720.0f)
#define CK_P7 (1.0f / 5040.0f)

#include <stdint.h>
#include <string.h>

// Adding then subtracting 1.5 * 2^23 rounds a float of magnitude < 2^22 to the nearest integer
// (ties to even) without a rounding instruction or a float-to-int conversion.
#define CK_ROUND_MAGIC 12582912.0f

/// One lane, in plain C: the scalar path's fv_exp, and the exp of single values anywhere (the flash templates'
/// per-row rescale factors, the decode merge). Inlined into a vector path's function it is compiled for that
/// target, so there its `a * b + c` steps become FMAs, as they always have.
static inline float ck_exp_scalar(float x) {
    if (!(x == x)) return x + x;  // NaN (quieted)
    x = x < CK_EXP_LO ? CK_EXP_LO : x;
    x = x > CK_EXP_HI ? CK_EXP_HI : x;
    // Not foldable without -ffast-math (t - MAGIC != x * LOG2E in floating point), so the rounding stays.
    const float t = x * CK_LOG2E + CK_ROUND_MAGIC;
    const float n = t - CK_ROUND_MAGIC;
    float r = x - n * CK_LN2_HI;
    r = r - n * CK_LN2_LO;
    float p = CK_P7;
    p = p * r + CK_P6;
    p = p * r + CK_P5;
    p = p * r + CK_P4;
    p = p * r + CK_P3;
    p = p * r + CK_P2;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t ni = (int32_t)n;  // exact: |n| <= 150
    const int32_t n1 = ni >> 1, n2 = ni - n1;
    const uint32_t b1 = (uint32_t)(n1 + 127) << 23, b2 = (uint32_t)(n2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, 4);
    memcpy(&s2, &b2, 4);
    return (p * s1) * s2;
}

#if defined(FV_N) && FV_N > 1
/// The vector form, the same steps lane by lane on the vocabulary of ck_simd.h.
CK_INLINE CK_SIMD_TARGET fv fv_exp(fv x) {
    x = fv_min(fv_set1(CK_EXP_HI), fv_max(fv_set1(CK_EXP_LO), x));
    const fv n = fv_round_mul(x, CK_LOG2E);
    fv r = fv_fnma(n, fv_set1(CK_LN2_HI), x);
    r = fv_fnma(n, fv_set1(CK_LN2_LO), r);
    fv p = fv_set1(CK_P7);
    p = fv_fma(p, r, fv_set1(CK_P6));
    p = fv_fma(p, r, fv_set1(CK_P5));
    p = fv_fma(p, r, fv_set1(CK_P4));
    p = fv_fma(p, r, fv_set1(CK_P3));
    p = fv_fma(p, r, fv_set1(CK_P2));
    p = fv_fma(p, r, fv_set1(1.0f));
    p = fv_fma(p, r, fv_set1(1.0f));
    return fv_pow2_scale(p, n);
}
#elif defined(FV_N)
CK_INLINE fv fv_exp(fv x) { return ck_exp_scalar(x); }
#endif

#endif
