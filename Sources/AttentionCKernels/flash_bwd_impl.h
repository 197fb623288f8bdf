// Private template: flash-attention backward (by recomputation), weights from the saved row statistics, for one
// ISA. Included after flash_fwd_impl.h with FL_KV, FL_RB, FL_DB, FL_BRB and FL_CHUNK defined.
//
// Layout, "keys in lanes": a call owns the query rows [row0, row1) of one (batch, head) slice. It packs the
// whole head's keys and values transposed once, kt[e][j] = k[j][e] and vt[d][j] = v[j][d] (row stride Sp = S
// rounded up to BCB = FL_KV * FV_N lanes), and walks its rows in Q blocks of FL_BRB. Each step mirrors a
// forward step, in reverse:
//
//   forward                                  backward, pass 1 over the visible K blocks (rows in registers)
//   s = scale*(q.k) + bias                   S  = scale*(q . kt)  bitwise the forward's scores (same
//                                                                  products, same order, same scaling)
//   P  = e^(s - m), l = sum P, o = P v / l   P  = e^(S - m) / l   from the saved row max and row sum
//   dropout keeps P~ = P * keep / (1-p)      dP = dO . vt         (stored as dP~, with P and P~)
//                                            delta_i = sum_j P_ij dP~_ij / sum_j P_ij   (= dO_i . o_i, but from
//                                                                the very P and dP~ values used below)
//                                            pass 2 over the same K blocks
//   o = P~ v                                 dS = P * (dP~ - delta),  dP~ = dP * keep / (1-p)
//                                            dV += P~^T dO,  dK += dS^T q * scale,  dQ += dS k * scale
//
// Taking delta from the stored dP (instead of dO . o, as FlashAttention-2 does) costs no extra product and
// keeps the plain softmax backward's cancellation: for a one-hot or strongly peaked row dP_j - delta is
// formed from the same rounded numbers, so dS is as accurate as the materialising reference's. dQ rows are
// owned by the call; dK and dV are the call's partial sums (the caller adds the partials of all row ranges and
// of the query heads sharing a key/value head in a fixed order). Every sum over many terms runs in blocks
// (chunks of FL_CHUNK value dims in dP, one K block in dQ, one Q block in dK and dV) added to a running total.
#define FL_BCB (FL_KV * FV_N)
_Static_assert(FL_DB <= 9 && FL_RB <= 16, "dK/dV tails are dispatched by FL_SWITCH8, dQ row tails by FL_SWITCH16");

// Row stride of the workspace planes: S rounded up to whole K blocks, plus one cache line. Without the line a
// power-of-two S puts every row of kt, vt, P, dP at the same L1 set (rows 8 KiB apart at S = 2048), and the 64
// rows a tile walks down thrash the set's 8 ways; with it consecutive rows fall in consecutive sets.
CK_INLINE int64_t CK_FN(fl_bwd_ld)(int64_t S) { return (S + FL_BCB - 1) / FL_BCB * FL_BCB + 16; }

static size_t CK_FN(fl_bwd_workspace)(int64_t E, int64_t Ev, int64_t S) {
    const int64_t ld = CK_FN(fl_bwd_ld)(S);
    return sizeof(float) * (size_t)((2 * (E + Ev) + 3 * FL_BRB) * ld + FL_BRB * FL_BCB) + 2 * sizeof(double) * FL_BRB;
}

static size_t CK_FN(fl_weights_workspace)(int64_t E) { return sizeof(float) * (size_t)(E * FL_BCB); }

/// The K block a backward or weights call is working on: kt and vt point at its first column, rows `ld` apart.
typedef struct {
    const ck_flash_head *h;
    int64_t j0, nb;            // first key, keys present (<= FL_BCB; lanes past nb are masked)
    int masked;                // some row of the current Q block does not see the whole block
    const float *kt, *vt;
    int64_t ld;
} CK_FN(fl_kblock);

// P (and P~ with dropout) of R rows starting at row i0 (rows past `nvalid` repeat the last and are not
// stored). Returns nothing; writes P rows to pdst (stride ldp) and P~ rows to pddst when dropout is on.
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_p_tile)(const int R, const CK_FN(fl_kblock) *b, const float *q, int64_t ldq,
                                          const float *rowmax, const float *rowsum, int64_t i0, int64_t nvalid,
                                          float *pdst, int64_t ldp, float *pddst, int64_t ldpd, int64_t nstore) {
    const ck_flash_head *h = b->h;
    const float *qr[FL_RB];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) qr[r] = q + (i0 + (r < nvalid ? r : nvalid - 1)) * ldq;
    fv acc[FL_RB][FL_KV];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_KV; v++) acc[r][v] = fv_zero();
    }
    for (int64_t e = 0; e < h->E; e++) {
        fv kv[FL_KV];
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_KV; v++) kv[v] = fv_load(b->kt + e * b->ld + v * FV_N);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const fv qb = fv_set1(qr[r][e]);
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_KV; v++) acc[r][v] = fv_fma(qb, kv[v], acc[r][v]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        if (r >= nvalid) break;
        const int64_t i = i0 + r;
        const fv mrow = fv_set1(rowmax[i]), lrow = fv_set1(rowsum[i]), sc = fv_set1(h->scale);
        const int32_t lo = h->key_lo ? h->key_lo[i] : 0, hi = h->key_hi ? h->key_hi[i] : (int32_t)h->S;
        const float *brow = h->bias ? h->bias + i * h->bias_rs + b->j0 : 0;
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_KV; v++) {
            fv s = fv_mul(acc[r][v], sc);
            if (brow) s = fv_add(s, fv_loadn(brow + v * FV_N, b->nb - v * FV_N));
            if (b->masked) s = fv_mask_ninf(s, fv_keys_seen((int32_t)(b->j0 + v * FV_N), lo, hi));
            const fv p = fv_div(fv_exp(fv_sub(s, mrow)), lrow);  // m = +inf for a row that sees nothing: p = 0
            float *pr = pdst + r * ldp + v * FV_N;
            if (nstore >= (v + 1) * FV_N) fv_store(pr, p); else fv_storen(pr, p, nstore - v * FV_N);
            if (pddst) {
                const uint64_t idx = h->drop_base + (uint64_t)i * (uint64_t)h->S + (uint64_t)(b->j0 + v * FV_N);
                const fv pd = fv_select(fv_dropout_keep(h->drop_seed, h->drop_threshold, idx, 1),
                                        fv_mul(p, fv_set1(h->drop_scale)), fv_zero());
                float *pdr = pddst + r * ldpd + v * FV_N;
                if (nstore >= (v + 1) * FV_N) fv_store(pdr, pd); else fv_storen(pdr, pd, nstore - v * FV_N);
            }
        }
    }
}

// dP~ of R rows (stored to dP, stride ldp) and each row's shares of sum_j P_ij dP~_ij and sum_j P_ij, with
// dP~ = dP * Z (Z = keep / (1 - p), read off P~ != 0; a weight that underflowed to 0 gets dS = 0 either way).
// dP runs in chunks of FL_CHUNK value dims, each summed from 0 and added to the running total (kept in the dP
// rows meanwhile): a blocked sum's rounding error grows like Ev^(3/4), a plain one's like Ev.
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_dp_tile)(const int R, const CK_FN(fl_kblock) *b, const float *dout, int64_t lddo,
                                           int64_t i0, int64_t nvalid, const float *P, const float *Pd, float *dP,
                                           int64_t ldp, double *dot, double *psum) {
    const ck_flash_head *h = b->h;
    const float *dor[FL_RB];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) dor[r] = dout + (i0 + (r < nvalid ? r : nvalid - 1)) * lddo;
    fv acc[FL_RB][FL_KV];
    for (int64_t d0 = 0; d0 < h->Ev; d0 += FL_CHUNK) {
        const int64_t d1 = CK_MIN(h->Ev, d0 + FL_CHUNK);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_KV; v++) acc[r][v] = fv_zero();
        }
        for (int64_t d = d0; d < d1; d++) {
            fv vv[FL_KV];
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_KV; v++) vv[v] = fv_load(b->vt + d * b->ld + v * FV_N);
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) {
                const fv ob = fv_set1(dor[r][d]);
#pragma clang loop unroll(full)
                for (int v = 0; v < FL_KV; v++) acc[r][v] = fv_fma(ob, vv[v], acc[r][v]);
            }
        }
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            if (r >= nvalid) break;  // rows past the block end are never stored
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_KV; v++) {
                float *t = dP + r * ldp + v * FV_N;
                fv_store(t, d0 == 0 ? acc[r][v] : fv_add(fv_load(t), acc[r][v]));
            }
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        if (r >= nvalid) break;
        if (Pd) {
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_KV; v++) {
                float *t = dP + r * ldp + v * FV_N;
                fv_store(t, fv_select(fv_nonzero(fv_load(Pd + r * ldp + v * FV_N)), fv_mul(fv_load(t), fv_set1(h->drop_scale)),
                                      fv_zero()));
            }
        }
        fl_dot_sum_d(P + r * ldp, dP + r * ldp, FL_BCB, dot + r, psum + r);
    }
}

// dS = P * (dP~ - delta) for `rows` rows of one K block, with delta = hi + lo split into two floats: when dP~ is
// close to delta (a peaked row, where the plain backward cancels), dP~ - hi is exact and lo keeps the bits a
// single rounded delta would lose. Stores dS * scale into dS (stride FL_BCB) and dS into dbias when asked.
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_ds_rows)(const CK_FN(fl_kblock) *b, const ck_flash_bwd_args *a, int64_t i0,
                                           int64_t rows, const float *P, const float *dP, int64_t ldp,
                                           const float *hi, const float *lo, float *dS) {
    const fv sc = fv_set1(b->h->scale);
    for (int64_t r = 0; r < rows; r++) {
        const fv dh = fv_set1(hi[r]), dl = fv_set1(lo[r]);
        for (int v = 0; v < FL_KV; v++) {
            const fv p = fv_load(P + r * ldp + v * FV_N), g = fv_load(dP + r * ldp + v * FV_N);
            const fv ds = fv_mul(p, fv_sub(fv_sub(g, dh), dl));
            if (a->dbias) fv_storen(a->dbias + (i0 + r) * a->ldbias + b->j0 + v * FV_N, ds, b->nb - v * FV_N);
            fv_store(dS + r * FL_BCB + v * FV_N, fv_mul(ds, sc));
        }
    }
}

// xt[d.., BCB] += sum_i A[i][d..] * B[i][BCB] over `rows` rows: dvt += dO^T P~ and dkt += q^T dS (the Q
// block's sum from 0 in registers, then added to the running total). xt rows are ldx apart, B rows ldb.
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_acc_tile)(const int D, float *xt, int64_t ldx, const float *A, int64_t lda,
                                            const float *B, int64_t ldb, int64_t rows) {
    fv acc[FL_DB][FL_KV];
#pragma clang loop unroll(full)
    for (int d = 0; d < D; d++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_KV; v++) acc[d][v] = fv_zero();
    }
    for (int64_t i = 0; i < rows; i++) {
        fv bv[FL_KV];
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_KV; v++) bv[v] = fv_load(B + i * ldb + v * FV_N);
#pragma clang loop unroll(full)
        for (int d = 0; d < D; d++) {
            const fv ab = fv_set1(A[i * lda + d]);
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_KV; v++) acc[d][v] = fv_fma(ab, bv[v], acc[d][v]);
        }
    }
#pragma clang loop unroll(full)
    for (int d = 0; d < D; d++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_KV; v++) {
            float *x = xt + d * ldx + v * FV_N;
            fv_store(x, fv_add(fv_load(x), acc[d][v]));
        }
    }
}

// dq[i][e0..] += sum_j dS[i][j] * k[j][e0..] for R rows, head dims in lanes (FL_KV vectors, `ew` valid lanes);
// the K block's sum from 0, then added.
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_dq_tile)(const int R, float *dq, int64_t lddq, const float *dS, const float *k,
                                           int64_t ldk, int64_t nb, int64_t ew) {
    fv acc[FL_RB][FL_KV];
    const int full = ew >= FL_KV * FV_N;
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int t = 0; t < FL_KV; t++) acc[r][t] = fv_zero();
    }
    for (int64_t j = 0; j < nb; j++) {
        fv kv[FL_KV];
        const float *kr = k + j * ldk;
#pragma clang loop unroll(full)
        for (int t = 0; t < FL_KV; t++) kv[t] = full ? fv_load(kr + t * FV_N) : fv_loadn(kr + t * FV_N, ew - t * FV_N);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const fv sb = fv_set1(dS[r * FL_BCB + j]);
#pragma clang loop unroll(full)
            for (int t = 0; t < FL_KV; t++) acc[r][t] = fv_fma(sb, kv[t], acc[r][t]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int t = 0; t < FL_KV; t++) {
            float *x = dq + r * lddq + t * FV_N;
            // Masked loads and stores only for a partial head dim: on AMD cores a masked store costs ~10x a plain one.
            if (full) fv_store(x, fv_add(fv_load(x), acc[r][t]));
            else fv_storen(x, fv_add(fv_loadn(x, ew - t * FV_N), acc[r][t]), ew - t * FV_N);
        }
    }
}

/// Packs xt[c][j] = x[j0 + j][c] for j < width (rows `ld` apart), zero for j in [n, width): keys in lanes. Walks
/// 16 keys at a time so the 16 source rows stay in L1 while every column of them is copied (a column-at-a-time
/// walk becomes a gather per element).
static void CK_FN(fl_pack_t)(const float *x, int64_t ldx, int64_t cols, int64_t j0, int64_t n, int64_t width,
                             float *xt, int64_t ld) {
    for (int64_t jb = 0; jb < width; jb += 16) {
        const int64_t m = CK_MIN(16, width - jb);
        for (int64_t c = 0; c < cols; c++) {
#pragma clang loop vectorize(disable)
            for (int64_t j = jb; j < jb + m; j++) xt[c * ld + j] = j < n ? x[(j0 + j) * ldx + c] : 0.0f;
        }
    }
}

/// The inverse: x[j][c] = xt[c][j] for j < n, 16 keys at a time for the same reason.
static void CK_FN(fl_unpack_t)(const float *xt, int64_t ld, int64_t cols, int64_t n, float *x, int64_t ldx) {
    for (int64_t jb = 0; jb < n; jb += 16) {
        const int64_t m = CK_MIN(16, n - jb);
        for (int64_t c = 0; c < cols; c++) {
#pragma clang loop vectorize(disable)
            for (int64_t j = jb; j < jb + m; j++) x[j * ldx + c] = xt[c * ld + j];
        }
    }
}

/// Whether any of rows [i0, i0 + n) sees a key of [j0, j0 + nb); sets *masked when some row misses part of
/// the full lane range [j0, j0 + BCB).
static int CK_FN(fl_rows_touch)(const ck_flash_head *h, int64_t i0, int64_t n, int64_t j0, int64_t nb, int *masked) {
    int any = 0, m = nb < FL_BCB;
    for (int64_t i = i0; i < i0 + n; i++) {
        const int64_t lo = h->key_lo ? h->key_lo[i] : 0, hi = h->key_hi ? h->key_hi[i] : h->S;
        if (lo < hi && lo < j0 + nb && hi > j0) any = 1;
        if (lo > j0 || hi < j0 + FL_BCB) m = 1;
    }
    *masked = m;
    return any;
}

CK_SIMD_TARGET static void CK_FN(fl_backward)(const ck_flash_bwd_args *a) {
    const ck_flash_head *h = a->head;
    const int64_t E = h->E, Ev = h->Ev, S = h->S, sp = (S + FL_BCB - 1) / FL_BCB * FL_BCB, ld = CK_FN(fl_bwd_ld)(S);
    float *kt = (float *)a->workspace, *vt = kt + E * ld, *dkt = vt + Ev * ld, *dvt = dkt + E * ld;
    float *P = dvt + Ev * ld, *dP = P + FL_BRB * ld, *Pd = dP + FL_BRB * ld, *dS = Pd + FL_BRB * ld;
    double *dot = (double *)(dS + FL_BRB * FL_BCB), *psum = dot + FL_BRB;
    float *pd = h->drop_threshold ? Pd : 0;
    const float *pt = pd ? pd : P;  // P~
    float dhi[FL_BRB], dlo[FL_BRB];
    CK_FN(fl_pack_t)(a->k, a->ldk, E, 0, S, sp, kt, ld);
    CK_FN(fl_pack_t)(a->v, a->ldv, Ev, 0, S, sp, vt, ld);
    for (int64_t x = 0; x < (E + Ev) * ld; x++) dkt[x] = 0.0f;  // dkt and dvt are adjacent

    for (int64_t i0 = a->row0; i0 < a->row1; i0 += FL_BRB) {
        const int64_t n = CK_MIN(FL_BRB, a->row1 - i0);
        for (int64_t r = 0; r < n; r++) {
            for (int64_t e = 0; e < E; e++) a->dq[(i0 + r) * a->lddq + e] = 0.0f;
            dot[r] = psum[r] = 0.0;
        }
        // The K blocks (on the BCB grid) that some row of this Q block can see.
        int64_t jlo = S, jhi = 0;
        for (int64_t i = i0; i < i0 + n; i++) {
            const int64_t lo = h->key_lo ? h->key_lo[i] : 0, hi = h->key_hi ? h->key_hi[i] : S;
            if (lo < hi) { jlo = CK_MIN(jlo, lo); jhi = jhi > hi ? jhi : hi; }
        }
        if (jlo >= jhi) continue;  // no row sees a key: dq stays 0, nothing reaches dk, dv
        const int64_t kb0 = jlo / FL_BCB * FL_BCB;

        // Pass 1: P, P~, dP of every visible block, and delta from them.
        for (int64_t j0 = kb0; j0 < jhi; j0 += FL_BCB) {
            CK_FN(fl_kblock) b = {h, j0, CK_MIN(FL_BCB, S - j0), 0, kt + j0, vt + j0, ld};
            (void)CK_FN(fl_rows_touch)(h, i0, n, j0, b.nb, &b.masked);  // a block no row sees comes out masked
            for (int64_t r = 0; r < n; r += FL_RB) {
                const int64_t nv = CK_MIN(FL_RB, n - r);
                CK_FN(fl_p_tile)(FL_RB, &b, a->q, a->ldq, a->rowmax, a->rowsum, i0 + r, nv, P + r * ld + j0, ld,
                                 pd ? pd + r * ld + j0 : 0, ld, FL_BCB);
                CK_FN(fl_dp_tile)(FL_RB, &b, a->dout, a->lddo, i0 + r, nv, P + r * ld + j0, pd ? pd + r * ld + j0 : 0,
                                  dP + r * ld + j0, ld, dot + r, psum + r);
            }
        }
        // delta = sum_j P dP~ / sum_j P: the same as sum_j P dP~ (the weights sum to 1), except for the rounding
        // of the float weights, whose row sum is 1 + eta. Dividing it out removes the eta * dP term that would
        // otherwise dominate dS of a peaked row (where dP~_j - delta is a small difference of large numbers).
        for (int64_t r = 0; r < n; r++) {
            const double delta = psum[r] > 0.0 ? dot[r] / psum[r] : 0.0;
            dhi[r] = (float)delta;
            dlo[r] = (float)(delta - (double)dhi[r]);
        }

        // Pass 2: dS, then dV, dK (running totals of the block's keys) and dQ (this Q block's rows).
        for (int64_t j0 = kb0; j0 < jhi; j0 += FL_BCB) {
            CK_FN(fl_kblock) b = {h, j0, CK_MIN(FL_BCB, S - j0), 0, kt + j0, vt + j0, ld};
            CK_FN(fl_ds_rows)(&b, a, i0, n, P + j0, dP + j0, ld, dhi, dlo, dS);
            int64_t d = 0;
            for (; d + FL_DB <= Ev; d += FL_DB)
                CK_FN(fl_acc_tile)(FL_DB, dvt + d * ld + j0, ld, a->dout + i0 * a->lddo + d, a->lddo, pt + j0, ld, n);
#define FL_DV_TAIL(D) CK_FN(fl_acc_tile)(D, dvt + d * ld + j0, ld, a->dout + i0 * a->lddo + d, a->lddo, pt + j0, ld, n)
            FL_SWITCH8(Ev - d, FL_DB, FL_DV_TAIL)
#undef FL_DV_TAIL
            int64_t e = 0;
            for (; e + FL_DB <= E; e += FL_DB)
                CK_FN(fl_acc_tile)(FL_DB, dkt + e * ld + j0, ld, a->q + i0 * a->ldq + e, a->ldq, dS, FL_BCB, n);
#define FL_DK_TAIL(D) CK_FN(fl_acc_tile)(D, dkt + e * ld + j0, ld, a->q + i0 * a->ldq + e, a->ldq, dS, FL_BCB, n)
            FL_SWITCH8(E - e, FL_DB, FL_DK_TAIL)
#undef FL_DK_TAIL
            for (int64_t e0 = 0; e0 < E; e0 += FL_KV * FV_N) {
                const int64_t ew = CK_MIN(FL_KV * FV_N, E - e0);
                int64_t r = 0;
                for (; r + FL_RB <= n; r += FL_RB)
                    CK_FN(fl_dq_tile)(FL_RB, a->dq + (i0 + r) * a->lddq + e0, a->lddq, dS + r * FL_BCB,
                                      a->k + j0 * a->ldk + e0, a->ldk, b.nb, ew);
#define FL_DQ_TAIL(R) CK_FN(fl_dq_tile)(R, a->dq + (i0 + r) * a->lddq + e0, a->lddq, dS + r * FL_BCB, \
                                        a->k + j0 * a->ldk + e0, a->ldk, b.nb, ew)
                FL_SWITCH16(n - r, FL_RB, FL_DQ_TAIL)
#undef FL_DQ_TAIL
            }
        }
    }
    CK_FN(fl_unpack_t)(dkt, ld, E, S, a->dk, a->lddk);
    CK_FN(fl_unpack_t)(dvt, ld, Ev, S, a->dv, a->lddv);
}

CK_SIMD_TARGET static void CK_FN(fl_weights)(const ck_flash_weights_args *a) {
    const ck_flash_head *h = a->head;
    float *kt = (float *)a->workspace;
    for (int64_t j0 = a->key0; j0 < a->key1; j0 += FL_BCB) {
        CK_FN(fl_kblock) b = {h, j0, CK_MIN(FL_BCB, a->key1 - j0), 1, kt, 0, FL_BCB};
        CK_FN(fl_pack_t)(a->k, a->ldk, h->E, j0, b.nb, FL_BCB, kt, FL_BCB);
        for (int64_t i0 = 0; i0 < h->L; i0 += FL_RB) {
            const int64_t nv = CK_MIN(FL_RB, h->L - i0);
            float *w = a->w + i0 * a->ldw + j0;
            // With dropout the caller wants the dropped weights (as PyTorch returns them): P~ overwrites P.
            CK_FN(fl_p_tile)(FL_RB, &b, a->q, a->ldq, a->rowmax, a->rowsum, i0, nv, w, a->ldw, h->drop_threshold ? w : 0,
                             a->ldw, b.nb);
        }
    }
}

