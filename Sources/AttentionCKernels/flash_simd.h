// Private: the small vector vocabulary the flash-attention templates are written in, one section per ISA.
//
// A file that instantiates the templates defines exactly one of FL_ISA_AVX512 / FL_ISA_AVX2 / FL_ISA_NEON /
// FL_ISA_SCALAR, includes this header, then flash_fwd_impl.h and flash_bwd_impl.h. Every helper is an
// always-inline function carrying the ISA's target attribute, so the templates compile to straight SIMD code
// with no calls; `fv` is the float vector of FV_N lanes (a plain float on the scalar path).
//
// fv_exp(x), the only transcendental of the kernels, is the project's vectorised exp (ck_exp.h, <= 2 ulp over
// the whole float range, exp(-inf) = 0): the same function the materialising softmax uses. Its reduction
// r = x - n ln2 is exact (Cody-Waite), so the error does not grow with |x| the way a conversion to base 2
// (x * log2 e, rounded) would make it grow for large score gaps.
#ifndef CK_FLASH_SIMD_H
#define CK_FLASH_SIMD_H

#include "flash_internal.h"
#include "ck_exp.h"
#include <stdint.h>
#include <string.h>

#define FL_INLINE static inline __attribute__((always_inline))

// SplitMix64 finaliser, identical to AttentionDropout.mix in Swift.
static inline uint64_t fl_mix64(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Whether dropout keeps the weight with flat index `idx` (top 53 bits of the hash compared in integers, which
/// is exactly Swift's `Double(h >> 11) * 2^-53 >= p`).
static inline int fl_keeps(uint64_t seed, uint64_t threshold, uint64_t idx) {
    return (fl_mix64(seed ^ fl_mix64(idx)) >> 11) >= threshold;
}

// MARK: - AVX-512

#if defined(FL_ISA_AVX512)
#include <immintrin.h>
#define FL_TARGET CK_TARGET_AVX512
#define FL_FN(name) name##_avx512
#define FV_N 16
typedef __m512 fv;
typedef __mmask16 fmask;

FL_INLINE FL_TARGET fv fv_zero(void) { return _mm512_setzero_ps(); }
FL_INLINE FL_TARGET fv fv_set1(float x) { return _mm512_set1_ps(x); }
FL_INLINE FL_TARGET fv fv_load(const float *p) { return _mm512_loadu_ps(p); }
FL_INLINE FL_TARGET void fv_store(float *p, fv x) { _mm512_storeu_ps(p, x); }
FL_INLINE FL_TARGET fv fv_fma(fv a, fv b, fv c) { return _mm512_fmadd_ps(a, b, c); }
FL_INLINE FL_TARGET fv fv_mul(fv a, fv b) { return _mm512_mul_ps(a, b); }
FL_INLINE FL_TARGET fv fv_add(fv a, fv b) { return _mm512_add_ps(a, b); }
FL_INLINE FL_TARGET fv fv_sub(fv a, fv b) { return _mm512_sub_ps(a, b); }
FL_INLINE FL_TARGET fv fv_div(fv a, fv b) { return _mm512_div_ps(a, b); }
FL_INLINE FL_TARGET fv fv_max(fv a, fv b) { return _mm512_max_ps(a, b); }
FL_INLINE FL_TARGET fv fv_min(fv a, fv b) { return _mm512_min_ps(a, b); }
FL_INLINE FL_TARGET fv fv_abs(fv a) { return _mm512_abs_ps(a); }
FL_INLINE FL_TARGET fmask fv_lt(fv a, fv b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
FL_INLINE FL_TARGET fmask fv_tail(int64_t n) {
    return n >= 16 ? (fmask)0xFFFF : n <= 0 ? (fmask)0 : (fmask)((1u << n) - 1);
}
FL_INLINE FL_TARGET fv fv_loadn(const float *p, int64_t n) { return _mm512_maskz_loadu_ps(fv_tail(n), p); }
FL_INLINE FL_TARGET void fv_storen(float *p, fv x, int64_t n) { _mm512_mask_storeu_ps(p, fv_tail(n), x); }
/// Lanes where `keep` is false become -inf.
FL_INLINE FL_TARGET fv fv_mask_ninf(fv x, fmask keep) {
    return _mm512_mask_blend_ps(keep, _mm512_set1_ps(-__builtin_inff()), x);
}
/// Lanes where x == -inf become `alt`.
FL_INLINE FL_TARGET fv fv_ninf_to(fv x, fv alt) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-__builtin_inff()), _CMP_EQ_OQ), x, alt);
}
/// Per-lane lo[l] <= j < hi[l] (lanes are query rows).
FL_INLINE FL_TARGET fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) {
    const __m512i vj = _mm512_set1_epi32(j);
    return _mm512_cmple_epi32_mask(_mm512_loadu_si512(lo), vj) & _mm512_cmpgt_epi32_mask(_mm512_loadu_si512(hi), vj);
}
/// Per-lane lo <= j0 + l < hi (lanes are keys).
FL_INLINE FL_TARGET fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) {
    const __m512i j = _mm512_add_epi32(_mm512_set1_epi32(j0),
                                       _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm512_cmpge_epi32_mask(j, _mm512_set1_epi32(lo)) & _mm512_cmplt_epi32_mask(j, _mm512_set1_epi32(hi));
}
/// x[l] = base[idx[l]] (element offsets).
FL_INLINE FL_TARGET fv fv_gather(const float *base, const int32_t *idx) {
    return _mm512_i32gather_ps(_mm512_loadu_si512(idx), base, 4);
}
FL_INLINE FL_TARGET float fv_hsum(fv x) { return _mm512_reduce_add_ps(x); }
FL_INLINE FL_TARGET float fv_hmax(fv x) { return _mm512_reduce_max_ps(x); }
FL_INLINE FL_TARGET fv fv_exp(fv x) { return ck_exp512(x); }
/// Keep factors (1.0 or 0.0) of lanes with flat dropout indices idx0 + l * stride, SplitMix64 in 64-bit lanes.
FL_INLINE FL_TARGET __m512i fl_mix8(__m512i x) {
    __m512i z = _mm512_add_epi64(x, _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)0x94D049BB133111EBull));
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}
FL_INLINE FL_TARGET fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i vs = _mm512_set1_epi64((long long)stride), vseed = _mm512_set1_epi64((long long)seed);
    const __m512i vt = _mm512_set1_epi64((long long)threshold);
    __m512i i0 = _mm512_add_epi64(_mm512_set1_epi64((long long)idx0), _mm512_mullo_epi64(lane, vs));
    __m512i i1 = _mm512_add_epi64(i0, _mm512_slli_epi64(vs, 3));
    __m512i h0 = _mm512_srli_epi64(fl_mix8(_mm512_xor_si512(vseed, fl_mix8(i0))), 11);
    __m512i h1 = _mm512_srli_epi64(fl_mix8(_mm512_xor_si512(vseed, fl_mix8(i1))), 11);
    return (fmask)(_mm512_cmpge_epu64_mask(h0, vt) | ((unsigned)_mm512_cmpge_epu64_mask(h1, vt) << 8));
}
FL_INLINE FL_TARGET fv fv_select(fmask m, fv yes, fv no) { return _mm512_mask_blend_ps(m, no, yes); }
FL_INLINE FL_TARGET fmask fv_nonzero(fv x) { return _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NEQ_UQ); }
/// *dot += sum_l a[l] * b[l] and *sum += sum_l a[l] for n (a multiple of FV_N) floats, in double: the products
/// are exact, the sums nearly so.
FL_INLINE FL_TARGET void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
    __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd(), slo = _mm512_setzero_pd(), shi = _mm512_setzero_pd();
    for (int l = 0; l < n; l += 16) {
        const __m512 x = _mm512_loadu_ps(a + l), y = _mm512_loadu_ps(b + l);
        const __m512d xl = _mm512_cvtps_pd(_mm512_castps512_ps256(x)), xh = _mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1));
        lo = _mm512_fmadd_pd(xl, _mm512_cvtps_pd(_mm512_castps512_ps256(y)), lo);
        hi = _mm512_fmadd_pd(xh, _mm512_cvtps_pd(_mm512_extractf32x8_ps(y, 1)), hi);
        slo = _mm512_add_pd(slo, xl);
        shi = _mm512_add_pd(shi, xh);
    }
    *dot += _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
    *sum += _mm512_reduce_add_pd(_mm512_add_pd(slo, shi));
}
#endif

// MARK: - AVX2 + FMA

#if defined(FL_ISA_AVX2)
#include <immintrin.h>
#define FL_TARGET CK_TARGET_AVX2
#define FL_FN(name) name##_avx2
#define FV_N 8
typedef __m256 fv;
typedef __m256 fmask;  // all-ones / all-zeros lanes

FL_INLINE FL_TARGET fv fv_zero(void) { return _mm256_setzero_ps(); }
FL_INLINE FL_TARGET fv fv_set1(float x) { return _mm256_set1_ps(x); }
FL_INLINE FL_TARGET fv fv_load(const float *p) { return _mm256_loadu_ps(p); }
FL_INLINE FL_TARGET void fv_store(float *p, fv x) { _mm256_storeu_ps(p, x); }
FL_INLINE FL_TARGET fv fv_fma(fv a, fv b, fv c) { return _mm256_fmadd_ps(a, b, c); }
FL_INLINE FL_TARGET fv fv_mul(fv a, fv b) { return _mm256_mul_ps(a, b); }
FL_INLINE FL_TARGET fv fv_add(fv a, fv b) { return _mm256_add_ps(a, b); }
FL_INLINE FL_TARGET fv fv_sub(fv a, fv b) { return _mm256_sub_ps(a, b); }
FL_INLINE FL_TARGET fv fv_div(fv a, fv b) { return _mm256_div_ps(a, b); }
FL_INLINE FL_TARGET fv fv_max(fv a, fv b) { return _mm256_max_ps(a, b); }
FL_INLINE FL_TARGET fv fv_min(fv a, fv b) { return _mm256_min_ps(a, b); }
FL_INLINE FL_TARGET fv fv_abs(fv a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
FL_INLINE FL_TARGET fmask fv_lt(fv a, fv b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
FL_INLINE FL_TARGET __m256i fl_tail8(int64_t n) {
    const int32_t k = (int32_t)(n < 0 ? 0 : n > 8 ? 8 : n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
FL_INLINE FL_TARGET fv fv_loadn(const float *p, int64_t n) { return _mm256_maskload_ps(p, fl_tail8(n)); }
FL_INLINE FL_TARGET void fv_storen(float *p, fv x, int64_t n) { _mm256_maskstore_ps(p, fl_tail8(n), x); }
FL_INLINE FL_TARGET fv fv_mask_ninf(fv x, fmask keep) {
    return _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()), x, keep);
}
FL_INLINE FL_TARGET fv fv_ninf_to(fv x, fv alt) {
    return _mm256_blendv_ps(x, alt, _mm256_cmp_ps(x, _mm256_set1_ps(-__builtin_inff()), _CMP_EQ_OQ));
}
FL_INLINE FL_TARGET fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) {
    const __m256i vj = _mm256_set1_epi32(j);
    const __m256i vlo = _mm256_loadu_si256((const __m256i *)lo), vhi = _mm256_loadu_si256((const __m256i *)hi);
    // lo <= j  <=>  !(lo > j);  j < hi  <=>  hi > j
    return _mm256_castsi256_ps(_mm256_andnot_si256(_mm256_cmpgt_epi32(vlo, vj), _mm256_cmpgt_epi32(vhi, vj)));
}
FL_INLINE FL_TARGET fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) {
    const __m256i j = _mm256_add_epi32(_mm256_set1_epi32(j0), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_castsi256_ps(_mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(lo), j),
                                                   _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), j)));
}
FL_INLINE FL_TARGET fv fv_gather(const float *base, const int32_t *idx) {
    return _mm256_i32gather_ps(base, _mm256_loadu_si256((const __m256i *)idx), 4);
}
FL_INLINE FL_TARGET float fv_hsum(fv x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
FL_INLINE FL_TARGET float fv_hmax(fv x) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
FL_INLINE FL_TARGET fv fv_exp(fv x) { return ck_exp256(x); }
FL_INLINE FL_TARGET fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    int32_t bits[8];
    for (int l = 0; l < 8; l++) bits[l] = fl_keeps(seed, threshold, idx0 + (uint64_t)l * stride) ? -1 : 0;
    return _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)bits));
}
FL_INLINE FL_TARGET fv fv_select(fmask m, fv yes, fv no) { return _mm256_blendv_ps(no, yes, m); }
FL_INLINE FL_TARGET fmask fv_nonzero(fv x) { return _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NEQ_UQ); }
FL_INLINE FL_TARGET double fl_hsum_pd(__m256d t) {
    const __m128d u = _mm_add_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));
    return _mm_cvtsd_f64(_mm_add_sd(u, _mm_unpackhi_pd(u, u)));
}
FL_INLINE FL_TARGET void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd(), slo = _mm256_setzero_pd(), shi = _mm256_setzero_pd();
    for (int l = 0; l < n; l += 8) {
        const __m256 x = _mm256_loadu_ps(a + l), y = _mm256_loadu_ps(b + l);
        const __m256d xl = _mm256_cvtps_pd(_mm256_castps256_ps128(x)), xh = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
        lo = _mm256_fmadd_pd(xl, _mm256_cvtps_pd(_mm256_castps256_ps128(y)), lo);
        hi = _mm256_fmadd_pd(xh, _mm256_cvtps_pd(_mm256_extractf128_ps(y, 1)), hi);
        slo = _mm256_add_pd(slo, xl);
        shi = _mm256_add_pd(shi, xh);
    }
    *dot += fl_hsum_pd(_mm256_add_pd(lo, hi));
    *sum += fl_hsum_pd(_mm256_add_pd(slo, shi));
}
#endif

// MARK: - NEON

#if defined(FL_ISA_NEON)
#include <arm_neon.h>
#define FL_TARGET
#define FL_FN(name) name##_neon
#define FV_N 4
typedef float32x4_t fv;
typedef uint32x4_t fmask;

FL_INLINE fv fv_zero(void) { return vdupq_n_f32(0.0f); }
FL_INLINE fv fv_set1(float x) { return vdupq_n_f32(x); }
FL_INLINE fv fv_load(const float *p) { return vld1q_f32(p); }
FL_INLINE void fv_store(float *p, fv x) { vst1q_f32(p, x); }
FL_INLINE fv fv_fma(fv a, fv b, fv c) { return vfmaq_f32(c, a, b); }
FL_INLINE fv fv_mul(fv a, fv b) { return vmulq_f32(a, b); }
FL_INLINE fv fv_add(fv a, fv b) { return vaddq_f32(a, b); }
FL_INLINE fv fv_sub(fv a, fv b) { return vsubq_f32(a, b); }
FL_INLINE fv fv_div(fv a, fv b) { return vdivq_f32(a, b); }
FL_INLINE fv fv_max(fv a, fv b) { return vmaxq_f32(a, b); }
FL_INLINE fv fv_min(fv a, fv b) { return vminq_f32(a, b); }
FL_INLINE fv fv_abs(fv a) { return vabsq_f32(a); }
FL_INLINE fmask fv_lt(fv a, fv b) { return vcltq_f32(a, b); }
FL_INLINE fv fv_loadn(const float *p, int64_t n) {
    float t[4] = {0, 0, 0, 0};
    for (int64_t l = 0; l < n && l < 4; l++) t[l] = p[l];
    return vld1q_f32(t);
}
FL_INLINE void fv_storen(float *p, fv x, int64_t n) {
    float t[4];
    vst1q_f32(t, x);
    for (int64_t l = 0; l < n && l < 4; l++) p[l] = t[l];
}
FL_INLINE fv fv_mask_ninf(fv x, fmask keep) { return vbslq_f32(keep, x, vdupq_n_f32(-__builtin_inff())); }
FL_INLINE fv fv_ninf_to(fv x, fv alt) { return vbslq_f32(vceqq_f32(x, vdupq_n_f32(-__builtin_inff())), alt, x); }
FL_INLINE fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) {
    const int32x4_t vj = vdupq_n_s32(j);
    return vandq_u32(vcleq_s32(vld1q_s32(lo), vj), vcgtq_s32(vld1q_s32(hi), vj));
}
FL_INLINE fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) {
    const int32_t lanes[4] = {0, 1, 2, 3};
    const int32x4_t j = vaddq_s32(vdupq_n_s32(j0), vld1q_s32(lanes));
    return vandq_u32(vcgeq_s32(j, vdupq_n_s32(lo)), vcltq_s32(j, vdupq_n_s32(hi)));
}
FL_INLINE fv fv_gather(const float *base, const int32_t *idx) {
    const float t[4] = {base[idx[0]], base[idx[1]], base[idx[2]], base[idx[3]]};
    return vld1q_f32(t);
}
FL_INLINE float fv_hsum(fv x) { return vaddvq_f32(x); }
FL_INLINE float fv_hmax(fv x) { return vmaxvq_f32(x); }
FL_INLINE fv fv_exp(fv x) { return ck_exp_neon(x); }
FL_INLINE fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    uint32_t bits[4];
    for (int l = 0; l < 4; l++) bits[l] = fl_keeps(seed, threshold, idx0 + (uint64_t)l * stride) ? 0xFFFFFFFFu : 0;
    return vld1q_u32(bits);
}
FL_INLINE fv fv_select(fmask m, fv yes, fv no) { return vbslq_f32(m, yes, no); }
FL_INLINE fmask fv_nonzero(fv x) { return vmvnq_u32(vceqq_f32(x, vdupq_n_f32(0.0f))); }
FL_INLINE void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
    float64x2_t lo = vdupq_n_f64(0.0), hi = vdupq_n_f64(0.0), slo = vdupq_n_f64(0.0), shi = vdupq_n_f64(0.0);
    for (int l = 0; l < n; l += 4) {
        const float32x4_t x = vld1q_f32(a + l), y = vld1q_f32(b + l);
        const float64x2_t xl = vcvt_f64_f32(vget_low_f32(x)), xh = vcvt_high_f64_f32(x);
        lo = vfmaq_f64(lo, xl, vcvt_f64_f32(vget_low_f32(y)));
        hi = vfmaq_f64(hi, xh, vcvt_high_f64_f32(y));
        slo = vaddq_f64(slo, xl);
        shi = vaddq_f64(shi, xh);
    }
    *dot += vaddvq_f64(vaddq_f64(lo, hi));
    *sum += vaddvq_f64(vaddq_f64(slo, shi));
}
#endif

// MARK: - Scalar (one lane)

#if defined(FL_ISA_SCALAR)
#define FL_TARGET
#define FL_FN(name) name##_scalar
#define FV_N 1
typedef float fv;
typedef int fmask;

FL_INLINE fv fv_zero(void) { return 0.0f; }
FL_INLINE fv fv_set1(float x) { return x; }
FL_INLINE fv fv_load(const float *p) { return *p; }
FL_INLINE void fv_store(float *p, fv x) { *p = x; }
FL_INLINE fv fv_fma(fv a, fv b, fv c) { return a * b + c; }  // no fmaf: it would be a libm call without FMA hardware
FL_INLINE fv fv_mul(fv a, fv b) { return a * b; }
FL_INLINE fv fv_add(fv a, fv b) { return a + b; }
FL_INLINE fv fv_sub(fv a, fv b) { return a - b; }
FL_INLINE fv fv_div(fv a, fv b) { return a / b; }
FL_INLINE fv fv_max(fv a, fv b) { return a > b ? a : b; }
FL_INLINE fv fv_min(fv a, fv b) { return a < b ? a : b; }
FL_INLINE fv fv_abs(fv a) { return __builtin_fabsf(a); }
FL_INLINE fmask fv_lt(fv a, fv b) { return a < b; }
FL_INLINE fv fv_loadn(const float *p, int64_t n) { return n > 0 ? *p : 0.0f; }
FL_INLINE void fv_storen(float *p, fv x, int64_t n) { if (n > 0) *p = x; }
FL_INLINE fv fv_mask_ninf(fv x, fmask keep) { return keep ? x : -__builtin_inff(); }
FL_INLINE fv fv_ninf_to(fv x, fv alt) { return x == -__builtin_inff() ? alt : x; }
FL_INLINE fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) { return *lo <= j && j < *hi; }
FL_INLINE fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) { return lo <= j0 && j0 < hi; }
FL_INLINE fv fv_gather(const float *base, const int32_t *idx) { return base[*idx]; }
FL_INLINE float fv_hsum(fv x) { return x; }
FL_INLINE float fv_hmax(fv x) { return x; }
FL_INLINE fv fv_exp(fv x) { return ck_exp_scalar(x); }
FL_INLINE fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    (void)stride;
    return fl_keeps(seed, threshold, idx0);
}
FL_INLINE fv fv_select(fmask m, fv yes, fv no) { return m ? yes : no; }
FL_INLINE fmask fv_nonzero(fv x) { return x != 0.0f; }
FL_INLINE void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
    for (int l = 0; l < n; l++) {
        *dot += (double)a[l] * (double)b[l];
        *sum += (double)a[l];
    }
}
#endif

#endif
