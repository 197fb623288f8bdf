// Softmax / log-softmax rows for AVX-512 and AVX2: three passes over the row (max; exp and sum; scale),
// each streaming through L1/L2, with the vector exp of ck_exp.h. Policy and the rare rows (infinite
// max, NaN) are in softmax_common.c.
//
// Tails are masked and masked-off lanes read as -inf, which the max ignores and exp turns into an exact
// 0 in the sum, so the tail needs no separate arithmetic. Two accumulators per pass hide add/max latency
// and halve the length of each float summation chain.
#include "ck_exp.h"

#if defined(__x86_64__)

CK_TARGET_AVX512 static void row512(float *x, int64_t n, int log_mode) {
    const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
    const int64_t rem = n & 15;
    const __mmask16 tail = (__mmask16)((1u << rem) - 1);
    const int64_t nv = n - rem;

    __m512 mx0 = ninf, mx1 = ninf;
    int64_t j = 0;
    for (; j + 32 <= nv; j += 32) {
        mx0 = _mm512_max_ps(mx0, _mm512_loadu_ps(x + j));
        mx1 = _mm512_max_ps(mx1, _mm512_loadu_ps(x + j + 16));
    }
    if (j < nv) mx0 = _mm512_max_ps(mx0, _mm512_loadu_ps(x + j));
    if (rem) mx1 = _mm512_max_ps(mx1, _mm512_mask_loadu_ps(ninf, tail, x + nv));
    const float m = _mm512_reduce_max_ps(_mm512_max_ps(mx0, mx1));
    if (!(m > -__builtin_inff() && m < __builtin_inff())) {
        ck_softmax_row_special(x, n, m, log_mode);
        return;
    }

    const __m512 vm = _mm512_set1_ps(m);
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    for (j = 0; j + 32 <= nv; j += 32) {
        const __m512 e0 = ck_exp512(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm));
        const __m512 e1 = ck_exp512(_mm512_sub_ps(_mm512_loadu_ps(x + j + 16), vm));
        if (!log_mode) {
            _mm512_storeu_ps(x + j, e0);
            _mm512_storeu_ps(x + j + 16, e1);
        }
        s0 = _mm512_add_ps(s0, e0);
        s1 = _mm512_add_ps(s1, e1);
    }
    if (j < nv) {
        const __m512 e = ck_exp512(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm));
        if (!log_mode) _mm512_storeu_ps(x + j, e);
        s0 = _mm512_add_ps(s0, e);
    }
    if (rem) {
        const __m512 e = ck_exp512(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, tail, x + nv), vm));
        if (!log_mode) _mm512_mask_storeu_ps(x + nv, tail, e);
        s1 = _mm512_add_ps(s1, e);
    }
    const float sum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));

    if (log_mode) {
        const __m512 lse = _mm512_set1_ps((float)ck_log_ge1((double)sum));
        for (j = 0; j < nv; j += 16) {
            _mm512_storeu_ps(x + j, _mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm), lse));
        }
        if (rem) {
            const __m512 v = _mm512_maskz_loadu_ps(tail, x + nv);
            _mm512_mask_storeu_ps(x + nv, tail, _mm512_sub_ps(_mm512_sub_ps(v, vm), lse));
        }
    } else {
        const __m512 inv = _mm512_set1_ps(1.0f / sum);
        for (j = 0; j < nv; j += 16) _mm512_storeu_ps(x + j, _mm512_mul_ps(_mm512_loadu_ps(x + j), inv));
        if (rem) _mm512_mask_storeu_ps(x + nv, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + nv), inv));
    }
}

CK_TARGET_AVX512 void ck_softmax_rows_avx512(float *x, int64_t rows, int64_t cols, int64_t ld, int log_mode) {
    if (cols <= 0) return;
    for (int64_t r = 0; r < rows; r++) row512(x + r * ld, cols, log_mode);
}

CK_ALWAYS_INLINE CK_TARGET_AVX2 float hmax256(__m256 v) {
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

CK_ALWAYS_INLINE CK_TARGET_AVX2 float hsum256(__m256 v) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

CK_TARGET_AVX2 static void row256(float *x, int64_t n, int log_mode) {
    const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
    const int64_t rem = n & 7;
    const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const int64_t nv = n - rem;
    // vmaskmov zeroes masked-off lanes; the blend turns them into -inf.
    __m256 tv = ninf;
    if (rem) tv = _mm256_blendv_ps(ninf, _mm256_maskload_ps(x + nv, tail), _mm256_castsi256_ps(tail));

    __m256 mx0 = ninf, mx1 = tv;
    int64_t j = 0;
    for (; j + 16 <= nv; j += 16) {
        mx0 = _mm256_max_ps(mx0, _mm256_loadu_ps(x + j));
        mx1 = _mm256_max_ps(mx1, _mm256_loadu_ps(x + j + 8));
    }
    if (j < nv) mx0 = _mm256_max_ps(mx0, _mm256_loadu_ps(x + j));
    const float m = hmax256(_mm256_max_ps(mx0, mx1));
    if (!(m > -__builtin_inff() && m < __builtin_inff())) {
        ck_softmax_row_special(x, n, m, log_mode);
        return;
    }

    const __m256 vm = _mm256_set1_ps(m);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (j = 0; j + 16 <= nv; j += 16) {
        const __m256 e0 = ck_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm));
        const __m256 e1 = ck_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + j + 8), vm));
        if (!log_mode) {
            _mm256_storeu_ps(x + j, e0);
            _mm256_storeu_ps(x + j + 8, e1);
        }
        s0 = _mm256_add_ps(s0, e0);
        s1 = _mm256_add_ps(s1, e1);
    }
    if (j < nv) {
        const __m256 e = ck_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm));
        if (!log_mode) _mm256_storeu_ps(x + j, e);
        s0 = _mm256_add_ps(s0, e);
    }
    if (rem) {
        const __m256 e = ck_exp256(_mm256_sub_ps(tv, vm));
        if (!log_mode) _mm256_maskstore_ps(x + nv, tail, e);
        s1 = _mm256_add_ps(s1, e);
    }
    const float sum = hsum256(_mm256_add_ps(s0, s1));

    if (log_mode) {
        const __m256 lse = _mm256_set1_ps((float)ck_log_ge1((double)sum));
        for (j = 0; j < nv; j += 8) {
            _mm256_storeu_ps(x + j, _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm), lse));
        }
        if (rem) _mm256_maskstore_ps(x + nv, tail, _mm256_sub_ps(_mm256_sub_ps(tv, vm), lse));
    } else {
        const __m256 inv = _mm256_set1_ps(1.0f / sum);
        for (j = 0; j < nv; j += 8) _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), inv));
        if (rem) _mm256_maskstore_ps(x + nv, tail, _mm256_mul_ps(_mm256_maskload_ps(x + nv, tail), inv));
    }
}

CK_TARGET_AVX2 void ck_softmax_rows_avx2(float *x, int64_t rows, int64_t cols, int64_t ld, int log_mode) {
    if (cols <= 0) return;
    for (int64_t r = 0; r < rows; r++) row256(x + r * ld, cols, log_mode);
}

#endif
