// Row kernels (bias + activation epilogue, LayerNorm), AVX-512 instance.
#if defined(__x86_64__)
#define FL_ISA_AVX512 1
#include "flash_simd.h"
#include "rowops_impl.h"
#endif
