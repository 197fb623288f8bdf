// Private: the per-ISA table of flash-attention kernels (flash_avx512.c, flash_avx2.c, flash_neon.c,
// flash_scalar.c each export one) and the dispatcher's view of them (flash_dispatch.c).
#ifndef CK_FLASH_INTERNAL_H
#define CK_FLASH_INTERNAL_H

#include "ck_internal.h"
#include "ck_flash.h"

typedef struct {
    ck_flash_config config;
    size_t (*workspace)(int64_t E, int64_t Ev);
    size_t (*backward_workspace)(int64_t E, int64_t Ev, int64_t S);
    void (*forward)(const ck_flash_fwd_args *a);
    void (*backward)(const ck_flash_bwd_args *a);
    void (*weights)(const ck_flash_weights_args *a);
    void (*decode)(const ck_flash_decode_args *a);
} ck_flash_impl;

extern const ck_flash_impl ck_flash_scalar_impl;
#if defined(__x86_64__)
extern const ck_flash_impl ck_flash_avx2_impl;
extern const ck_flash_impl ck_flash_avx512_impl;
extern const ck_flash_impl ck_flash_avx512_short_impl;  // forward for L <= CK_FLASH_SHORT_ROWS
#endif
#if defined(__aarch64__)
extern const ck_flash_impl ck_flash_neon_impl;
#endif

/// Query lengths up to this run the forward of a short-block instance where one exists (AVX-512).
#define CK_FLASH_SHORT_ROWS 32

#endif
