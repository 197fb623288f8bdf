// FMA peak probe: `chains` independent accumulator chains that live in registers, a = a·m + c per lane per step,
// no loads or stores in the loop. Enough chains to cover FMA latency × FMA ports on every core seen so far
// (Zen 4: 4 cycles × 2 pipes = 8 vectors in flight; 12 keeps the pipes full with slack, and leaves registers
// for the two operands on AVX2's 16). The multiplier is just below 1 and the addend small, so every value
// converges to c/(1−m) and stays a normal float: no denormal or overflow slowdown.
#include "ck_internal.h"

#define CK_PEAK_M 0.9999999f
#define CK_PEAK_C 1e-7f

#if defined(__x86_64__)
#include <immintrin.h>

CK_TARGET_AVX512 static double peak_avx512(int64_t steps) {
    __m512 m = _mm512_set1_ps(CK_PEAK_M), c = _mm512_set1_ps(CK_PEAK_C);
    __m512 a0 = _mm512_set1_ps(0.1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0,
           a10 = a0, a11 = a0;
    for (int64_t s = 0; s < steps; s++) {
        a0 = _mm512_fmadd_ps(a0, m, c); a1 = _mm512_fmadd_ps(a1, m, c); a2 = _mm512_fmadd_ps(a2, m, c);
        a3 = _mm512_fmadd_ps(a3, m, c); a4 = _mm512_fmadd_ps(a4, m, c); a5 = _mm512_fmadd_ps(a5, m, c);
        a6 = _mm512_fmadd_ps(a6, m, c); a7 = _mm512_fmadd_ps(a7, m, c); a8 = _mm512_fmadd_ps(a8, m, c);
        a9 = _mm512_fmadd_ps(a9, m, c); a10 = _mm512_fmadd_ps(a10, m, c); a11 = _mm512_fmadd_ps(a11, m, c);
    }
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                               _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    return (double)_mm512_reduce_add_ps(sum);
}

CK_TARGET_AVX2 static double peak_avx2(int64_t steps) {
    __m256 m = _mm256_set1_ps(CK_PEAK_M), c = _mm256_set1_ps(CK_PEAK_C);
    __m256 a0 = _mm256_set1_ps(0.1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0,
           a10 = a0, a11 = a0;
    for (int64_t s = 0; s < steps; s++) {
        a0 = _mm256_fmadd_ps(a0, m, c); a1 = _mm256_fmadd_ps(a1, m, c); a2 = _mm256_fmadd_ps(a2, m, c);
        a3 = _mm256_fmadd_ps(a3, m, c); a4 = _mm256_fmadd_ps(a4, m, c); a5 = _mm256_fmadd_ps(a5, m, c);
        a6 = _mm256_fmadd_ps(a6, m, c); a7 = _mm256_fmadd_ps(a7, m, c); a8 = _mm256_fmadd_ps(a8, m, c);
        a9 = _mm256_fmadd_ps(a9, m, c); a10 = _mm256_fmadd_ps(a10, m, c); a11 = _mm256_fmadd_ps(a11, m, c);
    }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                               _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    sum = _mm256_add_ps(sum, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    double total = 0;
    for (int i = 0; i < 8; i++) total += lanes[i];
    return total;
}
#endif

#if defined(__aarch64__)
#include <arm_neon.h>

static double peak_neon(int64_t steps) {
    float32x4_t m = vdupq_n_f32(CK_PEAK_M), c = vdupq_n_f32(CK_PEAK_C);
    float32x4_t a[16];
    for (int i = 0; i < 16; i++) a[i] = vdupq_n_f32(0.1f);
    for (int64_t s = 0; s < steps; s++) {
        for (int i = 0; i < 16; i++) a[i] = vfmaq_f32(c, a[i], m);
    }
    float32x4_t sum = a[0];
    for (int i = 1; i < 16; i++) sum = vaddq_f32(sum, a[i]);
    return (double)vaddvq_f32(sum);
}
#endif

// Portable C: 12 scalar chains of a·m + c. Without FMA flags the compiler emits a multiply and an add (it may
// also vectorise the chains with the baseline SIMD), so this is the peak of the scalar path as built, not of
// the core.
static double peak_scalar(int64_t steps) {
    float a[12];
    for (int i = 0; i < 12; i++) a[i] = 0.1f;
    for (int64_t s = 0; s < steps; s++) {
        for (int i = 0; i < 12; i++) a[i] = a[i] * CK_PEAK_M + CK_PEAK_C;
    }
    double total = 0;
    for (int i = 0; i < 12; i++) total += a[i];
    return total;
}

int64_t ck_fma_peak_flops_per_step(ck_isa isa) {
    switch (isa) {
    case CK_ISA_AVX512: return 12 * 16 * 2;
    case CK_ISA_AVX2: return 12 * 8 * 2;
    case CK_ISA_NEON: return 16 * 4 * 2;
    case CK_ISA_SCALAR: return 12 * 2;
    default: return 0;
    }
}

double ck_fma_peak_probe(ck_isa isa, int64_t steps) {
    if (isa == CK_ISA_AUTO) isa = ck_current_isa();
    if (!ck_isa_supported(isa) || steps < 0) return -1;
    switch (isa) {
#if defined(__x86_64__)
    case CK_ISA_AVX512: return peak_avx512(steps);
    case CK_ISA_AVX2: return peak_avx2(steps);
#endif
#if defined(__aarch64__)
    case CK_ISA_NEON: return peak_neon(steps);
#endif
    case CK_ISA_SCALAR: return peak_scalar(steps);
    default: return -1;
    }
}
