// Row kernels (bias + activation epilogue, LayerNorm), portable instance (GELU through libm's erf in double).
#define FL_ISA_SCALAR 1
#include "flash_simd.h"
#include "rowops_impl.h"
