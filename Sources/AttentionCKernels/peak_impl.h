// Private template: the FMA peak probe (ck_fma_peak_probe), instantiated by every ISA file
// with PK_CHAINS independent accumulator chains that live in registers, a = a·m + c per lane per step, no loads or stores in the loop. Enough chains to cover FMA latency × FMA ports on every core seen so far
// (Zen 4: 4 cycles × 2 pipes = 8 vectors in flight; 12 keeps the pipes full with slack, and leaves registers
// for the two operands on AVX2's 16). The multiplier is just below 1 and the addend small, so every value
// converges to c/(1−m) and stays a normal float: no denormal or overflow slowdown.
#include "ck_simd.h"

#define CK_PEAK_M 0.9999999f
#define CK_PEAK_C 1e-7f
#define PK_FLOPS_PER_STEP (PK_CHAINS * FV_N * 2)

// Returns a checksum of the accumulators, so the loop cannot be removed.
CK_SIMD_TARGET static double CK_FN(pk_probe)(int64_t steps) {
    const fv m = fv_set1(CK_PEAK_M), c = fv_set1(CK_PEAK_C);
    fv a[PK_CHAINS];
#pragma clang loop unroll(full)
    for (int i = 0; i < PK_CHAINS; i++) a[i] = fv_set1(0.1f);
    for (int64_t s = 0; s < steps; s++) {
        // Without FMA hardware (scalar on baseline x86-64) this is a multiply and an add, and the compiler may
        // vectorise the chains with the baseline SIMD: the peak of the path as built, not of the core.
#pragma clang loop unroll(full)
        for (int i = 0; i < PK_CHAINS; i++) a[i] = fv_fma(a[i], m, c);
    }
    fv sum = a[0];
#pragma clang loop unroll(full)
    for (int i = 1; i < PK_CHAINS; i++) sum = fv_add(sum, a[i]);
    return (double)fv_hsum(sum);
}
