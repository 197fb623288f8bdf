// Private: the x86 int8 GEMM template, written once and instantiated by qgemm_avx2.c (vpmaddubsw + vpmaddwd) and
// qgemm_avx512vnni.c (vpdpbusd, AVX512-VNNI and AVX-VNNI). The including file defines
//   QG_T               the target attribute of its instruction set,
//   QG_FN(name)        the instance's name (name_avx2, ...),
//   QG_MAC_CONSTANTS   what QG_MAC needs in registers (may be empty),
//   QG_MAC(acc, u, s)  acc += Σ of four u8 × s8 products per int32 lane, exactly,
// then includes this header once per instance and exports the table
//   {name, variant, QG_FN(gemm_s32), QG_FN(gemm_f32)}.
//
// Tile 4 rows × 16 channels: 8 ymm accumulators (two per row, 8 channels each), 2 weight vectors, the broadcast
// activations and their magnitudes, the constants: 15 of the 16 ymm registers. Per group of 4 k: 2 weight loads,
// 4 broadcasts and, per (row, vector), one sign transfer and one QG_MAC.
//
// Sign transfer: the unsigned operand is |a| and the signed one is w·sign(a) (vpsignb), so |a|·(w·sign a) = a·w.
// |a| ≤ 127 and |w| ≤ 127 (the quantisers never produce -128, so negating w cannot wrap).
#include "ck_qgemm.h"
#include <immintrin.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

QG_T static inline __attribute__((always_inline)) void QG_FN(tile)(int64_t groups, const int8_t *const a[4],
                                                                   const int8_t *b, __m256i acc[4][2]) {
    QG_MAC_CONSTANTS
    for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (int64_t g = 0; g < groups; g++) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + 64 * g));
        const __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 64 * g + 32));
#pragma clang loop unroll(full)
        for (int r = 0; r < 4; r++) {
            int32_t four;
            memcpy(&four, a[r] + 4 * g, 4);
            const __m256i av = _mm256_set1_epi32(four), ua = _mm256_abs_epi8(av);
            QG_MAC(acc[r][0], ua, _mm256_sign_epi8(b0, av));
            QG_MAC(acc[r][1], ua, _mm256_sign_epi8(b1, av));
        }
    }
}

// y = ((float)acc · rowScale) · colScale + bias, mul then mul then add, as the reference.
QG_T static inline __attribute__((always_inline)) __m256 QG_FN(dequantize)(__m256i acc, __m256 rs, const float *cs,
                                                                           const float *bias) {
    __m256 v = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), rs), _mm256_loadu_ps(cs));
    return bias ? _mm256_add_ps(v, _mm256_loadu_ps(bias)) : v;
}

// Stores the first nc of 16 lanes (two vectors) to dst.
QG_T static inline __attribute__((always_inline)) void QG_FN(store16)(void *dst, __m256i lo, __m256i hi, int64_t nc) {
    if (nc == 16) {
        _mm256_storeu_si256((__m256i *)dst, lo);
        _mm256_storeu_si256((__m256i *)dst + 1, hi);
        return;
    }
    int32_t t[16];
    _mm256_storeu_si256((__m256i *)t, lo);
    _mm256_storeu_si256((__m256i *)(t + 8), hi);
    memcpy(dst, t, 4 * (size_t)nc);
}

QG_T static void QG_FN(drive)(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                              int32_t *c, int64_t ldc, const ck_qgemm_epilogue *ep) {
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
            QG_FN(tile)(Kp / 4, rows, panel, acc);
            for (int64_t r = 0; r < mr; r++) {
                if (!ep) {
                    QG_FN(store16)(c + (i0 + r) * ldc + n0, acc[r][0], acc[r][1], nc);
                    continue;
                }
                const __m256 rs = _mm256_set1_ps(ep->row_scale[i0 + r]);
                const __m256 y0 = QG_FN(dequantize)(acc[r][0], rs, cs, bias);
                const __m256 y1 = QG_FN(dequantize)(acc[r][1], rs, cs + 8, bias ? bias + 8 : NULL);
                QG_FN(store16)(ep->y + (i0 + r) * ep->ldy + n0, _mm256_castps_si256(y0), _mm256_castps_si256(y1), nc);
            }
        }
    }
}

QG_T static void QG_FN(gemm_s32)(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                                 int32_t *c, int64_t ldc) {
    QG_FN(drive)(M, N, Kp, a, lda, pb, c, ldc, NULL);
}

QG_T static void QG_FN(gemm_f32)(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                                 const ck_qgemm_epilogue *ep) {
    QG_FN(drive)(M, N, Kp, a, lda, pb, NULL, 0, ep);
}
