// Private template: ck_vexp and softmax / log-softmax rows on the vocabulary of ck_simd.h, instantiated by
// every ISA file. Row policy (infinite max, NaN, masked rows) and the libm-free log are in softmax_common.c.
//
// Tails use masked loads/stores (fv_loadn / fv_storen), so an element's result never depends on its position
// in the array; softmax tails load as -inf, which the max ignores and exp turns into an exact 0 in the sum.
#include "ck_simd.h"

// y[i] = exp(x[i]), i < n.   // [n]
CK_SIMD_TARGET void CK_FN(ck_vexp)(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + FV_N <= n; i += FV_N) fv_store(y + i, fv_exp(fv_load(x + i)));
    if (i < n) fv_storen(y + i, fv_exp(fv_loadn(x + i, n - i)), n - i);
}

#if FV_N > 1
// Three passes over a row (max; exp and sum; scale), each streaming through L1/L2. Two accumulators per pass
// hide add/max latency and halve the length of each float summation chain.   // [n]
CK_SIMD_TARGET static void CK_FN(sm_row)(float *x, int64_t n, int log_mode) {
    const int64_t rem = n % FV_N, nv = n - rem;
    const fv tv = rem ? fv_loadn_ninf(x + nv, rem) : fv_set1(-__builtin_inff());

    fv mx0 = fv_set1(-__builtin_inff()), mx1 = tv;
    int64_t j = 0;
    for (; j + 2 * FV_N <= nv; j += 2 * FV_N) {
        mx0 = fv_max(mx0, fv_load(x + j));
        mx1 = fv_max(mx1, fv_load(x + j + FV_N));
    }
    if (j < nv) mx0 = fv_max(mx0, fv_load(x + j));
    const float m = fv_hmax(fv_max(mx0, mx1));
    if (!(m > -__builtin_inff() && m < __builtin_inff())) {
        ck_softmax_row_special(x, n, m, log_mode);
        return;
    }

    const fv vm = fv_set1(m);
    fv s0 = fv_zero(), s1 = fv_zero();
    for (j = 0; j + 2 * FV_N <= nv; j += 2 * FV_N) {
        const fv e0 = fv_exp(fv_sub(fv_load(x + j), vm));
        const fv e1 = fv_exp(fv_sub(fv_load(x + j + FV_N), vm));
        if (!log_mode) {
            fv_store(x + j, e0);
            fv_store(x + j + FV_N, e1);
        }
        s0 = fv_add(s0, e0);
        s1 = fv_add(s1, e1);
    }
    if (j < nv) {
        const fv e = fv_exp(fv_sub(fv_load(x + j), vm));
        if (!log_mode) fv_store(x + j, e);
        s0 = fv_add(s0, e);
    }
    if (rem) {
        const fv e = fv_exp(fv_sub(tv, vm));
        if (!log_mode) fv_storen(x + nv, e, rem);
        s1 = fv_add(s1, e);
    }
    const float sum = fv_hsum(fv_add(s0, s1));

    if (log_mode) {
        const fv lse = fv_set1((float)ck_log_ge1((double)sum));
        for (j = 0; j < nv; j += FV_N) fv_store(x + j, fv_sub(fv_sub(fv_load(x + j), vm), lse));
        if (rem) fv_storen(x + nv, fv_sub(fv_sub(tv, vm), lse), rem);
    } else {
        const fv inv = fv_set1(1.0f / sum);
        for (j = 0; j < nv; j += FV_N) fv_store(x + j, fv_mul(fv_load(x + j), inv));
        if (rem) fv_storen(x + nv, fv_mul(fv_loadn(x + nv, rem), inv), rem);
    }
}
#else
// One lane: the plain reference row, one sum chain in index order. (The two interleaved chains above would
// change its bits, and a NaN-aware max in one pass is cheaper than a second scan here.)   // [n]
static void CK_FN(sm_row)(float *row, int64_t cols, int log_mode) {
    float m = row[0];
    for (int64_t j = 1; j < cols; j++) m = row[j] > m || row[j] != row[j] ? row[j] : m;
    if (m == __builtin_inff() || m == -__builtin_inff() || m != m) {
        ck_softmax_row_special(row, cols, m, log_mode);
        return;
    }
    float sum = 0.0f;
    for (int64_t j = 0; j < cols; j++) {
        const float e = fv_exp(row[j] - m);
        if (!log_mode) row[j] = e;
        sum += e;
    }
    if (log_mode) {
        const float lse = (float)ck_log_ge1((double)sum);
        for (int64_t j = 0; j < cols; j++) row[j] = (row[j] - m) - lse;
    } else {
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j < cols; j++) row[j] *= inv;
    }
}
#endif

// Softmax (log_mode 0) or log-softmax (1) of each of `rows` rows of `cols` floats, row stride ld, in place.
// [rows, cols]
CK_SIMD_TARGET void CK_FN(ck_softmax_rows)(float *x, int64_t rows, int64_t cols, int64_t ld, int log_mode) {
    if (cols <= 0) return;
    for (int64_t r = 0; r < rows; r++) CK_FN(sm_row)(x + r * ld, cols, log_mode);
}
