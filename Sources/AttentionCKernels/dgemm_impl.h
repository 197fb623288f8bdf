// Private template: DGEMM, reference-grade Float64 products (gradient checks, fp64 references), so the aim is
// "not slow" with no workspace, not peak. Instantiated by every ISA file (DG_MR: rows per register tile).
//
// Where the vocabulary has double vectors (`dv`, the x86 paths): for each strip of DG_NB = 2 vectors of
// columns, for each block of DG_KB k, the KB x NB piece of B is packed on the stack (32 KiB for AVX-512,
// 16 KiB for AVX2), then every DG_MR-row tile of C is accumulated in registers reading A through its strides
// (one broadcast per A element per strip). Elsewhere (scalar, NEON): 4 x 4 tiles straight from the strided
// operands, one pass over K, which compilers vectorise well enough for a reference path.
// In both, rows (and columns) past the edge are clamped to the last valid one, so the k loop has no bounds
// tests; their results are computed and dropped.
#include "ck_simd.h"

#if defined(DV_N)
#define DG_KB 256
#define DG_NB (2 * DV_N)

// C = beta * C (beta == 0: zeros without reading C).   // [M, N]
static void CK_FN(dg_scale)(int64_t M, int64_t N, double beta, double *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0 ? 0.0 : beta * C[i * ldc + j];
    }
}

// bp[k*w + j] = B[k*rsB + j*csB] for k < kb, j < nb; zero columns up to w.   // [kb, w]
static void CK_FN(dg_pack_b)(int64_t kb, int64_t nb, int64_t w, const double *B, int64_t rsB, int64_t csB,
                             double *bp) {
    for (int64_t k = 0; k < kb; k++) {
        for (int64_t j = 0; j < w; j++) bp[k * w + j] = j < nb ? B[k * rsB + j * csB] : 0.0;
    }
}

// C = alpha A B + beta C.   // A: [M, K], B: [K, N], C: [M, N]
CK_SIMD_TARGET void CK_FN(ck_dgemm)(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA,
                                   int64_t csA, const double *B, int64_t rsB, int64_t csB, double beta,
                                   double *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0) {
        CK_FN(dg_scale)(M, N, beta, C, ldc);
        return;
    }
    double bp[DG_KB * DG_NB] __attribute__((aligned(64)));
    const dv va = dv_set1(alpha);
    for (int64_t j0 = 0; j0 < N; j0 += DG_NB) {
        const int64_t nb = CK_MIN(DG_NB, N - j0);
        for (int64_t k0 = 0; k0 < K; k0 += DG_KB) {
            const int64_t kb = CK_MIN(DG_KB, K - k0);
            const dv vb = dv_set1(k0 == 0 ? beta : 1.0);
            const int read_c = k0 != 0 || beta != 0.0;
            CK_FN(dg_pack_b)(kb, nb, DG_NB, B + k0 * rsB + j0 * csB, rsB, csB, bp);
            for (int64_t i0 = 0; i0 < M; i0 += DG_MR) {
                const int64_t mr = CK_MIN(DG_MR, M - i0);
                const double *ar[DG_MR];
                for (int i = 0; i < DG_MR; i++) ar[i] = A + (i0 + CK_MIN(i, mr - 1)) * rsA + k0 * csA;
                dv acc[DG_MR][2];
#pragma clang loop unroll(full)
                for (int i = 0; i < DG_MR; i++) acc[i][0] = acc[i][1] = dv_zero();
                for (int64_t k = 0; k < kb; k++) {
                    const dv b0 = dv_load_aligned(bp + k * DG_NB), b1 = dv_load_aligned(bp + k * DG_NB + DV_N);
#pragma clang loop unroll(full)
                    for (int i = 0; i < DG_MR; i++) {
                        const dv a = dv_set1(ar[i][k * csA]);
                        acc[i][0] = dv_fma(a, b0, acc[i][0]);
                        acc[i][1] = dv_fma(a, b1, acc[i][1]);
                    }
                }
                for (int64_t i = 0; i < mr; i++) {
                    double *ci = C + (i0 + i) * ldc + j0;
                    dv r0 = dv_mul(va, acc[i][0]), r1 = dv_mul(va, acc[i][1]);
                    if (read_c) {
                        r0 = dv_fma(vb, dv_loadn(ci, nb), r0);
                        r1 = dv_fma(vb, dv_loadn(ci + DV_N, nb - DV_N), r1);
                    }
                    dv_storen(ci, r0, nb);
                    dv_storen(ci + DV_N, r1, nb - DV_N);
                }
            }
        }
    }
}

#else

// C = alpha A B + beta C.   // A: [M, K], B: [K, N], C: [M, N]
void CK_FN(ck_dgemm)(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA, int64_t csA,
                     const double *B, int64_t rsB, int64_t csB, double beta, double *C, int64_t ldc) {
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
                    const double r = alpha * acc[i][j];
                    ci[j] = beta == 0.0 ? r : r + beta * ci[j];
                }
            }
        }
    }
}

#endif
