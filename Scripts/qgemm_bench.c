// int8 GEMM (active table) against the fp32 packed GEMM on a BERT-layer shape, one thread, alternating rounds.
// The int32 product is first compared with ck_qgemm_reference over the whole shape; a mismatch stops (exit 1).
//   cc -O2 -D_GNU_SOURCE -ISources/AttentionCKernels/include Scripts/qgemm_bench.c Sources/AttentionCKernels/*.c -lm
//   ./a.out [M N K rounds]
#include "AttentionCKernels.h"
#include "ck_qgemm.h"
#include "ck_rowops.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
    const int64_t M = argc > 1 ? atoll(argv[1]) : 640, N = argc > 2 ? atoll(argv[2]) : 1536, K = argc > 3 ? atoll(argv[3]) : 384;
    const int rounds = argc > 4 ? atoi(argv[4]) : 7;
    const int64_t kp = ck_qgemm_k_padded(K);
    int8_t *a = calloc((size_t)(M * kp), 1), *w = malloc((size_t)(N * K)), *pb = malloc(ck_qgemm_packed_size(N, K));
    float *x = malloc(sizeof(float) * (size_t)(M * K)), *wf = malloc(sizeof(float) * (size_t)(N * K));
    float *y = malloc(sizeof(float) * (size_t)(M * N)), *rs = malloc(sizeof(float) * (size_t)M), *cs = malloc(sizeof(float) * (size_t)N);
    for (int64_t i = 0; i < M * K; i++) { x[i] = (float)((i * 7919) % 2003) / 1001.5f - 1; a[(i / K) * kp + i % K] = (int8_t)(i % 255 - 127); }
    for (int64_t i = 0; i < N * K; i++) { wf[i] = (float)((i * 104729) % 2003) / 1001.5f - 1; w[i] = (int8_t)(i % 253 - 126); }
    for (int64_t i = 0; i < M; i++) rs[i] = 1e-3f;
    for (int64_t i = 0; i < N; i++) cs[i] = 1e-3f;
    ck_qgemm_pack_b(N, K, w, K, pb);
    void *fpack = malloc(ck_sgemm_packed_b_size(ck_active_isa(), K, N));
    ck_sgemm_pack_b(ck_active_isa(), K, N, wf, 1, K, fpack);
    size_t wsz = 64u << 20;
    void *work = aligned_alloc(64, wsz);  // the fp32 GEMM wants 64-byte alignment
    const ck_qgemm_kernels *t = ck_qgemm_active();
    ck_qgemm_epilogue ep = {rs, cs, NULL, y, N};
    int32_t *got = malloc(sizeof(int32_t) * (size_t)(M * N)), *want = malloc(sizeof(int32_t) * (size_t)(M * N));
    t->gemm_s32(M, N, kp, a, kp, pb, got, N);
    ck_qgemm_reference(M, N, K, a, kp, w, K, want, N);
    for (int64_t i = 0; i < M * N; i++)
        if (got[i] != want[i]) {
            fprintf(stderr, "%s: c[%lld][%lld] = %d, reference %d\n", t->name, (long long)(i / N), (long long)(i % N),
                    got[i], want[i]);
            return 1;
        }
    double best_q = 1e9, best_f = 1e9;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        t->gemm_f32(M, N, kp, a, kp, pb, &ep);
        double t1 = now();
        ck_sgemm_packed_bias_act(ck_active_isa(), M, N, K, 1, x, K, 1, fpack, 0, y, N, NULL, CK_ACT_NONE, work);
        double t2 = now();
        if (t1 - t0 < best_q) best_q = t1 - t0;
        if (t2 - t1 < best_f) best_f = t2 - t1;
    }
    const double ops = 2.0 * (double)M * (double)N * (double)K;
    printf("M%lld N%lld K%lld, 1 thread, best of %d: int8 %s %.1f GOP/s, fp32 %s %.1f GFLOP/s, ratio %.2fx (int32 equal to the reference)\n",
           (long long)M, (long long)N, (long long)K, rounds, t->name, ops / best_q * 1e-9, ck_isa_name(ck_active_isa()),
           ops / best_f * 1e-9, best_f / best_q);
    return 0;
}
