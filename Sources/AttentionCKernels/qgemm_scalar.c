// Portable int8 GEMM over the packed layout (any CPU), and the layout's helpers: padding, packing, per-row
// quantisation, bf16 conversion. The kernel keeps a 4 x 16 int32 tile in locals like the SIMD paths.
#include "ck_qgemm.h"

#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

int64_t ck_qgemm_k_padded(int64_t K) { return (K + 3) / 4 * 4; }

size_t ck_qgemm_packed_size(int64_t N, int64_t K) {
    return (size_t)((N + CK_QGEMM_NR - 1) / CK_QGEMM_NR) * CK_QGEMM_NR * (size_t)ck_qgemm_k_padded(K);
}

void ck_qgemm_pack_b(int64_t N, int64_t K, const int8_t *q, int64_t ldq, int8_t *dst) {
    const int64_t kp = ck_qgemm_k_padded(K), panels = (N + CK_QGEMM_NR - 1) / CK_QGEMM_NR;
    memset(dst, 0, ck_qgemm_packed_size(N, K));
    for (int64_t p = 0; p < panels; p++) {
        int8_t *panel = dst + p * CK_QGEMM_NR * kp;
        for (int64_t j = 0; j < CK_QGEMM_NR && p * CK_QGEMM_NR + j < N; j++) {
            const int8_t *row = q + (p * CK_QGEMM_NR + j) * ldq;
            for (int64_t k = 0; k < K; k++) panel[((k / 4) * CK_QGEMM_NR + j) * 4 + k % 4] = row[k];
        }
    }
}

void ck_quantize_rows_s8(const float *x, int64_t ldx, int64_t rows, int64_t K, const float *col_mul, int8_t *q,
                         int64_t ldq, float *scale, float *work) {
    const int64_t kp = ck_qgemm_k_padded(K);
    for (int64_t i = 0; i < rows; i++) {
        const float *r = x + i * ldx;
        if (col_mul) {
            for (int64_t k = 0; k < K; k++) work[k] = r[k] * col_mul[k];
            r = work;
        }
        int8_t *out = q + i * ldq;
        float m = 0;
        int finite = 1;
        for (int64_t k = 0; k < K; k++) {
            float v = fabsf(r[k]);
            if (!(v <= 3.402823466e38f)) finite = 0;  // NaN or ±Inf
            else if (v > m) m = v;
        }
        if (!finite || m == 0) {
            scale[i] = finite ? 0.0f : NAN;
            memset(out, 0, (size_t)kp);
            continue;
        }
        scale[i] = m / 127.0f;
        // Multiplying by 127/m (not dividing by the rounded scale) keeps the row maximum at exactly ±127.
        const float inv = 127.0f / m;
        for (int64_t k = 0; k < K; k++) {
            // Adding and subtracting 1.5·2^23 rounds half to even for |v| < 2^22 (here |v| ≤ 127·(1 + 2^-23)) in
            // the default rounding mode, without a libm call per element (nearbyintf is one on baseline x86-64).
            float v = (r[k] * inv + 12582912.0f) - 12582912.0f;
            if (v > 127.0f) v = 127.0f;
            if (v < -127.0f) v = -127.0f;
            out[k] = (int8_t)v;
        }
        for (int64_t k = K; k < kp; k++) out[k] = 0;
    }
}

void ck_bf16_to_f32(const uint16_t *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)src[i] << 16;
        memcpy(dst + i, &bits, 4);
    }
}

void ck_f32_to_bf16(const float *src, uint16_t *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, src + i, 4);
        if ((bits & 0x7fffffffu) > 0x7f800000u) { dst[i] = (uint16_t)((bits >> 16) | 0x40); continue; }  // quiet NaN
        bits += 0x7fffu + ((bits >> 16) & 1);  // round half to even
        dst[i] = (uint16_t)(bits >> 16);
    }
}

// acc[r][j] over `groups` groups of 4 for rows a[r] of one panel.
static void tile(int64_t groups, const int8_t *const a[4], const int8_t *b, int32_t acc[4][CK_QGEMM_NR]) {
    memset(acc, 0, sizeof(int32_t) * 4 * CK_QGEMM_NR);
    for (int64_t g = 0; g < groups; g++) {
        const int8_t *bg = b + g * 4 * CK_QGEMM_NR;
        for (int r = 0; r < 4; r++) {
            const int8_t *ag = a[r] + 4 * g;
            for (int j = 0; j < CK_QGEMM_NR; j++) {
                acc[r][j] += ag[0] * bg[4 * j] + ag[1] * bg[4 * j + 1] + ag[2] * bg[4 * j + 2] + ag[3] * bg[4 * j + 3];
            }
        }
    }
}

static void drive(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb, int32_t *c,
                  int64_t ldc, const ck_qgemm_epilogue *ep) {
    int32_t acc[4][CK_QGEMM_NR];
    for (int64_t n0 = 0; n0 < N; n0 += CK_QGEMM_NR) {
        const int8_t *panel = pb + n0 * Kp;
        const int64_t nc = N - n0 < CK_QGEMM_NR ? N - n0 : CK_QGEMM_NR;
        for (int64_t i0 = 0; i0 < M; i0 += 4) {
            const int64_t mr = M - i0 < 4 ? M - i0 : 4;
            const int8_t *rows[4];
            for (int r = 0; r < 4; r++) rows[r] = a + (i0 + (r < mr ? r : 0)) * lda;
            tile(Kp / 4, rows, panel, acc);
            for (int64_t r = 0; r < mr; r++) {
                for (int64_t j = 0; j < nc; j++) {
                    if (!ep) { c[(i0 + r) * ldc + n0 + j] = acc[r][j]; continue; }
                    float v = (float)acc[r][j];
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

const ck_qgemm_kernels ck_qgemm_scalar_table = {"scalar", CK_QGEMM_SCALAR, gemm_s32, gemm_f32, ck_quantize_rows_s8};
