// Flash attention, NEON instance (32 q registers of 4 lanes): Q blocks of 16 rows, 6 x 4 tiles as on AVX-512.
#if defined(__aarch64__)
#define FL_ISA_NEON 1
#define FL_QV 4
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 64
#define FL_DEC 256
#define FL_KV 4
#define FL_RB 6
#define FL_DB 6
#define FL_BRB 64
#define FL_CHUNK 64
#define FL_IMPL_NAME ck_flash_neon_impl
#include "flash_instance.h"
#endif
