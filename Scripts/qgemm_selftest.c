// Every int8 GEMM variant this CPU runs against ck_qgemm_reference, bit for bit (int32 and dequantised float),
// over edge shapes and full-range operands (±127 everywhere: the largest pair sums the AVX2 path can see).
// Native: cc -O2 -ISources/AttentionCKernels/include Scripts/qgemm_selftest.c Sources/AttentionCKernels/*.c -lm
// AArch64 under qemu: Scripts/check_qgemm_neon_qemu.sh
#include "ck_qgemm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 88172645463325252ull;
static int8_t draw(int extreme) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    if (extreme) return (state & 1) ? 127 : -127;
    return (int8_t)((int)(state % 255) - 127);
}

int main(void) {
    static const int64_t shapes[][3] = {{1, 1, 1}, {3, 17, 5}, {4, 16, 4}, {5, 33, 383}, {37, 384, 384}, {9, 1536, 384},
                                        {13, 384, 1536}, {2, 15, 7}};
    int failures = 0, checked = 0;
    for (int v = 0; v < CK_QGEMM_VARIANT_COUNT; v++) {
        const ck_qgemm_kernels *t = ck_qgemm_table((ck_qgemm_variant)v);
        if (!t) continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            for (int extreme = 0; extreme < 2; extreme++) {
                const int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], kp = ck_qgemm_k_padded(K);
                int8_t *a = calloc((size_t)(M * kp), 1), *w = calloc((size_t)(N * K), 1);
                int8_t *pb = malloc(ck_qgemm_packed_size(N, K));
                int32_t *c0 = malloc(sizeof(int32_t) * (size_t)(M * N)), *c1 = malloc(sizeof(int32_t) * (size_t)(M * N));
                float *rs = malloc(sizeof(float) * (size_t)M), *cs = malloc(sizeof(float) * (size_t)N);
                float *bias = malloc(sizeof(float) * (size_t)N);
                float *y0 = malloc(sizeof(float) * (size_t)(M * N)), *y1 = malloc(sizeof(float) * (size_t)(M * N));
                for (int64_t i = 0; i < M; i++) for (int64_t k = 0; k < K; k++) a[i * kp + k] = draw(extreme);
                for (int64_t i = 0; i < N * K; i++) w[i] = draw(extreme);
                for (int64_t i = 0; i < M; i++) rs[i] = 1e-3f * (float)(i + 1) / 3.0f;
                for (int64_t n = 0; n < N; n++) { cs[n] = 2e-3f / (float)(n + 7); bias[n] = 0.1f * (float)n - 1.0f; }
                ck_qgemm_pack_b(N, K, w, K, pb);
                ck_qgemm_reference(M, N, K, a, kp, w, K, c0, N);
                t->gemm_s32(M, N, kp, a, kp, pb, c1, N);
                int bad = memcmp(c0, c1, sizeof(int32_t) * (size_t)(M * N)) != 0;
                for (int b = 0; b < 2; b++) {
                    ck_qgemm_epilogue e0 = {rs, cs, b ? bias : NULL, y0, N}, e1 = {rs, cs, b ? bias : NULL, y1, N};
                    ck_qgemm_reference_dequantize(M, N, c0, N, &e0);
                    t->gemm_f32(M, N, kp, a, kp, pb, &e1);
                    bad |= memcmp(y0, y1, sizeof(float) * (size_t)(M * N)) != 0;
                }
                // The variant's quantiser against ck_quantize_rows_s8: bytes and scale bits, with and without
                // smoothing factors; row 1 holds a NaN, row 2 an Inf, row 3 zeros, the rest span ±1e3.
                float *x = malloc(sizeof(float) * (size_t)(M * K)), *mul = malloc(sizeof(float) * (size_t)K);
                float *work = malloc(sizeof(float) * (size_t)K), *s0 = malloc(sizeof(float) * (size_t)M), *s1 = malloc(sizeof(float) * (size_t)M);
                int8_t *q0 = malloc((size_t)(M * kp)), *q1 = malloc((size_t)(M * kp));
                for (int64_t i = 0; i < M * K; i++) x[i] = (float)draw(0) * (extreme ? 7.77f : 0.0131f) * (float)(1 + i % 5);
                for (int64_t k = 0; k < K; k++) mul[k] = 0.25f + (float)(k % 9) / 4.0f;
                if (M > 1) x[K + K / 2] = NAN;
                if (M > 2) x[2 * K] = -INFINITY;
                if (M > 3) memset(x + 3 * K, 0, sizeof(float) * (size_t)K);
                for (int sm = 0; sm < 2; sm++) {
                    ck_quantize_rows_s8(x, K, M, K, sm ? mul : NULL, q0, kp, s0, work);
                    t->quantize_rows(x, K, M, K, sm ? mul : NULL, q1, kp, s1, work);
                    bad |= memcmp(q0, q1, (size_t)(M * kp)) != 0 || memcmp(s0, s1, sizeof(float) * (size_t)M) != 0;
                }
                free(x); free(mul); free(work); free(s0); free(s1); free(q0); free(q1);
                checked++;
                if (bad) { failures++; printf("FAIL %s M%lld N%lld K%lld extreme=%d\n", t->name, (long long)M, (long long)N, (long long)K, extreme); }
                free(a); free(w); free(pb); free(c0); free(c1); free(rs); free(cs); free(bias); free(y0); free(y1);
            }
        }
        printf("%s: checked\n", t->name);
    }
    printf("qgemm selftest: %d cases, %d failures; active table %s\n", checked, failures, ck_qgemm_active()->name);
    return failures != 0;
}
