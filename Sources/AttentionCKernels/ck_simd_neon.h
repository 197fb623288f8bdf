// Private: the NEON section of the vector vocabulary (ck_simd.h includes it; never include it directly).
#include <arm_neon.h>
#define CK_SIMD_TARGET
#define CK_FN(name) name##_neon
#define FV_N 4
typedef float32x4_t fv;
typedef uint32x4_t fmask;

CK_INLINE fv fv_zero(void) { return vdupq_n_f32(0.0f); }
CK_INLINE fv fv_set1(float x) { return vdupq_n_f32(x); }
CK_INLINE fv fv_load(const float *p) { return vld1q_f32(p); }
CK_INLINE void fv_store(float *p, fv x) { vst1q_f32(p, x); }
CK_INLINE fv fv_fma(fv a, fv b, fv c) { return vfmaq_f32(c, a, b); }
CK_INLINE fv fv_mul(fv a, fv b) { return vmulq_f32(a, b); }
CK_INLINE fv fv_add(fv a, fv b) { return vaddq_f32(a, b); }
CK_INLINE fv fv_sub(fv a, fv b) { return vsubq_f32(a, b); }
CK_INLINE fv fv_div(fv a, fv b) { return vdivq_f32(a, b); }
CK_INLINE fv fv_max(fv a, fv b) { return vmaxq_f32(a, b); }
CK_INLINE fv fv_min(fv a, fv b) { return vminq_f32(a, b); }
CK_INLINE fv fv_abs(fv a) { return vabsq_f32(a); }
CK_INLINE fmask fv_lt(fv a, fv b) { return vcltq_f32(a, b); }
CK_INLINE fv fv_loadn(const float *p, int64_t n) {
    float t[4] = {0, 0, 0, 0};
    for (int64_t l = 0; l < n && l < 4; l++) t[l] = p[l];
    return vld1q_f32(t);
}
CK_INLINE void fv_storen(float *p, fv x, int64_t n) {
    float t[4];
    vst1q_f32(t, x);
    for (int64_t l = 0; l < n && l < 4; l++) p[l] = t[l];
}
CK_INLINE fv fv_mask_ninf(fv x, fmask keep) { return vbslq_f32(keep, x, vdupq_n_f32(-__builtin_inff())); }
CK_INLINE fv fv_ninf_to(fv x, fv alt) { return vbslq_f32(vceqq_f32(x, vdupq_n_f32(-__builtin_inff())), alt, x); }
CK_INLINE fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) {
    const int32x4_t vj = vdupq_n_s32(j);
    return vandq_u32(vcleq_s32(vld1q_s32(lo), vj), vcgtq_s32(vld1q_s32(hi), vj));
}
CK_INLINE fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) {
    const int32_t lanes[4] = {0, 1, 2, 3};
    const int32x4_t j = vaddq_s32(vdupq_n_s32(j0), vld1q_s32(lanes));
    return vandq_u32(vcgeq_s32(j, vdupq_n_s32(lo)), vcltq_s32(j, vdupq_n_s32(hi)));
}
CK_INLINE fv fv_gather(const float *base, const int32_t *idx) {
    const float t[4] = {base[idx[0]], base[idx[1]], base[idx[2]], base[idx[3]]};
    return vld1q_f32(t);
}
CK_INLINE float fv_hsum(fv x) { return vaddvq_f32(x); }
CK_INLINE float fv_hmax(fv x) { return vmaxvq_f32(x); }
CK_INLINE fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    uint32_t bits[4];
    for (int l = 0; l < 4; l++) bits[l] = fl_keeps(seed, threshold, idx0 + (uint64_t)l * stride) ? 0xFFFFFFFFu : 0;
    return vld1q_u32(bits);
}
CK_INLINE fv fv_select(fmask m, fv yes, fv no) { return vbslq_f32(m, yes, no); }
CK_INLINE fmask fv_nonzero(fv x) { return vmvnq_u32(vceqq_f32(x, vdupq_n_f32(0.0f))); }
CK_INLINE void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
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

// Pieces of the exp template (ck_exp.h) and of the GEMM micro-kernel (gemm_impl.h).
CK_INLINE fv fv_fnma(fv a, fv b, fv c) { return vfmsq_f32(c, a, b); }
CK_INLINE fv fv_round_mul(fv x, float c) { return vrndnq_f32(vmulq_n_f32(x, c)); }
/// p * 2^n in one rounding (n integral, |n| <= 150); see the AVX2 section. NaN converts to 0, p is NaN there.
CK_INLINE fv fv_pow2_scale(fv p, fv n) {
    const int32x4_t ni = vcvtnq_s32_f32(n);
    const int32x4_t n1 = vshrq_n_s32(ni, 1), n2 = vsubq_s32(ni, n1);
    const int32x4_t bias = vdupq_n_s32(127);
    const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
    const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));
    return vmulq_f32(vmulq_f32(p, s1), s2);
}
/// n leading lanes from p, the rest -inf (through a buffer: NEON has no masked load).
CK_INLINE fv fv_loadn_ninf(const float *p, int64_t n) {
    float t[4] = {-__builtin_inff(), -__builtin_inff(), -__builtin_inff(), -__builtin_inff()};
    for (int64_t l = 0; l < n && l < 4; l++) t[l] = p[l];
    return vld1q_f32(t);
}
CK_INLINE void fv_prefetch_l2(const float *p) { (void)p; }  // the AArch64 cores seen so far did not need it
