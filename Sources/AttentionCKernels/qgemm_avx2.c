// AVX2 int8 GEMM: vpmaddubsw (u8 x s8 pairs -> s16) then vpmaddwd by ones (s16 pairs -> s32).
//
// Saturation: vpmaddubsw adds two u8 x s8 products into a signed 16-bit lane and saturates. With |a| ≤ 127 as
// the unsigned operand and |w| ≤ 127 as the signed one, a pair sum is at most 2·127·127 = 32258 < 32767 in
// magnitude, so it never saturates and the int32 sums equal the reference exactly (the tests check every shape).
// The activations keep all 8 bits (symmetric [-127, 127]): the sign goes onto the weight (vpsignb).
#include "ck_qgemm.h"

#if defined(__x86_64__)
#define CK_T __attribute__((target("avx2,fma")))
#define MAC_CONSTANTS const __m256i ones = _mm256_set1_epi16(1);
#define MAC(acc, u, s) (acc) = _mm256_add_epi32((acc), _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), ones))
#include <immintrin.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

// Tile 4 rows x 16 channels: 8 ymm accumulators (two per row, 8 channels each), 2 weight vectors, the broadcast
// activations and their magnitudes, the constants: 15 of the 16 ymm registers. Per group of 4 k: 2 weight loads,
// 4 broadcasts and, per (row, vector), one sign transfer and one MAC (defined per path above).
//
// Sign transfer: the unsigned operand is |a| and the signed one is w·sign(a) (vpsignb), so |a|·(w·sign a) = a·w.
// |a| ≤ 127 and |w| ≤ 127 (the quantisers never produce -128, so negating w cannot wrap).
CK_T static inline __attribute__((always_inline)) void tile(int64_t groups, const int8_t *const a[4],
                                                            const int8_t *b, __m256i acc[4][2]) {
    MAC_CONSTANTS
    for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (int64_t g = 0; g < groups; g++) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + 64 * g));
        const __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 64 * g + 32));
#pragma clang loop unroll(full)
        for (int r = 0; r < 4; r++) {
            int32_t four;
            memcpy(&four, a[r] + 4 * g, 4);
            const __m256i av = _mm256_set1_epi32(four), ua = _mm256_abs_epi8(av);
            MAC(acc[r][0], ua, _mm256_sign_epi8(b0, av));
            MAC(acc[r][1], ua, _mm256_sign_epi8(b1, av));
        }
    }
}

// y = ((float)acc · rowScale) · colScale + bias, mul then mul then add, as the reference.
CK_T static inline __attribute__((always_inline)) __m256 dequantize(__m256i acc, __m256 rs, const float *cs,
                                                                    const float *bias) {
    __m256 v = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), rs), _mm256_loadu_ps(cs));
    return bias ? _mm256_add_ps(v, _mm256_loadu_ps(bias)) : v;
}

CK_T static void drive(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb, int32_t *c,
                       int64_t ldc, const ck_qgemm_epilogue *ep) {
    __m256i acc[4][2];
    for (int64_t n0 = 0; n0 < N; n0 += 16) {
        const int8_t *panel = pb + n0 * Kp;
        const int64_t nc = N - n0 < 16 ? N - n0 : 16;
        // A partial panel reads its scales and bias from zero-padded copies.
        float csp[16] = {0}, bp[16] = {0};
        const float *cs = NULL, *bias = NULL;
        if (ep) {
            if (nc == 16) {
                cs = ep->col_scale + n0;
                bias = ep->bias ? ep->bias + n0 : NULL;
            } else {
                memcpy(csp, ep->col_scale + n0, sizeof(float) * (size_t)nc);
                if (ep->bias) memcpy(bp, ep->bias + n0, sizeof(float) * (size_t)nc);
                cs = csp;
                bias = ep->bias ? bp : NULL;
            }
        }
        for (int64_t i0 = 0; i0 < M; i0 += 4) {
            const int64_t mr = M - i0 < 4 ? M - i0 : 4;
            const int8_t *rows[4];
            for (int r = 0; r < 4; r++) rows[r] = a + (i0 + (r < mr ? r : 0)) * lda;
            tile(Kp / 4, rows, panel, acc);
            for (int64_t r = 0; r < mr; r++) {
                if (!ep) {
                    int32_t *dst = c + (i0 + r) * ldc + n0;
                    if (nc == 16) {
                        _mm256_storeu_si256((__m256i *)dst, acc[r][0]);
                        _mm256_storeu_si256((__m256i *)(dst + 8), acc[r][1]);
                    } else {
                        int32_t t[16];
                        _mm256_storeu_si256((__m256i *)t, acc[r][0]);
                        _mm256_storeu_si256((__m256i *)(t + 8), acc[r][1]);
                        memcpy(dst, t, sizeof(int32_t) * (size_t)nc);
                    }
                    continue;
                }
                const __m256 rs = _mm256_set1_ps(ep->row_scale[i0 + r]);
                const __m256 y0 = dequantize(acc[r][0], rs, cs, bias);
                const __m256 y1 = dequantize(acc[r][1], rs, cs + 8, bias ? bias + 8 : NULL);
                float *dst = ep->y + (i0 + r) * ep->ldy + n0;
                if (nc == 16) {
                    _mm256_storeu_ps(dst, y0);
                    _mm256_storeu_ps(dst + 8, y1);
                } else {
                    float t[16];
                    _mm256_storeu_ps(t, y0);
                    _mm256_storeu_ps(t + 8, y1);
                    memcpy(dst, t, sizeof(float) * (size_t)nc);
                }
            }
        }
    }
}

CK_T static void gemm_s32(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                          int32_t *c, int64_t ldc) {
    drive(M, N, Kp, a, lda, pb, c, ldc, NULL);
}

CK_T static void gemm_f32(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                          const ck_qgemm_epilogue *ep) {
    drive(M, N, Kp, a, lda, pb, NULL, 0, ep);
}

const ck_qgemm_kernels ck_qgemm_avx2_table = {"avx2", CK_QGEMM_AVX2, gemm_s32, gemm_f32};
#endif
