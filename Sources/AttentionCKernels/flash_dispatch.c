// Flash attention entry points: each a switch over the active ISA (see dispatch.c for how it is chosen), plus
// the decode merge, which is scalar work on a handful of partials.
#include "flash_simd.h"

ck_isa ck_flash_resolve_isa(ck_isa isa) {
    if (isa == CK_ISA_AUTO) return ck_current_isa();
    return ck_isa_supported(isa) ? isa : CK_ISA_SCALAR;
}

static const ck_flash_impl *flash_impl(ck_isa isa) {
    switch (ck_flash_resolve_isa(isa)) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: return &ck_flash_avx512_impl;
    case CK_ISA_AVX2: return &ck_flash_avx2_impl;
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: return &ck_flash_neon_impl;
#endif
    default: return &ck_flash_scalar_impl;
    }
}

// The forward's instance for a query length: short blocks for short queries where the path has them.
static const ck_flash_impl *forward_impl(ck_isa isa, int64_t L) {
#if defined(__x86_64__)
    if (ck_flash_resolve_isa(isa) == CK_ISA_AVX512 && L <= CK_FLASH_SHORT_ROWS) return &ck_flash_avx512_short_impl;
#endif
    (void)L;
    return flash_impl(isa);
}

ck_flash_config ck_flash_get_config(ck_isa isa) { return flash_impl(isa)->config; }
int64_t ck_flash_forward_rows(ck_isa isa, int64_t L) { return forward_impl(isa, L)->config.fwd_rows; }
void ck_flash_forward(const ck_flash_fwd_args *a) { forward_impl(a->head->isa, a->head->L)->forward(a); }
void ck_flash_backward(const ck_flash_bwd_args *a) { flash_impl(a->head->isa)->backward(a); }
void ck_flash_weights(const ck_flash_weights_args *a) { flash_impl(a->head->isa)->weights(a); }
void ck_flash_decode(const ck_flash_decode_args *a) { flash_impl(a->head->isa)->decode(a); }

// The largest need of any compiled path, so a buffer sized once stays valid whichever path a call runs.
#if defined(__x86_64__)
#define FL_MAX_OVER_PATHS(EXPR)                                                        \
    size_t n = ck_flash_scalar_impl.EXPR, a = ck_flash_avx2_impl.EXPR, b = ck_flash_avx512_impl.EXPR; \
    size_t c = ck_flash_avx512_short_impl.EXPR;                                        \
    n = n > a ? n : a;                                                                 \
    n = n > b ? n : b;                                                                 \
    n = n > c ? n : c;
#elif defined(__aarch64__)
#define FL_MAX_OVER_PATHS(EXPR)                                                        \
    size_t n = ck_flash_scalar_impl.EXPR, c = ck_flash_neon_impl.EXPR;                 \
    n = n > c ? n : c;
#else
#define FL_MAX_OVER_PATHS(EXPR) size_t n = ck_flash_scalar_impl.EXPR;
#endif

size_t ck_flash_workspace_size(int64_t E, int64_t Ev) {
    FL_MAX_OVER_PATHS(workspace(E, Ev))
    return (n + 63) / 64 * 64;
}

size_t ck_flash_backward_workspace_size(int64_t E, int64_t Ev, int64_t S) {
    FL_MAX_OVER_PATHS(backward_workspace(E, Ev, S))
    return (n + 63) / 64 * 64;
}

// o = sum_c e^(m_c - M) acc_c / sum_c e^(m_c - M) l_c in index order; M = max_c m_c. The chunk holding the
// maximum contributes l_c >= 1, so the denominator is >= 1 whenever any key was visible.
void ck_flash_decode_merge(const float *acc, const float *m, const float *l, int64_t parts, int64_t Ev,
                           float drop_scale, float *o, float *rowmax, float *rowsum) {
    // A NaN max (some score of the row was NaN) makes the row NaN, output and statistics alike; a `>` scan
    // alone would skip it and, if every part were NaN, report the row as one that saw no key.
    float M = -__builtin_inff();
    int nan = 0;
    for (int64_t c = 0; c < parts; c++) {
        M = m[c] > M ? m[c] : M;
        nan |= m[c] != m[c];
    }
    if (nan) {
        for (int64_t d = 0; d < Ev; d++) o[d] = __builtin_nanf("");
        *rowmax = __builtin_nanf("");
        *rowsum = __builtin_nanf("");
        return;
    }
    for (int64_t d = 0; d < Ev; d++) o[d] = 0.0f;
    if (M == -__builtin_inff()) {
        *rowmax = __builtin_inff();
        *rowsum = 1.0f;
        return;
    }
    float total = 0.0f;
    for (int64_t c = 0; c < parts; c++) {
        const float w = m[c] == -__builtin_inff() ? 0.0f : ck_exp_scalar(m[c] - M);
        total += w * l[c];
        for (int64_t d = 0; d < Ev; d++) o[d] += w * acc[c * Ev + d];
    }
    const float inv = drop_scale / total;
    for (int64_t d = 0; d < Ev; d++) o[d] *= inv;
    *rowmax = M;
    *rowsum = total;
}
