// VNNI int8 GEMM: vpdpbusd (four u8 × s8 products added into an s32 lane, no intermediate saturation), in its
// AVX512-VNNI (EVEX, with VL for 256-bit registers) and AVX-VNNI (VEX) forms, both on the x86 template
// (qgemm_x86_impl.h: same tile, layout and sign transfer as AVX2; a 512-bit form would need vpsignb, which
// AVX-512 lacks, so both stay 256-bit).
//
// Not executed on the Zen 3 machine this was written on (no VNNI): compiled there; the tests run it on CPUs that
// have it (ck_qgemm_supported).
#if defined(__x86_64__)
#define QG_MAC_CONSTANTS

#define QG_T __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
#define QG_FN(name) name##_avx512vnni
#define QG_MAC(acc, u, s) (acc) = _mm256_dpbusd_epi32((acc), (u), (s))
#include "qgemm_x86_impl.h"
#undef QG_T
#undef QG_FN
#undef QG_MAC

#define QG_T __attribute__((target("avx2,fma,avxvnni")))
#define QG_FN(name) name##_avxvnni
#define QG_MAC(acc, u, s) (acc) = _mm256_dpbusd_avx_epi32((acc), (u), (s))
#include "qgemm_x86_impl.h"

const ck_qgemm_kernels ck_qgemm_avx512vnni_table = {"avx512vnni", CK_QGEMM_AVX512VNNI, gemm_s32_avx512vnni,
                                                    gemm_f32_avx512vnni, quantize_rows_avx512vnni};
const ck_qgemm_kernels ck_qgemm_avxvnni_table = {"avxvnni", CK_QGEMM_AVXVNNI, gemm_s32_avxvnni, gemm_f32_avxvnni,
                                                quantize_rows_avxvnni};
#endif
