// x86 packers for SGEMM (AVX2 instructions, so both the AVX2 and the AVX-512 paths use them).
//
// Packing is the only O(M*K + K*N) part of GEMM but it was ~7% of a 1024^3 product when written as scalar
// C: the common case (a row-major operand whose rows must become the k-major strips a[k*w + i]) is a
// transpose, done here in 8x8 register blocks (unpack / shuffle / permute2f128), 8 loads and 8 stores per
// 64 elements.
#include "ck_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

// The 8 x 8 transpose network: rows r[i] (8 k each) become columns o[k] (lane i = row i).
// After unpack: pairs (r_a[k], r_b[k]) interleaved; after shuffle: 4-row columns per 128-bit lane.
#define CK_TRANSPOSE8(r, o)                                                                                    \
    do {                                                                                                       \
        __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);                      \
        __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);                      \
        __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);                      \
        __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);                      \
        __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);                    \
        __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);                    \
        __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);                    \
        __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);                    \
        o[0] = _mm256_permute2f128_ps(u0, u4, 0x20), o[1] = _mm256_permute2f128_ps(u1, u5, 0x20);             \
        o[2] = _mm256_permute2f128_ps(u2, u6, 0x20), o[3] = _mm256_permute2f128_ps(u3, u7, 0x20);             \
        o[4] = _mm256_permute2f128_ps(u0, u4, 0x31), o[5] = _mm256_permute2f128_ps(u1, u5, 0x31);             \
        o[6] = _mm256_permute2f128_ps(u2, u6, 0x31), o[7] = _mm256_permute2f128_ps(u3, u7, 0x31);             \
    } while (0)

// Rows src[i*rs + 0..7] for i < 8 become dst[k*ds + 0..7] for k < 8.
CK_ALWAYS_INLINE CK_TARGET_AVX2 void transpose8x8(const float *src, int64_t rs, float *dst, int64_t ds) {
    __m256 r[8], o[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * rs);
    CK_TRANSPOSE8(r, o);
    for (int k = 0; k < 8; k++) _mm256_storeu_ps(dst + k * ds, o[k]);
}

// Rows src[i*rs + 0..7] for i < 6 become dst[k*ds + 0..5] for k < 8: the AVX2 path's A strips are 6 rows,
// which as 4 + 2 left two rows in six to a scalar loop (a third of a row-major A went through it).
CK_ALWAYS_INLINE CK_TARGET_AVX2 void transpose6x8(const float *src, int64_t rs, float *dst, int64_t ds) {
    __m256 r[8], o[8];
    for (int i = 0; i < 6; i++) r[i] = _mm256_loadu_ps(src + i * rs);
    r[6] = r[7] = _mm256_setzero_ps();
    CK_TRANSPOSE8(r, o);
    for (int k = 0; k < 8; k++) {
        _mm_storeu_ps(dst + k * ds, _mm256_castps256_ps128(o[k]));
        _mm_storel_pi((__m64 *)(dst + k * ds + 4), _mm256_extractf128_ps(o[k], 1));
    }
}

// Rows src[i*rs + 0..7] for i < 4 become dst[k*ds + 0..3] for k < 8.
CK_ALWAYS_INLINE CK_TARGET_AVX2 void transpose4x8(const float *src, int64_t rs, float *dst, int64_t ds) {
    __m256 r0 = _mm256_loadu_ps(src + 0 * rs), r1 = _mm256_loadu_ps(src + 1 * rs);
    __m256 r2 = _mm256_loadu_ps(src + 2 * rs), r3 = _mm256_loadu_ps(src + 3 * rs);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    _mm_storeu_ps(dst + 0 * ds, _mm256_castps256_ps128(u0));
    _mm_storeu_ps(dst + 1 * ds, _mm256_castps256_ps128(u1));
    _mm_storeu_ps(dst + 2 * ds, _mm256_castps256_ps128(u2));
    _mm_storeu_ps(dst + 3 * ds, _mm256_castps256_ps128(u3));
    _mm_storeu_ps(dst + 4 * ds, _mm256_extractf128_ps(u0, 1));
    _mm_storeu_ps(dst + 5 * ds, _mm256_extractf128_ps(u1, 1));
    _mm_storeu_ps(dst + 6 * ds, _mm256_extractf128_ps(u2, 1));
    _mm_storeu_ps(dst + 7 * ds, _mm256_extractf128_ps(u3, 1));
}

// Same contract as ck_pack_generic (strips of w rows, k-major, zero-padded).
CK_TARGET_AVX2 void ck_pack_x86(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs,
                                float *dst, int64_t w) {
    for (int64_t s0 = 0; s0 < mn; s0 += w) {
        const int64_t rows = CK_MIN(w, mn - s0);
        const float *s = src + s0 * rs;
        float *d = dst + s0 * kc;
        if (rs == 1 && rows == w) {
            // Each k holds the strip's w elements contiguously: a straight copy per k.
            for (int64_t k = 0; k < kc; k++) {
                const float *sk = s + k * cs;
                float *dk = d + k * w;
                int64_t i = 0;
                for (; i + 8 <= w; i += 8) _mm256_storeu_ps(dk + i, _mm256_loadu_ps(sk + i));
                for (; i + 4 <= w; i += 4) _mm_storeu_ps(dk + i, _mm_loadu_ps(sk + i));
                for (; i < w; i++) dk[i] = sk[i];
            }
            continue;
        }
        if (cs != 1 || rows < 4) {
            ck_pack_generic(rows, kc, s, rs, cs, d, w);
            continue;
        }
        // Rows are contiguous along k: transpose 8 (or 4) rows x 8 k at a time, leftovers one by one.
        // 16 k per row group = one whole cache line of each row: with power-of-two leading dimensions the
        // rows share L1 sets, and a line evicted after half its use would be fetched twice.
        int64_t k0 = 0;
        for (; k0 + 16 <= kc; k0 += 16) {
            int64_t i = 0;
            for (; i + 8 <= rows; i += 8) {
                transpose8x8(s + i * rs + k0, rs, d + k0 * w + i, w);
                transpose8x8(s + i * rs + k0 + 8, rs, d + (k0 + 8) * w + i, w);
            }
            if (rows - i == 6) {
                transpose6x8(s + i * rs + k0, rs, d + k0 * w + i, w);
                transpose6x8(s + i * rs + k0 + 8, rs, d + (k0 + 8) * w + i, w);
                i += 6;
            }
            for (; i + 4 <= rows; i += 4) {
                transpose4x8(s + i * rs + k0, rs, d + k0 * w + i, w);
                transpose4x8(s + i * rs + k0 + 8, rs, d + (k0 + 8) * w + i, w);
            }
            for (; i < rows; i++) {
                for (int64_t k = 0; k < 16; k++) d[(k0 + k) * w + i] = s[i * rs + k0 + k];
            }
        }
        for (; k0 + 8 <= kc; k0 += 8) {
            int64_t i = 0;
            for (; i + 8 <= rows; i += 8) transpose8x8(s + i * rs + k0, rs, d + k0 * w + i, w);
            if (rows - i == 6) {
                transpose6x8(s + i * rs + k0, rs, d + k0 * w + i, w);
                i += 6;
            }
            for (; i + 4 <= rows; i += 4) transpose4x8(s + i * rs + k0, rs, d + k0 * w + i, w);
            for (; i < rows; i++) {
                for (int64_t k = 0; k < 8; k++) d[(k0 + k) * w + i] = s[i * rs + k0 + k];
            }
        }
        for (; k0 < kc; k0++) {
            for (int64_t i = 0; i < rows; i++) d[k0 * w + i] = s[i * rs + k0];
        }
        for (int64_t k = 0; k < kc; k++) {
            for (int64_t i = rows; i < w; i++) d[k * w + i] = 0.0f;
        }
    }
}

#endif
