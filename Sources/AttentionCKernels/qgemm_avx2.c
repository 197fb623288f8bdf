// AVX2 int8 GEMM: vpmaddubsw (u8 × s8 pairs → s16) then vpmaddwd by ones (s16 pairs → s32), on the x86 template
// (qgemm_x86_impl.h: tile, sign transfer, epilogue).
//
// Saturation: vpmaddubsw adds two u8 × s8 products into a signed 16-bit lane and saturates. With |a| ≤ 127 as
// the unsigned operand and |w| ≤ 127 as the signed one, a pair sum is at most 2·127·127 = 32258 < 32767 in
// magnitude, so it never saturates and the int32 sums equal the reference exactly (the tests check every shape).
// The activations keep all 8 bits (symmetric [-127, 127]): the sign goes onto the weight (vpsignb).
#if defined(__x86_64__)
#define QG_T __attribute__((target("avx2,fma")))
#define QG_FN(name) name##_avx2
#define QG_MAC_CONSTANTS const __m256i ones = _mm256_set1_epi16(1);
#define QG_MAC(acc, u, s) (acc) = _mm256_add_epi32((acc), _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), ones))
#include "qgemm_x86_impl.h"

const ck_qgemm_kernels ck_qgemm_avx2_table = {"avx2", CK_QGEMM_AVX2, gemm_s32_avx2, gemm_f32_avx2,
                                             quantize_rows_avx2};
#endif
