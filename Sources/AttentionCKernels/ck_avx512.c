// The AVX-512 path (the one this project is tuned on: Zen 4/5, 32 zmm registers): every kernel template
// instantiated on the AVX-512 vocabulary, exported as one table.
#if defined(__x86_64__)
#define CK_SIMD_AVX512 1

// Flash forward: Q blocks of 64 rows = 4 zmm of query lanes. Score tile 6 keys x 4 vectors = 24 accumulators
// + 4 qt vectors; per head-dim step 4 loads, 6 broadcasts, 24 FMAs. P.V tile 6 value dims x 4 vectors, same
// shape. K/V blocks of FL_BC keys keep the score tile (FL_BC x 64 floats) in L1.
// Backward: K blocks of 64 keys = 4 zmm of key lanes; row tiles of 6 (24 accumulators) for S, dP and dQ, and
// 6-dim tiles for dK/dV; Q blocks of 64 rows keep P, P~ and dS (16 KiB each) in L1/L2.
// Short queries (L <= 32) run the forward of flash_avx512_short.c.
#define FL_QV 4
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 96
#define FL_RB 6
#define FL_DB 6

// GEMM tile 12 x 32: 24 zmm accumulators + 2 B vectors + 1 broadcast A element = 27 of 32 registers. Per k:
// 2 loads, 12 broadcasts, 24 FMAs. FMA latency (4) x throughput (1-2 zmm/cycle on Zen 4 / Zen 5) needs at most
// 8 independent chains, so 24 leave slack, and the 384-float C tile keeps writeback small against kc*24 FMAs.
// Measured in isolation (A strip from L2, B strip from L1): 115 GFLOP/s on a Zen 4 core whose FMA peak is 117.
// Cache blocks (Zen 4: L1d 32 KiB, L2 1 MiB, L3 32 MiB shared) were tuned by sweeping at 512..2048: KC 512
// makes the B strip (KC x 32 floats = 64 KiB) overflow L1 into L2, which the prefetchers hide, while halving
// the passes over C against KC 256; MC 192 puts the A block (384 KiB) in half of L2; NC 2048 bounds the B panel
// at 4 MiB (L3). Everything from KC 256..1024 and MC 96..384 was within ~2% (noise on this VM), so the choice
// favours the smaller workspace.
#define GM_MR 12
#define GM_NV 2
#define GM_MC 192
#define GM_KC 512
#define GM_NC 2048
#define GM_PACK ck_pack_x86

#define DG_MR 8     // DGEMM tile 8 x 16 (2 zmm of 8 doubles): 16 accumulators
#define PK_CHAINS 12

#include "ck_instance.h"

// Everything CK_TARGET_AVX512 enables; the runtime also checks that the OS saves zmm state.
static int avx512_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const ck_kernel_table ck_table_avx512 = {
    CK_TABLE_KERNELS,
    .isa = CK_ISA_AVX512,
    .cpu_supports = avx512_supported,
    .qgemm = (const ck_qgemm_kernels *const[]){&ck_qgemm_avx512vnni_table, &ck_qgemm_avxvnni_table,
                                               &ck_qgemm_avx2_table, &ck_qgemm_scalar_table, NULL},
    .flash_short = &ck_flash_avx512_short_impl, .flash_short_rows = 32,
    .flash_narrow = &ck_flash_avx512_narrow_impl, .flash_narrow_dims = 32,
};
#endif
