// int8 GEMM for quantised inference: C [M, N] = A [M, K] · Bᵀ, A and B int8, sums exact in int32.
//
// A holds activations quantised per row (token), B the weight [N, K] (PyTorch layout) quantised per output channel,
// both symmetric in [-127, 127] (never -128: the x86 kernels negate weights, see qgemm_avx2.c). K is padded with
// zeros to a multiple of 4 (ck_qgemm_k_padded), the depth of one multiply-add group on every path.
//
// Packed B: panels of CK_QGEMM_NR = 16 output channels; panel p, group g (k = 4g … 4g+3), channel j, byte t is at
// p·16·Kp + (g·16 + j)·4 + t. Channels past N are zero. Every kernel reads this one layout.
//
// One table of function pointers per variant (struct ck_qgemm_kernels), chosen per kernel path (ck_qgemm_active). Integer sums
// are exact, so every path returns the same int32 as ck_qgemm_reference; the float epilogue is written without
// fused multiply-adds on every path, so the dequantised floats agree bit for bit as well.
#ifndef CK_QGEMM_H
#define CK_QGEMM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CK_QGEMM_NR 16

/// The int8 kernel variants. Several can exist per ck_isa path (AVX2 alone, AVX-VNNI, AVX512-VNNI).
typedef enum {
    CK_QGEMM_SCALAR = 0,      ///< portable C
    CK_QGEMM_AVX2 = 1,        ///< vpmaddubsw + vpmaddwd, 256-bit
    CK_QGEMM_AVXVNNI = 2,     ///< vpdpbusd (VEX, AVX-VNNI), 256-bit
    CK_QGEMM_AVX512VNNI = 3,  ///< vpdpbusd (EVEX, AVX512-VNNI + VL), 256-bit
    CK_QGEMM_NEON = 4,        ///< sdot (Armv8.2 dot product)
    CK_QGEMM_VARIANT_COUNT = 5
} ck_qgemm_variant;

/// Dequantisation of one output block: y[i, n] = (float)acc[i, n] · rowScale[i] · colScale[n] + bias[n]
/// (bias may be NULL), computed in that order with no fused multiply-add.
typedef struct {
    const float *row_scale;  ///< [M] activation scales
    const float *col_scale;  ///< [N] weight scales
    const float *bias;       ///< [N] or NULL
    float *y;                ///< [M, ldy] output
    int64_t ldy;
} ck_qgemm_epilogue;

/// One path's kernels.
typedef struct {
    const char *name;  ///< "scalar", "avx2", "avxvnni", "avx512vnni", "neon"
    ck_qgemm_variant variant;
    /// c [M, ldc] = a [M, lda] (Kp columns used) · packed Bᵀ; int32, exact.
    void (*gemm_s32)(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *packed_b,
                     int32_t *c, int64_t ldc);
    /// The same product, dequantised into ep->y (no int32 buffer).
    void (*gemm_f32)(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *packed_b,
                     const ck_qgemm_epilogue *ep);
    /// ck_quantize_rows_s8 (same contract, same bytes and scales bit for bit), vectorised where the path can.
    void (*quantize_rows)(const float *x, int64_t ldx, int64_t rows, int64_t K, const float *col_mul, int8_t *q,
                          int64_t ldq, float *scale, float *work);
} ck_qgemm_kernels;

/// K rounded up to a multiple of 4.
int64_t ck_qgemm_k_padded(int64_t K);
/// Bytes of the packed form of an [N, K] weight.
size_t ck_qgemm_packed_size(int64_t N, int64_t K);
/// Packs q [N, ldq] (int8, K columns used) into dst (ck_qgemm_packed_size bytes).
void ck_qgemm_pack_b(int64_t N, int64_t K, const int8_t *q, int64_t ldq, int8_t *dst);

/// Symmetric per-row quantisation: scale[i] = max|x[i, :]| / 127, q[i, k] = round-half-even(x[i, k] / scale[i]) in
/// [-127, 127]; columns K … Kp-1 of q are set to 0 (Kp = ck_qgemm_k_padded(K)). A row of zeros has scale 0 and q 0.
/// A row with a NaN or ±Inf gets scale NaN (so its outputs are NaN, as a float product with that row would be) and q 0.
/// col_mul [K], when not NULL, multiplies column k first (x[i, k]·col_mul[k] is what gets quantised; SmoothQuant's
/// division of activations by per-channel factors), using work [K] as scratch; NULL: x as it is (work unused).
void ck_quantize_rows_s8(const float *x, int64_t ldx, int64_t rows, int64_t K, const float *col_mul, int8_t *q,
                         int64_t ldq, float *scale, float *work);

/// The plain reference: c[i, n] = Σ_k a[i, k] · w[n, k] in int32 over unpacked operands (a [M, lda], w [N, ldw]).
void ck_qgemm_reference(int64_t M, int64_t N, int64_t K, const int8_t *a, int64_t lda, const int8_t *w, int64_t ldw,
                        int32_t *c, int64_t ldc);
/// The reference epilogue over an int32 result c [M, ldc].
void ck_qgemm_reference_dequantize(int64_t M, int64_t N, const int32_t *c, int64_t ldc, const ck_qgemm_epilogue *ep);

/// Whether this CPU can run `variant`.
int ck_qgemm_supported(ck_qgemm_variant variant);
/// The table of `variant`, or NULL when the CPU cannot run it (tests walk every variant the machine runs).
const ck_qgemm_kernels *ck_qgemm_table(ck_qgemm_variant variant);
/// The table every caller uses: the best variant within the path the other kernels use now (ck_active_isa, so
/// ATTENTION_ISA, ck_force_isa and the per-thread override apply): avx512 → AVX512-VNNI, else AVX-VNNI, else AVX2;
/// avx2 → AVX-VNNI, else AVX2; neon → sdot when the CPU has it; scalar → scalar. Chosen once per path.
const ck_qgemm_kernels *ck_qgemm_active(void);

/// bf16 (the top 16 bits of a float32) → float32, n values.
void ck_bf16_to_f32(const uint16_t *src, float *dst, int64_t n);
/// float32 → bf16 with round-half-even (NaN stays NaN, quiet).
void ck_f32_to_bf16(const float *src, uint16_t *dst, int64_t n);

/// bf16 products (bf16gemm.c): y [M, ldy] = bf16(x) [M, K] · Wᵀ + bias (bias may be NULL), W [N, K] stored bf16
/// and packed by ck_bf16_pack_b; x is rounded to bf16 (half to even), each product of two bf16 values is exact in
/// float32, and each output is a float32 sum over k in order (AVX512_BF16: vdpbf16ps, two k per step, denormal
/// inputs and results flushed to zero as that instruction does). `work` holds M · ck_bf16_k_padded(K) bf16.
/// Only where ck_bf16gemm_supported() (the avx512 path is active and the CPU has AVX512_BF16); elsewhere callers
/// widen the weight to float32 instead.
#define CK_BF16_NR 16
int ck_bf16gemm_supported(void);
/// K rounded up to a multiple of 2.
int64_t ck_bf16_k_padded(int64_t K);
/// Bytes of the packed form of an [N, K] bf16 weight.
size_t ck_bf16_packed_size(int64_t N, int64_t K);
/// Packs w [N, ldw] (bf16 bits, K columns used): panel p (16 channels), pair g, channel j, element t at
/// p·16·Kp + (g·16 + j)·2 + t; channels past N and the padding are 0.
void ck_bf16_pack_b(int64_t N, int64_t K, const uint16_t *w, int64_t ldw, uint16_t *dst);
void ck_bf16gemm(int64_t M, int64_t N, int64_t K, const float *x, int64_t ldx, const uint16_t *packed_b,
                 const float *bias, float *y, int64_t ldy, uint16_t *work);

#ifdef __cplusplus
}
#endif

#endif
