// The plain int8 GEMM reference every kernel in qgemm_*.c is tested against, bit for bit: unpacked operands,
// one int32 sum per output, the dequantisation written out term by term.
#include "ck_qgemm.h"

// The float epilogue must round the same way on every path: no multiply-add contraction (clang, gcc).
#pragma STDC FP_CONTRACT OFF
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

void ck_qgemm_reference(int64_t M, int64_t N, int64_t K, const int8_t *a, int64_t lda, const int8_t *w, int64_t ldw,
                        int32_t *c, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t n = 0; n < N; n++) {
            int32_t sum = 0;
            for (int64_t k = 0; k < K; k++) sum += (int32_t)a[i * lda + k] * (int32_t)w[n * ldw + k];
            c[i * ldc + n] = sum;
        }
    }
}

void ck_qgemm_reference_dequantize(int64_t M, int64_t N, const int32_t *c, int64_t ldc, const ck_qgemm_epilogue *ep) {
    for (int64_t i = 0; i < M; i++) {
        for (int64_t n = 0; n < N; n++) {
            float v = (float)c[i * ldc + n];
            v = v * ep->row_scale[i];
            v = v * ep->col_scale[n];
            if (ep->bias) v = v + ep->bias[n];
            ep->y[i * ep->ldy + n] = v;
        }
    }
}
