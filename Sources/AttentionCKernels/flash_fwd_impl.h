// Private template: flash-attention forward and decode for one ISA (see ck_simd.h for the vocabulary).
// Included once per ISA file (through flash_instance.h) with FL_QV, FL_SJ, FL_PD, FL_BC and FL_DEC defined.
//
// Forward layout, "queries in lanes": a block of BR = FL_QV * FV_N query rows is packed transposed once,
// qt[e][i] = q[i][e], so that every product below reads K and V in their natural row-major layout through
// scalar broadcasts and vectorises over queries:
//
//   st[j][i]  = scale * sum_e k[j][e] * qt[e][i]    score tile, FL_SJ keys x FL_QV vectors in registers;
//                                                   the scale is applied once, to the rounded dot
//   m_i, l_i  running max / sum per query lane: the row softmax is a vertical reduction, no shuffles (l is
//             Kahan-compensated, see below)
//   st[j][i]  = exp(st[j][i] - m_i)                P, in place (L1)
//   ot[d][i]  = alpha_i * ot[d][i] + sum_j v[j][d] * st[j][i]   unnormalised output, FL_PD dims x FL_QV vectors
//                                                   (the block's sum starts from 0 in registers, then is added)
//
// and normalisation happens once, at the end (o = ot / l, vectorised over the lanes). K/V blocks of FL_BC keys stream
// through; blocks that no row of the Q block can see (causal, sliding window, padding lengths) are never
// touched, and blocks inside every row's visible range skip the per-element mask.
#define FL_BR (FL_QV * FV_N)

// Dispatches a runtime count n in 1...8 to a call with a compile-time constant, so each tail tile is a fully
// unrolled instance. Constants above MAX (never reached at run time) are clamped to keep arrays in bounds.
#define FL_CLAMP(k, MAX) ((k) < (MAX) ? (k) : (MAX))
#define FL_SWITCH8(n, MAX, CALL)                 \
    switch (n) {                                 \
    case 1: CALL(FL_CLAMP(1, MAX)); break;       \
    case 2: CALL(FL_CLAMP(2, MAX)); break;       \
    case 3: CALL(FL_CLAMP(3, MAX)); break;       \
    case 4: CALL(FL_CLAMP(4, MAX)); break;       \
    case 5: CALL(FL_CLAMP(5, MAX)); break;       \
    case 6: CALL(FL_CLAMP(6, MAX)); break;       \
    case 7: CALL(FL_CLAMP(7, MAX)); break;       \
    case 8: CALL(FL_CLAMP(8, MAX)); break;       \
    default: break;                              \
    }
// The same for n in 1...15 (row tails of tiles up to 16 rows).
#define FL_SWITCH16(n, MAX, CALL)                \
    switch (n) {                                 \
    case 9: CALL(FL_CLAMP(9, MAX)); break;       \
    case 10: CALL(FL_CLAMP(10, MAX)); break;     \
    case 11: CALL(FL_CLAMP(11, MAX)); break;     \
    case 12: CALL(FL_CLAMP(12, MAX)); break;     \
    case 13: CALL(FL_CLAMP(13, MAX)); break;     \
    case 14: CALL(FL_CLAMP(14, MAX)); break;     \
    case 15: CALL(FL_CLAMP(15, MAX)); break;     \
    default: FL_SWITCH8(n, MAX, CALL)            \
    }
// A tail is 1 ... tile - 1 long: tiles the 8-case switch serves must be at most 9 wide, the 16-case one 16.
_Static_assert(FL_SJ <= 9 && FL_PD <= 9, "forward tails are dispatched by FL_SWITCH8");

/// Per-call state shared by the tiles of one Q block.
typedef struct {
    const ck_flash_head *h;
    const float *k; int64_t ldk;
    int64_t row0;
    int masked;               // this K block needs the per-element range test
    float scale;
    int32_t lo[FL_BR], hi[FL_BR];
    const float *bias;        // bias row of the block's first query, or NULL
    int32_t boff[FL_BR];      // bias offset of each lane's row from it (rows past the block end repeat the last;
                              // at most (BR - 1) * S, so 32 bits suffice even when L * S does not fit)
} CK_FN(fl_fwd_ctx);

// [SJ keys, BR queries] = scale * K[j0.., E] . qt[E, BR]; then bias, mask, block max, store.
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_score_tile)(const int J, const CK_FN(fl_fwd_ctx) *c, const float *qt, int64_t E,
                                              int64_t j0, int64_t jlast, float *st, fv *bmax) {
    const float *kr[FL_SJ];
#pragma clang loop unroll(full)
    for (int r = 0; r < J; r++) kr[r] = c->k + (j0 + r <= jlast ? j0 + r : jlast) * c->ldk;
    fv acc[FL_SJ][FL_QV];
#pragma clang loop unroll(full)
    for (int r = 0; r < J; r++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_QV; v++) acc[r][v] = fv_zero();
    }
    for (int64_t e = 0; e < E; e++) {
        fv qv[FL_QV];
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_QV; v++) qv[v] = fv_load(qt + e * FL_BR + v * FV_N);
#pragma clang loop unroll(full)
        for (int r = 0; r < J; r++) {
            const fv kb = fv_set1(kr[r][e]);
#pragma clang loop unroll(full)
            for (int v = 0; v < FL_QV; v++) acc[r][v] = fv_fma(kb, qv[v], acc[r][v]);
        }
    }
    const float *bias = c->bias;
#pragma clang loop unroll(full)
    for (int r = 0; r < J; r++) {
        const int32_t j = (int32_t)(j0 + r);
#pragma clang loop unroll(full)
        for (int v = 0; v < FL_QV; v++) {
            fv s = fv_mul(acc[r][v], fv_set1(c->scale));
            if (bias) {
                const fv b = c->h->bias_rs == 0 ? fv_set1(bias[j]) : fv_gather(bias + j, c->boff + v * FV_N);
                s = fv_add(s, b);
            }
            if (c->masked) s = fv_mask_ninf(s, fv_rows_see(c->lo + v * FV_N, c->hi + v * FV_N, j));
            bmax[v] = fv_max(bmax[v], s);
            fv_store(st + r * FL_BR + v * FV_N, s);
        }
    }
}

// ot[d.., BR] = alpha * ot + sum_j v[j][d..] * P[j][BR]  for D value dims (the block's sum from 0, then added).
CK_INLINE CK_SIMD_TARGET void CK_FN(fl_pv_tile)(const int D, float *ot, const fv *alpha, const float *st, int64_t nb,
                                           const float *v, int64_t ldv) {
    fv acc[FL_PD][FL_QV];
#pragma clang loop unroll(full)
    for (int d = 0; d < D; d++) {
#pragma clang loop unroll(full)
        for (int q = 0; q < FL_QV; q++) acc[d][q] = fv_zero();
    }
    for (int64_t j = 0; j < nb; j++) {
        fv p[FL_QV];
#pragma clang loop unroll(full)
        for (int q = 0; q < FL_QV; q++) p[q] = fv_load(st + j * FL_BR + q * FV_N);
        const float *vr = v + j * ldv;
#pragma clang loop unroll(full)
        for (int d = 0; d < D; d++) {
            const fv vb = fv_set1(vr[d]);
#pragma clang loop unroll(full)
            for (int q = 0; q < FL_QV; q++) acc[d][q] = fv_fma(vb, p[q], acc[d][q]);
        }
    }
#pragma clang loop unroll(full)
    for (int d = 0; d < D; d++) {
#pragma clang loop unroll(full)
        for (int q = 0; q < FL_QV; q++) {
            float *o = ot + d * FL_BR + q * FV_N;
            fv_store(o, fv_fma(fv_load(o), alpha[q], acc[d][q]));
        }
    }
}

static size_t CK_FN(fl_fwd_workspace)(int64_t E, int64_t Ev) {
    return sizeof(float) * (size_t)((E + FL_BC + Ev) * FL_BR);
}

CK_SIMD_TARGET static void CK_FN(fl_forward_block)(const ck_flash_fwd_args *a) {
    const ck_flash_head *h = a->head;
    const int64_t E = h->E, Ev = h->Ev, S = h->S, r0 = a->row0, nr = a->rows;
    float *qt = (float *)a->workspace, *st = qt + E * FL_BR, *ot = st + FL_BC * FL_BR;
    CK_FN(fl_fwd_ctx) c;
    c.h = h; c.k = a->k; c.ldk = a->ldk; c.row0 = r0; c.scale = h->scale;
    c.bias = h->bias ? h->bias + r0 * h->bias_rs : 0;

    // Row ranges; lanes past the block end see nothing (their results are discarded).
    int64_t jlo = S, jhi = 0, maxlo = 0, minhi = S;
    for (int64_t i = 0; i < FL_BR; i++) {
        const int64_t row = r0 + (i < nr ? i : nr - 1);
        c.boff[i] = (int32_t)((row - r0) * h->bias_rs);
        if (i >= nr) { c.lo[i] = 0; c.hi[i] = 0; continue; }
        const int32_t lo = h->key_lo ? h->key_lo[row] : 0, hi = h->key_hi ? h->key_hi[row] : (int32_t)S;
        c.lo[i] = lo; c.hi[i] = hi;
        if (lo < hi) { jlo = CK_MIN(jlo, lo); jhi = jhi > hi ? jhi : hi; }
        maxlo = maxlo > lo ? maxlo : lo;
        minhi = CK_MIN(minhi, hi);
    }
    if (jlo >= jhi) {  // no row of the block sees a key: output 0, m2 = +inf, l = 1
        for (int64_t i = 0; i < nr; i++) {
            for (int64_t d = 0; d < Ev; d++) a->o[(r0 + i) * a->ldo + d] = 0.0f;
            if (a->rowmax) { a->rowmax[r0 + i] = __builtin_inff(); a->rowsum[r0 + i] = 1.0f; }
        }
        return;
    }

    // qt[e][i] = q[i][e], zero lanes past the block end; 16 rows at a time so they stay in L1 while each of their
    // columns is copied (the compiler would otherwise turn the column walk into gathers).
    for (int64_t ib = 0; ib < FL_BR; ib += 16) {
        const int64_t m = CK_MIN(16, FL_BR - ib);
        for (int64_t e = 0; e < E; e++) {
#pragma clang loop vectorize(disable)
            for (int64_t i = ib; i < ib + m; i++) qt[e * FL_BR + i] = i < nr ? a->q[(r0 + i) * a->ldq + e] : 0.0f;
        }
    }
    for (int64_t x = 0; x < Ev * FL_BR; x++) ot[x] = 0.0f;
    // l is summed with Kahan compensation (lc): a row dominated by one key has l = 1 + many tiny terms, and a
    // plain running sum would lose each tiny term's low bits against the 1; the row's every recomputed weight
    // (and so its gradient) is divided by l.
    fv m[FL_QV], l[FL_QV], lc[FL_QV];
    for (int q = 0; q < FL_QV; q++) { m[q] = fv_set1(-__builtin_inff()); l[q] = fv_zero(); lc[q] = fv_zero(); }

    for (int64_t j0 = jlo; j0 < jhi; j0 += FL_BC) {
        const int64_t nb = CK_MIN(FL_BC, jhi - j0);
        c.masked = !(j0 >= maxlo && j0 + nb <= minhi);
        fv bmax[FL_QV];
        for (int q = 0; q < FL_QV; q++) bmax[q] = fv_set1(-__builtin_inff());
        int64_t jt = 0;
        for (; jt + FL_SJ <= nb; jt += FL_SJ)
            CK_FN(fl_score_tile)(FL_SJ, &c, qt, E, j0 + jt, jhi - 1, st + jt * FL_BR, bmax);
#define FL_SCORE_TAIL(J) CK_FN(fl_score_tile)(J, &c, qt, E, j0 + jt, jhi - 1, st + jt * FL_BR, bmax)
        FL_SWITCH8(nb - jt, FL_SJ, FL_SCORE_TAIL)
#undef FL_SCORE_TAIL

        // Online softmax: new max, rescale factor alpha = exp(m_old - m_new), P = exp(s - m_new) in place.
        // A lane whose max is still -inf (nothing visible yet) subtracts 0 instead, so -inf - -inf never
        // appears: its P and alpha are exactly 0.
        fv alpha[FL_QV], mu[FL_QV];
        for (int q = 0; q < FL_QV; q++) {
            const fv mnew = fv_max(m[q], bmax[q]);
            mu[q] = fv_ninf_to(mnew, fv_zero());
            alpha[q] = fv_exp(fv_sub(m[q], mu[q]));
            m[q] = mnew;
            l[q] = fv_mul(l[q], alpha[q]);
            lc[q] = fv_mul(lc[q], alpha[q]);
        }
        for (int64_t j = 0; j < nb; j++) {
            for (int q = 0; q < FL_QV; q++) {
                fv p = fv_exp(fv_sub(fv_load(st + j * FL_BR + q * FV_N), mu[q]));
                const fv y = fv_sub(p, lc[q]), t = fv_add(l[q], y);  // the normaliser counts every weight,
                lc[q] = fv_sub(fv_sub(t, l[q]), y);                   // dropped or not
                l[q] = t;
                if (h->drop_threshold) {
                    const uint64_t idx = h->drop_base + (uint64_t)(r0 + q * FV_N) * (uint64_t)S + (uint64_t)(j0 + j);
                    p = fv_select(fv_dropout_keep(h->drop_seed, h->drop_threshold, idx, (uint64_t)S), p, fv_zero());
                }
                fv_store(st + j * FL_BR + q * FV_N, p);
            }
        }

        const float *vb = a->v + j0 * a->ldv;
        int64_t d = 0;
        for (; d + FL_PD <= Ev; d += FL_PD) CK_FN(fl_pv_tile)(FL_PD, ot + d * FL_BR, alpha, st, nb, vb + d, a->ldv);
#define FL_PV_TAIL(D) CK_FN(fl_pv_tile)(D, ot + d * FL_BR, alpha, st, nb, vb + d, a->ldv)
        FL_SWITCH8(Ev - d, FL_PD, FL_PV_TAIL)
#undef FL_PV_TAIL
    }

    // One division per output, vectorised over the query lanes in place; a row with l = 0 saw no key (or only
    // -inf biases) and gets 0 (its unnormalised sums are 0), m = +inf and l = 1.
    float mf[FL_BR], lf[FL_BR];
    fv lsafe[FL_QV];
    for (int q = 0; q < FL_QV; q++) {
        const fv lq = fv_sub(l[q], lc[q]);
        lsafe[q] = fv_select(fv_nonzero(lq), lq, fv_set1(1.0f));
        fv_store(mf + q * FV_N, fv_select(fv_nonzero(lq), m[q], fv_set1(__builtin_inff())));
        fv_store(lf + q * FV_N, lsafe[q]);
    }
    const float ds = h->drop_scale;
    for (int64_t d = 0; d < Ev; d++) {
        for (int q = 0; q < FL_QV; q++) {
            fv x = fv_div(fv_load(ot + d * FL_BR + q * FV_N), lsafe[q]);
            if (ds != 1.0f) x = fv_mul(x, fv_set1(ds));
            fv_store(ot + d * FL_BR + q * FV_N, x);
        }
    }
    // o[i][d] = ot[d][i], 16 rows at a time (their lines stay in L1 while every column is written).
    for (int64_t ib = 0; ib < nr; ib += 16) {
        const int64_t n = CK_MIN(16, nr - ib);
        for (int64_t d = 0; d < Ev; d++) {
#pragma clang loop vectorize(disable)
            for (int64_t i = ib; i < ib + n; i++) a->o[(r0 + i) * a->ldo + d] = ot[d * FL_BR + i];
        }
    }
    if (a->rowmax) {
        for (int64_t i = 0; i < nr; i++) {
            a->rowmax[r0 + i] = mf[i];
            a->rowsum[r0 + i] = lf[i];
        }
    }
}

// Callers pass at most fwd_rows rows; more are split here, so a mismatched block size is never unsafe.
CK_SIMD_TARGET static void CK_FN(fl_forward)(const ck_flash_fwd_args *a) {
    ck_flash_fwd_args sub = *a;
    for (int64_t r = 0; r < a->rows; r += FL_BR) {
        sub.row0 = a->row0 + r;
        sub.rows = CK_MIN(FL_BR, a->rows - r);
        CK_FN(fl_forward_block)(&sub);
    }
}

// MARK: - Decode: one query row against a range of keys, keys in lanes.

// One sub-chunk of at most FL_DEC keys [j0, j0 + n), folded into the running state (m, l, acc) exactly like a
// K/V block of the forward: scores, new max, rescale by exp(m_old - m_new), add P and P~ v.
CK_SIMD_TARGET static void CK_FN(fl_decode_chunk)(const ck_flash_decode_args *a, int64_t j0, int64_t n, float *m, float *l) {
    const ck_flash_head *h = a->head;
    const int64_t E = h->E, Ev = h->Ev, row = a->row;
    float s[FL_DEC + FV_N];
    const float *brow = h->bias ? h->bias + row * h->bias_rs : 0;
    // s_j = scale * (q.k_j) (+ bias_j), keys in lanes (gathered), summed over e in order from 0: the same
    // products, order and scaling as the block forward and the backward, so the backward's recomputed scores
    // are consistent with this path's statistics.
    int32_t idx[FV_N];
    for (int64_t j = 0; j < n; j += FV_N) {
        const int64_t w = CK_MIN(FV_N, n - j);
        for (int l = 0; l < FV_N; l++) idx[l] = (int32_t)((l < w ? l : w - 1) * a->ldk);
        const float *kb = a->k + (j0 + j) * a->ldk;
        fv acc = fv_zero();
        for (int64_t e = 0; e < E; e++) acc = fv_fma(fv_set1(a->q[e]), fv_gather(kb + e, idx), acc);
        fv x = fv_mul(acc, fv_set1(h->scale));
        if (brow) x = fv_add(x, fv_loadn(brow + j0 + j, w));
        fv_storen(s + j, x, w);
    }
    // The running max must keep a NaN (a `>` scan skips it, and a chunk of only NaN and -inf would then look
    // masked): once mx is NaN, `s > mx` is false for every s, so it stays NaN; alpha, p, l and acc follow.
    float mx = *m;
    int nan = 0;
    for (int64_t j = 0; j < n; j++) {
        mx = s[j] > mx ? s[j] : mx;
        nan |= s[j] != s[j];
    }
    if (nan) mx = __builtin_nanf("");
    if (mx == -__builtin_inff()) return;  // nothing visible so far (every key here carries a -inf bias)
    const float alpha = ck_exp_scalar(*m - mx);  // 0 when the old max was -inf
    fv lsum = fv_zero();
    for (int64_t j = 0; j < n; j += FV_N) {
        const int64_t w = CK_MIN(FV_N, n - j);
        fv p = fv_exp(fv_sub(fv_loadn(s + j, w), fv_set1(mx)));
        p = fv_select(fv_keys_seen(0, 0, (int32_t)w), p, fv_zero());  // lanes past the chunk
        lsum = fv_add(lsum, p);
        if (h->drop_threshold) {
            const uint64_t idx = h->drop_base + (uint64_t)row * (uint64_t)h->S + (uint64_t)(j0 + j);
            p = fv_select(fv_dropout_keep(h->drop_seed, h->drop_threshold, idx, 1), p, fv_zero());
        }
        fv_storen(s + j, p, w);
    }
    // acc[d] = alpha * acc[d] + sum_j p_j v[j][d], value dims in lanes, 4 vectors at a time.
    const fv va = fv_set1(alpha);
    for (int64_t d = 0; d < Ev; d += 4 * FV_N) {
        fv o[4];
        for (int t = 0; t < 4; t++) o[t] = fv_mul(va, fv_loadn(a->acc + d + t * FV_N, Ev - d - t * FV_N));
        for (int64_t j = 0; j < n; j++) {
            const fv pj = fv_set1(s[j]);
            const float *vr = a->v + (j0 + j) * a->ldv + d;
            for (int t = 0; t < 4; t++) {
                const int64_t w = Ev - d - t * FV_N;
                if (w <= 0) break;
                o[t] = fv_fma(pj, w >= FV_N ? fv_load(vr + t * FV_N) : fv_loadn(vr + t * FV_N, w), o[t]);
            }
        }
        for (int t = 0; t < 4; t++) fv_storen(a->acc + d + t * FV_N, o[t], Ev - d - t * FV_N);
    }
    *m = mx;
    *l = *l * alpha + fv_hsum(lsum);
}

CK_SIMD_TARGET static void CK_FN(fl_decode)(const ck_flash_decode_args *a) {
    const ck_flash_head *h = a->head;
    int64_t j0 = a->key0, j1 = a->key1;
    if (h->key_lo && h->key_lo[a->row] > j0) j0 = h->key_lo[a->row];
    if (h->key_hi && h->key_hi[a->row] < j1) j1 = h->key_hi[a->row];
    for (int64_t d = 0; d < h->Ev; d++) a->acc[d] = 0.0f;
    float m = -__builtin_inff(), l = 0.0f;
    for (int64_t j = j0; j < j1; j += FL_DEC) CK_FN(fl_decode_chunk)(a, j, CK_MIN(FL_DEC, j1 - j), &m, &l);
    *a->m = m;
    *a->l = l;
}
