// Private: the small vector vocabulary every kernel template is written in, one section per ISA
// (ck_simd_avx512.h, ck_simd_avx2.h, ck_simd_neon.h, ck_simd_scalar.h).
//
// An ISA translation unit (ck_avx512.c, ck_avx2.c, ck_neon.c, ck_scalar.c) defines exactly one of
// CK_SIMD_AVX512 / CK_SIMD_AVX2 / CK_SIMD_NEON / CK_SIMD_SCALAR, includes this header, then the kernel
// templates (*_impl.h), and exports its table of kernels (ck_table.h). Every helper is an always-inline
// function carrying the ISA's target attribute, so the templates compile to straight SIMD code with no calls;
// `fv` is the float vector of FV_N lanes (a plain float on the scalar path), CK_FN(name) names a template's
// instance for the ISA (name_avx2, ...). A new path is one more section here, one ISA file and one line in the
// chooser (dispatch.c).
//
// fv_exp(x), the only transcendental of the kernels, is written once on this vocabulary (ck_exp.h, <= 2 ulp
// over the whole float range, exp(-inf) = 0); ck_vexp, the softmax and flash attention all use it.
#ifndef CK_SIMD_H
#define CK_SIMD_H

#include "ck_table.h"
#include <stdint.h>
#include <string.h>

#define CK_INLINE static inline __attribute__((always_inline))

// SplitMix64 finaliser, identical to AttentionDropout.mix in Swift.
static inline uint64_t fl_mix64(uint64_t x) {
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Whether dropout keeps the weight with flat index `idx` (top 53 bits of the hash compared in integers, which
/// is exactly Swift's `Double(h >> 11) * 2^-53 >= p`).
static inline int fl_keeps(uint64_t seed, uint64_t threshold, uint64_t idx) {
    return (fl_mix64(seed ^ fl_mix64(idx)) >> 11) >= threshold;
}

#if defined(CK_SIMD_AVX512)
#include <immintrin.h>
#include "ck_simd_avx512.h"
#elif defined(CK_SIMD_AVX2)
#include <immintrin.h>
#include "ck_simd_avx2.h"
#elif defined(CK_SIMD_NEON)
#include <arm_neon.h>
#include "ck_simd_neon.h"
#elif defined(CK_SIMD_SCALAR)
#include "ck_simd_scalar.h"
#else
#error "define one CK_SIMD_* before including ck_simd.h"
#endif

#include "ck_exp.h"

#endif
