// Private: the AVX2 + FMA section of the vector vocabulary (ck_simd.h includes it; never include it directly).
#include <immintrin.h>
#define CK_SIMD_TARGET CK_TARGET_AVX2
#define CK_FN(name) name##_avx2
#define FV_N 8
typedef __m256 fv;
typedef __m256 fmask;  // all-ones / all-zeros lanes

CK_INLINE CK_SIMD_TARGET fv fv_zero(void) { return _mm256_setzero_ps(); }
CK_INLINE CK_SIMD_TARGET fv fv_set1(float x) { return _mm256_set1_ps(x); }
CK_INLINE CK_SIMD_TARGET fv fv_load(const float *p) { return _mm256_loadu_ps(p); }
CK_INLINE CK_SIMD_TARGET void fv_store(float *p, fv x) { _mm256_storeu_ps(p, x); }
CK_INLINE CK_SIMD_TARGET fv fv_fma(fv a, fv b, fv c) { return _mm256_fmadd_ps(a, b, c); }
CK_INLINE CK_SIMD_TARGET fv fv_mul(fv a, fv b) { return _mm256_mul_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_add(fv a, fv b) { return _mm256_add_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_sub(fv a, fv b) { return _mm256_sub_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_div(fv a, fv b) { return _mm256_div_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_max(fv a, fv b) { return _mm256_max_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_min(fv a, fv b) { return _mm256_min_ps(a, b); }
CK_INLINE CK_SIMD_TARGET fv fv_abs(fv a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
CK_INLINE CK_SIMD_TARGET fmask fv_lt(fv a, fv b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
CK_INLINE CK_SIMD_TARGET __m256i fl_tail8(int64_t n) {
    const int32_t k = (int32_t)(n < 0 ? 0 : n > 8 ? 8 : n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
CK_INLINE CK_SIMD_TARGET fv fv_loadn(const float *p, int64_t n) { return _mm256_maskload_ps(p, fl_tail8(n)); }
CK_INLINE CK_SIMD_TARGET void fv_storen(float *p, fv x, int64_t n) { _mm256_maskstore_ps(p, fl_tail8(n), x); }
CK_INLINE CK_SIMD_TARGET fv fv_mask_ninf(fv x, fmask keep) {
    return _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()), x, keep);
}
CK_INLINE CK_SIMD_TARGET fv fv_ninf_to(fv x, fv alt) {
    return _mm256_blendv_ps(x, alt, _mm256_cmp_ps(x, _mm256_set1_ps(-__builtin_inff()), _CMP_EQ_OQ));
}
CK_INLINE CK_SIMD_TARGET fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) {
    const __m256i vj = _mm256_set1_epi32(j);
    const __m256i vlo = _mm256_loadu_si256((const __m256i *)lo), vhi = _mm256_loadu_si256((const __m256i *)hi);
    // lo <= j  <=>  !(lo > j);  j < hi  <=>  hi > j
    return _mm256_castsi256_ps(_mm256_andnot_si256(_mm256_cmpgt_epi32(vlo, vj), _mm256_cmpgt_epi32(vhi, vj)));
}
CK_INLINE CK_SIMD_TARGET fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) {
    const __m256i j = _mm256_add_epi32(_mm256_set1_epi32(j0), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_castsi256_ps(_mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(lo), j),
                                                   _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), j)));
}
CK_INLINE CK_SIMD_TARGET fv fv_gather(const float *base, const int32_t *idx) {
    return _mm256_i32gather_ps(base, _mm256_loadu_si256((const __m256i *)idx), 4);
}
CK_INLINE CK_SIMD_TARGET float fv_hsum(fv x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
CK_INLINE CK_SIMD_TARGET float fv_hmax(fv x) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
CK_INLINE CK_SIMD_TARGET fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    int32_t bits[8];
    for (int l = 0; l < 8; l++) bits[l] = fl_keeps(seed, threshold, idx0 + (uint64_t)l * stride) ? -1 : 0;
    return _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)bits));
}
CK_INLINE CK_SIMD_TARGET fv fv_select(fmask m, fv yes, fv no) { return _mm256_blendv_ps(no, yes, m); }
CK_INLINE CK_SIMD_TARGET fmask fv_nonzero(fv x) { return _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NEQ_UQ); }
CK_INLINE CK_SIMD_TARGET double fl_hsum_pd(__m256d t) {
    const __m128d u = _mm_add_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));
    return _mm_cvtsd_f64(_mm_add_sd(u, _mm_unpackhi_pd(u, u)));
}
CK_INLINE CK_SIMD_TARGET void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
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

// Pieces of the exp template (ck_exp.h) and of the GEMM micro-kernel (gemm_impl.h).
CK_INLINE CK_SIMD_TARGET fv fv_fnma(fv a, fv b, fv c) { return _mm256_fnmadd_ps(a, b, c); }
CK_INLINE CK_SIMD_TARGET fv fv_round_mul(fv x, float c) {
    return _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(c)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/// p * 2^n in one rounding (n integral, |n| <= 150): p * 2^(n>>1) is exact (still normal), only the second
/// product rounds. NaN lanes of n convert to INT_MIN; the garbage scale is harmless as p is NaN there too.
CK_INLINE CK_SIMD_TARGET fv fv_pow2_scale(fv p, fv n) {
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}
/// n leading lanes from p, the rest -inf (vmaskmov zeroes masked-off lanes; the blend makes them -inf).
CK_INLINE CK_SIMD_TARGET fv fv_loadn_ninf(const float *p, int64_t n) {
    const __m256i m = fl_tail8(n);
    return _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
CK_INLINE CK_SIMD_TARGET void fv_prefetch_l2(const float *p) { _mm_prefetch((const char *)p, _MM_HINT_T1); }

// Double vectors (DGEMM, dgemm_impl.h).
#define DV_N 4
typedef __m256d dv;
CK_INLINE CK_SIMD_TARGET dv dv_zero(void) { return _mm256_setzero_pd(); }
CK_INLINE CK_SIMD_TARGET dv dv_set1(double x) { return _mm256_set1_pd(x); }
CK_INLINE CK_SIMD_TARGET dv dv_load_aligned(const double *p) { return _mm256_load_pd(p); }
CK_INLINE CK_SIMD_TARGET dv dv_fma(dv a, dv b, dv c) { return _mm256_fmadd_pd(a, b, c); }
CK_INLINE CK_SIMD_TARGET dv dv_mul(dv a, dv b) { return _mm256_mul_pd(a, b); }
CK_INLINE CK_SIMD_TARGET __m256i dv_tail(int64_t n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
}
CK_INLINE CK_SIMD_TARGET dv dv_loadn(const double *p, int64_t n) { return _mm256_maskload_pd(p, dv_tail(n)); }
CK_INLINE CK_SIMD_TARGET void dv_storen(double *p, dv x, int64_t n) { _mm256_maskstore_pd(p, dv_tail(n), x); }
CK_INLINE CK_SIMD_TARGET dv dv_add(dv a, dv b) { return _mm256_add_pd(a, b); }
CK_INLINE CK_SIMD_TARGET dv dv_sub(dv a, dv b) { return _mm256_sub_pd(a, b); }
CK_INLINE CK_SIMD_TARGET dv dv_div(dv a, dv b) { return _mm256_div_pd(a, b); }
CK_INLINE CK_SIMD_TARGET dv dv_sqrt(dv a) { return _mm256_sqrt_pd(a); }
CK_INLINE CK_SIMD_TARGET dv dv_loadu(const double *p) { return _mm256_loadu_pd(p); }
CK_INLINE CK_SIMD_TARGET void dv_storeu(double *p, dv x) { _mm256_storeu_pd(p, x); }
/// DV_N floats widened to doubles (exact), and doubles rounded to nearest float (as a C cast).
CK_INLINE CK_SIMD_TARGET dv dv_load_floats(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
CK_INLINE CK_SIMD_TARGET void dv_store_floats(float *p, dv x) { _mm_storeu_ps(p, _mm256_cvtpd_ps(x)); }
