// Portable self-test of CKernels in plain C, for machines where `swift test` cannot run the path in
// question, e.g. the NEON code under qemu-user on an x86 host (Scripts/check_neon_qemu.sh). Every ISA
// the CPU supports is checked: sgemm / dgemm against a long-double reference on edge shapes with
// transposes, vexp on a strided sample of all floats (<= 2 ulp, exact specials), softmax rows against
// a double reference including masked, +inf and NaN rows.
//
//   cc -O2 -ISources/AttentionCKernels/include Scripts/kernels_selftest.c Sources/AttentionCKernels/*.c -lm -o selftest
#include "AttentionCKernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            if (++failures <= 20) { printf("  FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
        }                                                                                 \
    } while (0)

static unsigned long long rng_state = 88172645463325252ULL;
static double urand(void) {  // xorshift64, uniform in [-1, 1)
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void check_gemm(int64_t M, int64_t N, int64_t K, int ta, int tb, double alpha, double beta, void *ws) {
    const int64_t ldc = N + 3;
    float *A = malloc(sizeof(float) * (size_t)(M * K + 1)), *B = malloc(sizeof(float) * (size_t)(K * N + 1));
    float *C = malloc(sizeof(float) * (size_t)(M * ldc + 1)), *C0 = malloc(sizeof(float) * (size_t)(M * ldc + 1));
    double *D = malloc(sizeof(double) * (size_t)(M * ldc + 1));
    for (int64_t i = 0; i < M * K; i++) A[i] = (float)urand();
    for (int64_t i = 0; i < K * N; i++) B[i] = (float)urand();
    for (int64_t i = 0; i < M * ldc; i++) C0[i] = (float)urand();
    const int64_t rsA = ta ? 1 : K, csA = ta ? M : 1, rsB = tb ? 1 : N, csB = tb ? K : 1;
    memcpy(C, C0, sizeof(float) * (size_t)(M * ldc));
    for (int64_t i = 0; i < M * ldc; i++) D[i] = C0[i];
    ck_sgemm(M, N, K, (float)alpha, A, rsA, csA, B, rsB, csB, (float)beta, C, ldc, ws);
    // dgemm on the same (float-valued) data.
    double *Ad = malloc(sizeof(double) * (size_t)(M * K + 1)), *Bd = malloc(sizeof(double) * (size_t)(K * N + 1));
    for (int64_t i = 0; i < M * K; i++) Ad[i] = A[i];
    for (int64_t i = 0; i < K * N; i++) Bd[i] = B[i];
    ck_dgemm(M, N, K, alpha, Ad, rsA, csA, Bd, rsB, csB, beta, D, ldc);
    double worst_s = 0, worst_d = 0;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < ldc; j++) {
            if (j >= N) {
                CHECK(C[i * ldc + j] == C0[i * ldc + j] && D[i * ldc + j] == C0[i * ldc + j], "wrote past N");
                continue;
            }
            long double s = 0, mag = 0;
            for (int64_t k = 0; k < K; k++) {
                long double p = (long double)A[i * rsA + k * csA] * B[k * rsB + j * csB];
                s += p;
                mag += fabsl(p);
            }
            const long double ref = alpha * s + beta * C0[i * ldc + j];
            const long double scale = fabs(alpha) * mag + fabs(beta) * fabsf(C0[i * ldc + j]) + 1e-300;
            const double es = (double)(fabsl(C[i * ldc + j] - ref) / (scale * (K + 2) * 1.2e-7));
            const double ed = (double)(fabsl(D[i * ldc + j] - ref) / (scale * (K + 2) * 2.3e-16));
            if (!(es <= worst_s)) worst_s = es;
            if (!(ed <= worst_d)) worst_d = ed;
        }
    }
    CHECK(worst_s <= 1, "sgemm %lldx%lldx%lld ta=%d tb=%d: %.3g x bound", (long long)M, (long long)N, (long long)K, ta, tb, worst_s);
    CHECK(worst_d <= 1, "dgemm %lldx%lldx%lld ta=%d tb=%d: %.3g x bound", (long long)M, (long long)N, (long long)K, ta, tb, worst_d);
    free(A); free(B); free(C); free(C0); free(D); free(Ad); free(Bd);
}

static float from_bits(unsigned b) { float f; memcpy(&f, &b, 4); return f; }
static long long ordered(float f) {
    int i;
    memcpy(&i, &f, 4);
    return i < 0 ? -(long long)(i & 0x7fffffff) : (long long)i;
}

static void check_exp(unsigned stride) {
    enum { CH = 4096 };
    static float xs[CH], ys[CH];
    long long worst = 0;
    float worst_x = 0;
    unsigned long long n = 0;
    for (unsigned long long b = 0; b < (1ULL << 32);) {
        int cnt = 0;
        for (; cnt < CH && b < (1ULL << 32); cnt++, b += stride) xs[cnt] = from_bits((unsigned)b);
        ck_vexp(xs, ys, cnt);
        for (int i = 0; i < cnt; i++, n++) {
            const float x = xs[i], y = ys[i], ref = (float)exp((double)x);
            if (isnan(x)) { CHECK(isnan(y), "exp(NaN) = %a", y); continue; }
            if (isinf(ref) || isinf(y)) { CHECK(y == ref, "exp(%a) = %a, want %a", x, y, ref); continue; }
            const long long d = llabs(ordered(y) - ordered(ref));
            if (d > worst) { worst = d; worst_x = x; }
        }
    }
    CHECK(worst <= 2, "vexp: %lld ulp at x = %a", worst, worst_x);
    printf("  vexp: max %lld ulp over %llu sampled inputs (x = %a)\n", worst, n, worst_x);
}

static void check_softmax(void) {
    const float inf = INFINITY;
    for (int64_t cols = 1; cols <= 37; cols += 4) {
        const int64_t ld = cols + 2, rows = 3;
        float x[3 * 39], y[3 * 39];
        for (int64_t i = 0; i < rows * ld; i++) x[i] = (float)(urand() * 10);
        x[ld] = -inf;  // a masked entry
        for (int log_mode = 0; log_mode < 2; log_mode++) {
            memcpy(y, x, sizeof(float) * (size_t)(rows * ld));
            (log_mode ? ck_log_softmax_rows : ck_softmax_rows)(y, rows, cols, ld);
            for (int64_t r = 0; r < rows; r++) {
                double m = -INFINITY, s = 0;
                for (int64_t j = 0; j < cols; j++) m = fmax(m, x[r * ld + j]);
                for (int64_t j = 0; j < cols; j++) s += exp((double)x[r * ld + j] - m);
                for (int64_t j = 0; j < ld; j++) {
                    const float got = y[r * ld + j];
                    if (j >= cols) { CHECK(got == x[r * ld + j], "softmax wrote padding"); continue; }
                    const double ref = m == -INFINITY ? (log_mode ? -INFINITY : 0.0)
                                     : log_mode ? x[r * ld + j] - m - log(s) : exp(x[r * ld + j] - m) / s;
                    if (isinf(ref)) CHECK(got == ref, "softmax -inf entry: %a", got);
                    else CHECK(fabs(got - ref) <= 2e-6 * fmax(1, fabs(ref)), "softmax cols=%lld log=%d: %g vs %g", (long long)cols, log_mode, got, ref);
                }
            }
        }
    }
    float masked[5] = {-inf, -inf, -inf, -inf, -inf}, infs[5] = {inf, 0, inf, -inf, 3}, nans[5] = {1, NAN, 2, 3, 4};
    ck_softmax_rows(masked, 1, 5, 5);
    for (int j = 0; j < 5; j++) CHECK(masked[j] == 0, "masked row: %g", masked[j]);
    ck_softmax_rows(infs, 1, 5, 5);
    // An infinite logit is a blow-up upstream: the whole row is NaN, as in PyTorch (policy: softmax_common.c).
    for (int j = 0; j < 5; j++) CHECK(isnan(infs[j]), "+inf row: %g", infs[j]);
    ck_softmax_rows(nans, 1, 5, 5);
    for (int j = 0; j < 5; j++) CHECK(isnan(nans[j]), "NaN row: %g", nans[j]);
}

int main(int argc, char **argv) {
    const unsigned stride = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 4099;
    void *ws = NULL;
    if (posix_memalign(&ws, 64, ck_sgemm_workspace_size()) != 0) return 2;
    const ck_isa all[] = {CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON};
    for (int t = 0; t < 4; t++) {
        if (!ck_isa_supported(all[t])) continue;
        ck_force_isa(all[t]);
        printf("%s:\n", ck_isa_name(ck_active_isa()));
        const int64_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {33, 65, 17}, {100, 37, 129}, {8, 12, 3}, {17, 25, 530}, {203, 9, 8}};
        for (int s = 0; s < 7; s++) {
            for (int tr = 0; tr < 4; tr++) {
                check_gemm(shapes[s][0], shapes[s][1], shapes[s][2], tr & 1, tr >> 1, tr == 3 ? -0.5 : 1.0, tr == 2 ? 0.75 : 0.0, ws);
            }
        }
        check_exp(stride);
        check_softmax();
    }
    ck_force_isa(CK_ISA_AUTO);
    free(ws);
    printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures != 0;
}
