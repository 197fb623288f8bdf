// VNNI int8 GEMM: vpdpbusd (four u8 x s8 products added into an s32 lane, no intermediate saturation), in its
// AVX512-VNNI (EVEX, with VL for 256-bit registers) and AVX-VNNI (VEX) forms. Same tile, layout and sign transfer
// as qgemm_avx2.c (the 512-bit form would need vpsignb, which AVX-512 lacks, so both stay 256-bit).
//
// Not executed on the Zen 3 machine this was written on (no VNNI): compiled there; the tests run it on CPUs that
// have it (ck_qgemm_supported).
#include "ck_qgemm.h"

#if defined(__x86_64__)
#define MAC_CONSTANTS

// MARK: AVX512-VNNI
#define CK_T __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
#define MAC(acc, u, s) (acc) = _mm256_dpbusd_epi32((acc), (u), (s))
#define tile tile_512
#define dequantize dequantize_512
#define drive drive_512
#define gemm_s32 gemm_s32_512
#define gemm_f32 gemm_f32_512
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

const ck_qgemm_kernels ck_qgemm_avx512vnni_table = {"avx512vnni", CK_QGEMM_AVX512VNNI, gemm_s32_512, gemm_f32_512};

// MARK: AVX-VNNI
#undef CK_T
#undef MAC
#undef tile
#undef dequantize
#undef drive
#undef gemm_s32
#undef gemm_f32
#define CK_T __attribute__((target("avx2,fma,avxvnni")))
#define MAC(acc, u, s) (acc) = _mm256_dpbusd_avx_epi32((acc), (u), (s))
#define tile tile_vex
#define dequantize dequantize_vex
#define drive drive_vex
#define gemm_s32 gemm_s32_vex
#define gemm_f32 gemm_f32_vex


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

const ck_qgemm_kernels ck_qgemm_avxvnni_table = {"avxvnni", CK_QGEMM_AVXVNNI, gemm_s32_vex, gemm_f32_vex};
#endif
