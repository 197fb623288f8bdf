// Flash attention, AVX-512 instance for short queries (L <= 32: sentence batches, e.g. BERT on 20-40 tokens).
// Same templates with Q blocks of 32 rows (2 zmm) and K/V blocks of 32 keys: the 64 x 96 blocks of the main
// instance would spend more than half of every tile on padding rows and keys at these lengths. Only its
// forward is used (ck_flash_forward picks it by L); backward, weights and decode keep the main instance.
#if defined(__x86_64__)
#define FL_ISA_AVX512 1
#define FL_QV 2
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 32
#define FL_DEC 256
#define FL_KV 4
#define FL_RB 6
#define FL_DB 6
#define FL_BRB 64
#define FL_CHUNK 64
#define FL_IMPL_NAME ck_flash_avx512_short_impl
#include "flash_instance.h"
#endif
