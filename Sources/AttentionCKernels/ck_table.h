// Private: one table of function pointers per ISA, the only thing the public entry points (dispatch.c,
// flash_dispatch.c) know about a path.
//
// Each ISA translation unit (ck_avx512.c, ck_avx2.c, ck_neon.c, ck_scalar.c) instantiates every kernel template
// on the vocabulary of ck_simd.h and exports one `ck_kernel_table`; dispatch.c chooses a table once (CPU
// detection, ATTENTION_ISA) and every entry point calls through it. So a new path (bf16, SVE, ...) is one ISA
// file and one line in the chooser, and a new kernel is one template, one field here and one line per ISA file.
#ifndef CK_TABLE_H
#define CK_TABLE_H

#include "ck_internal.h"
#include "ck_flash.h"
#include "ck_qgemm.h"

/// The flash-attention kernels of one instance (one set of tile sizes) of flash_fwd_impl.h / flash_bwd_impl.h.
typedef struct {
    ck_flash_config config;
    size_t (*workspace)(int64_t E, int64_t Ev);
    size_t (*backward_workspace)(int64_t E, int64_t Ev, int64_t S);
    void (*forward)(const ck_flash_fwd_args *a);
    void (*backward)(const ck_flash_bwd_args *a);
    void (*weights)(const ck_flash_weights_args *a);
    void (*decode)(const ck_flash_decode_args *a);
} ck_flash_impl;

/// Every kernel of one ISA path. Contracts are those of the public functions of the same name
/// (AttentionCKernels.h, ck_rowops.h, ck_flash.h).
typedef struct ck_kernel_table {
    ck_isa isa;
    int (*cpu_supports)(void);  ///< whether this CPU (and OS) can run the path
    ck_sgemm_impl sgemm;        ///< GEMM micro-kernel, packers and blocking (gemm_impl.h, driver gemm_driver.c)
    void (*dgemm)(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA, int64_t csA,
                  const double *B, int64_t rsB, int64_t csB, double beta, double *C, int64_t ldc);
    void (*vexp)(const float *x, float *y, int64_t n);
    void (*softmax_rows)(float *x, int64_t rows, int64_t cols, int64_t ld, int log_mode);
    ck_rows_epilogue bias_act_rows;
    void (*layernorm_rows)(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                           const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols);
    void (*layernorm_rows_saving)(const float *x, int64_t ldx, const float *residual, int64_t ldr,
                                  const float *gamma, const float *beta, float eps, float *y, int64_t ldy,
                                  int64_t rows, int64_t cols, float *mean, float *rstd);
    void (*layernorm_backward_rows)(const float *x, int64_t ldx, const float *residual, int64_t ldr,
                                    const float *gamma, const float *mean, const float *rstd, const float *g,
                                    int64_t ldg, float *dz, int64_t lddz, float *dgamma, float *dbeta,
                                    int64_t rows, int64_t cols);
    void (*gelu_backward)(const float *x, const float *g, float *dx, int64_t n);
    void (*adam_update)(const float *w, const float *g, double *m, double *v, float *w_out, int64_t n,
                        const ck_adam_step *step);
    void (*column_sums)(const float *src, int64_t rows, int64_t cols, int64_t ld, double divisor, float *out);
    ck_flash_impl flash;               ///< flash attention (every kernel)
    const ck_flash_impl *flash_short;  ///< forward for L <= flash_short_rows, or NULL
    int64_t flash_short_rows;
    const ck_flash_impl *flash_narrow;  ///< backward for E and Ev <= flash_narrow_dims, or NULL
    int64_t flash_narrow_dims;
    /// The int8 GEMM variants this path may use (qgemm_*.c), best first, NULL-terminated: several per path, since
    /// VNNI needs more of the CPU than the path's own check; ck_qgemm_active takes the first the CPU runs.
    const ck_qgemm_kernels *const *qgemm;
    double (*peak_probe)(int64_t steps);  ///< ck_fma_peak_probe (peak_impl.h)
    int64_t peak_flops_per_step;
} ck_kernel_table;

extern const ck_kernel_table ck_table_scalar;
extern const ck_qgemm_kernels ck_qgemm_scalar_table;
#if defined(__x86_64__)
extern const ck_qgemm_kernels ck_qgemm_avx2_table, ck_qgemm_avxvnni_table, ck_qgemm_avx512vnni_table;
#endif
#if defined(__aarch64__)
extern const ck_qgemm_kernels ck_qgemm_neon_table;
#endif

#if defined(__x86_64__)
extern const ck_kernel_table ck_table_avx2;
extern const ck_kernel_table ck_table_avx512;
extern const ck_flash_impl ck_flash_avx512_short_impl;   // flash_avx512_short.c
extern const ck_flash_impl ck_flash_avx512_narrow_impl;  // flash_avx512_narrow.c
#endif
#if defined(__aarch64__)
extern const ck_kernel_table ck_table_neon;
#endif

/// The table of `isa` when it is built into this binary, else NULL (CK_ISA_AUTO: NULL). No CPU check.
const ck_kernel_table *ck_table_of(ck_isa isa);
/// The table of the path in use (ck_current_isa()).
const ck_kernel_table *ck_active_table(void);
/// Runs BODY with T bound to each table built in (workspace sizes take the largest over all of them).
#define CK_EACH_TABLE(T, ...)                                                                           \
    for (const ck_kernel_table *const *T##_p = ck_tables_built_in; *T##_p != NULL; T##_p++) {            \
        const ck_kernel_table *T = *T##_p;                                                               \
        __VA_ARGS__                                                                                      \
    }
/// Every table built into this binary, best first, NULL-terminated (the chooser's list, dispatch.c).
extern const ck_kernel_table *const ck_tables_built_in[];

#endif
