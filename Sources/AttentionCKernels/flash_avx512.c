// Flash attention, AVX-512 instance (the path this project is tuned on: Zen 4/5, 32 zmm registers).
//
// Forward: Q blocks of 64 rows = 4 zmm of query lanes. Score tile 6 keys x 4 vectors = 24 accumulators
// + 4 qt vectors; per head-dim step 4 loads, 6 broadcasts, 24 FMAs. P.V tile 6 value dims x 4 vectors, same
// shape. K/V blocks of FL_BC keys keep the score tile (FL_BC x 64 floats) in L1.
// Backward: K blocks of 64 keys = 4 zmm of key lanes; row tiles of 6 (24 accumulators) for S, dP and dQ, and
// 6-dim tiles for dK/dV; Q blocks of 64 rows keep P, P~ and dS (16 KiB each) in L1/L2.
#if defined(__x86_64__)
#define FL_ISA_AVX512 1
#define FL_QV 4
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 96
#define FL_DEC 256
#define FL_KV 4
#define FL_RB 6
#define FL_DB 6
#define FL_BRB 64
#define FL_CHUNK 64
#define FL_IMPL_NAME ck_flash_avx512_impl
#include "flash_instance.h"
#endif
