// Single-thread SGEMM timing harness for CKernels (C = A*B, row-major, alpha 1, beta 0).
//
//   gemm_bench [M N K] [--isa auto|scalar|avx2|avx512|neon] [--ta] [--tb] [--reps R] [--threads T]
//
// --threads T splits C into T row blocks, one ck_sgemm call (and workspace) per thread, the way
// TensorCore parallelises; the default is one thread.
// Compiled with no -m flags (see Scripts/bench_gemm_vs_numpy.sh), so the ISA is picked at run time as in
// the package. Checks 256 sampled entries against a double-precision dot product before timing, then
// prints the best GFLOP/s over R timed batches (each batch >= ~0.2 s of work).
#include "AttentionCKernels.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int64_t M, N, K, rsA, csA, rsB, csB;
    const float *A, *B;
    float *C;
    void *ws;
} call;

static void *run_call(void *p) {
    const call *c = p;
    ck_sgemm(c->M, c->N, c->K, 1.0f, c->A, c->rsA, c->csA, c->B, c->rsB, c->csB, 0.0f, c->C, c->N, c->ws);
    return NULL;
}

// C = A*B with the rows of C split over `nt` threads (nt == 1 runs inline).
static void gemm(int nt, call *calls, pthread_t *th) {
    if (nt == 1) {
        run_call(&calls[0]);
        return;
    }
    for (int t = 0; t < nt; t++) pthread_create(&th[t], NULL, run_call, &calls[t]);
    for (int t = 0; t < nt; t++) pthread_join(th[t], NULL);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int64_t dims[3] = {1024, 1024, 1024};
    int nd = 0, ta = 0, tb = 0, reps = 7, nt = 1;
    ck_isa isa = CK_ISA_AUTO;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ta")) ta = 1;
        else if (!strcmp(argv[i], "--tb")) tb = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) nt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            const char *n = argv[++i];
            isa = !strcmp(n, "scalar") ? CK_ISA_SCALAR : !strcmp(n, "avx2") ? CK_ISA_AVX2
                : !strcmp(n, "avx512") ? CK_ISA_AVX512 : !strcmp(n, "neon") ? CK_ISA_NEON : CK_ISA_AUTO;
        } else if (nd < 3) dims[nd++] = atoll(argv[i]);
    }
    if (nd == 1) dims[1] = dims[2] = dims[0];
    const int64_t M = dims[0], N = dims[1], K = dims[2];
    if (ck_force_isa(isa) != 0) {
        fprintf(stderr, "ISA %s not supported on this CPU\n", ck_isa_name(isa));
        return 2;
    }
    float *A = aligned_alloc(64, (size_t)(M * K) * 4 + 64), *B = aligned_alloc(64, (size_t)(K * N) * 4 + 64);
    float *C = aligned_alloc(64, (size_t)(M * N) * 4 + 64);
    if (nt < 1 || nt > 64) nt = 1;
    srand(1);
    for (int64_t i = 0; i < M * K; i++) A[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    for (int64_t i = 0; i < K * N; i++) B[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    // --ta / --tb store the operand transposed (A as [K, M], B as [N, K]) and pass transposed strides.
    const int64_t rsA = ta ? 1 : K, csA = ta ? M : 1, rsB = tb ? 1 : N, csB = tb ? K : 1;

    call calls[64];
    pthread_t th[64];
    for (int t = 0; t < nt; t++) {
        const int64_t i0 = M * t / nt, i1 = M * (t + 1) / nt;
        calls[t] = (call){i1 - i0, N, K, rsA, csA, rsB, csB, A + i0 * rsA, B, C + i0 * N,
                          aligned_alloc(64, (ck_sgemm_workspace_size() + 63) / 64 * 64)};
    }
    gemm(nt, calls, th);
    double worst = 0;
    for (int s = 0; s < 256; s++) {
        const int64_t i = rand() % M, j = rand() % N;
        double ref = 0, mag = 0;
        for (int64_t k = 0; k < K; k++) {
            const double p = (double)A[i * rsA + k * csA] * (double)B[k * rsB + j * csB];
            ref += p;
            mag += fabs(p);
        }
        const double rel = fabs(C[i * N + j] - ref) / (mag * K * 1.2e-7 + 1e-30);
        if (rel > worst) worst = rel;
    }
    if (worst > 1.0) {
        fprintf(stderr, "WRONG RESULT: error %.3g x the K*eps*|A||B| bound\n", worst);
        return 1;
    }

    const double flops = 2.0 * (double)M * (double)N * (double)K;
    const int inner = (int)(2e10 / flops) + 1;  // ~0.2 s per batch at 100 GFLOP/s
    double best = 0;
    for (int r = 0; r < reps; r++) {
        const double t0 = now();
        for (int q = 0; q < inner; q++) gemm(nt, calls, th);
        const double g = flops * inner / (now() - t0) / 1e9;
        if (g > best) best = g;
    }
    printf("ckernels %-6s sgemm %lldx%lldx%lld%s%s, %d thread%s: %.1f GFLOP/s (best of %d; check %.2g of bound)\n",
           ck_isa_name(ck_active_isa()), (long long)M, (long long)N, (long long)K, ta ? " A^T" : "",
           tb ? " B^T" : "", nt, nt > 1 ? "s" : "", best, reps, worst);
    return 0;
}
