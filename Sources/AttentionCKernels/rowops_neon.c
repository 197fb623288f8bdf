// Row kernels (bias + activation epilogue, LayerNorm), NEON instance.
#if defined(__aarch64__)
#define FL_ISA_NEON 1
#include "flash_simd.h"
#include "rowops_impl.h"
#endif
