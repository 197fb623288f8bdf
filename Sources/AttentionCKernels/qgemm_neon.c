// NEON int8 GEMM with the Armv8.2 dot product (sdot: four s8 x s8 products added into each s32 lane). Signed on
// both sides, so no sign transfer and no saturation. Tile 4 rows x 16 channels: 16 q-register accumulators.
#include "ck_qgemm.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#define CK_T __attribute__((target("arch=armv8.2-a+dotprod")))
#else
#define CK_T __attribute__((target("dotprod")))
#endif

CK_T static void drive(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb, int32_t *c,
                       int64_t ldc, const ck_qgemm_epilogue *ep) {
    for (int64_t n0 = 0; n0 < N; n0 += 16) {
        const int8_t *panel = pb + n0 * Kp;
        const int64_t nc = N - n0 < 16 ? N - n0 : 16;
        for (int64_t i0 = 0; i0 < M; i0 += 4) {
            const int64_t mr = M - i0 < 4 ? M - i0 : 4;
            const int8_t *rows[4];
            for (int r = 0; r < 4; r++) rows[r] = a + (i0 + (r < mr ? r : 0)) * lda;
            int32x4_t acc[4][4];
            for (int r = 0; r < 4; r++)
                for (int q = 0; q < 4; q++) acc[r][q] = vdupq_n_s32(0);
            for (int64_t g = 0; g < Kp / 4; g++) {
                const int8_t *bg = panel + 64 * g;
                const int8x16_t b0 = vld1q_s8(bg), b1 = vld1q_s8(bg + 16), b2 = vld1q_s8(bg + 32), b3 = vld1q_s8(bg + 48);
                for (int r = 0; r < 4; r++) {
                    int32_t four;
                    memcpy(&four, rows[r] + 4 * g, 4);
                    const int8x16_t av = vreinterpretq_s8_s32(vdupq_n_s32(four));
                    acc[r][0] = vdotq_s32(acc[r][0], b0, av);
                    acc[r][1] = vdotq_s32(acc[r][1], b1, av);
                    acc[r][2] = vdotq_s32(acc[r][2], b2, av);
                    acc[r][3] = vdotq_s32(acc[r][3], b3, av);
                }
            }
            for (int64_t r = 0; r < mr; r++) {
                int32_t t[16];
                for (int q = 0; q < 4; q++) vst1q_s32(t + 4 * q, acc[r][q]);
                for (int64_t j = 0; j < nc; j++) {
                    if (!ep) { c[(i0 + r) * ldc + n0 + j] = t[j]; continue; }
                    float v = (float)t[j];
                    v = v * ep->row_scale[i0 + r];
                    v = v * ep->col_scale[n0 + j];
                    if (ep->bias) v = v + ep->bias[n0 + j];
                    ep->y[(i0 + r) * ep->ldy + n0 + j] = v;
                }
            }
        }
    }
}

static void gemm_s32(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb, int32_t *c,
                     int64_t ldc) {
    drive(M, N, Kp, a, lda, pb, c, ldc, NULL);
}

static void gemm_f32(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                     const ck_qgemm_epilogue *ep) {
    drive(M, N, Kp, a, lda, pb, NULL, 0, ep);
}

const ck_qgemm_kernels ck_qgemm_neon_table = {"neon", CK_QGEMM_NEON, gemm_s32, gemm_f32, ck_quantize_rows_s8};
#endif
