// Row kernels (bias + activation epilogue, LayerNorm), AVX2 + FMA instance.
#if defined(__x86_64__)
#define FL_ISA_AVX2 1
#include "flash_simd.h"
#include "rowops_impl.h"
#endif
