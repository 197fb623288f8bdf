// Private: instantiates the flash templates for the ISA and tile sizes of the including file, which defines
// CK_SIMD_* and the tile parameters (FL_QV, FL_SJ, ...), and gets CK_FLASH_IMPL, the ck_flash_impl
// initializer for its table.
#include "ck_simd.h"

// Tile parameters no path has needed to change (decode chunk, backward K vectors and Q rows, chunk of keys).
#ifndef FL_DEC
#define FL_DEC 256
#endif
#ifndef FL_KV
#define FL_KV 4
#endif
#ifndef FL_BRB
#define FL_BRB 64
#endif
#ifndef FL_CHUNK
#define FL_CHUNK 64
#endif
#include "flash_fwd_impl.h"
#include "flash_bwd_impl.h"

static size_t CK_FN(fl_workspace)(int64_t E, int64_t Ev) {
    const size_t f = CK_FN(fl_fwd_workspace)(E, Ev), w = CK_FN(fl_weights_workspace)(E);
    return f > w ? f : w;
}

#define CK_FLASH_IMPL                                                                                           \
    {.config = {.fwd_rows = FL_BR, .fwd_keys = FL_BC, .bwd_keys = FL_BCB, .bwd_rows = FL_BRB, .decode_keys = FL_DEC}, \
     .workspace = CK_FN(fl_workspace), .backward_workspace = CK_FN(fl_bwd_workspace), .forward = CK_FN(fl_forward), \
     .backward = CK_FN(fl_backward), .weights = CK_FN(fl_weights), .decode = CK_FN(fl_decode)}
