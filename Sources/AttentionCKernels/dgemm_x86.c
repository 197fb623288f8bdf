// DGEMM for the x86 paths: reference-grade Float64 products (gradient checks, fp64 references), so the
// aim is "not slow" with no workspace, not peak.
//
// Loop structure: for each strip of NB columns, for each block of KB k, the KB x NB piece of B is packed
// on the stack (KB 256: 32 KiB for AVX-512, 16 KiB for AVX2), then every MR-row tile of C is accumulated
// in registers reading A through its strides (one broadcast per A element per strip). Rows past the edge
// are clamped to the last valid row (their results are dropped), so the k loop has no bounds tests.
#include "ck_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define KB 256

// C = beta * C (beta == 0: zeros without reading C).
static void dscale(int64_t M, int64_t N, double beta, double *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0 ? 0.0 : beta * C[i * ldc + j];
    }
}

// Packs B[k0 .. k0+kb, j0 .. j0+nb] as bp[k*w + j], zero columns up to w.
static void dpack_b(int64_t kb, int64_t nb, int64_t w, const double *B, int64_t rsB, int64_t csB,
                    double *bp) {
    for (int64_t k = 0; k < kb; k++) {
        for (int64_t j = 0; j < w; j++) bp[k * w + j] = j < nb ? B[k * rsB + j * csB] : 0.0;
    }
}

// Tile 8 x 16 (8 rows x 2 zmm of 8 doubles): 16 accumulators.
CK_TARGET_AVX512 void ck_dgemm_avx512(int64_t M, int64_t N, int64_t K, double alpha, const double *A,
                                      int64_t rsA, int64_t csA, const double *B, int64_t rsB, int64_t csB,
                                      double beta, double *C, int64_t ldc) {
    enum { MR = 8, NB = 16 };
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0) {
        dscale(M, N, beta, C, ldc);
        return;
    }
    double bp[KB * NB] __attribute__((aligned(64)));
    const __m512d va = _mm512_set1_pd(alpha);
    for (int64_t j0 = 0; j0 < N; j0 += NB) {
        const int64_t nb = CK_MIN(NB, N - j0);
        const __mmask8 m0 = nb >= 8 ? 0xFF : (__mmask8)((1u << nb) - 1);
        const __mmask8 m1 = nb >= 16 ? 0xFF : nb <= 8 ? 0 : (__mmask8)((1u << (nb - 8)) - 1);
        for (int64_t k0 = 0; k0 < K; k0 += KB) {
            const int64_t kb = CK_MIN(KB, K - k0);
            const __m512d vb = _mm512_set1_pd(k0 == 0 ? beta : 1.0);
            const int read_c = k0 != 0 || beta != 0.0;
            dpack_b(kb, nb, NB, B + k0 * rsB + j0 * csB, rsB, csB, bp);
            for (int64_t i0 = 0; i0 < M; i0 += MR) {
                const int64_t mr = CK_MIN(MR, M - i0);
                const double *ar[MR];
                for (int i = 0; i < MR; i++) ar[i] = A + (i0 + CK_MIN(i, mr - 1)) * rsA + k0 * csA;
                __m512d acc[MR][2];
#pragma clang loop unroll(full)
                for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_pd();
                for (int64_t k = 0; k < kb; k++) {
                    const __m512d b0 = _mm512_load_pd(bp + k * NB), b1 = _mm512_load_pd(bp + k * NB + 8);
#pragma clang loop unroll(full)
                    for (int i = 0; i < MR; i++) {
                        const __m512d a = _mm512_set1_pd(ar[i][k * csA]);
                        acc[i][0] = _mm512_fmadd_pd(a, b0, acc[i][0]);
                        acc[i][1] = _mm512_fmadd_pd(a, b1, acc[i][1]);
                    }
                }
                for (int64_t i = 0; i < mr; i++) {
                    double *ci = C + (i0 + i) * ldc + j0;
                    __m512d r0 = _mm512_mul_pd(va, acc[i][0]), r1 = _mm512_mul_pd(va, acc[i][1]);
                    if (read_c) {
                        r0 = _mm512_fmadd_pd(vb, _mm512_maskz_loadu_pd(m0, ci), r0);
                        r1 = _mm512_fmadd_pd(vb, _mm512_maskz_loadu_pd(m1, ci + 8), r1);
                    }
                    _mm512_mask_storeu_pd(ci, m0, r0);
                    _mm512_mask_storeu_pd(ci + 8, m1, r1);
                }
            }
        }
    }
}

// Tile 6 x 8 (6 rows x 2 ymm of 4 doubles): 12 accumulators.
CK_TARGET_AVX2 void ck_dgemm_avx2(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA,
                                  int64_t csA, const double *B, int64_t rsB, int64_t csB, double beta,
                                  double *C, int64_t ldc) {
    enum { MR = 6, NB = 8 };
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0) {
        dscale(M, N, beta, C, ldc);
        return;
    }
    double bp[KB * NB] __attribute__((aligned(32)));
    const __m256d va = _mm256_set1_pd(alpha);
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    for (int64_t j0 = 0; j0 < N; j0 += NB) {
        const int64_t nb = CK_MIN(NB, N - j0);
        const __m256i m0 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(nb), lane);
        const __m256i m1 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(nb - 4), lane);
        for (int64_t k0 = 0; k0 < K; k0 += KB) {
            const int64_t kb = CK_MIN(KB, K - k0);
            const __m256d vb = _mm256_set1_pd(k0 == 0 ? beta : 1.0);
            const int read_c = k0 != 0 || beta != 0.0;
            dpack_b(kb, nb, NB, B + k0 * rsB + j0 * csB, rsB, csB, bp);
            for (int64_t i0 = 0; i0 < M; i0 += MR) {
                const int64_t mr = CK_MIN(MR, M - i0);
                const double *ar[MR];
                for (int i = 0; i < MR; i++) ar[i] = A + (i0 + CK_MIN(i, mr - 1)) * rsA + k0 * csA;
                __m256d acc[MR][2];
#pragma clang loop unroll(full)
                for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_pd();
                for (int64_t k = 0; k < kb; k++) {
                    const __m256d b0 = _mm256_load_pd(bp + k * NB), b1 = _mm256_load_pd(bp + k * NB + 4);
#pragma clang loop unroll(full)
                    for (int i = 0; i < MR; i++) {
                        const __m256d a = _mm256_broadcast_sd(ar[i] + k * csA);
                        acc[i][0] = _mm256_fmadd_pd(a, b0, acc[i][0]);
                        acc[i][1] = _mm256_fmadd_pd(a, b1, acc[i][1]);
                    }
                }
                for (int64_t i = 0; i < mr; i++) {
                    double *ci = C + (i0 + i) * ldc + j0;
                    __m256d r0 = _mm256_mul_pd(va, acc[i][0]), r1 = _mm256_mul_pd(va, acc[i][1]);
                    if (read_c) {
                        r0 = _mm256_fmadd_pd(vb, _mm256_maskload_pd(ci, m0), r0);
                        r1 = _mm256_fmadd_pd(vb, _mm256_maskload_pd(ci + 4, m1), r1);
                    }
                    _mm256_maskstore_pd(ci, m0, r0);
                    _mm256_maskstore_pd(ci + 4, m1, r1);
                }
            }
        }
    }
}

#endif
