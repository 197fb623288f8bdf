// Times the flash kernels of one (batch, head) slice, forward and backward, on one thread, calling the C entry
// points directly (no Swift, no threads): the harness behind the backward figures in BENCHMARKS.md. It first
// checks two small shapes (L = S = 67 and 203, the same E) against a Float64 evaluation of the same formulas
// and stops if any output or gradient is off by more than 1e-4 relative to the largest magnitude.
//
//   cc -O2 -ISources/AttentionCKernels/include Scripts/flash_bench.c Sources/AttentionCKernels/*.c -lm -o /tmp/flash_bench
//   /tmp/flash_bench [--isa avx2|avx512|neon|scalar] [--causal] [--reps R] N E
//
// GFLOP/s follow FlashAttention's convention (forward 4*N*N*E, backward 2.5x, causal halves both); best of R.
#include "AttentionCKernels.h"
#include "ck_flash.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t seed = 0x5EED;
static float uniform(void) {  // [-1, 1)
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((seed >> 40) * (1.0 / 8388608.0)) - 1.0f;
}
static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static void *alloc(size_t bytes) { return aligned_alloc(64, (bytes + 63) / 64 * 64); }

typedef struct {
    int N, E;
    float *q, *k, *v, *dout, *o, *m, *l, *dq, *dk, *dv;
    int32_t *hi;
    ck_flash_head h;
    void *ws, *bws;
} problem;

static problem make(ck_isa isa, int N, int E, int causal) {
    problem p = {N, E};
    size_t x = sizeof(float) * (size_t)N * (size_t)E;
    p.q = alloc(x); p.k = alloc(x); p.v = alloc(x); p.dout = alloc(x); p.o = alloc(x);
    p.dq = alloc(x); p.dk = alloc(x); p.dv = alloc(x);
    p.m = alloc(sizeof(float) * (size_t)N); p.l = alloc(sizeof(float) * (size_t)N);
    for (size_t i = 0; i < (size_t)N * (size_t)E; i++) {
        p.q[i] = uniform(); p.k[i] = uniform(); p.v[i] = uniform(); p.dout[i] = uniform();
    }
    p.hi = NULL;
    if (causal) {
        p.hi = alloc(sizeof(int32_t) * (size_t)N);
        for (int i = 0; i < N; i++) p.hi[i] = i + 1;
    }
    p.h = (ck_flash_head){.isa = isa, .L = N, .S = N, .E = E, .Ev = E, .scale = 1.0f / sqrtf((float)E),
                          .key_hi = p.hi, .drop_scale = 1.0f};
    p.ws = alloc(ck_flash_workspace_size(E, E));
    p.bws = alloc(ck_flash_backward_workspace_size(E, E, N));
    return p;
}

static void forward(problem *p) {
    const int64_t rows = ck_flash_get_config(p->h.isa).fwd_rows;
    for (int64_t r0 = 0; r0 < p->N; r0 += rows) {
        ck_flash_fwd_args a = {&p->h, p->q, p->E, p->k, p->E, p->v, p->E, p->o, p->E, p->m, p->l,
                               r0, p->N - r0 < rows ? p->N - r0 : rows, p->ws};
        ck_flash_forward(&a);
    }
}

static void backward(problem *p) {
    ck_flash_bwd_args b = {&p->h, p->q, p->E, p->k, p->E, p->v, p->E, p->dout, p->E, p->m, p->l,
                           p->dq, p->E, p->dk, p->E, p->dv, p->E, NULL, 0, 0, p->N, p->bws};
    ck_flash_backward(&b);
}

// Float64: o = softmax(s) v, dv = P^T dO, dP = dO v^T, dS = P (dP - rowsum(P dP)), dq = dS k * scale, dk = dS^T q * scale.
static double check(problem *p) {
    const int N = p->N, E = p->E;
    const double sc = p->h.scale;
    double *P = calloc((size_t)N * N, sizeof(double)), *dS = calloc((size_t)N * N, sizeof(double)), worst = 0, big = 0;
    double *ref = calloc((size_t)4 * N * E, sizeof(double));  // o, dq, dk, dv
    for (int i = 0; i < N; i++) {
        const int hi = p->hi ? p->hi[i] : N;
        double mx = -INFINITY, sum = 0, delta = 0;
        for (int j = 0; j < hi; j++) {
            double s = 0;
            for (int e = 0; e < E; e++) s += (double)p->q[i * E + e] * p->k[j * E + e];
            P[(size_t)i * N + j] = s * sc;
            mx = fmax(mx, s * sc);
        }
        for (int j = 0; j < hi; j++) sum += (P[(size_t)i * N + j] = exp(P[(size_t)i * N + j] - mx));
        for (int j = 0; j < hi; j++) {
            P[(size_t)i * N + j] /= sum;
            double dp = 0;
            for (int e = 0; e < E; e++) dp += (double)p->dout[i * E + e] * p->v[j * E + e];
            dS[(size_t)i * N + j] = dp;
            delta += P[(size_t)i * N + j] * dp;
        }
        for (int j = 0; j < hi; j++) dS[(size_t)i * N + j] = P[(size_t)i * N + j] * (dS[(size_t)i * N + j] - delta);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            for (int e = 0; e < E; e++) {
                const double pij = P[(size_t)i * N + j], dsij = dS[(size_t)i * N + j];
                ref[i * E + e] += pij * p->v[j * E + e];
                ref[N * E + i * E + e] += dsij * p->k[j * E + e] * sc;
                ref[2 * N * E + j * E + e] += dsij * p->q[i * E + e] * sc;
                ref[3 * N * E + j * E + e] += pij * p->dout[i * E + e];
            }
    const float *got[4] = {p->o, p->dq, p->dk, p->dv};
    for (int t = 0; t < 4; t++)
        for (int x = 0; x < N * E; x++) {
            worst = fmax(worst, fabs(got[t][x] - ref[t * N * E + x]));
            big = fmax(big, fabs(ref[t * N * E + x]));
        }
    free(P); free(dS); free(ref);
    return worst / big;
}

int main(int argc, char **argv) {
    int N = 2048, E = 64, causal = 0, reps = 5, nd = 0;
    ck_isa isa = CK_ISA_AUTO;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--causal")) causal = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            const char *n = argv[++i];
            isa = !strcmp(n, "scalar") ? CK_ISA_SCALAR : !strcmp(n, "avx2") ? CK_ISA_AVX2
                : !strcmp(n, "avx512") ? CK_ISA_AVX512 : !strcmp(n, "neon") ? CK_ISA_NEON : CK_ISA_AUTO;
        } else if (nd == 0) { N = atoi(argv[i]); nd++; }
        else { E = atoi(argv[i]); nd++; }
    }
    if (N < 1 || E < 1 || reps < 1) { fprintf(stderr, "usage: flash_bench [--isa I] [--causal] [--reps R] N E\n"); return 2; }
    if (isa != CK_ISA_AUTO && !ck_isa_supported(isa)) { fprintf(stderr, "ISA %s not supported here\n", ck_isa_name(isa)); return 2; }
    isa = ck_flash_resolve_isa(isa);

    // 67 = 64 + 3 and 203 = 3 * 64 + 11 rows: partial Q blocks whose row tails reach every tile remainder up to 11.
    double err = 0;
    for (int c = 0; c < 2; c++) {
        const int n = c == 0 ? 67 : 203;
        problem small = make(isa, n, E, causal);
        forward(&small);
        backward(&small);
        const double e = check(&small);
        if (!(e <= 1e-4)) { fprintf(stderr, "WRONG RESULT at N%d: max error %.3g of the largest magnitude\n", n, e); return 1; }
        err = fmax(err, e);
    }

    problem p = make(isa, N, E, causal);
    double bf = 1e30, bb = 1e30;
    for (int r = 0; r < reps; r++) {
        const double t0 = seconds();
        forward(&p);
        const double t1 = seconds();
        backward(&p);
        const double t2 = seconds();
        bf = fmin(bf, t1 - t0);
        bb = fmin(bb, t2 - t1);
    }
    const double f = 4.0 * N * N * E * (causal ? 0.5 : 1.0);
    printf("%s N%d E%d%s, 1 thread, best of %d: forward %.2f ms %.1f GFLOP/s, backward %.2f ms %.1f GFLOP/s "
           "(check at N67 and N203: %.2g)\n", ck_isa_name(isa), N, E, causal ? " causal" : "", reps, bf * 1e3, f / bf * 1e-9,
           bb * 1e3, 2.5 * f / bb * 1e-9, err);
    return 0;
}
