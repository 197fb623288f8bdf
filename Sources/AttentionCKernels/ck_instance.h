// Private: what every ISA file includes after its tile parameters: every kernel template, instantiated on the
// vocabulary of the CK_SIMD_* it defined, and CK_TABLE_KERNELS, the part of its ck_kernel_table initializer
// that is the same on every path. The file then writes
//   const ck_kernel_table ck_table_<isa> = {CK_TABLE_KERNELS, .isa = ..., .cpu_supports = ..., [.flash_short = ...]};
#include "flash_instance.h"
#include "rowops_impl.h"
#include "softmax_impl.h"
#include "gemm_impl.h"
#include "dgemm_impl.h"
#include "peak_impl.h"
#include "optim_impl.h"

#define CK_TABLE_KERNELS                                                                                  \
    .sgemm = CK_GEMM_IMPL, .dgemm = CK_FN(ck_dgemm), .vexp = CK_FN(ck_vexp),                              \
    .softmax_rows = CK_FN(ck_softmax_rows), .bias_act_rows = CK_FN(ck_bias_act_rows),                      \
    .layernorm_rows = CK_FN(ck_layernorm_rows), .layernorm_rows_saving = CK_FN(ck_layernorm_rows_saving),   \
    .layernorm_backward_rows = CK_FN(ck_layernorm_backward_rows), .gelu_backward = CK_FN(ck_gelu_backward), \
    .adam_update = CK_FN(ck_adam_update), .column_sums = CK_FN(ck_column_sums),                           \
    .flash = CK_FLASH_IMPL, .peak_probe = CK_FN(pk_probe), .peak_flops_per_step = PK_FLOPS_PER_STEP
