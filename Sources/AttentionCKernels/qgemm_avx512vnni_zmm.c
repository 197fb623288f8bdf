// The AVX512-VNNI int8 GEMM in 512-bit registers: one group of the packed B layout (4 k × 16 channels, 64 bytes,
// ck_qgemm.h) is exactly one zmm, so lane j of a weight vector is channel j.
//
// vpdpbusd multiplies an unsigned byte by a signed one. Rather than the sign transfer of the 256-bit template
// (|a| and w·sign(a): two extra operations per multiply), the weights are made unsigned: u = w + 128 (an XOR with
// 0x80, once per loaded weight vector), and the activations stay signed, broadcast four bytes at a time straight
// from memory into the multiply. Then
//     Σ_k u[n][k]·a[i][k] = Σ_k w[n][k]·a[i][k] + 128·Σ_k a[i][k],
// so one row sum per activation row (itself a vpdpbusd against a vector of ones) is subtracted at the end. Every
// addition wraps modulo 2^32 (vpdpbusd has no saturation, and the subtraction is an integer vector op), so the
// result is exactly Σ a·w whenever that fits in int32: the same int32 as ck_qgemm_reference for every K the
// reference itself can sum.
//
// Tile QZ_R rows × QZ_P panels (16 channels each): QZ_R·QZ_P accumulators, QZ_P weight vectors; per group QZ_P
// loads + XORs and QZ_R·QZ_P multiplies whose activation operand is an embedded broadcast.
#if defined(__x86_64__)
#include "ck_qgemm.h"
#include <immintrin.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#define QZ_T __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
#ifndef QZ_R
#define QZ_R 8
#endif
#ifndef QZ_P
#define QZ_P 2
#endif

// 128 · Σ_k a[k] over Kp bytes (Kp a multiple of 4; the padding is zero), exact in int32 for the K the product
// itself can sum.
QZ_T static int32_t qz_row_offset(const int8_t *a, int64_t Kp) {
    const __m512i ones = _mm512_set1_epi8(1);
    __m512i s = _mm512_setzero_si512();
    int64_t k = 0;
    for (; k + 64 <= Kp; k += 64) s = _mm512_dpbusd_epi32(s, ones, _mm512_loadu_si512(a + k));
    if (k < Kp) s = _mm512_dpbusd_epi32(s, ones, _mm512_maskz_loadu_epi8(~0ULL >> (64 - (Kp - k)), a + k));
    return (int32_t)((uint32_t)_mm512_reduce_add_epi32(s) << 7);
}

// acc[r][p] = Σ_g (w + 128)[panel p, group g] · a[row r, group g], for R rows and P panels (compile-time constants).
#define QZ_NAME_(R, P) qz_tile_##R##x##P
#define QZ_NAME(R, P) QZ_NAME_(R, P)
#define QZ_TILE(R, P) QZ_TILE_(R, P)
#define QZ_TILE_(R, P)                                                                                            \
    QZ_T static inline __attribute__((always_inline)) void qz_tile_##R##x##P(                                    \
        int64_t groups, const int8_t *const rows[], const int8_t *panel, int64_t panel_bytes, __m512i acc[][QZ_P]) { \
        const __m512i flip = _mm512_set1_epi8((char)0x80);                                                         \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                             \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++) acc[r][p] = _mm512_setzero_si512();     \
        for (int64_t g = 0; g < groups; g++) {                                                                     \
            __m512i u[P];                                                                                          \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++)                                         \
                u[p] = _mm512_xor_si512(_mm512_loadu_si512(panel + p * panel_bytes + 64 * g), flip);               \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                                       \
                int32_t four;                                                                                      \
                memcpy(&four, rows[r] + 4 * g, 4);                                                                 \
                const __m512i av = _mm512_set1_epi32(four);                                                        \
                _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++)                                     \
                    acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], u[p], av);                                          \
            }                                                                                                      \
        }                                                                                                          \
    }
QZ_TILE(QZ_R, QZ_P)
QZ_TILE(QZ_R, 1)

// Writes row r's P panels (first nc channels of the last one when it is partial): int32 to c, or dequantised to
// ep->y as y = ((float)acc · rowScale) · colScale + bias, mul then mul then add, as the reference.
QZ_T static inline __attribute__((always_inline)) void qz_store(__m512i v, int64_t i, int64_t n0, int64_t nc,
                                                                int32_t *c, int64_t ldc, const ck_qgemm_epilogue *ep) {
    const __mmask16 m = nc >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nc) - 1);
    if (!ep) {
        _mm512_mask_storeu_epi32(c + i * ldc + n0, m, v);
        return;
    }
    const __m512 rs = _mm512_set1_ps(ep->row_scale[i]);
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(v), rs), _mm512_maskz_loadu_ps(m, ep->col_scale + n0));
    if (ep->bias) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, ep->bias + n0));
    _mm512_mask_storeu_ps(ep->y + i * ep->ldy + n0, m, y);
}

QZ_T static void qz_drive(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb, int32_t *c,
                          int64_t ldc, const ck_qgemm_epilogue *ep) {
    const int64_t panel_bytes = CK_QGEMM_NR * Kp, groups = Kp / 4, panels = (N + 15) / 16;
    __m512i acc[QZ_R][QZ_P];
    for (int64_t i0 = 0; i0 < M; i0 += QZ_R) {
        const int64_t mr = M - i0 < QZ_R ? M - i0 : QZ_R;
        // Rows past M repeat the last one; their results are not stored.
        const int8_t *rows[QZ_R];
        int32_t offset[QZ_R];
        for (int r = 0; r < QZ_R; r++) {
            rows[r] = a + (i0 + (r < mr ? r : mr - 1)) * lda;
            offset[r] = qz_row_offset(rows[r], Kp);
        }
        for (int64_t p0 = 0; p0 < panels;) {
            const int64_t np = panels - p0 >= QZ_P ? QZ_P : 1;
            const int8_t *panel = pb + p0 * panel_bytes;
            if (np == QZ_P) QZ_NAME(QZ_R, QZ_P)(groups, rows, panel, panel_bytes, acc);
            else QZ_NAME(QZ_R, 1)(groups, rows, panel, panel_bytes, acc);
            for (int64_t r = 0; r < mr; r++) {
                const __m512i off = _mm512_set1_epi32(offset[r]);
                for (int64_t p = 0; p < np; p++) {
                    const int64_t n0 = (p0 + p) * 16;
                    qz_store(_mm512_sub_epi32(acc[r][p], off), i0 + r, n0, N - n0, c, ldc, ep);
                }
            }
            p0 += np;
        }
    }
}

QZ_T void ck_qgemm_s32_avx512vnni_zmm(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                                     int32_t *c, int64_t ldc) {
    qz_drive(M, N, Kp, a, lda, pb, c, ldc, NULL);
}

QZ_T void ck_qgemm_f32_avx512vnni_zmm(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                                     const ck_qgemm_epilogue *ep) {
    qz_drive(M, N, Kp, a, lda, pb, NULL, 0, ep);
}
#endif
