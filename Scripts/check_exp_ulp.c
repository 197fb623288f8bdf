// Exhaustive accuracy check of ck_vexp: every one of the 2^32 float inputs, on every ISA path this CPU runs,
// against exp() in double precision (driver and figures: ulp_check.h). NaN -> NaN, overflow -> +inf,
// underflow -> +0 must match exactly.
//
// Build and run (no -m flags: the paths are chosen at run time exactly as in the package):
//   /opt/swift/usr/bin/clang -O2 -ISources/AttentionCKernels/include Scripts/check_exp_ulp.c Sources/AttentionCKernels/*.c
//       -o /tmp/check_exp_ulp -lm -lpthread && /tmp/check_exp_ulp       (one line; ~1 min per path)
#include "ulp_check.h"

static double exp_reference(float x) { return exp((double)x); }

int main(void) { return ulp_check_all_paths(ck_vexp, exp_reference, 2); }
