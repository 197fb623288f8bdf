// Flash attention entry points: each calls through the table of the head's path (ck_table.h), plus the decode
// merge, which is scalar work on a handful of partials.
#include "ck_table.h"
#include "ck_exp.h"

ck_isa ck_flash_resolve_isa(ck_isa isa) {
    if (isa == CK_ISA_AUTO) return ck_current_isa();
    return ck_isa_supported(isa) ? isa : CK_ISA_SCALAR;
}

static const ck_flash_impl *flash_impl(ck_isa isa) { return &ck_table_of(ck_flash_resolve_isa(isa))->flash; }

// The forward's instance for a query length: short blocks for short queries where the path has them.
static const ck_flash_impl *forward_impl(ck_isa isa, int64_t L) {
    const ck_kernel_table *t = ck_table_of(ck_flash_resolve_isa(isa));
    return t->flash_short != NULL && L <= t->flash_short_rows ? t->flash_short : &t->flash;
}

// The backward's instance for a head width: narrow tiles for narrow heads where the path has them. Its Q blocks
// (bwd_rows) are the main instance's, so the callers' row split does not depend on the choice.
static const ck_flash_impl *backward_impl(ck_isa isa, int64_t E, int64_t Ev) {
    const ck_kernel_table *t = ck_table_of(ck_flash_resolve_isa(isa));
    return t->flash_narrow != NULL && E <= t->flash_narrow_dims && Ev <= t->flash_narrow_dims ? t->flash_narrow
                                                                                              : &t->flash;
}

ck_flash_config ck_flash_get_config(ck_isa isa) { return flash_impl(isa)->config; }
int64_t ck_flash_forward_rows(ck_isa isa, int64_t L) { return forward_impl(isa, L)->config.fwd_rows; }
void ck_flash_forward(const ck_flash_fwd_args *a) { forward_impl(a->head->isa, a->head->L)->forward(a); }
void ck_flash_backward(const ck_flash_bwd_args *a) { backward_impl(a->head->isa, a->head->E, a->head->Ev)->backward(a); }
void ck_flash_weights(const ck_flash_weights_args *a) { flash_impl(a->head->isa)->weights(a); }
void ck_flash_decode(const ck_flash_decode_args *a) { flash_impl(a->head->isa)->decode(a); }

// The largest need of any built-in instance, so a buffer sized once stays valid whichever path a call runs.
size_t ck_flash_workspace_size(int64_t E, int64_t Ev) {
    size_t n = 0;
    CK_EACH_TABLE(t, {
        const size_t a = t->flash.workspace(E, Ev), b = t->flash_short ? t->flash_short->workspace(E, Ev) : 0;
        n = a > n ? a : n;
        n = b > n ? b : n;
    })
    return (n + 63) / 64 * 64;
}

size_t ck_flash_backward_workspace_size(int64_t E, int64_t Ev, int64_t S) {
    size_t n = 0;
    CK_EACH_TABLE(t, {
        const size_t a = t->flash.backward_workspace(E, Ev, S);
        const size_t b = t->flash_short ? t->flash_short->backward_workspace(E, Ev, S) : 0;
        const size_t c = t->flash_narrow ? t->flash_narrow->backward_workspace(E, Ev, S) : 0;
        n = a > n ? a : n;
        n = b > n ? b : n;
        n = c > n ? c : n;
    })
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
