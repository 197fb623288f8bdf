// The AVX2 + FMA path (x86-64 CPUs without AVX-512, and a tested fallback on those with it; 16 ymm
// registers): every kernel template instantiated on the AVX2 vocabulary, exported as one table.
#if defined(__x86_64__)
#define CK_SIMD_AVX2 1

// Flash: Q blocks of 32 rows (4 ymm of query lanes), score and P.V tiles of 2 x 4 vectors (8 accumulators
// + 4 operands + 1 broadcast = 13 registers); backward K blocks of 32 keys with 2-row tiles.
#define FL_QV 4
#define FL_SJ 2
#define FL_PD 2
#define FL_BC 64
#define FL_RB 2
#define FL_DB 2

// GEMM tile 6 x 16: 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers. Per k:
// 2 loads, 6 broadcasts, 12 FMAs, which two FMA pipes retire in 6 cycles while the 8 loads fit the two load
// ports of Haswell-class cores; 12 chains cover FMA latency 4-5 x 2 pipes. (A 4 x 24 tile, tried, ran at less
// than half the speed.) Cache blocks as on AVX-512: the A block (192 x 512 floats) sits in L2, the B strip
// (512 x 16 floats = 32 KiB) in L1/L2. On Zen 4, whose AVX-512 is double-pumped 256-bit, this path runs as
// fast as the AVX-512 one (~107 GFLOP/s at 1024^3).
#define GM_MR 6
#define GM_NV 2
#define GM_MC 192
#define GM_KC 512
#define GM_NC 2048
#define GM_PACK ck_pack_x86

#define DG_MR 6     // DGEMM tile 6 x 8 (2 ymm of 4 doubles): 12 accumulators
#define PK_CHAINS 12

#include "ck_instance.h"

static int avx2_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const ck_kernel_table ck_table_avx2 = {
    CK_TABLE_KERNELS,
    .isa = CK_ISA_AVX2,
    .cpu_supports = avx2_supported,
    .qgemm = (const ck_qgemm_kernels *const[]){&ck_qgemm_avxvnni_table, &ck_qgemm_avx2_table,
                                               &ck_qgemm_scalar_table, NULL},
};
#endif
