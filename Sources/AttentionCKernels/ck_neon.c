// The AArch64 Advanced SIMD path (Apple M-series, Graviton, ...; 32 q registers of 4 lanes): every kernel
// template instantiated on the NEON vocabulary, exported as one table.
#if defined(__aarch64__)
#define CK_SIMD_NEON 1

// Flash: Q blocks of 16 rows, 6 x 4 tiles as on AVX-512.
#define FL_QV 4
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 64
#define FL_RB 6
#define FL_DB 6

// GEMM tile 8 x 12: 24 q-register accumulators + 3 B vectors + 1 broadcast = 28 of 32 registers. Per k: 3
// loads of B and 8 load-broadcasts of A (LD1R), 24 FMAs. KC 256: the B strip (256 x 12 floats) then fits the
// 64-128 KiB L1 of these cores with room for the A strips; NC a multiple of NR.
#define GM_MR 8
#define GM_NV 3
#define GM_MC 192
#define GM_KC 256
#define GM_NC 2040
#define GM_PACK ck_pack_generic

#define DG_MR 4     // DGEMM: the portable 4 x 4 tiles (a reference path; compilers vectorise them)
#define PK_CHAINS 16

#include "ck_instance.h"

static int neon_supported(void) { return 1; }  // Advanced SIMD is mandatory on AArch64

const ck_kernel_table ck_table_neon = {
    CK_TABLE_KERNELS,
    .isa = CK_ISA_NEON,
    .cpu_supports = neon_supported,
    .qgemm = (const ck_qgemm_kernels *const[]){&ck_qgemm_neon_table, &ck_qgemm_scalar_table, NULL},
};
#endif
