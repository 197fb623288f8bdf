// AVX-512 SGEMM micro-kernel and packers.
#include "ck_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Tile 12 x 32: 24 zmm accumulators + 2 B vectors + 1 broadcast A element = 27 of 32 registers. Per k:
// 2 loads, 12 broadcasts, 24 FMAs. FMA latency (4) x throughput (1-2 zmm/cycle on Zen 4 / Zen 5)
// needs at most 8 independent chains, so 24 leave slack, and the 384-float C tile keeps writeback small
// against kc*24 FMAs. Measured in isolation (A strip from L2, B strip from L1): 115 GFLOP/s on a Zen 4
// core whose FMA peak is 117.
//
// Cache blocks (Zen 4: L1d 32 KiB, L2 1 MiB, L3 32 MiB shared) were tuned by sweeping at 512..2048:
// KC 512 makes the B strip (KC x 32 floats = 64 KiB) overflow L1 into L2, which the prefetchers hide,
// while halving the passes over C against KC 256; MC 192 puts the A block (384 KiB) in half of L2;
// NC 2048 bounds the B panel at 4 MiB (L3). Everything from KC 256..1024 and MC 96..384 was within
// ~2% (noise on this VM), so the choice favours the smaller workspace.
#define MR 12
#define NV 2
#define NR (16 * NV)
#define MC 192
#define KC 512
#define NC 2048

CK_TARGET_AVX512 static void kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                                    float alpha, float beta, int64_t mr, int64_t nr) {
    __m512 acc[MR][NV];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();
    }
    // The C tile's 24 lines are needed only after the k loop; asking for them now (into L2, so they do not
    // evict the packed strips from L1) hides the L3/DRAM latency of C, worth ~5% at 1024^3.
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T1);
        _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T1);
    }
    for (int64_t k = 0; k < kc; k++) {
        __m512 bv[NV];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m512 av = _mm512_set1_ps(a[i]);
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
        }
        a += MR;
        b += NR;
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (mr == MR && nr == NR) {
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) {
                __m512 r = _mm512_mul_ps(va, acc[i][v]);
                if (beta != 0.0f) r = _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci + 16 * v), r);
                _mm512_storeu_ps(ci + 16 * v, r);
            }
        }
        return;
    }
    __mmask16 mask[NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) {
        int64_t left = nr - 16 * v;
        mask[v] = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *ci = c + i * ldc;
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) {
            __m512 r = _mm512_mul_ps(va, acc[i][v]);
            if (beta != 0.0f) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[v], ci + 16 * v), r);
            _mm512_mask_storeu_ps(ci + 16 * v, mask[v], r);
        }
    }
}

static void pack_a(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_x86(mn, kc, src, rs, cs, dst, MR);
}
static void pack_b(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_x86(mn, kc, src, rs, cs, dst, NR);
}

const ck_sgemm_impl ck_sgemm_avx512_impl = {
    .mr = MR, .nr = NR, .mc = MC, .kc = KC, .nc = NC,
    .kernel = kernel, .pack_a = pack_a, .pack_b = pack_b,
};

#endif
