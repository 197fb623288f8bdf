// ck_vexp variants: the loops around the inline exp bodies of ck_exp.h (method and error analysis there).
//
// Max error over all 2^32 float inputs (Scripts/check_exp_ulp.c, against exp() in double; on x86 with
// clang, arm64 under qemu-user with GCC):
//   path     ulp error vs exact exp    ulp distance vs exp correctly rounded to float
//   avx512   0.939 (x = 0x1.ab05d2p+4)  1
//   avx2     0.939 (same inputs, bit-identical results to avx512)  1
//   scalar   1.221 (x = 0x1.da1f2ep+5; no FMA on baseline x86-64)  1
//   neon     0.939 (x = 0x1.ab05d2p+4)  1   (the arm64 scalar build, FMA-contracted, matches it)
// Every NaN input gives NaN, +-inf and overflow / underflow give exactly +inf / +0; subnormal results
// are within the same bounds (one rounding, see ck_exp.h).
// Tails use masked loads/stores, so an element's result never depends on its position in the array.
#include "ck_exp.h"

void ck_vexp_scalar(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = ck_exp_scalar(x[i]);
}

#if defined(__x86_64__)
CK_TARGET_AVX512 void ck_vexp_avx512(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, ck_exp512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(y + i, m, ck_exp512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

CK_TARGET_AVX2 void ck_vexp_avx2(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, ck_exp256(_mm256_loadu_ps(x + i)));
    if (i < n) {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - i)),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_ps(y + i, m, ck_exp256(_mm256_maskload_ps(x + i, m)));
    }
}
#endif

#if defined(__aarch64__)
void ck_vexp_neon(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, ck_exp_neon(vld1q_f32(x + i)));
    if (i < n) {
        // NEON has no masked load: go through a 4-lane buffer so the tail sees the same arithmetic.
        float buf[4] = {0, 0, 0, 0};
        for (int64_t j = i; j < n; j++) buf[j - i] = x[j];
        vst1q_f32(buf, ck_exp_neon(vld1q_f32(buf)));
        for (int64_t j = i; j < n; j++) y[j] = buf[j - i];
    }
}
#endif
