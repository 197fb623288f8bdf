// Flash attention, AVX-512 instance for the backward of narrow heads (E and Ev <= 32: BERT-small and MiniLM
// heads, the encoder layers of the training benchmark). Same templates with K blocks of 32 keys (2 zmm of key
// lanes) and row tiles of 12 rows (still 24 accumulators): with 64-key blocks and 6-row tiles each tile's
// products run over only 32 head dims against the fixed cost of its loads and stores. Measured with
// Scripts/flash_bench.c on a Zen 4 core: E 32 backward 78 -> 85 GFLOP/s, E 16 55 -> 60; at E 40 and above the
// main instance is faster (E 64: 98 against 90), hence the bound. Only its backward is used (ck_table_avx512.
// flash_narrow: ck_flash_backward picks it by E and Ev); its Q blocks have the main instance's 64 rows, so callers
// split rows the same way. The recomputed scores are the forward's bit for bit (the same products in the same
// order, whatever the tile), as the backward's recomputation requires.
#if defined(__x86_64__)
#define CK_SIMD_AVX512 1
#define FL_QV 4
#define FL_SJ 6
#define FL_PD 6
#define FL_BC 96
#define FL_KV 2
#define FL_RB 12
#define FL_DB 6
#include "flash_instance.h"
const ck_flash_impl ck_flash_avx512_narrow_impl = CK_FLASH_IMPL;
#endif
