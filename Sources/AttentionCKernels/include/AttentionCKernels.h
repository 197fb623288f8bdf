// CKernels: the only C in the project. SIMD micro-kernels with runtime CPU dispatch.
//
// Why C: Swift has no per-function CPU targeting and a default `swift build -c release` on x86-64 emits no AVX,
// so a SIMD FMA loop written in Swift runs ~100x below peak. Each kernel here is compiled several times with
// `__attribute__((target(...)))` (AVX-512, AVX2+FMA, portable scalar; NEON on arm64) and one variant is chosen
// once, at first use, with `__builtin_cpu_supports`.
//
// Rules: no logic beyond the arithmetic, no allocation, no threads. Callers (TensorCore) own memory and
// parallelism; every function is safe to call concurrently on disjoint outputs.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set paths a kernel family can run on.
typedef enum {
    CK_ISA_AUTO = 0,     ///< pick the best the CPU supports (default)
    CK_ISA_SCALAR = 1,   ///< portable C, any CPU
    CK_ISA_AVX2 = 2,     ///< x86-64 AVX2 + FMA
    CK_ISA_AVX512 = 3,   ///< x86-64 AVX-512F
    CK_ISA_NEON = 4,     ///< arm64 Advanced SIMD
} ck_isa;

/// The path the kernels currently use (never CK_ISA_AUTO).
ck_isa ck_active_isa(void);
/// Human-readable name of `isa`, e.g. "avx512", "avx2", "scalar", "neon".
const char *ck_isa_name(ck_isa isa);
/// Whether this CPU can run `isa`.
int ck_isa_supported(ck_isa isa);
/// Force a path (tests use this to check every variant against the reference). Returns 0 on success,
/// -1 if the CPU does not support it (the active path is then unchanged). CK_ISA_AUTO restores the default.
/// Not thread-safe with respect to running kernels: call it while no kernel runs.
int ck_force_isa(ck_isa isa);

/// Force a path for kernel calls made on the calling thread only (CK_ISA_AUTO removes the override; other
/// threads keep the process-wide path). For tests that call kernels directly while other work runs concurrently:
/// a process-wide ck_force_isa there would switch that work's path mid-operation. Returns -1 if unsupported.
int ck_force_isa_on_this_thread(ck_isa isa);

/// The path named by the environment variable ATTENTION_ISA ("avx512", "avx2", "neon", "scalar" or "auto"), or
/// CK_ISA_AUTO when it is unset, empty, "auto", unknown or not supported by this CPU. The first kernel call starts
/// on this path when it is not CK_ISA_AUTO; callers that must report a bad value (the CLI) check the variable
/// themselves.
ck_isa ck_environment_isa(void);

// MARK: - Peak probe

/// Register-only FMA loop on `isa` (CK_ISA_AUTO: the active path): `steps` steps of
/// ck_fma_peak_flops_per_step(isa) floating-point operations each, no memory traffic. Returns a checksum of the
/// accumulators (so the loop cannot be removed), or -1 if the CPU does not support `isa`. Single thread.
double ck_fma_peak_probe(ck_isa isa, int64_t steps);
/// Floating-point operations (an FMA counts 2) in one step of ck_fma_peak_probe on `isa`; 0 for CK_ISA_AUTO.
int64_t ck_fma_peak_flops_per_step(ck_isa isa);

// MARK: - GEMM

/// Bytes of workspace `ck_sgemm` needs (packed A and B panels). Constant for the process; callers allocate it
/// once per thread, 64-byte aligned.
size_t ck_sgemm_workspace_size(void);

/// C = alpha * A·B + beta * C, single precision, single thread.
///
/// Shapes: A is [M, K], B is [K, N], C is [M, N]. Operands are addressed by element strides, so any
/// transposed view is read without a copy: A(i, k) = A[i*rsA + k*csA], B(k, n) = B[k*rsB + n*csB],
/// C(i, n) = C[i*ldc + n] (C rows are contiguous).
/// When beta == 0, C is not read (it may hold NaN). `workspace` must be 64-byte aligned and at least
/// `ck_sgemm_workspace_size()` bytes. M, N or K may be 0 (K == 0 gives C = beta*C).
void ck_sgemm(int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t rsA, int64_t csA,
              const float *B, int64_t rsB, int64_t csB,
              float beta, float *C, int64_t ldc, void *workspace);

/// Double-precision GEMM with the same contract as `ck_sgemm` (no workspace): used by Float64 reference
/// paths and gradient checks, so it favours clarity over peak speed.
void ck_dgemm(int64_t M, int64_t N, int64_t K, double alpha,
              const double *A, int64_t rsA, int64_t csA,
              const double *B, int64_t rsB, int64_t csB,
              double beta, double *C, int64_t ldc);

// MARK: - Elementwise

/// y[i] = exp(x[i]) for i < n, single precision, max error <= 2 ulp over the whole float range
/// (documented in the implementation). exp(-inf) = 0, exp(+inf) = +inf, exp(NaN) = NaN,
/// underflow to 0 below about -103.97, overflow to +inf above about 88.72. x and y may alias.
void ck_vexp(const float *x, float *y, int64_t n);

// MARK: - Softmax rows

/// Numerically stable softmax of `rows` rows of `cols` elements, in place: row r starts at x + r*ld.
/// Each row: m = max, e_j = exp(x_j - m), x_j = e_j / sum(e). A row whose max is -inf (every entry
/// masked) becomes all zeros (project policy: fully-masked rows give 0, never NaN). A row holding a NaN or a
/// +inf becomes all NaN, as in PyTorch (e^(inf - inf) is NaN).
void ck_softmax_rows(float *x, int64_t rows, int64_t cols, int64_t ld);

/// Log-softmax of rows in place: x_j - m - log(sum(exp(x_j - m))). A row whose max is -inf becomes all -inf;
/// one holding a NaN or a +inf, all NaN.
void ck_log_softmax_rows(float *x, int64_t rows, int64_t cols, int64_t ld);

#ifdef __cplusplus
}
#endif

#endif
