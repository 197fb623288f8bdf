// Fused (FlashAttention-2 style) attention kernels: forward, backward by recomputation, weights from the saved
// log-sum-exp, and a split-key decode path for one query row. Same rules as the rest of CKernels: runtime ISA
// dispatch (AVX-512, AVX2+FMA, NEON, scalar), no allocation (the caller passes a workspace), no threads (the
// caller splits work over (batch, head, block) and calls these concurrently on disjoint outputs).
//
// Shape legend: L query rows, S keys, E head dim of q and k, Ev value dim. Every call works on one (batch, head)
// slice: q [L, E], k [S, E], v [S, Ev], o [L, Ev], each row-major with its own row stride (ld*).
//
// Numerical conventions shared by all kernels:
//   - Scores are s = scale * (q.k) + bias: the dot product is rounded once and then scaled, as in a plain
//     implementation, and the forward, backward, weight and decode passes compute it with the same products in
//     the same order, so recomputed scores are bitwise the forward's. Exponentials use the project's exp
//     (ck_exp.h), whose exact argument reduction keeps the error independent of the score gap.
//   - The saved per-row statistics are the row max m (the largest s of the row) and the row sum
//     l = sum_j exp(s_j - m), so a recomputed weight is exp(s - m) / l: the forward's own normalisation, one
//     division, instead of exp(s - lse) with a rounded log-sum-exp (whose absolute error, up to 2^-21 for
//     |lse| in [8, 16), would scale every weight of the row). A row that sees no key stores m = +inf and
//     l = 1, so every recomputed weight is exactly 0 without a branch (never NaN).
//   - Sums over many terms (P.V over keys, the gradients over rows or keys) are accumulated per block in
//     registers and then added to the running total, which keeps their rounding error below a plain
//     left-to-right sum's.
//   - Masking: a row i only sees keys j with key_lo[i] <= j < key_hi[i] (NULL arrays mean 0 and S); `bias`
//     (additive, -inf masks) is read as bias[i * bias_rs + j]; bias_rs may be 0 (one row shared by all rows).
//   - Non-finite scores follow PyTorch's softmax (its math SDPA path, `_safe_softmax`), by the score's value, not
//     by where it came from:
//       * a score of -inf has weight 0, whether the mask put it there (a -inf bias, a key outside the row's range)
//         or the data did (q.k overflowing to -inf); a row whose every score is -inf, or that sees no key, is
//         "empty": output 0, weights 0, gradient 0 (m = +inf, l = 1 saved, see above);
//       * a NaN score, or a +inf one (e^(inf - inf) is NaN), makes the whole row NaN: output, weights, saved l,
//         and the gradients that flow through it. An Inf or NaN anywhere in q, k or a bias therefore shows up
//         as NaN in every row that sees it, never as a plausible finite row or a 0.
//     Keys outside a row's range are never read (as in any flash kernel), so a NaN in q, k or v there is not seen;
//     a NaN in v at a visible key reaches the output through P.V. The NaN survives without a test in the hot
//     loops: e^(NaN - m) is NaN, so it reaches l and P.V; only the per-chunk decode max and the merge (cold)
//     check for it explicitly, where a NaN-blind max could otherwise make a row look empty.
//   - Dropout (p > 0): weight (i, j) survives iff hash(seed, drop_base + i * S + j) >= drop_threshold, the
//     SplitMix64 construction of the Swift `AttentionDropout` (drop_threshold = ceil(p * 2^53) compared with the
//     hash's top 53 bits), and survivors are scaled by 1 / (1 - p). drop_base is the flat index of (b, h, 0, 0).
#ifndef CK_FLASH_H
#define CK_FLASH_H

#include <stdint.h>
#include <stddef.h>
#include "AttentionCKernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Block sizes of the active ISA path. Callers split work at these granularities (results are bitwise
/// reproducible for a fixed path because every block boundary depends only on the shape).
typedef struct {
    int64_t fwd_rows;    ///< query rows per ck_flash_forward call (BR)
    int64_t fwd_keys;    ///< keys per streamed K/V block in the forward
    int64_t bwd_keys;    ///< keys per K/V block in the backward and weights kernels (weight chunks align to this)
    int64_t bwd_rows;    ///< query rows per Q block in the backward (row ranges align to this)
    int64_t decode_keys; ///< keys per ck_flash_decode call (the fixed split of S)
} ck_flash_config;

/// Block sizes of path `isa` (CK_ISA_AUTO: the active path; a path the CPU lacks gives the scalar one).
ck_flash_config ck_flash_get_config(ck_isa isa);

/// Query rows per ck_flash_forward call for slices of L query rows on path `isa`: fwd_rows of the config, except
/// for short queries (L <= 32) on AVX-512, whose forward runs an instance with 32-row Q blocks and 32-key K/V
/// blocks (the 64 x 96 blocks would be mostly padding). Callers split rows by this; ck_flash_forward picks the
/// same instance from the head's L.
int64_t ck_flash_forward_rows(ck_isa isa, int64_t L);

/// The path the flash kernels run for a requested `isa`: itself when supported, CK_ISA_AUTO resolved to the
/// active path, anything unsupported to CK_ISA_SCALAR. Callers resolve once per operation and pass the result
/// in every ck_flash_head, so one operation never mixes paths (or block sizes) even if another thread calls
/// ck_force_isa meanwhile.
ck_isa ck_flash_resolve_isa(ck_isa isa);

/// Mask, scale and dropout of one (batch, head) slice, shared by every kernel.
typedef struct {
    ck_isa isa;               ///< path to run (from ck_flash_resolve_isa)
    int64_t L, S, E, Ev;
    float scale;              ///< softmax scale in natural units (e.g. 1/sqrt(E))
    const int32_t *key_lo;    ///< [L] first visible key per row, or NULL (0)
    const int32_t *key_hi;    ///< [L] one past the last visible key per row, or NULL (S)
    const float *bias;        ///< additive bias rows (natural units, -inf masks) or NULL
    int64_t bias_rs;          ///< row stride of `bias` (0: one row for all queries)
    uint64_t drop_threshold;  ///< 0: no dropout
    uint64_t drop_seed;
    uint64_t drop_base;       ///< flat dropout index of (b, h, 0, 0): ((b * H + h) * L) * S
    float drop_scale;         ///< 1 / (1 - p)
} ck_flash_head;

/// Forward of query rows [row0, row0 + rows) (callers pass fwd_rows at a time) against all visible keys.
/// Writes o [rows, Ev] (row stride ldo) and, if rowmax != NULL, rowmax and rowsum [row0 .. row0 + rows).
typedef struct {
    const ck_flash_head *head;
    const float *q; int64_t ldq;
    const float *k; int64_t ldk;
    const float *v; int64_t ldv;
    float *o; int64_t ldo;      ///< points at row 0 of the slice
    float *rowmax, *rowsum;     ///< [L] each, or both NULL
    int64_t row0, rows;
    void *workspace;            ///< ck_flash_workspace_size bytes, 64-byte aligned
} ck_flash_fwd_args;

void ck_flash_forward(const ck_flash_fwd_args *a);

/// Backward of one (batch, head) slice for the query rows [row0, row1) (row0 a multiple of bwd_rows) against all
/// keys, by recomputation from the forward's row statistics:
///   dq[i][e] = sum_j dS[i][j] * k[j][e] * scale       (written for the call's rows)
///   dk[j][e] = sum_i dS[i][j] * q[i][e] * scale       (the call's partial sum over its rows, written for all S)
///   dv[j][d] = sum_i P~[i][j] * dO[i][d]              (partial, written for all S; P~ = P after dropout)
///   dbias[i][j] = dS[i][j] if dbias != NULL           (written where some row of a Q block sees the key block;
///                                                      the caller zeroes it)
/// with P = exp(s - rowmax) / rowsum, dP~ = (dO . v_j) * keep / (1 - p), dS = P * (dP~ - delta) and
/// delta_i = sum_j P_ij dP~_ij / sum_j P_ij, taken from the same P and dP~ values (see flash_bwd_impl.h).
/// Workspace: ck_flash_backward_workspace_size. On AVX-512, heads with E and Ev <= 32 run an instance with
/// 32-key blocks (flash_avx512_narrow.c); bwd_rows is the same, and the result depends only on the path and shape.
typedef struct {
    const ck_flash_head *head;
    const float *q; int64_t ldq;
    const float *k; int64_t ldk;
    const float *v; int64_t ldv;
    const float *dout; int64_t lddo;
    const float *rowmax, *rowsum;  ///< [L] each
    float *dq; int64_t lddq;       ///< points at row 0 of the slice
    float *dk; int64_t lddk;
    float *dv; int64_t lddv;
    float *dbias; int64_t ldbias;
    int64_t row0, row1;
    void *workspace;
} ck_flash_bwd_args;

void ck_flash_backward(const ck_flash_bwd_args *a);

/// Workspace bytes of one ck_flash_backward call: the head's keys and values transposed, its dK/dV
/// accumulators and three Q-block-by-S planes (P, P~, dP), so O(S) per call.
size_t ck_flash_backward_workspace_size(int64_t E, int64_t Ev, int64_t S);

/// Attention weights of keys [key0, key1) for all rows from the saved statistics:
/// w[i][j] = exp(s - rowmax[i]) / rowsum[i] (times the dropout keep factor when dropout is on).
/// Writes w (row stride ldw, pointing at row 0, key 0).
typedef struct {
    const ck_flash_head *head;
    const float *q; int64_t ldq;
    const float *k; int64_t ldk;
    const float *rowmax, *rowsum;
    float *w; int64_t ldw;
    int64_t key0, key1;
    void *workspace;
} ck_flash_weights_args;

void ck_flash_weights(const ck_flash_weights_args *a);

/// Decode partial: query row `row` against keys [key0, key1) (any number; decode_keys is the split callers
/// should use). Writes the
/// unnormalised partial output acc[Ev] = sum_j exp(s_j - m) * drop_j * v_j, m (the running max, -inf if
/// no key is visible) and l = sum_j exp(s_j - m) (before dropout).
typedef struct {
    const ck_flash_head *head;
    const float *q;             ///< the query row [E]
    const float *k; int64_t ldk;
    const float *v; int64_t ldv;
    int64_t row, key0, key1;
    float *acc; float *m; float *l;
} ck_flash_decode_args;

void ck_flash_decode(const ck_flash_decode_args *a);

/// Merges `parts` decode partials in index order (acc[c * Ev ...], m[c], l[c]) into the normalised output row
/// o[Ev] (0 when no key is visible) and the row statistics (+inf and 1 then). The fixed order makes the result
/// independent of how the partials were scheduled.
void ck_flash_decode_merge(const float *acc, const float *m, const float *l, int64_t parts, int64_t Ev,
                           float drop_scale, float *o, float *rowmax, float *rowsum);

/// Workspace bytes of the forward, weights and decode kernels for head dims E, Ev (64-byte aligned buffer, one
/// per concurrent call).
size_t ck_flash_workspace_size(int64_t E, int64_t Ev);

#ifdef __cplusplus
}
#endif

#endif
