// Private to CKernels: target macros, the shared GEMM blocking driver and the helpers outside the per-ISA
// tables. The kernels themselves are templates (*_impl.h) on the vocabulary of ck_simd.h, instantiated once
// per ISA file and reached through that file's table (ck_table.h).
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#include "AttentionCKernels.h"
#include "ck_rowops.h"

#if defined(__x86_64__)
// One attribute string per x86 path. AVX-512 also enables BW/DQ/VL so masked 256-bit forms and
// integer shuffles are available; the dispatcher checks every one of them before picking the path.
#define CK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define CK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#endif

#define CK_ALWAYS_INLINE static inline __attribute__((always_inline))
#define CK_MIN(a, b) ((a) < (b) ? (a) : (b))

/// The path in use; resolves CK_ISA_AUTO on first call. Cheap (one relaxed atomic load) and thread-safe.
ck_isa ck_current_isa(void);

// MARK: - SGEMM blocking driver (gemm_driver.c)

/// Micro-kernel contract: multiply the packed A strip (kc x MR, k-major: a[k*MR + i]) by the packed B strip
/// (kc x NR, k-major: b[k*NR + j]) and write C[i][j] = alpha*acc + beta*C[i][j] for i < mr, j < nr
/// (mr <= MR, nr <= NR). beta == 0 must not read C. Entries outside mr x nr must not be touched.
typedef void (*ck_sgemm_ukernel)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                                 float alpha, float beta, int64_t mr, int64_t nr);

/// Packing contract: copy the mn x kc block at `src` (element (i, k) at src[i*rs + k*cs]) into ceil(mn/w)
/// strips of kc x w, k-major, zero-padding the last strip's missing rows (w = MR for A, NR for B; B is
/// packed as Bᵀ, so its columns are the rows here).
typedef void (*ck_pack_fn)(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst);

/// Blocking parameters and kernels of one ISA path (loop structure in gemm_driver.c, tuning in the ISA files).
typedef struct {
    int64_t mr, nr;  // register tile
    int64_t mc, kc, nc;  // cache blocks: A block mc x kc (L2), B panel kc x nc (L3), B strip kc x nr (L1)
    ck_sgemm_ukernel kernel;
    ck_pack_fn pack_a;  // strips of mr rows of A, k-major
    ck_pack_fn pack_b;  // strips of nr columns of B, k-major (called with B transposed: mn = columns)
} ck_sgemm_impl;

/// Workspace bytes one impl needs (B panel + A block, each rounded up to 64 bytes).
size_t ck_sgemm_impl_workspace(const ck_sgemm_impl *impl);

/// The bias + activation epilogue of one ISA (ck_bias_act_rows' contract), applied by the driver per tile.
typedef void (*ck_rows_epilogue)(float *y, int64_t rows, int64_t cols, int64_t ld, const float *bias,
                                 ck_activation act);

/// `packed_b`, when not NULL, is B pre-packed by ck_sgemm_impl_pack_b for the same impl, K and N (B, rsB and
/// csB are then not read). `epilogue` may be NULL (plain GEMM); otherwise it runs on each finished tile with `bias` offset to the
/// tile's first column.
void ck_sgemm_drive(const ck_sgemm_impl *impl, int64_t M, int64_t N, int64_t K, float alpha,
                    const float *A, int64_t rsA, int64_t csA, const float *B, int64_t rsB, int64_t csB,
                    const float *packed_b, float beta, float *C, int64_t ldc, void *workspace,
                    ck_rows_epilogue epilogue, const float *bias, ck_activation act);

/// Pre-packed B (see gemm_driver.c for the layout): its size in bytes, and the packing (of part `part` of
/// `parts`: an even share of every column block's strips; parts 0..<parts together pack all of B).
size_t ck_sgemm_impl_packed_b_size(const ck_sgemm_impl *impl, int64_t K, int64_t N);
void ck_sgemm_impl_pack_b(const ck_sgemm_impl *impl, int64_t K, int64_t N, const float *B, int64_t rsB,
                          int64_t csB, float *dst, int64_t part, int64_t parts);

/// Portable packer (any strides, any w): the scalar and NEON paths, and ck_pack_x86's general case.
void ck_pack_generic(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst,
                     int64_t w);

#if defined(__x86_64__)
/// ck_pack_generic with 8x8 AVX2 transposes for operands whose rows are contiguous along k.
void ck_pack_x86(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst, int64_t w);
#endif

// MARK: - Softmax pieces outside the tables (softmax_common.c)

/// Rows whose max `m` is +-inf or NaN (policy in softmax_common.c); `log_mode` selects log-softmax.
void ck_softmax_row_special(float *x, int64_t cols, float m, int log_mode);
/// log(s) for finite s >= 1 (NaN passes through), in double, without libm.
double ck_log_ge1(double s);


#endif
