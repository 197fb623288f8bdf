// bf16 GEMM (ck_qgemm.h, "bf16 products"): y = bf16(x) · Wᵀ + bias with W stored bf16, sums in float32.
//
// With AVX512_BF16, vdpbf16ps adds two bf16 products into each float32 lane per instruction, twice the multiply
// rate of vfmadd231ps on the same registers. A product of two bf16 values (8 significant bits each) is exact in
// float32, so the only roundings are the float32 additions, as in a float32 GEMM; what changes is that x is
// rounded to bf16 first (round half to even, as ck_f32_to_bf16), on top of the weights.
//
// Packed B: panels of CK_BF16_NR = 16 output channels; panel p, pair g (k = 2g, 2g+1), channel j, element t at
// p·16·Kp + (g·16 + j)·2 + t (Kp = K rounded up to even; channels past N and the padding k are 0). One pair
// of one panel is one zmm, lane j = channel j, the layout vdpbf16ps reads.
//
// Tile BF_R rows × BF_P panels: BF_R·BF_P accumulators, BF_P weight vectors per pair, the activations' pairs as
// embedded broadcasts. Each output is one lane's sum over all of K in order, whatever the thread split.
#include "ck_qgemm.h"
#include "ck_table.h"
#include <string.h>

int64_t ck_bf16_k_padded(int64_t K) { return (K + 1) / 2 * 2; }

size_t ck_bf16_packed_size(int64_t N, int64_t K) {
    return sizeof(uint16_t) * (size_t)((N + CK_BF16_NR - 1) / CK_BF16_NR * CK_BF16_NR) * (size_t)ck_bf16_k_padded(K);
}

void ck_bf16_pack_b(int64_t N, int64_t K, const uint16_t *w, int64_t ldw, uint16_t *dst) {
    const int64_t kp = ck_bf16_k_padded(K), panels = (N + CK_BF16_NR - 1) / CK_BF16_NR;
    memset(dst, 0, ck_bf16_packed_size(N, K));
    for (int64_t p = 0; p < panels; p++)
        for (int64_t j = 0; j < CK_BF16_NR && p * CK_BF16_NR + j < N; j++) {
            const uint16_t *row = w + (p * CK_BF16_NR + j) * ldw;
            uint16_t *panel = dst + p * CK_BF16_NR * kp;
            for (int64_t k = 0; k < K; k++) panel[((k / 2) * CK_BF16_NR + j) * 2 + k % 2] = row[k];
        }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define BF_T __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512bf16")))
#ifndef BF_R
#define BF_R 8
#endif
#ifndef BF_P
#define BF_P 2
#endif

int ck_bf16gemm_supported(void) {
    __builtin_cpu_init();
    return ck_active_isa() == CK_ISA_AVX512 && __builtin_cpu_supports("avx512bf16");
}

// rows of x [rows, ldx] → bf16 [rows, kp], round half to even (vcvtne2ps2bf16; the padding column is 0).
BF_T static void bf_convert_rows(const float *x, int64_t ldx, int64_t rows, int64_t K, uint16_t *out, int64_t kp) {
    for (int64_t i = 0; i < rows; i++) {
        const float *r = x + i * ldx;
        uint16_t *o = out + i * kp;
        int64_t k = 0;
        for (; k + 32 <= K; k += 32) {
            const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(r + k + 16), _mm512_loadu_ps(r + k));
            _mm512_storeu_si512(o + k, (__m512i)b);
        }
        for (; k < K; k += 16) {
            const int64_t n = K - k < 16 ? K - k : 16;
            const __m256bh b = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), r + k));
            _mm256_mask_storeu_epi16(o + k, (__mmask16)((1u << n) - 1), (__m256i)b);
        }
        if (kp > K) o[K] = 0;
    }
}

#define BF_NAME_(R, P) bf_tile_##R##x##P
#define BF_NAME(R, P) BF_NAME_(R, P)
#define BF_TILE(R, P) BF_TILE_(R, P)
#define BF_TILE_(R, P)                                                                                              \
    BF_T static inline __attribute__((always_inline)) void bf_tile_##R##x##P(                                      \
        int64_t pairs, const uint16_t *const rows[], const uint16_t *panel, int64_t panel_elems, __m512 acc[][BF_P]) { \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                             \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++) acc[r][p] = _mm512_setzero_ps();        \
        for (int64_t g = 0; g < pairs; g++) {                                                                      \
            __m512bh w[P];                                                                                         \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++)                                         \
                w[p] = (__m512bh)_mm512_loadu_si512(panel + p * panel_elems + 32 * g);                             \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                                       \
                int32_t two;                                                                                       \
                memcpy(&two, rows[r] + 2 * g, 4);                                                                  \
                const __m512bh av = (__m512bh)_mm512_set1_epi32(two);                                              \
                _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++)                                     \
                    acc[r][p] = _mm512_dpbf16_ps(acc[r][p], av, w[p]);                                             \
            }                                                                                                      \
        }                                                                                                          \
    }
BF_TILE(BF_R, BF_P)
BF_TILE(BF_R, 1)

BF_T static void bf_drive(int64_t M, int64_t N, int64_t kp, const uint16_t *a, const uint16_t *pb, const float *bias,
                          float *y, int64_t ldy) {
    const int64_t panel_elems = CK_BF16_NR * kp, pairs = kp / 2, panels = (N + 15) / 16;
    __m512 acc[BF_R][BF_P];
    for (int64_t i0 = 0; i0 < M; i0 += BF_R) {
        const int64_t mr = M - i0 < BF_R ? M - i0 : BF_R;
        const uint16_t *rows[BF_R];  // rows past M repeat the last one; their results are not stored
        for (int r = 0; r < BF_R; r++) rows[r] = a + (i0 + (r < mr ? r : mr - 1)) * kp;
        for (int64_t p0 = 0; p0 < panels;) {
            const int64_t np = panels - p0 >= BF_P ? BF_P : 1;
            const uint16_t *panel = pb + p0 * panel_elems;
            if (np == BF_P) BF_NAME(BF_R, BF_P)(pairs, rows, panel, panel_elems, acc);
            else BF_NAME(BF_R, 1)(pairs, rows, panel, panel_elems, acc);
            for (int64_t p = 0; p < np; p++) {
                const int64_t n0 = (p0 + p) * 16, nc = N - n0;
                const __mmask16 m = nc >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nc) - 1);
                const __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + n0) : _mm512_setzero_ps();
                for (int64_t r = 0; r < mr; r++) {
                    const __m512 v = bias ? _mm512_add_ps(acc[r][p], b) : acc[r][p];
                    _mm512_mask_storeu_ps(y + (i0 + r) * ldy + n0, m, v);
                }
            }
            p0 += np;
        }
    }
}

BF_T void ck_bf16gemm(int64_t M, int64_t N, int64_t K, const float *x, int64_t ldx, const uint16_t *pb,
                      const float *bias, float *y, int64_t ldy, uint16_t *work) {
    const int64_t kp = ck_bf16_k_padded(K);
    bf_convert_rows(x, ldx, M, K, work, kp);
    bf_drive(M, N, kp, work, pb, bias, y, ldy);
}
#else
int ck_bf16gemm_supported(void) { return 0; }

// Portable form of the same contract (not used by the library, which checks ck_bf16gemm_supported first): x
// rounded to bf16, exact products, float32 sums over k in order.
void ck_bf16gemm(int64_t M, int64_t N, int64_t K, const float *x, int64_t ldx, const uint16_t *pb,
                 const float *bias, float *y, int64_t ldy, uint16_t *work) {
    const int64_t kp = ck_bf16_k_padded(K);
    for (int64_t i = 0; i < M; i++) {
        ck_f32_to_bf16(x + i * ldx, work, K);
        for (int64_t n = 0; n < N; n++) {
            const uint16_t *panel = pb + (n / CK_BF16_NR) * CK_BF16_NR * kp;
            float s = 0;
            for (int64_t k = 0; k < K; k++) {
                float a, b;
                uint32_t ab = (uint32_t)work[k] << 16, bb = (uint32_t)panel[((k / 2) * CK_BF16_NR + n % CK_BF16_NR) * 2 + k % 2] << 16;
                memcpy(&a, &ab, 4);
                memcpy(&b, &bb, 4);
                s += a * b;
            }
            y[i * ldy + n] = bias ? s + bias[n] : s;
        }
    }
}
#endif
