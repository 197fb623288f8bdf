// Exhaustive accuracy check of the exact-GELU epilogue (ck_bias_act_rows with CK_ACT_GELU_ERF): every one of
// the 2^32 float inputs, on every ISA path this CPU runs, against 0.5*x*erfc(-x/sqrt 2) in double (= x/2 (1 + erf(x/sqrt 2)) without cancellation).
//
// Build and run (no -m flags: the paths are chosen at run time exactly as in the package):
//   /opt/swift/usr/bin/clang -O2 -ISources/CKernels/include Scripts/check_gelu_ulp.c Sources/CKernels/*.c
//       -o /tmp/check_gelu_ulp -lm -lpthread && /tmp/check_gelu_ulp       (one line; ~1-2 min per path)
//
// Figures per path: the ulp distance to the correctly rounded reference over the ordered float line, and the
// error in ulps of the reference's binade (2^-149 for subnormal results). Special values must match: NaN
// stays NaN, +inf -> +inf, -inf -> NaN (the formula's -inf * 0, which the double reference gives too).
#include "CKernels.h"
#include "ck_rowops.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHUNK 65536

typedef struct {
    uint64_t first, step;
    uint32_t max_dist;
    double max_err;
    uint32_t worst_dist_x, worst_err_x;
    uint64_t special_fail, over1;
} job;

static float from_bits(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t to_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static int64_t ordered(float f) {
    int32_t i = (int32_t)to_bits(f);
    return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
}

static void *run(void *arg) {
    job *j = arg;
    static _Thread_local float ys[CHUNK], xs[CHUNK];
    for (uint64_t chunk = j->first; chunk < (1ULL << 32) / CHUNK; chunk += j->step) {
        const uint64_t base = chunk * CHUNK;
        for (int i = 0; i < CHUNK; i++) xs[i] = ys[i] = from_bits((uint32_t)(base + (uint64_t)i));
        ck_bias_act_rows(ys, 1, CHUNK, CHUNK, NULL, CK_ACT_GELU_ERF);
        for (int i = 0; i < CHUNK; i++) {
            const float x = xs[i], y = ys[i];
            // 1 + erf(u) = erfc(-u): the form without cancellation, so the negative tail is exact in double too.
            const double e = 0.5 * (double)x * erfc(-(double)x * 0.70710678118654752440);
            const float ref = (float)e;
            if (isnan(ref) || isinf(ref) || isnan(y) || isinf(y)) {
                if (to_bits(y) != to_bits(ref) && !(isnan(y) && isnan(ref))) {
                    if (++j->special_fail <= 5) fprintf(stderr, "  special mismatch x=%a y=%a ref=%a\n", x, y, ref);
                }
                continue;
            }
            const int64_t d = ordered(y) - ordered(ref);
            const uint32_t dist = (uint32_t)(d < 0 ? -d : d);
            if (dist > j->max_dist) { j->max_dist = dist; j->worst_dist_x = to_bits(x); }
            if (dist > 1) j->over1++;
            int ex;
            frexp(e, &ex);
            const double ulp = ldexp(1.0, (ex - 24) < -149 ? -149 : ex - 24);
            const double err = fabs((double)y - e) / ulp;
            if (err > j->max_err) { j->max_err = err; j->worst_err_x = to_bits(x); }
        }
    }
    return NULL;
}

int main(void) {
    const ck_isa isas[] = {CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON};
    int failed = 0;
    for (int k = 0; k < 4; k++) {
        if (!ck_isa_supported(isas[k])) continue;
        ck_force_isa(isas[k]);
        enum { T = 2 };
        job jobs[T];
        pthread_t th[T];
        for (int t = 0; t < T; t++) {
            memset(&jobs[t], 0, sizeof jobs[t]);
            jobs[t].first = (uint64_t)t;
            jobs[t].step = T;
            pthread_create(&th[t], NULL, run, &jobs[t]);
        }
        job all;
        memset(&all, 0, sizeof all);
        for (int t = 0; t < T; t++) {
            pthread_join(th[t], NULL);
            if (jobs[t].max_dist > all.max_dist) { all.max_dist = jobs[t].max_dist; all.worst_dist_x = jobs[t].worst_dist_x; }
            if (jobs[t].max_err > all.max_err) { all.max_err = jobs[t].max_err; all.worst_err_x = jobs[t].worst_err_x; }
            all.special_fail += jobs[t].special_fail;
            all.over1 += jobs[t].over1;
        }
        printf("%-7s max ulp distance %u (x=%a)  max ulp error %.4f (x=%a)  inputs > 1 ulp away %llu  special mismatches %llu\n",
               ck_isa_name(isas[k]), all.max_dist, from_bits(all.worst_dist_x), all.max_err,
               from_bits(all.worst_err_x), (unsigned long long)all.over1, (unsigned long long)all.special_fail);
        fflush(stdout);
        if (all.max_dist > 8 || all.special_fail) failed = 1;
    }
    ck_force_isa(CK_ISA_AUTO);
    printf(failed ? "FAILED: bound 8 ulp exceeded or special values wrong\n" : "OK: all paths within 8 ulp\n");
    return failed;
}
