// The portable path (any CPU; also the reference the vector paths are tested against, since its flash
// instance shares their blocking logic line for line): every kernel template instantiated on the one-lane
// vocabulary, exported as one table. GELU goes through libm's erf in double here.
#define CK_SIMD_SCALAR 1

#define FL_QV 4
#define FL_SJ 4
#define FL_PD 4
#define FL_BC 64
#define FL_RB 4
#define FL_DB 4

// GEMM tile 4 x 8 in generic 4-float vectors (ck_simd_scalar.h): 4 x 8 beat 6 x 8 (14 GFLOP/s at 512^3 on
// SSE2), which runs out of the 16 xmm registers. Small tile, so the cache blocks are smaller too: the A block
// (128 x 256 floats) fits L2 anywhere.
#define GM_MR 4
#define GM_NV 2
#define GM_MC 128
#define GM_KC 256
#define GM_NC 1024
#define GM_PACK ck_pack_generic

#define DG_MR 4     // DGEMM: the portable 4 x 4 tiles
#define PK_CHAINS 12

#include "ck_instance.h"

static int scalar_supported(void) { return 1; }

const ck_kernel_table ck_table_scalar = {
    CK_TABLE_KERNELS,
    .isa = CK_ISA_SCALAR,
    .cpu_supports = scalar_supported,
    .qgemm = (const ck_qgemm_kernels *const[]){&ck_qgemm_scalar_table, NULL},
};
