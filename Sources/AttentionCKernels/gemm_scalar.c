// Portable C paths: the SGEMM micro-kernel for CPUs without a SIMD path here, and the scalar DGEMM.
//
// The SGEMM tile is written with GCC/Clang generic vectors (vector_size(16)): any target lowers them,
// to SSE2 on baseline x86-64, to scalar code where there is no SIMD. Plain float arrays were tried first;
// clang kept the accumulators in memory and shuffled them every k (5 GFLOP/s at 512^3, now 18 on
// SSE2). 4 x 8 beat 6 x 8 (14 GFLOP/s), which runs out of the 16 xmm registers.
#include "ck_internal.h"

#include <string.h>

#define MR 4
#define NR 8

typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p) {
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, float alpha, float beta,
                   int64_t mr, int64_t nr) {
    v4f acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = (v4f){0, 0, 0, 0};
    for (int64_t k = 0; k < kc; k++) {
        const v4f b0 = load4(b), b1 = load4(b + 4);
        for (int i = 0; i < MR; i++) {
            const v4f ai = {a[i], a[i], a[i], a[i]};
            acc[i][0] += ai * b0;
            acc[i][1] += ai * b1;
        }
        a += MR;
        b += NR;
    }
    float tile[MR][NR];
    memcpy(tile, acc, sizeof tile);
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

// Small tile, so the cache blocks are smaller too: the A block (128 x 256 floats) fits L2 anywhere.
const ck_sgemm_impl ck_sgemm_scalar_impl = {
    .mr = MR, .nr = NR, .mc = 128, .kc = 256, .nc = 1024,
    .kernel = kernel, .pack_a = pack_a, .pack_b = pack_b,
};

// DGEMM: 4 x 4 register tiles straight from the strided operands (no packing, no workspace). Rows and
// columns past the edge are clamped to the last valid one, so the inner loop has no bounds tests; their
// results are computed and dropped.
void ck_dgemm_scalar(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA,
                     int64_t csA, const double *B, int64_t rsB, int64_t csB, double beta, double *C,
                     int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    for (int64_t i0 = 0; i0 < M; i0 += 4) {
        const int64_t mr = CK_MIN(4, M - i0);
        for (int64_t j0 = 0; j0 < N; j0 += 4) {
            const int64_t nr = CK_MIN(4, N - j0);
            double acc[4][4];
            memset(acc, 0, sizeof acc);
            if (alpha != 0.0) {
                const double *ar[4], *bc[4];
                for (int t = 0; t < 4; t++) {
                    ar[t] = A + (i0 + CK_MIN(t, mr - 1)) * rsA;
                    bc[t] = B + (j0 + CK_MIN(t, nr - 1)) * csB;
                }
                for (int64_t k = 0; k < K; k++) {
                    double av[4], bv[4];
                    for (int t = 0; t < 4; t++) {
                        av[t] = ar[t][k * csA];
                        bv[t] = bc[t][k * rsB];
                    }
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bv[j];
                    }
                }
            }
            for (int64_t i = 0; i < mr; i++) {
                double *ci = C + (i0 + i) * ldc + j0;
                for (int64_t j = 0; j < nr; j++) {
                    double r = alpha * acc[i][j];
                    ci[j] = beta == 0.0 ? r : r + beta * ci[j];
                }
            }
        }
    }
}
