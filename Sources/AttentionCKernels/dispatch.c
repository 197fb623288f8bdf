// Runtime path selection and the public entry points: the chooser picks one table of kernels (ck_table.h)
// and every entry point calls through it. The only per-ISA knowledge here is the list of built-in tables.
//
// The choice lives in one atomic int read with relaxed ordering: every thread that races on the first
// call computes the same answer, and compare-exchange keeps a concurrent ck_force_isa from being
// overwritten by a late lazy initialisation. Reading it costs one plain load per kernel call.
#include "ck_table.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// The chooser: every table built into this binary, best first. A new path is one line here.
const ck_kernel_table *const ck_tables_built_in[] = {
#if defined(__x86_64__)
    &ck_table_avx512,
    &ck_table_avx2,
#endif
#if defined(__aarch64__)
    &ck_table_neon,
#endif
    &ck_table_scalar,
    NULL,
};

const ck_kernel_table *ck_table_of(ck_isa isa) {
    CK_EACH_TABLE(t, if (t->isa == isa) return t;)
    return NULL;
}

static ck_isa best_isa(void) {
    CK_EACH_TABLE(t, if (t->cpu_supports()) return t->isa;)
    return CK_ISA_SCALAR;
}

static int cpu_has(ck_isa isa) {
    if (isa == CK_ISA_AUTO) return 1;
    const ck_kernel_table *t = ck_table_of(isa);
    return t != NULL && t->cpu_supports();
}

static _Atomic int g_isa = CK_ISA_AUTO;  // CK_ISA_AUTO here means "not resolved yet"

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
    // Every path of the enum, built in or not (ATTENTION_ISA=neon on x86 is recognised, then refused).
    static const char *const names[] = {"auto", "scalar", "avx2", "avx512", "neon"};
    return (unsigned)isa < sizeof names / sizeof names[0] ? names[isa] : "unknown";
}

int ck_isa_supported(ck_isa isa) { return cpu_has(isa); }

int ck_force_isa(ck_isa isa) {
    if (!cpu_has(isa)) return -1;
    ck_isa start = ck_environment_isa();
    ck_isa automatic = start != CK_ISA_AUTO ? start : best_isa();
    atomic_store_explicit(&g_isa, (int)(isa == CK_ISA_AUTO ? automatic : isa), memory_order_relaxed);
    return 0;
}

// The table of the path in use; one load of the choice, one short scan of the built-in list.
const ck_kernel_table *ck_active_table(void) { return ck_table_of(ck_current_isa()); }

// The table an explicit `isa` argument names (the pre-packed GEMM API): a path not built in, or
// CK_ISA_AUTO, falls back to the portable one, as the packing contract requires the same `isa` both times.
static const ck_kernel_table *table_or_scalar(ck_isa isa) {
    const ck_kernel_table *t = ck_table_of(isa);
    return t != NULL ? t : &ck_table_scalar;
}

// MARK: - Peak probe

int64_t ck_fma_peak_flops_per_step(ck_isa isa) {
    const ck_kernel_table *t = ck_table_of(isa);
    return t != NULL ? t->peak_flops_per_step : 0;
}

double ck_fma_peak_probe(ck_isa isa, int64_t steps) {
    if (isa == CK_ISA_AUTO) isa = ck_current_isa();
    if (!ck_isa_supported(isa) || steps < 0) return -1;
    return ck_table_of(isa)->peak_probe(steps);
}

// MARK: - GEMM

size_t ck_sgemm_workspace_size(void) {
    // The largest over every path built in, so a workspace stays valid if a test forces another path.
    size_t need = 0;
    CK_EACH_TABLE(t, {
        const size_t s = ck_sgemm_impl_workspace(&t->sgemm);
        need = s > need ? s : need;
    })
    return need;
}

void ck_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t rsA, int64_t csA,
              const float *B, int64_t rsB, int64_t csB, float beta, float *C, int64_t ldc, void *workspace) {
    ck_sgemm_drive(&ck_active_table()->sgemm, M, N, K, alpha, A, rsA, csA, B, rsB, csB, NULL, beta, C, ldc,
                   workspace, NULL, NULL, CK_ACT_NONE);
}

void ck_dgemm(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t rsA, int64_t csA,
              const double *B, int64_t rsB, int64_t csB, double beta, double *C, int64_t ldc) {
    ck_active_table()->dgemm(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc);
}

void ck_sgemm_bias_act(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t rsA, int64_t csA,
                       const float *B, int64_t rsB, int64_t csB, float beta, float *C, int64_t ldc,
                       const float *bias, ck_activation act, void *workspace) {
    const ck_kernel_table *t = ck_active_table();  // one read: the GEMM and its epilogue run the same path
    ck_sgemm_drive(&t->sgemm, M, N, K, alpha, A, rsA, csA, B, rsB, csB, NULL, beta, C, ldc, workspace,
                   t->bias_act_rows, bias, act);
}

size_t ck_sgemm_packed_b_size(ck_isa isa, int64_t K, int64_t N) {
    const ck_kernel_table *t = isa == CK_ISA_AUTO ? ck_active_table() : table_or_scalar(isa);
    return ck_sgemm_impl_packed_b_size(&t->sgemm, K, N);
}

void ck_sgemm_pack_b(ck_isa isa, int64_t K, int64_t N, const float *B, int64_t rsB, int64_t csB, void *dst) {
    ck_sgemm_pack_b_part(isa, K, N, B, rsB, csB, dst, 0, 1);
}

void ck_sgemm_pack_b_part(ck_isa isa, int64_t K, int64_t N, const float *B, int64_t rsB, int64_t csB, void *dst,
                          int64_t part, int64_t parts) {
    const ck_kernel_table *t = isa == CK_ISA_AUTO ? ck_active_table() : table_or_scalar(isa);
    ck_sgemm_impl_pack_b(&t->sgemm, K, N, B, rsB, csB, (float *)dst, part, parts);
}

void ck_sgemm_packed_bias_act(ck_isa isa, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t rsA,
                              int64_t csA, const void *packed_b, float beta, float *C, int64_t ldc,
                              const float *bias, ck_activation act, void *workspace) {
    const ck_kernel_table *t = table_or_scalar(isa);
    ck_sgemm_drive(&t->sgemm, M, N, K, alpha, A, rsA, csA, NULL, 0, 0, (const float *)packed_b, beta, C, ldc,
                   workspace, t->bias_act_rows, bias, act);
}

// MARK: - Elementwise, softmax and row kernels

void ck_vexp(const float *x, float *y, int64_t n) { ck_active_table()->vexp(x, y, n); }

void ck_softmax_rows(float *x, int64_t rows, int64_t cols, int64_t ld) {
    ck_active_table()->softmax_rows(x, rows, cols, ld, 0);
}

void ck_log_softmax_rows(float *x, int64_t rows, int64_t cols, int64_t ld) {
    ck_active_table()->softmax_rows(x, rows, cols, ld, 1);
}

void ck_bias_act_rows(float *y, int64_t rows, int64_t cols, int64_t ld, const float *bias, ck_activation act) {
    ck_active_table()->bias_act_rows(y, rows, cols, ld, bias, act);
}

void ck_layernorm_rows(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                       const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols) {
    ck_active_table()->layernorm_rows(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols);
}

void ck_layernorm_rows_saving(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                              const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols,
                              float *mean, float *rstd) {
    ck_active_table()->layernorm_rows_saving(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols, mean, rstd);
}

void ck_layernorm_backward_rows(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                                const float *mean, const float *rstd, const float *g, int64_t ldg, float *dz,
                                int64_t lddz, float *dgamma, float *dbeta, int64_t rows, int64_t cols) {
    ck_active_table()->layernorm_backward_rows(x, ldx, residual, ldr, gamma, mean, rstd, g, ldg, dz, lddz, dgamma,
                                               dbeta, rows, cols);
}

void ck_gelu_backward(const float *x, const float *g, float *dx, int64_t n) {
    ck_active_table()->gelu_backward(x, g, dx, n);
}

void ck_adam_update(const float *w, const float *g, double *m, double *v, float *w_out, int64_t n,
                    const ck_adam_step *step) {
    ck_active_table()->adam_update(w, g, m, v, w_out, n, step);
}

void ck_column_sums(const float *src, int64_t rows, int64_t cols, int64_t ld, double divisor, float *out) {
    ck_active_table()->column_sums(src, rows, cols, ld, divisor, out);
}
