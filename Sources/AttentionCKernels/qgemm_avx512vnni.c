// VNNI int8 GEMM: vpdpbusd (four u8 × s8 products added into an s32 lane, no intermediate saturation), in its
// AVX-VNNI (VEX, 256-bit) form on the x86 template (qgemm_x86_impl.h: same tile, layout and sign transfer as AVX2),
// and the AVX512-VNNI table, whose products are the 512-bit kernels of qgemm_avx512vnni_zmm.c (the sign transfer
// would need vpsignb, which AVX-512 lacks, so those make the weights unsigned instead) and whose quantiser is the
// template's.
#if defined(__x86_64__)
#define QG_MAC_CONSTANTS

#define QG_T __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
#define QG_FN(name) name##_avx512vnni
#define QG_QUANTIZER_ONLY
#include "qgemm_x86_impl.h"
#undef QG_T
#undef QG_FN
#undef QG_QUANTIZER_ONLY

#define QG_T __attribute__((target("avx2,fma,avxvnni")))
#define QG_FN(name) name##_avxvnni
#define QG_MAC(acc, u, s) (acc) = _mm256_dpbusd_avx_epi32((acc), (u), (s))
#include "qgemm_x86_impl.h"

// The AVX512-VNNI products run in 512-bit registers (qgemm_avx512vnni_zmm.c: weights made unsigned instead of the
// sign transfer); the 256-bit template instance above makes only its quantiser.
void ck_qgemm_s32_avx512vnni_zmm(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                                 int32_t *c, int64_t ldc);
void ck_qgemm_f32_avx512vnni_zmm(int64_t M, int64_t N, int64_t Kp, const int8_t *a, int64_t lda, const int8_t *pb,
                                 const ck_qgemm_epilogue *ep);
const ck_qgemm_kernels ck_qgemm_avx512vnni_table = {"avx512vnni", CK_QGEMM_AVX512VNNI, ck_qgemm_s32_avx512vnni_zmm,
                                                    ck_qgemm_f32_avx512vnni_zmm, quantize_rows_avx512vnni};
const ck_qgemm_kernels ck_qgemm_avxvnni_table = {"avxvnni", CK_QGEMM_AVXVNNI, gemm_s32_avxvnni, gemm_f32_avxvnni,
                                                quantize_rows_avxvnni};
#endif
