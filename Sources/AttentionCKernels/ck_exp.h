// Private: the single-precision exp used by ck_vexp and the softmax kernels, one inline body per ISA.
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
// Measured over all 2^32 inputs against exp in double rounded to float (Scripts/check_exp_ulp.c):
// see the table in exp.c.
#ifndef CK_EXP_H
#define CK_EXP_H

#include "ck_internal.h"

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
// Adding then subtracting 1.5 * 2^23 rounds a float of magnitude < 2^22 to the nearest integer
// (ties to even) without a rounding instruction or a float-to-int conversion.
#define CK_ROUND_MAGIC 12582912.0f

#include <stdint.h>
#include <string.h>

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

#if defined(__x86_64__)
#include <immintrin.h>

CK_ALWAYS_INLINE CK_TARGET_AVX512 __m512 ck_exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_set1_ps(CK_EXP_HI), _mm512_max_ps(_mm512_set1_ps(CK_EXP_LO), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(CK_LOG2E)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(CK_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(CK_LN2_LO), r);
    __m512 p = _mm512_set1_ps(CK_P7);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CK_P6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CK_P5));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CK_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CK_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(CK_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

CK_ALWAYS_INLINE CK_TARGET_AVX2 __m256 ck_exp256(__m256 x) {
    x = _mm256_min_ps(_mm256_set1_ps(CK_EXP_HI), _mm256_max_ps(_mm256_set1_ps(CK_EXP_LO), x));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(CK_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(CK_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(CK_LN2_LO), r);
    __m256 p = _mm256_set1_ps(CK_P7);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CK_P6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CK_P5));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CK_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CK_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(CK_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // NaN lanes convert to INT_MIN; the garbage scale is harmless because p is already NaN there.
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}
#endif

#if defined(__aarch64__)
#include <arm_neon.h>

CK_ALWAYS_INLINE float32x4_t ck_exp_neon(float32x4_t x) {
    // vmaxq/vminq propagate NaN on AArch64, so NaN survives the clamp.
    x = vminq_f32(vdupq_n_f32(CK_EXP_HI), vmaxq_f32(vdupq_n_f32(CK_EXP_LO), x));
    const float32x4_t n = vrndnq_f32(vmulq_n_f32(x, CK_LOG2E));
    float32x4_t r = vfmsq_n_f32(x, n, CK_LN2_HI);
    r = vfmsq_n_f32(r, n, CK_LN2_LO);
    float32x4_t p = vdupq_n_f32(CK_P7);
    p = vfmaq_f32(vdupq_n_f32(CK_P6), p, r);
    p = vfmaq_f32(vdupq_n_f32(CK_P5), p, r);
    p = vfmaq_f32(vdupq_n_f32(CK_P4), p, r);
    p = vfmaq_f32(vdupq_n_f32(CK_P3), p, r);
    p = vfmaq_f32(vdupq_n_f32(CK_P2), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    const int32x4_t ni = vcvtnq_s32_f32(n);  // NaN -> 0; p is NaN there anyway
    const int32x4_t n1 = vshrq_n_s32(ni, 1), n2 = vsubq_s32(ni, n1);
    const int32x4_t bias = vdupq_n_s32(127);
    const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
    const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));
    return vmulq_f32(vmulq_f32(p, s1), s2);
}
#endif

#endif
