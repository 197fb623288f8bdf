// Bit-identity witness for a refactor of CKernels: runs every public non-flash entry point on fixed inputs
// (edge shapes, transposes, alpha/beta, special values: +-0, +-inf, NaN, subnormals, masked rows) on every
// ISA path this CPU runs, and prints one 64-bit FNV-1a hash of the output bytes per kernel and path. Build it
// against the old and the new sources and `diff` the two listings: any changed bit in any output shows.
// (Scripts/flash_selftest.c prints the same kind of hashes for the flash kernels with CK_DIGEST=1.)
//
//   cc -O2 -ISources/AttentionCKernels/include Scripts/kernels_digest.c Sources/AttentionCKernels/*.c -lm -o /tmp/dg
//   /tmp/dg > new.txt      (and the same against the old tree, then diff)
#include "AttentionCKernels.h"
#include "ck_rowops.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0xD16E57;
static float frand(void) {  // uniform in [-4, 4)
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng >> 40) * (1.0 / 8388608.0)) * 4.0f - 4.0f;
}
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}
#define H0 0xCBF29CE484222325ull

// A row of `n` inputs where every 37th entry is one of the special values (so masked tails see them too).
static void fill(float *x, size_t n) {
    static const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-40f, -1e-40f, 88.7f, -103.9f};
    for (size_t i = 0; i < n; i++) x[i] = i % 37 == 5 ? special[(i / 37) % 9] : frand();
}

static void gemms(void) {
    static const int shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {13, 33, 17}, {64, 64, 64}, {97, 131, 600}, {200, 40, 1100}};
    uint64_t hs = H0, hb = H0, hp = H0, hd = H0;
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = malloc(4u * M * K), *B = malloc(4u * K * N), *C = malloc(4u * M * N), *bias = malloc(4u * N);
        double *dA = malloc(8u * M * K), *dB = malloc(8u * K * N), *dC = malloc(8u * M * N);
        void *ws = aligned_alloc(64, (ck_sgemm_workspace_size() + 63) / 64 * 64);
        for (int i = 0; i < M * K; i++) { A[i] = frand(); dA[i] = (double)frand() / 3.0; }
        for (int i = 0; i < K * N; i++) { B[i] = frand(); dB[i] = (double)frand() / 7.0; }
        for (int j = 0; j < N; j++) bias[j] = frand();
        for (int t = 0; t < 4; t++) {  // transposes: A^T when t & 1, B^T when t & 2
            const int ta = t & 1, tb = t & 2;
            const int64_t rsA = ta ? 1 : K, csA = ta ? M : 1, rsB = tb ? 1 : N, csB = tb ? K : 1;
            for (int ab = 0; ab < 3; ab++) {
                const float alpha = ab == 2 ? 0.0f : 0.75f, beta = ab == 0 ? 0.0f : -1.25f;
                for (int i = 0; i < M * N; i++) C[i] = (float)(i % 7) - 3.0f;
                ck_sgemm(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, N, ws);
                hs = fnv(hs, C, 4u * M * N);
                for (int act = 0; act < 3; act++) {
                    for (int i = 0; i < M * N; i++) C[i] = (float)(i % 5) - 2.0f;
                    ck_sgemm_bias_act(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, N, bias,
                                      (ck_activation)act, ws);
                    hb = fnv(hb, C, 4u * M * N);
                }
                for (int i = 0; i < M * N; i++) dC[i] = (double)(i % 7) - 3.0;
                ck_dgemm(M, N, K, alpha, dA, rsA, csA, dB, rsB, csB, beta, dC, N);
                hd = fnv(hd, dC, 8u * M * N);
            }
            const ck_isa isa = ck_active_isa();
            void *pb = aligned_alloc(64, (ck_sgemm_packed_b_size(isa, K, N) + 63) / 64 * 64 + 64);
            ck_sgemm_pack_b(isa, K, N, B, rsB, csB, pb);
            for (int act = 0; act < 3; act++) {
                for (int i = 0; i < M * N; i++) C[i] = 1.0f;
                ck_sgemm_packed_bias_act(isa, M, N, K, 1.0f, A, rsA, csA, pb, 0.5f, C, N, bias, (ck_activation)act, ws);
                hp = fnv(hp, C, 4u * M * N);
            }
            free(pb);
        }
        free(A); free(B); free(C); free(bias); free(dA); free(dB); free(dC); free(ws);
    }
    printf("  sgemm           %016llx\n  sgemm_bias_act  %016llx\n  sgemm_packed    %016llx\n  dgemm           %016llx\n",
           (unsigned long long)hs, (unsigned long long)hb, (unsigned long long)hp, (unsigned long long)hd);
}

static void elementwise(void) {
    enum { N = 70001 };
    float *x = malloc(4 * N), *y = malloc(4 * N), *g = malloc(4 * N);
    fill(x, N);
    fill(g, N);
    uint64_t he = H0, hg = H0;
    // Every float bit pattern with a stride, then the filled row in pieces of every tail length.
    for (uint64_t b = 0; b < (1ull << 32); b += 65537 * 8) {
        float in[8], out[8];
        for (int l = 0; l < 8; l++) { uint32_t u = (uint32_t)(b + (uint64_t)l * 65537); memcpy(&in[l], &u, 4); }
        ck_vexp(in, out, 8);
        he = fnv(he, out, sizeof out);
        ck_gelu_backward(in, in, out, 8);
        hg = fnv(hg, out, sizeof out);
    }
    for (int n = 0; n <= 40; n++) {
        ck_vexp(x + 1000 * n, y, n);
        he = fnv(he, y, 4u * n);
        ck_gelu_backward(x + 1000 * n, g, y, n);
        hg = fnv(hg, y, 4u * n);
    }
    ck_vexp(x, y, N);
    he = fnv(he, y, 4u * N);
    ck_gelu_backward(x, g, y, N);
    hg = fnv(hg, y, 4u * N);
    printf("  vexp            %016llx\n  gelu_backward   %016llx\n", (unsigned long long)he, (unsigned long long)hg);
    free(x); free(y); free(g);
}

static void rows(void) {
    static const int cols_list[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257, 1000};
    uint64_t hs = H0, hl = H0, hb = H0, hn = H0, hs2 = H0, hnb = H0;
    for (unsigned c = 0; c < sizeof cols_list / sizeof cols_list[0]; c++) {
        const int cols = cols_list[c], R = 12, ld = cols + 3;
        float *x = malloc(4u * R * ld + 4), *y = malloc(4u * R * ld + 4), *res = malloc(4u * R * ld + 4);
        float *gam = malloc(4u * cols + 4), *bet = malloc(4u * cols + 4), *mean = calloc(R, 4), *rstd = calloc(R, 4);
        float *g = malloc(4u * R * ld + 4), *dz = calloc((size_t)R * ld + 1, 4), *dg = calloc(cols + 1, 4), *db = calloc(cols + 1, 4);
        for (int t = 0; t < 2; t++) {  // t = 1: rows with special values (masked, +inf, NaN) and huge/tiny ranges
            for (int i = 0; i < R * ld; i++) x[i] = t ? 0.0f : frand() * 3.0f;
            if (t) {
                fill(x, (size_t)R * ld);
                for (int j = 0; j < cols; j++) { x[0 * ld + j] = -INFINITY; x[1 * ld + j] = j == cols / 2 ? 5.0f : -INFINITY; }
                for (int j = 0; j < cols; j++) x[2 * ld + j] = frand() * 1e30f;
            }
            for (int i = 0; i < R * ld; i++) { res[i] = frand(); g[i] = frand(); }
            for (int j = 0; j < cols; j++) { gam[j] = frand(); bet[j] = frand(); }
            memcpy(y, x, 4u * R * ld);
            ck_softmax_rows(y, R, cols, ld);
            hs = fnv(hs, y, 4u * R * ld);
            memcpy(y, x, 4u * R * ld);
            ck_log_softmax_rows(y, R, cols, ld);
            hl = fnv(hl, y, 4u * R * ld);
            for (int act = 0; act < 3; act++) {
                memcpy(y, x, 4u * R * ld);
                ck_bias_act_rows(y, R, cols, ld, act == 1 ? NULL : bet, (ck_activation)act);
                hb = fnv(hb, y, 4u * R * ld);
            }
            if (t) continue;  // LayerNorm on finite rows only (the public contract)
            ck_layernorm_rows(x, ld, c % 2 ? res : NULL, ld, gam, bet, 1e-5f, y, ld, R, cols);
            hn = fnv(hn, y, 4u * R * ld);
            ck_layernorm_rows_saving(x, ld, res, ld, gam, bet, 1e-5f, y, ld, R, cols, mean, rstd);
            hs2 = fnv(fnv(fnv(hs2, y, 4u * R * ld), mean, 4u * R), rstd, 4u * R);
            ck_layernorm_backward_rows(x, ld, res, ld, gam, mean, rstd, g, ld, dz, ld, dg, db, R, cols);
            hnb = fnv(fnv(fnv(hnb, dz, 4u * R * ld), dg, 4u * cols), db, 4u * cols);
        }
        free(x); free(y); free(res); free(gam); free(bet); free(mean); free(rstd); free(g); free(dz); free(dg); free(db);
    }
    printf("  softmax         %016llx\n  log_softmax     %016llx\n  bias_act        %016llx\n", (unsigned long long)hs,
           (unsigned long long)hl, (unsigned long long)hb);
    printf("  layernorm       %016llx\n  layernorm_save  %016llx\n  layernorm_bwd   %016llx\n", (unsigned long long)hn,
           (unsigned long long)hs2, (unsigned long long)hnb);
}

int main(void) {
    const ck_isa paths[] = {CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON};
    for (unsigned p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if (ck_force_isa(paths[p]) != 0) continue;
        rng = 0xD16E57;
        printf("%s:\n", ck_isa_name(paths[p]));
        gemms();
        elementwise();
        rows();
    }
    return 0;
}
