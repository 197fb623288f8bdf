// Exhaustive accuracy check of the exact-GELU epilogue (ck_bias_act_rows with CK_ACT_GELU_ERF): every one of the
// 2^32 float inputs, on every ISA path this CPU runs, against 0.5*x*erfc(-x/sqrt 2) in double (= x/2 (1 + erf(x/sqrt 2))
// without cancellation); driver and figures: ulp_check.h. NaN stays NaN, +inf -> +inf, -inf -> NaN (the formula's
// -inf * 0, which the double reference gives too).
//
// Build and run (no -m flags: the paths are chosen at run time exactly as in the package):
//   /opt/swift/usr/bin/clang -O2 -ISources/AttentionCKernels/include Scripts/check_gelu_ulp.c Sources/AttentionCKernels/*.c
//       -o /tmp/check_gelu_ulp -lm -lpthread && /tmp/check_gelu_ulp       (one line; ~1-2 min per path)
#include "ulp_check.h"
#include "ck_rowops.h"

static void gelu_kernel(const float *x, float *y, int64_t n) {
    memcpy(y, x, (size_t)n * sizeof(float));  // the epilogue works in place
    ck_bias_act_rows(y, 1, n, n, NULL, CK_ACT_GELU_ERF);
}

// 1 + erf(u) = erfc(-u): the form without cancellation, so the negative tail is exact in double too.
static double gelu_reference(float x) { return 0.5 * (double)x * erfc(-(double)x * 0.70710678118654752440); }

int main(void) { return ulp_check_all_paths(gelu_kernel, gelu_reference, 8); }
