// AVX-512 SGEMM micro-kernel and packers.
#include "ck_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#ifndef CK512_MR
#define CK512_MR 12
#endif
#ifndef CK512_NV
#define CK512_NV 2
#endif
#ifndef CK512_MC
#define CK512_MC 384
#endif
#ifndef CK512_KC
#define CK512_KC 384
#endif
#ifndef CK512_NC
#define CK512_NC 4096
#endif
#define MR CK512_MR
#define NV CK512_NV
#define NR (16 * NV)

CK_TARGET_AVX512 static void kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                                    float alpha, float beta, int64_t mr, int64_t nr) {
    __m512 acc[MR][NV];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();
    }
#ifdef PF_START
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) { _mm_prefetch((const char *)(c + i * ldc), PF_START); _mm_prefetch((const char *)(c + i * ldc + NR - 1), PF_START); }
#endif
    for (int64_t k = 0; k < kc; k++) {
#ifdef PF_LATE
        if (k == kc - PF_LATE) {
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) { _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0); _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T0); }
        }
#endif
        __m512 bv[NV];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) bv[v] = _mm512_load_ps(b + 16 * v);
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
    ck_pack_generic(mn, kc, src, rs, cs, dst, MR);
}
static void pack_b(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst) {
    ck_pack_generic(mn, kc, src, rs, cs, dst, NR);
}

const ck_sgemm_impl ck_sgemm_avx512_impl = {
    .mr = MR, .nr = NR, .mc = CK512_MC, .kc = CK512_KC, .nc = CK512_NC,
    .kernel = kernel, .pack_a = pack_a, .pack_b = pack_b,
};

#endif
