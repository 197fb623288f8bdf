// Private templates of the training step's double-precision loops: ck_column_sums (bias gradients) and
// ck_adam_update (ck_rowops.h), one Adam / AdamW step over float32 parameters with double
// moments, instantiated by every ISA file. Paths with double vectors (DV_N: AVX2, AVX-512) run DV_N lanes at a
// time; the rest, and every tail, run the same operations one element at a time. Each operation is a correctly
// rounded IEEE double operation (mul, add, sub, div, sqrt; float <-> double conversions round to nearest), none
// is contracted into a multiply-add, and the order is the one written in ck_rowops.h, so every path and every
// split of the range gives the same bits as AttentionTraining's scalar Swift rule.

CK_SIMD_TARGET void CK_FN(ck_adam_update)(const float *w, const float *g, double *m, double *v, float *w_out,
                                          int64_t n, const ck_adam_step *s) {
#pragma STDC FP_CONTRACT OFF
    const double lr = s->lr, wd = s->weight_decay, b1 = s->beta1, b2 = s->beta2, eps = s->eps;
    const double c1 = s->bias1, c2 = s->bias2;
    const double ob1 = 1.0 - b1, ob2 = 1.0 - b2, keep = 1.0 - lr * wd;
    const int scale = wd != 0 && s->decoupled, l2 = wd != 0 && !s->decoupled;
    int64_t i = 0;
#if defined(DV_N)
    const dv vb1 = dv_set1(b1), vb2 = dv_set1(b2), vob1 = dv_set1(ob1), vob2 = dv_set1(ob2);
    const dv vlr = dv_set1(lr), vwd = dv_set1(wd), vc1 = dv_set1(c1), vc2 = dv_set1(c2), veps = dv_set1(eps);
    const dv vkeep = dv_set1(keep);
    for (; i + DV_N <= n; i += DV_N) {
        dv wi = dv_load_floats(w + i), di = dv_load_floats(g + i);
        if (scale) wi = dv_mul(wi, vkeep);
        if (l2) di = dv_add(di, dv_mul(vwd, wi));
        const dv mi = dv_add(dv_mul(vb1, dv_loadu(m + i)), dv_mul(vob1, di));
        const dv vi = dv_add(dv_mul(vb2, dv_loadu(v + i)), dv_mul(dv_mul(vob2, di), di));
        dv_storeu(m + i, mi);
        dv_storeu(v + i, vi);
        const dv step = dv_div(dv_mul(vlr, dv_div(mi, vc1)), dv_add(dv_sqrt(dv_div(vi, vc2)), veps));
        dv_store_floats(w_out + i, dv_sub(wi, step));
    }
#endif
    for (; i < n; i++) {
        double wi = (double)w[i], di = (double)g[i];
        if (scale) wi = wi * keep;
        if (l2) { const double decay = wd * wi; di = di + decay; }
        const double m1 = b1 * m[i], m2 = ob1 * di, mi = m1 + m2;
        const double v1 = b2 * v[i], v2 = ob2 * di, v3 = v2 * di, vi = v1 + v3;
        m[i] = mi;
        v[i] = vi;
        const double num = lr * (mi / c1), den = __builtin_sqrt(vi / c2) + eps;
        w_out[i] = (float)(wi - num / den);
    }
}

// Column sums in double (ck_rowops.h): each column summed in row order, so every path, every column split and the
// scalar Swift loop it replaced give the same bits. Paths with double vectors keep 4 vectors of columns in
// registers while walking down the rows (one 64-byte line of each row per step).
CK_SIMD_TARGET void CK_FN(ck_column_sums)(const float *src, int64_t rows, int64_t cols, int64_t ld, double divisor,
                                          float *out) {
#pragma STDC FP_CONTRACT OFF
    int64_t i = 0;
#if defined(DV_N)
    const dv vd = dv_set1(divisor);
    for (; i + 4 * DV_N <= cols; i += 4 * DV_N) {
        dv a0 = dv_zero(), a1 = dv_zero(), a2 = dv_zero(), a3 = dv_zero();
        for (int64_t j = 0; j < rows; j++) {
            const float *row = src + j * ld + i;
            a0 = dv_add(a0, dv_load_floats(row));
            a1 = dv_add(a1, dv_load_floats(row + DV_N));
            a2 = dv_add(a2, dv_load_floats(row + 2 * DV_N));
            a3 = dv_add(a3, dv_load_floats(row + 3 * DV_N));
        }
        if (divisor != 1.0) { a0 = dv_div(a0, vd); a1 = dv_div(a1, vd); a2 = dv_div(a2, vd); a3 = dv_div(a3, vd); }
        dv_store_floats(out + i, a0);
        dv_store_floats(out + i + DV_N, a1);
        dv_store_floats(out + i + 2 * DV_N, a2);
        dv_store_floats(out + i + 3 * DV_N, a3);
    }
    for (; i + DV_N <= cols; i += DV_N) {
        dv a = dv_zero();
        for (int64_t j = 0; j < rows; j++) a = dv_add(a, dv_load_floats(src + j * ld + i));
        if (divisor != 1.0) a = dv_div(a, vd);
        dv_store_floats(out + i, a);
    }
#endif
    for (; i < cols; i++) {
        double total = 0.0;
        for (int64_t j = 0; j < rows; j++) total = total + (double)src[j * ld + i];
        out[i] = (float)(divisor == 1.0 ? total : total / divisor);
    }
}
