// Flash-attention kernel self-test in plain C: every ISA path this CPU (or emulator) runs, against a naive
// Float64 implementation, for the forward, the backward (dq, dk, dv, dbias), the weights and the decode kernels,
// with a causal band, an additive bias with -inf entries, and dropout. Exits non-zero on a mismatch.
//
//   cc -O2 -ISources/AttentionCKernels/include Scripts/flash_selftest.c Sources/AttentionCKernels/*.c -lm -o /tmp/flash_selftest
//   /tmp/flash_selftest              (CK_DIGEST=1: also a hash of every output, to diff two builds bit for bit)
//
// NEON under qemu-user (packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user):
//   aarch64-linux-gnu-gcc -O2 -static -ISources/AttentionCKernels/include Scripts/flash_selftest.c Sources/AttentionCKernels/*.c
//       -lm -o /tmp/flash_selftest_arm64 && qemu-aarch64 /tmp/flash_selftest_arm64
#include "AttentionCKernels.h"
#include "ck_flash.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x5EED;
static float frand(void) {  // uniform in [-1, 1)
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng >> 40) * (1.0 / 8388608.0)) - 1.0f;
}
static uint64_t mix(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct { int L, S, E, Ev, causal, bias, dropout; } shape;

// Naive Float64: weights W (after dropout) and output; gradients from dO.
static void naive(const shape *c, const float *q, const float *k, const float *v, const float *bias, float scale,
                  uint64_t thr, float ds, const float *dO, double *o, double *w, double *dq, double *dk, double *dv,
                  double *db) {
    int L = c->L, S = c->S, E = c->E, Ev = c->Ev;
    double *p = malloc(sizeof(double) * S), *z = malloc(sizeof(double) * S), *dp = malloc(sizeof(double) * S);
    memset(dk, 0, sizeof(double) * S * E);
    memset(dv, 0, sizeof(double) * S * Ev);
    for (int i = 0; i < L; i++) {
        double m = -INFINITY;
        for (int j = 0; j < S; j++) {
            double s = 0;
            for (int e = 0; e < E; e++) s += (double)q[i * E + e] * k[j * E + e];
            s = s * scale + (bias ? bias[i * S + j] : 0.0);
            if (c->causal && j > i + S - L) s = -INFINITY;  // lower-right alignment
            p[j] = s;
            m = s > m ? s : m;
        }
        double l = 0;
        for (int j = 0; j < S; j++) { p[j] = m == -INFINITY ? 0 : exp(p[j] - m); l += p[j]; }
        for (int j = 0; j < S; j++) {
            p[j] = l > 0 ? p[j] / l : 0;
            z[j] = thr ? ((mix(0x1234 ^ mix((uint64_t)i * S + j)) >> 11) >= thr ? ds : 0.0) : 1.0;
            w[i * S + j] = p[j] * z[j];
        }
        double delta = 0;
        for (int d = 0; d < Ev; d++) {
            double acc = 0;
            for (int j = 0; j < S; j++) acc += w[i * S + j] * v[j * Ev + d];
            o[i * Ev + d] = acc;
            delta += acc * dO[i * Ev + d];
        }
        for (int j = 0; j < S; j++) {
            double g = 0;
            for (int d = 0; d < Ev; d++) g += (double)dO[i * Ev + d] * v[j * Ev + d];
            dp[j] = g * z[j];
            for (int d = 0; d < Ev; d++) dv[j * Ev + d] += w[i * S + j] * dO[i * Ev + d];
        }
        for (int e = 0; e < E; e++) dq[i * E + e] = 0;
        for (int j = 0; j < S; j++) {
            double dsij = p[j] * (dp[j] - delta);
            db[i * S + j] = dsij;
            for (int e = 0; e < E; e++) {
                dq[i * E + e] += dsij * scale * k[j * E + e];
                dk[j * E + e] += dsij * scale * q[i * E + e];
            }
        }
    }
    free(p); free(z); free(dp);
}

static double maxdiff(const float *a, const double *b, long n) {
    double m = 0;
    for (long x = 0; x < n; x++) {
        double d = fabs((double)a[x] - b[x]);
        if (!(d <= m)) m = d;  // NaN propagates
    }
    return m;
}

static int check(const char *what, double err, double tol, ck_isa isa, const shape *c) {
    if (err <= tol) return 0;
    printf("FAIL %s: %s L%d S%d E%d Ev%d causal %d bias %d dropout %d: max error %g > %g\n", ck_isa_name(isa), what,
           c->L, c->S, c->E, c->Ev, c->causal, c->bias, c->dropout, err, tol);
    return 1;
}

static int run(ck_isa isa, const shape *c) {
    const int L = c->L, S = c->S, E = c->E, Ev = c->Ev;
    const float scale = 1.0f / sqrtf((float)E), p = 0.25f;
    float *q = malloc(4 * L * E), *k = malloc(4 * S * E), *v = malloc(4 * S * Ev), *dO = malloc(4 * L * Ev);
    float *bias = c->bias ? malloc(4 * L * S) : 0;
    for (int x = 0; x < L * E; x++) q[x] = frand();
    for (int x = 0; x < S * E; x++) k[x] = frand();
    for (int x = 0; x < S * Ev; x++) v[x] = frand();
    for (int x = 0; x < L * Ev; x++) dO[x] = frand();
    if (bias) for (int x = 0; x < L * S; x++) bias[x] = x % 11 == 3 ? -INFINITY : frand();
    int32_t *lo = calloc(L, 4), *hi = malloc(4 * L);
    for (int i = 0; i < L; i++) { int h = i + S - L + 1; hi[i] = c->causal ? (h < 0 ? 0 : h > S ? S : h) : S; }
    const uint64_t thr = c->dropout ? (uint64_t)ceil(p * 9007199254740992.0) : 0;
    ck_flash_head head = {.isa = isa, .L = L, .S = S, .E = E, .Ev = Ev, .scale = scale, .key_lo = lo, .key_hi = hi,
                          .bias = bias, .bias_rs = S, .drop_threshold = thr, .drop_seed = 0x1234, .drop_base = 0,
                          .drop_scale = c->dropout ? 1.0f / (1.0f - p) : 1.0f};
    const ck_flash_config cfg = ck_flash_get_config(isa);
    size_t wsz = ck_flash_workspace_size(E, Ev), bsz = ck_flash_backward_workspace_size(E, Ev, S);
    void *ws = aligned_alloc(64, (wsz > bsz ? wsz : bsz + 63) / 64 * 64 + 64);
    float *o = malloc(4 * L * Ev), *rm = malloc(4 * L), *rs = malloc(4 * L), *w = malloc(4 * L * S);
    float *dq = malloc(4 * L * E), *dk = malloc(4 * S * E), *dv = malloc(4 * S * Ev), *db = calloc(L * S, 4);
    double *ro = malloc(8 * L * Ev), *rw = malloc(8 * L * S), *rdq = malloc(8 * L * E), *rdk = malloc(8 * S * E);
    double *rdv = malloc(8 * S * Ev), *rdb = malloc(8 * L * S);
    naive(c, q, k, v, bias, scale, thr, head.drop_scale, dO, ro, rw, rdq, rdk, rdv, rdb);
    int bad = 0;

    if (L <= 4) {  // decode: split keys into chunks of decode_keys, merge in order
        const int chunk = (int)cfg.decode_keys, parts = (S + chunk - 1) / chunk;
        float *acc = malloc(4 * (parts > 0 ? parts : 1) * Ev), *pm = malloc(4 * parts + 4), *pl = malloc(4 * parts + 4);
        for (int i = 0; i < L; i++) {
            for (int cidx = 0; cidx < parts; cidx++) {
                ck_flash_decode_args a = {&head, q + i * E, k, E, v, Ev, i, (int64_t)cidx * chunk,
                                          (cidx + 1) * chunk < S ? (cidx + 1) * chunk : S, acc + cidx * Ev, pm + cidx, pl + cidx};
                ck_flash_decode(&a);
            }
            ck_flash_decode_merge(acc, pm, pl, parts, Ev, head.drop_scale, o + i * Ev, rm + i, rs + i);
        }
        free(acc); free(pm); free(pl);
    } else {
        for (int r0 = 0; r0 < L; r0 += (int)cfg.fwd_rows) {
            ck_flash_fwd_args a = {&head, q, E, k, E, v, Ev, o, Ev, rm, rs, r0,
                                   L - r0 < cfg.fwd_rows ? L - r0 : cfg.fwd_rows, ws};
            ck_flash_forward(&a);
        }
    }
    bad += check("output", maxdiff(o, ro, (long)L * Ev), 2e-6, isa, c);
    ck_flash_weights_args wa = {&head, q, E, k, E, rm, rs, w, S, 0, S, ws};
    ck_flash_weights(&wa);
    bad += check("weights", maxdiff(w, rw, (long)L * S), 2e-6, isa, c);
    ck_flash_bwd_args ba = {&head, q, E, k, E, v, Ev, dO, Ev, rm, rs, dq, E, dk, E, dv, Ev, bias ? db : 0, S, 0, L, ws};
    ck_flash_backward(&ba);
    bad += check("dq", maxdiff(dq, rdq, (long)L * E), 1e-5, isa, c);
    bad += check("dk", maxdiff(dk, rdk, (long)S * E), 1e-5, isa, c);
    bad += check("dv", maxdiff(dv, rdv, (long)S * Ev), 1e-5, isa, c);
    if (bias) bad += check("dbias", maxdiff(db, rdb, (long)L * S), 1e-5, isa, c);
    if (getenv("CK_DIGEST")) {  // bit-identity witness across refactors: a hash of every output's bytes
        const void *out[] = {o, rm, rs, w, dq, dk, dv, db};
        const size_t len[] = {4u * L * Ev, 4u * L, 4u * L, 4u * L * S, 4u * L * E, 4u * S * E, 4u * S * Ev, 4u * L * S};
        uint64_t h = 0xCBF29CE484222325ull;
        for (int b = 0; b < 8; b++) {
            for (size_t i = 0; i < len[b]; i++) h = (h ^ ((const unsigned char *)out[b])[i]) * 0x100000001B3ull;
        }
        printf("  %s L%d S%d E%d Ev%d: %016llx\n", ck_isa_name(isa), L, S, E, Ev, (unsigned long long)h);
    }
    free(q); free(k); free(v); free(dO); free(bias); free(lo); free(hi); free(ws); free(o); free(rm); free(rs);
    free(w); free(dq); free(dk); free(dv); free(db); free(ro); free(rw); free(rdq); free(rdk); free(rdv); free(rdb);
    return bad;
}

int main(void) {
    const shape shapes[] = {
        {1, 239, 64, 64, 0, 0, 0}, {3, 300, 21, 40, 1, 1, 1}, {127, 513, 59, 64, 1, 0, 0}, {113, 203, 40, 21, 0, 1, 1},
        {200, 70, 111, 80, 1, 1, 0}, {65, 64, 8, 8, 0, 0, 1}, {40, 25, 16, 16, 1, 0, 0},
    };
    const ck_isa paths[] = {CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON};
    int bad = 0, runs = 0;
    for (unsigned x = 0; x < sizeof paths / sizeof paths[0]; x++) {
        if (!ck_isa_supported(paths[x])) continue;
        for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++) { bad += run(paths[x], &shapes[s]); runs++; }
        printf("%s: checked\n", ck_isa_name(paths[x]));
    }
    printf("%d runs, %d failures\n", runs, bad);
    return bad != 0;
}
