// Exhaustive accuracy check of ck_vexp: every one of the 2^32 float inputs, on every ISA path this CPU
// runs, against exp() in double precision.
//
// Build and run (no -m flags: the paths are chosen at run time exactly as in the package):
//   /opt/swift/usr/bin/clang -O2 -ISources/CKernels/include Scripts/check_exp_ulp.c Sources/CKernels/*.c
//       -o /tmp/check_exp_ulp -lm -lpthread && /tmp/check_exp_ulp       (one line; ~1 min per path)
//
// Two figures per path:
//   - ulp distance: |bits(y) - bits(round_to_float(exp_double(x)))| over the ordered float line,
//   - ulp error: |y - exp_double(x)| / ulp(exp_double(x)) as a real number (ulp of the float binade the
//     exact result lies in; 2^-149 in the subnormal range).
// Special values must match exactly: NaN -> NaN, overflow -> +inf, underflow -> +0.
#include "CKernels.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHUNK 65536

typedef struct {
    uint64_t first, step;  // chunk indices first, first + step, ...
    uint32_t max_dist;
    double max_err;
    uint32_t worst_dist_x, worst_err_x;
    uint64_t special_fail;
    uint64_t nan_count;
} job;

static float from_bits(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t to_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

// Maps floats to integers monotonically so that the difference of two finite floats is their ulp distance.
static int64_t ordered(float f) {
    int32_t i = (int32_t)to_bits(f);
    return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
}

static void *run(void *arg) {
    job *j = arg;
    static _Thread_local float xs[CHUNK], ys[CHUNK];
    for (uint64_t chunk = j->first; chunk < (1ULL << 32) / CHUNK; chunk += j->step) {
        const uint64_t base = chunk * CHUNK;
        for (int i = 0; i < CHUNK; i++) xs[i] = from_bits((uint32_t)(base + (uint64_t)i));
        ck_vexp(xs, ys, CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            const float x = xs[i], y = ys[i];
            if (isnan(x)) {
                j->nan_count++;
                if (!isnan(y)) j->special_fail++;
                continue;
            }
            const double e = exp((double)x);
            const float ref = (float)e;
            // NaN only for NaN input; an infinite result or reference must be matched exactly (results
            // that underflow are measured in units of the least subnormal like any other).
            if (isnan(y) || ((isinf(ref) || isinf(y)) && to_bits(y) != to_bits(ref))) {
                if (++j->special_fail <= 5) fprintf(stderr, "  special mismatch x=%a y=%a ref=%a\n", x, y, ref);
                continue;
            }
            if (isinf(ref)) continue;
            const int64_t d = ordered(y) - ordered(ref);
            const uint32_t dist = (uint32_t)(d < 0 ? -d : d);
            if (dist > j->max_dist) { j->max_dist = dist; j->worst_dist_x = to_bits(x); }
            int ex;
            frexp(e, &ex);  // e = f * 2^ex, f in [0.5, 1): binade [2^(ex-1), 2^ex), ulp 2^(ex-24)
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
            // Chunks dealt round-robin, so both threads get a similar share of the in-range inputs.
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
            all.nan_count += jobs[t].nan_count;
        }
        printf("%-7s max ulp distance %u (x=%a)  max ulp error %.4f (x=%a)  special mismatches %llu  NaN inputs %llu\n",
               ck_isa_name(isas[k]), all.max_dist, from_bits(all.worst_dist_x), all.max_err,
               from_bits(all.worst_err_x), (unsigned long long)all.special_fail, (unsigned long long)all.nan_count);
        fflush(stdout);
        if (all.max_dist > 2 || all.special_fail) failed = 1;
    }
    ck_force_isa(CK_ISA_AUTO);
    printf(failed ? "FAILED: bound 2 ulp exceeded or special values wrong\n" : "OK: all paths within 2 ulp\n");
    return failed;
}
