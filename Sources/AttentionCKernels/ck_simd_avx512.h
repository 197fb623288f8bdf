// Private: the AVX-512 section of the vector vocabulary (ck_simd.h includes it; never include it directly).
#include <immintrin.h>
#define CK_SIMD_TARGET CK_TARGET_AVX512
#define CK_FN(name) name##_avx512
#define FV_N 16
typedef __m512 fv;
typedef __mmask16 fmask;

CK_INLINE CK_SIMD_TARGET fv fv_zero(void) { return _mm512_setzero_ps(); }
CK_INLINE CK_SIMD_TARGET fv fv_set1(float x) { return _mm512_set1_ps(x); }
CK_INLINE CK_SIMD_TARGET fv fv_load(const float *p) { return _mm512_loadu_ps(p); }
CK_INLINE CK_SIMD_TARGET void fv_store(float *p, fv x) { _mm512_storeu_ps(p, x); }
CK_INLINE CK_SIMD_TARGET fv fv_fma(fv a, fv b, fv c) { return _mm512_fmadd_ps(a, b, c); }
CK_INLINE CK_SIMD_TARGET fv fv_mul(fv a, fv b) { return _mm512_mul_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_add(fv a, fv b) { return _mm512_add_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_sub(fv a, fv b) { return _mm512_sub_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_div(fv a, fv b) { return _mm512_div_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_max(fv a, fv b) { return _mm512_max_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_min(fv a, fv b) { return _mm512_min_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_abs(fv a) { return _mm512_abs_ps(a); }
CK_INLINE CK_SIMD_TARGET fmask fv_lt(fv a, fv b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
CK_INLINE CK_SIMD_TARGET fmask fv_tail(int64_t n) {
    return n >= 16 ? (fmask)0xFFFF : n <= 0 ? (fmask)0 : (fmask)((1u << n) - 1);
}
CK_INLINE CK_SIMD_TARGET fv fv_loadn(const float *p, int64_t n) { return _mm512_maskz_loadu_ps(fv_tail(n), p); }
CK_INLINE CK_SIMD_TARGET void fv_storen(float *p, fv x, int64_t n) { _mm512_mask_storeu_ps(p, fv_tail(n), x); }
/// Lanes where `keep` is false become -inf.
CK_INLINE CK_SIMD_TARGET fv fv_mask_ninf(fv x, fmask keep) {
    return _mm512_mask_blend_ps(keep, _mm512_set1_ps(-__builtin_inff()), x);
}
/// Lanes where x == -inf become `alt`.
CK_INLINE CK_SIMD_TARGET fv fv_ninf_to(fv x, fv alt) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-__builtin_inff()), _CMP_EQ_OQ), x, alt);
}
/// Per-lane lo[l] <= j < hi[l] (lanes are query rows).
CK_INLINE CK_SIMD_TARGET fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) {
    const __m512i vj = _mm512_set1_epi32(j);
    return _mm512_cmple_epi32_mask(_mm512_loadu_si512(lo), vj) & _mm512_cmpgt_epi32_mask(_mm512_loadu_si512(hi), vj);
}
/// Per-lane lo <= j0 + l < hi (lanes are keys).
CK_INLINE CK_SIMD_TARGET fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) {
    const __m512i j = _mm512_add_epi32(_mm512_set1_epi32(j0),
                                       _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm512_cmpge_epi32_mask(j, _mm512_set1_epi32(lo)) & _mm512_cmplt_epi32_mask(j, _mm512_set1_epi32(hi));
}
/// x[l] = base[idx[l]] (element offsets).
CK_INLINE CK_SIMD_TARGET fv fv_gather(const float *base, const int32_t *idx) {
    return _mm512_i32gather_ps(_mm512_loadu_si512(idx), base, 4);
}
CK_INLINE CK_SIMD_TARGET float fv_hsum(fv x) { return _mm512_reduce_add_ps(x); }
CK_INLINE CK_SIMD_TARGET float fv_hmax(fv x) { return _mm512_reduce_max_ps(x); }
/// Keep factors (1.0 or 0.0) of lanes with flat dropout indices idx0 + l * stride, SplitMix64 in 64-bit lanes.
CK_INLINE CK_SIMD_TARGET __m512i fl_mix8(__m512i x) {
    __m512i z = _mm512_add_epi64(x, _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)0x94D049BB133111EBull));
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}
CK_INLINE CK_SIMD_TARGET fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i vs = _mm512_set1_epi64((long long)stride), vseed = _mm512_set1_epi64((long long)seed);
    const __m512i vt = _mm512_set1_epi64((long long)threshold);
    __m512i i0 = _mm512_add_epi64(_mm512_set1_epi64((long long)idx0), _mm512_mullo_epi64(lane, vs));
    __m512i i1 = _mm512_add_epi64(i0, _mm512_slli_epi64(vs, 3));
    __m512i h0 = _mm512_srli_epi64(fl_mix8(_mm512_xor_si512(vseed, fl_mix8(i0))), 11);
    __m512i h1 = _mm512_srli_epi64(fl_mix8(_mm512_xor_si512(vseed, fl_mix8(i1))), 11);
    return (fmask)(_mm512_cmpge_epu64_mask(h0, vt) | ((unsigned)_mm512_cmpge_epu64_mask(h1, vt) << 8));
}
CK_INLINE CK_SIMD_TARGET fv fv_select(fmask m, fv yes, fv no) { return _mm512_mask_blend_ps(m, no, yes); }
CK_INLINE CK_SIMD_TARGET fmask fv_nonzero(fv x) { return _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NEQ_UQ); }
/// *dot += sum_l a[l] * b[l] and *sum += sum_l a[l] for n (a multiple of FV_N) floats, in double: the products
/// are exact, the sums nearly so.
CK_INLINE CK_SIMD_TARGET void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
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

// Pieces of the exp template (ck_exp.h) and of the GEMM micro-kernel (gemm_impl.h).
CK_INLINE CK_SIMD_TARGET fv fv_fnma(fv a, fv b, fv c) { return _mm512_fnmadd_ps(a, b, c); }
CK_INLINE CK_SIMD_TARGET fv fv_round_mul(fv x, float c) {
    return _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(c)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/// p * 2^n in one rounding (n integral, |n| <= 150).
CK_INLINE CK_SIMD_TARGET fv fv_pow2_scale(fv p, fv n) { return _mm512_scalef_ps(p, n); }
/// n leading lanes from p, the rest -inf (tails that a max ignores and exp turns into 0).
CK_INLINE CK_SIMD_TARGET fv fv_loadn_ninf(const float *p, int64_t n) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(-__builtin_inff()), fv_tail(n), p);
}
CK_INLINE CK_SIMD_TARGET void fv_prefetch_l2(const float *p) { _mm_prefetch((const char *)p, _MM_HINT_T1); }

// Double vectors (DGEMM, dgemm_impl.h).
#define DV_N 8
typedef __m512d dv;
CK_INLINE CK_SIMD_TARGET dv dv_zero(void) { return _mm512_setzero_pd(); }
CK_INLINE CK_SIMD_TARGET dv dv_set1(double x) { return _mm512_set1_pd(x); }
CK_INLINE CK_SIMD_TARGET dv dv_load_aligned(const double *p) { return _mm512_load_pd(p); }
CK_INLINE CK_SIMD_TARGET dv dv_fma(dv a, dv b, dv c) { return _mm512_fmadd_pd(a, b, c); }
CK_INLINE CK_SIMD_TARGET dv dv_mul(dv a, dv b) { return _mm512_mul_pd(a, b); }
CK_INLINE CK_SIMD_TARGET __mmask8 dv_tail(int64_t n) {
    return n >= 8 ? (__mmask8)0xFF : n <= 0 ? (__mmask8)0 : (__mmask8)((1u << n) - 1);
}
CK_INLINE CK_SIMD_TARGET dv dv_loadn(const double *p, int64_t n) { return _mm512_maskz_loadu_pd(dv_tail(n), p); }
CK_INLINE CK_SIMD_TARGET void dv_storen(double *p, dv x, int64_t n) { _mm512_mask_storeu_pd(p, dv_tail(n), x); }
CK_INLINE CK_SIMD_TARGET dv dv_add(dv a, dv b) { return _mm512_add_pd(a, b); }
CK_INLINE CK_SIMD_TARGET dv dv_sub(dv a, dv b) { return _mm512_sub_pd(a, b); }
CK_INLINE CK_SIMD_TARGET dv dv_div(dv a, dv b) { return _mm512_div_pd(a, b); }
CK_INLINE CK_SIMD_TARGET dv dv_sqrt(dv a) { return _mm512_sqrt_pd(a); }
CK_INLINE CK_SIMD_TARGET dv dv_loadu(const double *p) { return _mm512_loadu_pd(p); }
CK_INLINE CK_SIMD_TARGET void dv_storeu(double *p, dv x) { _mm512_storeu_pd(p, x); }
/// DV_N floats widened to doubles (exact), and doubles rounded to nearest float (as a C cast).
CK_INLINE CK_SIMD_TARGET dv dv_load_floats(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
CK_INLINE CK_SIMD_TARGET void dv_store_floats(float *p, dv x) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(x)); }
