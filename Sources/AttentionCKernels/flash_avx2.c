// Flash attention, AVX2 + FMA instance (16 ymm registers): Q blocks of 32 rows (4 ymm of query lanes), score
// and P.V tiles of 2 x 4 vectors (8 accumulators + 4 operands + 1 broadcast = 13 registers); backward K
// blocks of 32 keys with 2-row tiles.
#if defined(__x86_64__)
#define FL_ISA_AVX2 1
#define FL_QV 4
#define FL_SJ 2
#define FL_PD 2
#define FL_BC 64
#define FL_DEC 256
#define FL_KV 4
#define FL_RB 2
#define FL_DB 2
#define FL_BRB 64
#define FL_CHUNK 64
#define FL_IMPL_NAME ck_flash_avx2_impl
#include "flash_instance.h"
#endif
