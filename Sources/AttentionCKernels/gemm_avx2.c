// AVX2 + FMA SGEMM micro-kernel (x86-64 CPUs without AVX-512, and a tested fallback on those with it).
#include "ck_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Tile 6 x 16: 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers. Per k:
// 2 loads, 6 broadcasts, 12 FMAs, which two FMA pipes retire in 6 cycles while the 8 loads fit the two
// load ports of Haswell-class cores; 12 chains cover FMA latency 4-5 x 2 pipes. (A 4 x 24 tile, tried,
// ran at less than half the speed.) Cache blocks as in gemm_avx512.c: the A block (192 x 512 floats)
// sits in L2, the B strip (512 x 16 floats = 32 KiB) in L1/L2. On Zen 4, whose AVX-512 is double-pumped
// 256-bit, this path runs as fast as the AVX-512 one (~107 GFLOP/s at 1024^3).
#define MR 6
#define NV 2
#define NR (8 * NV)
#define MC 192
#define KC 512
#define NC 2048

CK_TARGET_AVX2 static void kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                                  float alpha, float beta, int64_t mr, int64_t nr) {
    __m256 acc[MR][NV];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();
    }
    // Ask for the C tile early (into L2) so its latency overlaps the k loop; see gemm_avx512.c.
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T1);
        _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T1);
    }
    for (int64_t k = 0; k < kc; k++) {
        __m256 bv[NV];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m256 av = _mm256_broadcast_ss(a + i);
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(av, bv[v], acc[i][v]);
        }
        a += MR;
        b += NR;
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (mr == MR && nr == NR) {
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) {
                __m256 r = _mm256_mul_ps(va, acc[i][v]);
                if (beta != 0.0f) r = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8 * v), r);
                _mm256_storeu_ps(ci + 8 * v, r);
            }
        }
        return;
    }
    // Edge tile: lane masks for the nr valid columns; vmaskmov neither reads nor writes masked-out lanes.
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i mask[NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) {
        mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(nr - 8 * v)), lane);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *ci = c + i * ldc;
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) {
            __m256 r = _mm256_mul_ps(va, acc[i][v]);
            if (beta != 0.0f) r = _mm256_fmadd_ps(vb, _mm256_maskload_ps(ci + 8 * v, mask[v]), r);
            _mm256_maskstore_ps(ci + 8 * v, mask[v], r);
        }
    }
}

static void pack_a(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_x86(mn, kc, src, rs, cs, dst, MR);
}
static void pack_b(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_x86(mn, kc, src, rs, cs, dst, NR);
}

const ck_sgemm_impl ck_sgemm_avx2_impl = {
    .mr = MR, .nr = NR, .mc = MC, .kc = KC, .nc = NC,
    .kernel = kernel, .pack_a = pack_a, .pack_b = pack_b,
};

#endif
