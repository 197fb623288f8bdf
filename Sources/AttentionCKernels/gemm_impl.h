// Private template: the SGEMM micro-kernel on the vocabulary of ck_simd.h (the blocking driver around it,
// shared by every path, is gemm_driver.c). Instantiated by every ISA file, which defines first:
//   GM_MR, GM_NV       register tile: GM_MR rows x GM_NV vectors of C (GM_NR = GM_NV * GV_N columns)
//   GM_MC, GM_KC, GM_NC  cache blocks (A block mc x kc in L2, B panel kc x nc in L3)
//   GM_PACK            the packer (ck_pack_x86 where AVX2 transposes pay, ck_pack_generic elsewhere)
// and gets CK_GEMM_IMPL, the ck_sgemm_impl initializer for its table.
//
// Per k the kernel does GM_NV loads of B, GM_MR broadcasts of A and GM_MR * GM_NV FMAs into accumulators
// that stay in registers; so GM_MR * GM_NV + GM_NV + 1 must fit the ISA's vector registers.
#include "ck_simd.h"

// The micro-kernel's lanes are the ISA's vectors, unless its section of the vocabulary gives wider ones
// (the scalar path: generic 4-float vectors).
#ifndef GV_N
#define GV_N FV_N
typedef fv gv;
#define gv_zero fv_zero
#define gv_set1 fv_set1
#define gv_load fv_load
#define gv_store fv_store
#define gv_fma fv_fma
#define gv_mul fv_mul
#define gv_loadn fv_loadn
#define gv_storen fv_storen
#endif

#define GM_NR (GM_NV * GV_N)

// C[i][j] = alpha * sum_k a[k*MR + i] b[k*NR + j] + beta * C[i][j] for i < mr, j < nr (ck_sgemm_ukernel).
// a: [kc, MR], b: [kc, NR], c: [mr, nr] with row stride ldc
CK_SIMD_TARGET static void CK_FN(gm_kernel)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                                           float alpha, float beta, int64_t mr, int64_t nr) {
    gv acc[GM_MR][GM_NV];
#pragma clang loop unroll(full)
    for (int i = 0; i < GM_MR; i++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < GM_NV; v++) acc[i][v] = gv_zero();
    }
    // The C tile is needed only after the k loop; asking for it now (into L2, so it does not evict the packed
    // strips from L1) hides the L3/DRAM latency of C, worth ~5% at 1024^3 on x86 (a no-op elsewhere).
#pragma clang loop unroll(full)
    for (int i = 0; i < GM_MR; i++) {
        fv_prefetch_l2(c + i * ldc);
        fv_prefetch_l2(c + i * ldc + GM_NR - 1);
    }
    for (int64_t k = 0; k < kc; k++) {
        gv bv[GM_NV];
#pragma clang loop unroll(full)
        for (int v = 0; v < GM_NV; v++) bv[v] = gv_load(b + GV_N * v);
#pragma clang loop unroll(full)
        for (int i = 0; i < GM_MR; i++) {
            const gv av = gv_set1(a[i]);
#pragma clang loop unroll(full)
            for (int v = 0; v < GM_NV; v++) acc[i][v] = gv_fma(av, bv[v], acc[i][v]);
        }
        a += GM_MR;
        b += GM_NR;
    }
    const gv va = gv_set1(alpha), vb = gv_set1(beta);
    if (mr == GM_MR && nr == GM_NR) {
#pragma clang loop unroll(full)
        for (int i = 0; i < GM_MR; i++) {
            float *ci = c + i * ldc;
#pragma clang loop unroll(full)
            for (int v = 0; v < GM_NV; v++) {
                gv r = gv_mul(va, acc[i][v]);
                if (beta != 0.0f) r = gv_fma(vb, gv_load(ci + GV_N * v), r);
                gv_store(ci + GV_N * v, r);
            }
        }
        return;
    }
    // Edge tile: the mr valid rows; masked loads/stores for a partial vector of the nr valid columns (masked-out
    // lanes are neither read nor written).
#pragma clang loop unroll(full)
    for (int i = 0; i < GM_MR; i++) {
        if (i >= mr) break;
        float *ci = c + i * ldc;
#pragma clang loop unroll(full)
        for (int v = 0; v < GM_NV; v++) {
            const int64_t left = nr - GV_N * v;
            if (left <= 0) break;
            gv r = gv_mul(va, acc[i][v]);
            // Whole vectors of an edge tile (rows past mr, or the leading vectors of a narrow one) go unmasked:
            // a masked store costs about ten plain ones on AMD cores.
            if (left >= GV_N) {
                if (beta != 0.0f) r = gv_fma(vb, gv_load(ci + GV_N * v), r);
                gv_store(ci + GV_N * v, r);
                continue;
            }
            if (beta != 0.0f) r = gv_fma(vb, gv_loadn(ci + GV_N * v, left), r);
            gv_storen(ci + GV_N * v, r, left);
        }
    }
}

static void CK_FN(gm_pack_a)(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    GM_PACK(mn, kc, src, rs, cs, dst, GM_MR);
}
static void CK_FN(gm_pack_b)(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    GM_PACK(mn, kc, src, rs, cs, dst, GM_NR);
}

#define CK_GEMM_IMPL                                                                                   \
    {.mr = GM_MR, .nr = GM_NR, .mc = GM_MC, .kc = GM_KC, .nc = GM_NC, .kernel = CK_FN(gm_kernel),        \
     .pack_a = CK_FN(gm_pack_a), .pack_b = CK_FN(gm_pack_b)}
