// Private: the x86 int8 GEMM template, written once and instantiated by qgemm_avx2.c (vpmaddubsw + vpmaddwd) and
// qgemm_avx512vnni.c (vpdpbusd, AVX512-VNNI and AVX-VNNI). The including file defines
//   QG_T               the target attribute of its instruction set,
//   QG_FN(name)        the instance's name (name_avx2, ...),
//   QG_MAC_CONSTANTS   what QG_MAC needs in registers (may be empty),
//   QG_MAC(acc, u, s)  acc += Σ of four u8 × s8 products per int32 lane, exactly,
// then includes this header once per instance and exports the table
//   {name, variant, QG_FN(gemm_s32), QG_FN(gemm_f32), QG_FN(quantize_rows)}.
// With QG_QUANTIZER_ONLY defined, only QG_FN(quantize_rows) is made (the AVX512-VNNI table, whose products are
// qgemm_avx512vnni_zmm.c's).
//
// Tile 4 rows × 16 channels: 8 ymm accumulators (two per row, 8 channels each), 2 weight vectors, the broadcast
// activations and their magnitudes, the constants: 15 of the 16 ymm registers. Per group of 4 k: 2 weight loads,
// 4 broadcasts and, per (row, vector), one sign transfer and one QG_MAC.
//
// Sign transfer: the unsigned operand is |a| and the signed one is w·sign(a) (vpsignb), so |a|·(w·sign a) = a·w.
// |a| ≤ 127 and |w| ≤ 127 (the quantisers never produce -128, so negating w cannot wrap).
#include "ck_qgemm.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#ifndef QG_QUANTIZER_ONLY
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

#endif

// ck_quantize_rows_s8 in 8-float vectors, the same operations in the same order (max of |x|, then
// (x·(127/m) + 1.5·2^23) − 1.5·2^23, clamp, convert), so bytes and scales equal the scalar version's bit for bit.
QG_T static void QG_FN(quantize_rows)(const float *x, int64_t ldx, int64_t rows, int64_t K, const float *col_mul,
                                      int8_t *q, int64_t ldq, float *scale, float *work) {
    const int64_t kp = ck_qgemm_k_padded(K), kv = K / 32 * 32;
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)), big = _mm256_set1_ps(3.402823466e38f);
    const __m256 magic = _mm256_set1_ps(12582912.0f), hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t i = 0; i < rows; i++) {
        const float *r = x + i * ldx;
        if (col_mul) {
            int64_t k = 0;
            for (; k + 8 <= K; k += 8)
                _mm256_storeu_ps(work + k, _mm256_mul_ps(_mm256_loadu_ps(r + k), _mm256_loadu_ps(col_mul + k)));
            for (; k < K; k++) work[k] = r[k] * col_mul[k];
            r = work;
        }
        int8_t *out = q + i * ldq;
        __m256 mv = _mm256_setzero_ps(), okv = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
        int64_t k = 0;
        for (; k + 8 <= K; k += 8) {
            const __m256 v = _mm256_and_ps(_mm256_loadu_ps(r + k), absmask);
            okv = _mm256_and_ps(okv, _mm256_cmp_ps(v, big, _CMP_LE_OQ));  // false for NaN and ±Inf
            mv = _mm256_max_ps(mv, v);
        }
        float lanes[8], m = 0;
        _mm256_storeu_ps(lanes, mv);
        int finite = _mm256_movemask_ps(okv) == 0xff;
        for (int j = 0; j < 8; j++) if (lanes[j] > m) m = lanes[j];
        for (; k < K; k++) {
            float v = fabsf(r[k]);
            if (!(v <= 3.402823466e38f)) finite = 0;
            else if (v > m) m = v;
        }
        if (!finite || m == 0) {
            scale[i] = finite ? 0.0f : NAN;
            memset(out, 0, (size_t)kp);
            continue;
        }
        scale[i] = m / 127.0f;
        const float inv = 127.0f / m;
        const __m256 invv = _mm256_set1_ps(inv);
        for (k = 0; k < kv; k += 32) {
            __m256i c[4];
            for (int u = 0; u < 4; u++) {
                __m256 v = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(r + k + 8 * u), invv), magic), magic);
                c[u] = _mm256_cvttps_epi32(_mm256_max_ps(_mm256_min_ps(v, hi), lo));
            }
            const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(c[0], c[1]), _mm256_packs_epi32(c[2], c[3]));
            _mm256_storeu_si256((__m256i *)(out + k), _mm256_permutevar8x32_epi32(b, order));
        }
        for (; k < K; k++) {
            float v = (r[k] * inv + 12582912.0f) - 12582912.0f;
            if (v > 127.0f) v = 127.0f;
            if (v < -127.0f) v = -127.0f;
            out[k] = (int8_t)v;
        }
        for (; k < kp; k++) out[k] = 0;
    }
}
