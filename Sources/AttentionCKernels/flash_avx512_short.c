// Flash attention, AVX-512 instance for short queries (L <= 32: sentence batches, e.g. BERT on 20-40 tokens).
// Same templates with Q blocks of 32 rows (2 zmm) and K/V blocks of 32 keys: the 64 x 96 blocks of the main
// instance would spend more than half of every tile on padding rows and keys at these lengths. Only its
// forward is used (ck_table_avx512.flash_short: ck_flash_forward picks it by L); backward, weights and decode
// keep the main instance. A file of its own because one translation unit holds one instance of the templates.
#if defined(__x86_64__)
#define CK_SIMD_AVX512 1
#define FL_QV 2
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 32
#define FL_RB 6
#define FL_DB 6
#include "flash_instance.h"
const ck_flash_impl ck_flash_avx512_short_impl = CK_FLASH_IMPL;
#endif
