// Runtime ISA selection and the public entry points (each a switch over the active path).
//
// The choice lives in one atomic int read with relaxed ordering: every thread that races on the first
// call computes the same answer, and compare-exchange keeps a concurrent ck_force_isa from being
// overwritten by a late lazy initialisation. Reading it costs one plain load per kernel call.
#include "ck_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int g_isa = CK_ISA_AUTO;  // CK_ISA_AUTO here means "not resolved yet"

static int cpu_has(ck_isa isa) {
    switch (isa) {
    case CK_ISA_AUTO:
    case CK_ISA_SCALAR:
        return 1;
#if defined(__x86_64__)
    case CK_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CK_ISA_AVX512:
        // Everything CK_TARGET_AVX512 enables; the runtime also checks that the OS saves zmm state.
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON:
        return 1;  // Advanced SIMD is mandatory on AArch64
#endif
    default:
        return 0;
    }
}

static ck_isa best_isa(void) {
#if defined(__x86_64__)
    if (cpu_has(CK_ISA_AVX512)) return CK_ISA_AVX512;
    if (cpu_has(CK_ISA_AVX2)) return CK_ISA_AVX2;
    return CK_ISA_SCALAR;
#elif defined(__aarch64__)
    return CK_ISA_NEON;
#else
    return CK_ISA_SCALAR;
#endif
}

// A per-thread override (ck_force_isa_on_this_thread): tests that run kernels on their own thread use it, so
// forcing a path there never changes the path of work running on other threads at the same time.
static _Thread_local int t_isa = CK_ISA_AUTO;

ck_isa ck_environment_isa(void) {
    const char *name = getenv("ATTENTION_ISA");
    if (name == NULL) return CK_ISA_AUTO;
    static const ck_isa all[] = {CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, ck_isa_name(all[i])) == 0) return cpu_has(all[i]) ? all[i] : CK_ISA_AUTO;
    }
    return CK_ISA_AUTO;
}

ck_isa ck_current_isa(void) {
    if (t_isa != CK_ISA_AUTO) return (ck_isa)t_isa;
    int v = atomic_load_explicit(&g_isa, memory_order_relaxed);
    if (v != CK_ISA_AUTO) return (ck_isa)v;
    int expected = CK_ISA_AUTO;
    // ATTENTION_ISA picks the starting path (so any path can be measured or tested from outside); otherwise
    // the best the CPU has.
    ck_isa chosen = ck_environment_isa();
    int best = (int)(chosen != CK_ISA_AUTO ? chosen : best_isa());
    if (atomic_compare_exchange_strong_explicit(&g_isa, &expected, best, memory_order_relaxed,
                                                memory_order_relaxed)) {
        return (ck_isa)best;
    }
    return (ck_isa)expected;
}

ck_isa ck_active_isa(void) { return ck_current_isa(); }

int ck_force_isa_on_this_thread(ck_isa isa) {
    if (!cpu_has(isa)) return -1;
    t_isa = (int)isa;  // CK_ISA_AUTO clears the override
    return 0;
}

const char *ck_isa_name(ck_isa isa) {
    switch (isa) {
    case CK_ISA_AUTO: return "auto";
    case CK_ISA_SCALAR: return "scalar";
    case CK_ISA_AVX2: return "avx2";
    case CK_ISA_AVX512: return "avx512";
    case CK_ISA_NEON: return "neon";
    }
    return "unknown";
}

int ck_isa_supported(ck_isa isa) { return cpu_has(isa); }

int ck_force_isa(ck_isa isa) {
    if (!cpu_has(isa)) return -1;
    ck_isa start = ck_environment_isa();
    ck_isa automatic = start != CK_ISA_AUTO ? start : best_isa();
    atomic_store_explicit(&g_isa, (int)(isa == CK_ISA_AUTO ? automatic : isa), memory_order_relaxed);
    return 0;
}

// MARK: - GEMM

static const ck_sgemm_impl *sgemm_impl(ck_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: return &ck_sgemm_avx512_impl;
    case CK_ISA_AVX2: return &ck_sgemm_avx2_impl;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: return &ck_sgemm_neon_impl;
#endif
    default: return &ck_sgemm_scalar_impl;
    }
}

size_t ck_sgemm_workspace_size(void) {
    // The largest over every path built in, so a workspace stays valid if a test forces another path.
    size_t need = ck_sgemm_impl_workspace(&ck_sgemm_scalar_impl);
    const ck_sgemm_impl *others[] = {
#if defined(__x86_64__)
        &ck_sgemm_avx2_impl, &ck_sgemm_avx512_impl,
#endif
#if defined(__aarch64__)
        &ck_sgemm_neon_impl,
#endif
        NULL,
    };
    for (int i = 0; others[i] != NULL; i++) {
        size_t s = ck_sgemm_impl_workspace(others[i]);
        if (s > need) need = s;
    }
    return need;
}

void ck_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t rsA, int64_t csA,
              const float *B, int64_t rsB, int64_t csB, float beta, float *C, int64_t ldc, void *workspace) {
    ck_sgemm_drive(sgemm_impl(ck_current_isa()), M, N, K, alpha, A, rsA, csA, B, rsB, csB, NULL, beta, C, ldc,
                   workspace, NULL, NULL, CK_ACT_NONE);
}

void ck_dgemm(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA, int64_t csA,
              const double *B, int64_t rsB, int64_t csB, double beta, double *C, int64_t ldc) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_dgemm_avx512(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc); return;
    case CK_ISA_AVX2: ck_dgemm_avx2(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc); return;
#endif
    // AArch64 uses the portable DGEMM: it is a reference path, and compilers vectorise its 4 x 4 tile.
    default: ck_dgemm_scalar(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc); return;
    }
}

// MARK: - Elementwise and softmax

void ck_vexp(const float *x, float *y, int64_t n) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_vexp_avx512(x, y, n); return;
    case CK_ISA_AVX2: ck_vexp_avx2(x, y, n); return;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: ck_vexp_neon(x, y, n); return;
#endif
    default: ck_vexp_scalar(x, y, n); return;
    }
}

static void softmax_dispatch(float *x, int64_t rows, int64_t cols, int64_t ld, int log_mode) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_softmax_rows_avx512(x, rows, cols, ld, log_mode); return;
    case CK_ISA_AVX2: ck_softmax_rows_avx2(x, rows, cols, ld, log_mode); return;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: ck_softmax_rows_neon(x, rows, cols, ld, log_mode); return;
#endif
    default: ck_softmax_rows_scalar(x, rows, cols, ld, log_mode); return;
    }
}

void ck_softmax_rows(float *x, int64_t rows, int64_t cols, int64_t ld) { softmax_dispatch(x, rows, cols, ld, 0); }

void ck_log_softmax_rows(float *x, int64_t rows, int64_t cols, int64_t ld) {
    softmax_dispatch(x, rows, cols, ld, 1);
}

// MARK: - Row kernels

static ck_rows_epilogue bias_act_impl(ck_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: return ck_bias_act_rows_avx512;
    case CK_ISA_AVX2: return ck_bias_act_rows_avx2;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: return ck_bias_act_rows_neon;
#endif
    default: return ck_bias_act_rows_scalar;
    }
}

void ck_bias_act_rows(float *y, int64_t rows, int64_t cols, int64_t ld, const float *bias, ck_activation act) {
    bias_act_impl(ck_current_isa())(y, rows, cols, ld, bias, act);
}

void ck_layernorm_rows(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                       const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_layernorm_rows_avx512(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols); return;
    case CK_ISA_AVX2: ck_layernorm_rows_avx2(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols); return;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: ck_layernorm_rows_neon(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols); return;
#endif
    default: ck_layernorm_rows_scalar(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols); return;
    }
}

void ck_layernorm_rows_saving(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                              const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols,
                              float *mean, float *rstd) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_layernorm_rows_saving_avx512(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols, mean, rstd); return;
    case CK_ISA_AVX2: ck_layernorm_rows_saving_avx2(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols, mean, rstd); return;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: ck_layernorm_rows_saving_neon(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols, mean, rstd); return;
#endif
    default: ck_layernorm_rows_saving_scalar(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols, mean, rstd); return;
    }
}

void ck_layernorm_backward_rows(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                                const float *mean, const float *rstd, const float *g, int64_t ldg, float *dz,
                                int64_t lddz, float *dgamma, float *dbeta, int64_t rows, int64_t cols) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_layernorm_backward_rows_avx512(x, ldx, residual, ldr, gamma, mean, rstd, g, ldg, dz, lddz, dgamma, dbeta, rows, cols); return;
    case CK_ISA_AVX2: ck_layernorm_backward_rows_avx2(x, ldx, residual, ldr, gamma, mean, rstd, g, ldg, dz, lddz, dgamma, dbeta, rows, cols); return;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: ck_layernorm_backward_rows_neon(x, ldx, residual, ldr, gamma, mean, rstd, g, ldg, dz, lddz, dgamma, dbeta, rows, cols); return;
#endif
    default: ck_layernorm_backward_rows_scalar(x, ldx, residual, ldr, gamma, mean, rstd, g, ldg, dz, lddz, dgamma, dbeta, rows, cols); return;
    }
}

void ck_gelu_backward(const float *x, const float *g, float *dx, int64_t n) {
    switch (ck_current_isa()) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: ck_gelu_backward_avx512(x, g, dx, n); return;
    case CK_ISA_AVX2: ck_gelu_backward_avx2(x, g, dx, n); return;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: ck_gelu_backward_neon(x, g, dx, n); return;
#endif
    default: ck_gelu_backward_scalar(x, g, dx, n); return;
    }
}

void ck_sgemm_bias_act(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t rsA, int64_t csA,
                       const float *B, int64_t rsB, int64_t csB, float beta, float *C, int64_t ldc,
                       const float *bias, ck_activation act, void *workspace) {
    const ck_isa isa = ck_current_isa();  // one read: the GEMM and its epilogue run the same path
    ck_sgemm_drive(sgemm_impl(isa), M, N, K, alpha, A, rsA, csA, B, rsB, csB, NULL, beta, C, ldc, workspace,
                   bias_act_impl(isa), bias, act);
}

size_t ck_sgemm_packed_b_size(ck_isa isa, int64_t K, int64_t N) {
    return ck_sgemm_impl_packed_b_size(sgemm_impl(isa == CK_ISA_AUTO ? ck_current_isa() : isa), K, N);
}

void ck_sgemm_pack_b(ck_isa isa, int64_t K, int64_t N, const float *B, int64_t rsB, int64_t csB, void *dst) {
    ck_sgemm_impl_pack_b(sgemm_impl(isa == CK_ISA_AUTO ? ck_current_isa() : isa), K, N, B, rsB, csB, (float *)dst);
}

void ck_sgemm_packed_bias_act(ck_isa isa, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t rsA,
                              int64_t csA, const void *packed_b, float beta, float *C, int64_t ldc,
                              const float *bias, ck_activation act, void *workspace) {
    ck_sgemm_drive(sgemm_impl(isa), M, N, K, alpha, A, rsA, csA, NULL, 0, 0, (const float *)packed_b, beta, C, ldc,
                   workspace, bias_act_impl(isa), bias, act);
}
