// Private: instantiates the flash templates for the ISA selected by the including file and exports its table.
// The including file defines FL_ISA_*, the tile parameters and FL_IMPL_NAME, then includes this header.
#include "flash_simd.h"
#include "flash_fwd_impl.h"
#include "flash_bwd_impl.h"

static size_t FL_FN(fl_workspace)(int64_t E, int64_t Ev) {
    const size_t f = FL_FN(fl_fwd_workspace)(E, Ev), w = FL_FN(fl_weights_workspace)(E);
    return f > w ? f : w;
}

const ck_flash_impl FL_IMPL_NAME = {
    .config = {.fwd_rows = FL_BR, .fwd_keys = FL_BC, .bwd_keys = FL_BCB, .bwd_rows = FL_BRB, .decode_keys = FL_DEC},
    .workspace = FL_FN(fl_workspace),
    .backward_workspace = FL_FN(fl_bwd_workspace),
    .forward = FL_FN(fl_forward),
    .backward = FL_FN(fl_backward),
    .weights = FL_FN(fl_weights),
    .decode = FL_FN(fl_decode),
};
