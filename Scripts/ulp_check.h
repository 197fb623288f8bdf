// Shared driver of the exhaustive accuracy checks (check_exp_ulp.c, check_gelu_ulp.c): runs a float kernel on all
// 2^32 inputs, on every ISA path this CPU supports, two threads, and compares each result with a double-precision
// reference.
//
// Figures per path:
//   - ulp distance: |bits(y) - bits(round_to_float(reference(x)))| over the ordered float line (and how many inputs
//     are more than 1 ulp away),
//   - ulp error: |y - reference(x)| / ulp(reference(x)) as a real number (ulp of the float binade the exact result
//     lies in; 2^-149 in the subnormal range).
// Special values must match exactly: where the rounded reference or the result is NaN or infinite, both must be the
// same infinity or both NaN. Results that underflow are measured in units of the least subnormal like any other.
#ifndef ULP_CHECK_H
#define ULP_CHECK_H

#include "AttentionCKernels.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ULP_CHUNK 65536

/// y[i] = f(x[i]) for n inputs (the kernel under test).
typedef void (*ulp_kernel)(const float *x, float *y, int64_t n);
/// The exact value of f(x), in double.
typedef double (*ulp_reference)(float x);

typedef struct {
    ulp_kernel kernel;
    ulp_reference reference;
    uint64_t first, step;  // chunk indices first, first + step, ...
    uint32_t max_dist;
    double max_err;
    uint32_t worst_dist_x, worst_err_x;
    uint64_t special_fail, over1;
} ulp_job;

static float ulp_from_bits(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t ulp_to_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

// Maps floats to integers monotonically so that the difference of two finite floats is their ulp distance.
static int64_t ulp_ordered(float f) {
    int32_t i = (int32_t)ulp_to_bits(f);
    return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
}

static void *ulp_run(void *arg) {
    ulp_job *j = arg;
    static _Thread_local float xs[ULP_CHUNK], ys[ULP_CHUNK];
    for (uint64_t chunk = j->first; chunk < (1ULL << 32) / ULP_CHUNK; chunk += j->step) {
        const uint64_t base = chunk * ULP_CHUNK;
        for (int i = 0; i < ULP_CHUNK; i++) xs[i] = ulp_from_bits((uint32_t)(base + (uint64_t)i));
        j->kernel(xs, ys, ULP_CHUNK);
        for (int i = 0; i < ULP_CHUNK; i++) {
            const float x = xs[i], y = ys[i];
            const double e = j->reference(x);
            const float ref = (float)e;
            if (isnan(ref) || isinf(ref) || isnan(y) || isinf(y)) {
                if (ulp_to_bits(y) != ulp_to_bits(ref) && !(isnan(y) && isnan(ref))) {
                    if (++j->special_fail <= 5) fprintf(stderr, "  special mismatch x=%a y=%a ref=%a\n", x, y, ref);
                }
                continue;
            }
            const int64_t d = ulp_ordered(y) - ulp_ordered(ref);
            const uint32_t dist = (uint32_t)(d < 0 ? -d : d);
            if (dist > j->max_dist) { j->max_dist = dist; j->worst_dist_x = ulp_to_bits(x); }
            if (dist > 1) j->over1++;
            int ex;
            frexp(e, &ex);  // e = f * 2^ex, f in [0.5, 1): binade [2^(ex-1), 2^ex), ulp 2^(ex-24)
            const double ulp = ldexp(1.0, (ex - 24) < -149 ? -149 : ex - 24);
            const double err = fabs((double)y - e) / ulp;
            if (err > j->max_err) { j->max_err = err; j->worst_err_x = ulp_to_bits(x); }
        }
    }
    return NULL;
}

/// Checks `kernel` against `reference` on every supported path; prints one line per path and the verdict, and
/// returns 0 when every path stays within `bound` ulps with all special values right, 1 otherwise.
static int ulp_check_all_paths(ulp_kernel kernel, ulp_reference reference, uint32_t bound) {
    const ck_isa isas[] = {CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON};
    int failed = 0;
    for (int k = 0; k < 4; k++) {
        if (!ck_isa_supported(isas[k])) continue;
        ck_force_isa(isas[k]);
        enum { T = 2 };
        ulp_job jobs[T];
        pthread_t th[T];
        for (int t = 0; t < T; t++) {
            memset(&jobs[t], 0, sizeof jobs[t]);
            jobs[t].kernel = kernel;
            jobs[t].reference = reference;
            // Chunks dealt round-robin, so both threads get a similar share of the in-range inputs.
            jobs[t].first = (uint64_t)t;
            jobs[t].step = T;
            pthread_create(&th[t], NULL, ulp_run, &jobs[t]);
        }
        ulp_job all;
        memset(&all, 0, sizeof all);
        for (int t = 0; t < T; t++) {
            pthread_join(th[t], NULL);
            if (jobs[t].max_dist > all.max_dist) { all.max_dist = jobs[t].max_dist; all.worst_dist_x = jobs[t].worst_dist_x; }
            if (jobs[t].max_err > all.max_err) { all.max_err = jobs[t].max_err; all.worst_err_x = jobs[t].worst_err_x; }
            all.special_fail += jobs[t].special_fail;
            all.over1 += jobs[t].over1;
        }
        printf("%-7s max ulp distance %u (x=%a)  max ulp error %.4f (x=%a)  inputs > 1 ulp away %llu  special mismatches %llu\n",
               ck_isa_name(isas[k]), all.max_dist, ulp_from_bits(all.worst_dist_x), all.max_err,
               ulp_from_bits(all.worst_err_x), (unsigned long long)all.over1, (unsigned long long)all.special_fail);
        fflush(stdout);
        if (all.max_dist > bound || all.special_fail) failed = 1;
    }
    ck_force_isa(CK_ISA_AUTO);
    if (failed) printf("FAILED: bound %u ulp exceeded or special values wrong\n", bound);
    else printf("OK: all paths within %u ulp\n", bound);
    return failed;
}

#endif
