// AArch64 Advanced SIMD SGEMM micro-kernel (Apple M-series, Graviton, ...).
#include "ck_internal.h"

#if defined(__aarch64__)
#include <arm_neon.h>

// Tile 8 x 12: 24 q-register accumulators + 2 A vectors (8 rows) + 3 B vectors = 29 of 32 registers.
// Per k: 5 loads, 24 lane-indexed FMAs (vfmaq_laneq multiplies by one lane of the A vector, so A needs no
// broadcasts). Cache blocks as on x86 but with KC 256 (the B strip, 256 x 12 floats, then fits the
// 64-128 KiB L1 of these cores with room for the A strips).
#define MR 8
#define NR 12

#define CK_ROW(i, av, lane)                                       \
    c##i##0 = vfmaq_laneq_f32(c##i##0, b0, av, lane);            \
    c##i##1 = vfmaq_laneq_f32(c##i##1, b1, av, lane);            \
    c##i##2 = vfmaq_laneq_f32(c##i##2, b2, av, lane)

static void kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, float alpha, float beta,
                   int64_t mr, int64_t nr) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    float32x4_t c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z, c22 = z;
    float32x4_t c30 = z, c31 = z, c32 = z, c40 = z, c41 = z, c42 = z, c50 = z, c51 = z, c52 = z;
    float32x4_t c60 = z, c61 = z, c62 = z, c70 = z, c71 = z, c72 = z;
    for (int64_t k = 0; k < kc; k++) {
        const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        CK_ROW(0, a0, 0);
        CK_ROW(1, a0, 1);
        CK_ROW(2, a0, 2);
        CK_ROW(3, a0, 3);
        CK_ROW(4, a1, 0);
        CK_ROW(5, a1, 1);
        CK_ROW(6, a1, 2);
        CK_ROW(7, a1, 3);
        a += MR;
        b += NR;
    }
    float32x4_t acc[MR][3] = {
        {c00, c01, c02}, {c10, c11, c12}, {c20, c21, c22}, {c30, c31, c32},
        {c40, c41, c42}, {c50, c51, c52}, {c60, c61, c62}, {c70, c71, c72},
    };
    if (mr == MR && nr == NR) {
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
            for (int v = 0; v < 3; v++) {
                float32x4_t r = vmulq_n_f32(acc[i][v], alpha);
                if (beta != 0.0f) r = vfmaq_n_f32(r, vld1q_f32(ci + 4 * v), beta);
                vst1q_f32(ci + 4 * v, r);
            }
        }
        return;
    }
    // Edge tile: spill and write the valid part element by element (NEON has no masked stores).
    float tile[MR][NR];
    for (int i = 0; i < MR; i++) {
        for (int v = 0; v < 3; v++) vst1q_f32(&tile[i][4 * v], acc[i][v]);
    }
    for (int64_t i = 0; i < mr; i++) {
        float *ci = c + i * ldc;
        for (int64_t j = 0; j < nr; j++) {
            float r = alpha * tile[i][j];
            if (beta != 0.0f) r += beta * ci[j];
            ci[j] = r;
        }
    }
}

static void pack_a(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_generic(mn, kc, src, rs, cs, dst, MR);
}
static void pack_b(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_generic(mn, kc, src, rs, cs, dst, NR);
}

const ck_sgemm_impl ck_sgemm_neon_impl = {
    .mr = MR, .nr = NR, .mc = 192, .kc = 256, .nc = 2040,  // nc: a multiple of NR
    .kernel = kernel, .pack_a = pack_a, .pack_b = pack_b,
};

#endif
