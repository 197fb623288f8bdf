// Private template: the row kernels of ck_rowops.h written once in the vector vocabulary of ck_simd.h and
// instantiated by every ISA file (ck_avx512.c, ck_avx2.c, ck_neon.c, ck_scalar.c).
//
// Exact GELU, gelu(x) = x/2 * (1 + erf(u)), u = x/sqrt(2):
//   |u| <  0.5:  1 + erf(u) = 1 + u*A(u^2)
//   |u| >= 0.5:  erfc(t) = exp(-u^2) * B(s), t = |u|, s = 2/(2+t); 1 + erf(u) = 2 - erfc(t) (u > 0) or
//                erfc(t) (u < 0), so the negative tail keeps its relative accuracy instead of cancelling.
// u^2 = x^2/2 is carried as two floats (x*x and its FMA rounding error, both halved exactly) and the low part
// enters as exp(-hi)*(1 - lo): a rounded u^2 would cost 2t^2 relative ulps of erfc (30 ulps at t = 4).
// Beyond t ~ 10.2 exp(-u^2) underflows to 0 and gelu(x) is -0 for finite x (the exact value is below the
// smallest subnormal there); gelu(+inf) = +inf, gelu(-inf) = -inf*0 = NaN as the formula gives, NaN stays NaN.
// A and B are the float-rounded fits printed by Scripts/fit_gelu_erf.py (max relative error of A 5.2e-8,
// dominated by 2/sqrt(pi) rounded to float; of B 1.8e-9).
// Measured against 0.5*x*(1 + erf(x/sqrt 2)) in double over all 2^32 floats (Scripts/check_gelu_ulp.c):
// see ck_rowops.h.
#include "ck_rowops.h"

// erf(u)/u = A(u^2) on |u| < 0.5, max relative error 5.20e-08 (float coefficients)
#define RO_ERF_A0 0x1.20dd760000000p+0f  // 1.128379226e+00
#define RO_ERF_A1 -0x1.812a480000000p-2f  // -3.761378527e-01
#define RO_ERF_A2 0x1.cfab5c0000000p-4f  // 1.132005304e-01
#define RO_ERF_A3 -0x1.fa30560000000p-6f  // -3.089531325e-02
#define RO_ERF_A4 0x1.8184040000000p-6f  // 2.353001013e-02
#define RO_ERF_A5 -0x1.eb0aaa0000000p-6f  // -2.997080423e-02
// erfc(t) exp(t^2) = B(2/(2+t)) on [0.5, 10.5], max relative error 1.80e-09 (float coefficients)
#define RO_ERFC_B0 0x1.d585b80000000p-19f  // 3.498214028e-06
#define RO_ERFC_B1 0x1.20c0d00000000p-2f  // 2.819855213e-01
#define RO_ERFC_B2 0x1.2263be0000000p-2f  // 2.835836112e-01
#define RO_ERFC_B3 0x1.e1adf80000000p-3f  // 2.351951003e-01
#define RO_ERFC_B4 0x1.df2d860000000p-3f  // 2.339735478e-01
#define RO_ERFC_B5 -0x1.ac1e8e0000000p-4f  // -1.045213267e-01
#define RO_ERFC_B6 0x1.9a49e00000000p-2f  // 4.006724358e-01
#define RO_ERFC_B7 -0x1.35f46a0000000p-1f  // -6.053803563e-01
#define RO_ERFC_B8 0x1.64848c0000000p-2f  // 3.481618762e-01
#define RO_ERFC_B9 -0x1.2dcbf00000000p-4f  // -7.368081808e-02
#define RO_INV_SQRT2 0.707106781186547524f

#if defined(CK_SIMD_SCALAR)
#include <math.h>
#endif

// 1 + erf(x/sqrt 2) = 2*Phi(x), and (when pdf != NULL) phi(x) = exp(-x^2/2)/sqrt(2 pi), by the method above.
CK_INLINE CK_SIMD_TARGET fv CK_FN(ro_two_phi)(fv x, fv *pdf) {
    const fv half = fv_set1(0.5f);
    // Beyond |x| = 16 exp(-x^2/2) is 0 in float; clamping keeps x*x finite (no inf - inf) and NaN flows through.
    const fv xc = fv_min(fv_set1(16.0f), fv_max(fv_set1(-16.0f), x));
    const fv u = fv_mul(xc, fv_set1(RO_INV_SQRT2));
    const fv t = fv_abs(u);
    const fv hi = fv_mul(xc, xc);
    const fv lo = fv_fma(xc, xc, fv_sub(fv_zero(), hi));
    const fv u2 = fv_mul(hi, half), u2lo = fv_mul(lo, half);
    // Near zero: 1 + u*A(u^2).
    fv a = fv_set1(RO_ERF_A5);
    a = fv_fma(a, u2, fv_set1(RO_ERF_A4));
    a = fv_fma(a, u2, fv_set1(RO_ERF_A3));
    a = fv_fma(a, u2, fv_set1(RO_ERF_A2));
    a = fv_fma(a, u2, fv_set1(RO_ERF_A1));
    a = fv_fma(a, u2, fv_set1(RO_ERF_A0));
    const fv near = fv_fma(u, a, fv_set1(1.0f));
    // Tails: erfc(t) = exp(-u^2) B(s).
    const fv s = fv_div(fv_set1(2.0f), fv_add(fv_set1(2.0f), t));
    fv b = fv_set1(RO_ERFC_B9);
    b = fv_fma(b, s, fv_set1(RO_ERFC_B8));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B7));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B6));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B5));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B4));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B3));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B2));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B1));
    b = fv_fma(b, s, fv_set1(RO_ERFC_B0));
    const fv ex = fv_exp(fv_sub(fv_zero(), u2));
    const fv gauss = fv_sub(ex, fv_mul(ex, u2lo));   // exp(-x^2/2) with the low part of x^2
    if (pdf) *pdf = fv_mul(gauss, fv_set1(0.398942280401432678f));
    const fv e = fv_mul(gauss, b);
    const fv tail = fv_select(fv_lt(fv_zero(), xc), fv_sub(fv_set1(2.0f), e), e);
    return fv_select(fv_lt(t, half), near, tail);
}

CK_INLINE CK_SIMD_TARGET fv CK_FN(ro_gelu)(fv x) {
#if defined(CK_SIMD_SCALAR)
    // The portable path is the reference formula itself, in double, with 1 + erf(u) written erfc(-u) (no cancellation).
    const double d = (double)x;
    return (float)(0.5 * d * erfc(-d * 0.70710678118654752440));
#else
    return fv_mul(fv_mul(x, fv_set1(0.5f)), CK_FN(ro_two_phi)(x, NULL));
#endif
}

// d gelu / dx = Phi(x) + x*phi(x), times the incoming gradient.
CK_INLINE CK_SIMD_TARGET fv CK_FN(ro_gelu_grad)(fv x, fv g) {
#if defined(CK_SIMD_SCALAR)
    const double d = (double)x;
    const double phi = 0.5 * erfc(-d * 0.70710678118654752440), pdf = exp(-0.5 * d * d) * 0.39894228040143267794;
    return (float)((double)g * (phi + (isinf(d) ? 0.0 : d * pdf)));
#else
    fv pdf;
    const fv twoPhi = CK_FN(ro_two_phi)(x, &pdf);
    const fv xc = fv_min(fv_set1(16.0f), fv_max(fv_set1(-16.0f), x));
    return fv_mul(g, fv_fma(xc, pdf, fv_mul(twoPhi, fv_set1(0.5f))));
#endif
}

CK_SIMD_TARGET void CK_FN(ck_gelu_backward)(const float *x, const float *g, float *dx, int64_t n) {
    int64_t i = 0;
    for (; i + FV_N <= n; i += FV_N) fv_store(dx + i, CK_FN(ro_gelu_grad)(fv_load(x + i), fv_load(g + i)));
    if (i < n) fv_storen(dx + i, CK_FN(ro_gelu_grad)(fv_loadn(x + i, n - i), fv_loadn(g + i, n - i)), n - i);
}

CK_INLINE CK_SIMD_TARGET fv CK_FN(ro_act)(fv x, ck_activation act) {
    switch (act) {
    case CK_ACT_RELU: return fv_max(fv_zero(), x);  // operand order keeps NaN on x86
    case CK_ACT_GELU_ERF: return CK_FN(ro_gelu)(x);
    default: return x;
    }
}

CK_SIMD_TARGET void CK_FN(ck_bias_act_rows)(float *y, int64_t rows, int64_t cols, int64_t ld, const float *bias,
                                       ck_activation act) {
    if (bias == NULL && act == CK_ACT_NONE) return;
    for (int64_t r = 0; r < rows; r++) {
        float *row = y + r * ld;
        int64_t j = 0;
        for (; j + FV_N <= cols; j += FV_N) {
            fv v = fv_load(row + j);
            if (bias) v = fv_add(v, fv_load(bias + j));
            fv_store(row + j, CK_FN(ro_act)(v, act));
        }
        if (j < cols) {
            const int64_t n = cols - j;
            fv v = fv_loadn(row + j, n);
            if (bias) v = fv_add(v, fv_loadn(bias + j, n));
            fv_storen(row + j, CK_FN(ro_act)(v, act), n);
        }
    }
}

// One LayerNorm row in double, z already in y: for rows whose float sums overflow (see the caller). An infinite
// or NaN z makes the row NaN, as in PyTorch.
static void ro_layernorm_row_double(float *y, int64_t cols, const float *gamma, const float *beta, float eps,
                                    float *mean_out, float *rstd_out) {
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; j++) sum += y[j];
    const double mean = sum / (double)cols;
    for (int64_t j = 0; j < cols; j++) sq += ((double)y[j] - mean) * ((double)y[j] - mean);
    const double rstd = 1.0 / __builtin_sqrt(sq / (double)cols + (double)eps);
    if (mean_out) *mean_out = (float)mean;
    if (rstd_out) *rstd_out = (float)rstd;
    for (int64_t j = 0; j < cols; j++) {
        double v = ((double)y[j] - mean) * rstd;
        if (gamma) v *= gamma[j];
        if (beta) v += beta[j];
        y[j] = (float)v;
    }
}

CK_SIMD_TARGET void CK_FN(ck_layernorm_rows_saving)(const float *x, int64_t ldx, const float *residual, int64_t ldr,
                                               const float *gamma, const float *beta, float eps, float *y, int64_t ldy,
                                               int64_t rows, int64_t cols, float *mean_out, float *rstd_out) {
    if (cols <= 0) return;
    const int64_t body = cols - cols % FV_N;  // vector part; the last cols % FV_N elements run as scalars
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx, *rr = residual ? residual + r * ldr : NULL;
        float *yr = y + r * ldy;
        // Pass 1: z = x + residual, written to y, and its sum.
        fv acc = fv_zero();
        double tail = 0;
        for (int64_t j = 0; j < body; j += FV_N) {
            fv z = fv_load(xr + j);
            if (rr) z = fv_add(z, fv_load(rr + j));
            fv_store(yr + j, z);
            acc = fv_add(acc, z);
        }
        for (int64_t j = body; j < cols; j++) {
            const float z = rr ? xr[j] + rr[j] : xr[j];
            yr[j] = z;
            tail += z;
        }
        const float mean = (float)(((double)fv_hsum(acc) + tail) / (double)cols);
        // Pass 2: centred sum of squares (two-pass: no cancellation when |mean| >> spread).
        const fv vm = fv_set1(mean);
        fv sq = fv_zero();
        tail = 0;
        for (int64_t j = 0; j < body; j += FV_N) {
            const fv d = fv_sub(fv_load(yr + j), vm);
            sq = fv_fma(d, d, sq);
        }
        for (int64_t j = body; j < cols; j++) {
            const float d = yr[j] - mean;
            tail += (double)d * d;
        }
        const double var = ((double)fv_hsum(sq) + tail) / (double)cols;
        // Rows near Float's range (a spread beyond ~1e15): a float lane sum or square may have overflowed, or
        // rstd be subnormal, though the normalised row is finite. Redo the row in double; one compare per row.
        if (!(var < 1e30) || !(mean - mean == 0.0f)) {
            ro_layernorm_row_double(yr, cols, gamma, beta, eps, mean_out ? mean_out + r : NULL, rstd_out ? rstd_out + r : NULL);
            continue;
        }
        const float rstd = (float)(1.0 / __builtin_sqrt(var + (double)eps));
        if (mean_out) mean_out[r] = mean;
        if (rstd_out) rstd_out[r] = rstd;
        // Pass 3: normalise, scale, shift.
        const fv vr = fv_set1(rstd);
        for (int64_t j = 0; j < body; j += FV_N) {
            fv v = fv_mul(fv_sub(fv_load(yr + j), vm), vr);
            if (gamma) v = fv_mul(v, fv_load(gamma + j));
            if (beta) v = fv_add(v, fv_load(beta + j));
            fv_store(yr + j, v);
        }
        for (int64_t j = body; j < cols; j++) {
            float v = (yr[j] - mean) * rstd;
            if (gamma) v *= gamma[j];
            if (beta) v += beta[j];
            yr[j] = v;
        }
    }
}

CK_SIMD_TARGET void CK_FN(ck_layernorm_rows)(const float *x, int64_t ldx, const float *residual, int64_t ldr,
                                        const float *gamma, const float *beta, float eps, float *y, int64_t ldy,
                                        int64_t rows, int64_t cols) {
    CK_FN(ck_layernorm_rows_saving)(x, ldx, residual, ldr, gamma, beta, eps, y, ldy, rows, cols, NULL, NULL);
}

// Backward of y = (z - mean) * rstd * gamma + beta, z = x + residual, per row, with n = cols:
//   xh = (z - mean) * rstd, gh = g * gamma
//   dz = rstd * (gh - mean(gh) - xh * mean(gh * xh))          (the gradient of x and of the residual)
//   dgamma += g * xh, dbeta += g                                (accumulated over this call's rows)
// mean and rstd are the forward's (ck_layernorm_rows_saving). Row sums in float lanes, added in double.
CK_SIMD_TARGET void CK_FN(ck_layernorm_backward_rows)(const float *x, int64_t ldx, const float *residual, int64_t ldr,
                                                 const float *gamma, const float *mean, const float *rstd,
                                                 const float *g, int64_t ldg, float *dz, int64_t lddz,
                                                 float *dgamma, float *dbeta, int64_t rows, int64_t cols) {
    if (cols <= 0) return;
    const int64_t body = cols - cols % FV_N;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx, *rr = residual ? residual + r * ldr : NULL, *gr = g + r * ldg;
        float *dr = dz + r * lddz;
        const fv vm = fv_set1(mean[r]), vr = fv_set1(rstd[r]);
        fv sg = fv_zero(), sgx = fv_zero();
        double tg = 0, tgx = 0;
        for (int64_t j = 0; j < body; j += FV_N) {
            fv z = fv_load(xr + j);
            if (rr) z = fv_add(z, fv_load(rr + j));
            const fv xh = fv_mul(fv_sub(z, vm), vr), gv = fv_load(gr + j);
            const fv gh = gamma ? fv_mul(gv, fv_load(gamma + j)) : gv;
            sg = fv_add(sg, gh);
            sgx = fv_fma(gh, xh, sgx);
            if (dgamma) fv_store(dgamma + j, fv_fma(gv, xh, fv_load(dgamma + j)));
            if (dbeta) fv_store(dbeta + j, fv_add(fv_load(dbeta + j), gv));
        }
        for (int64_t j = body; j < cols; j++) {
            const float z = rr ? xr[j] + rr[j] : xr[j];
            const float xh = (z - mean[r]) * rstd[r], gh = gamma ? gr[j] * gamma[j] : gr[j];
            tg += gh;
            tgx += (double)gh * xh;
            if (dgamma) dgamma[j] += gr[j] * xh;
            if (dbeta) dbeta[j] += gr[j];
        }
        const float a = (float)(((double)fv_hsum(sg) + tg) / (double)cols);
        const float b = (float)(((double)fv_hsum(sgx) + tgx) / (double)cols);
        const fv va = fv_set1(a), vb = fv_set1(b);
        for (int64_t j = 0; j < body; j += FV_N) {
            fv z = fv_load(xr + j);
            if (rr) z = fv_add(z, fv_load(rr + j));
            const fv xh = fv_mul(fv_sub(z, vm), vr), gv = fv_load(gr + j);
            const fv gh = gamma ? fv_mul(gv, fv_load(gamma + j)) : gv;
            fv_store(dr + j, fv_mul(vr, fv_sub(fv_sub(gh, va), fv_mul(xh, vb))));
        }
        for (int64_t j = body; j < cols; j++) {
            const float z = rr ? xr[j] + rr[j] : xr[j];
            const float xh = (z - mean[r]) * rstd[r], gh = gamma ? gr[j] * gamma[j] : gr[j];
            dr[j] = rstd[r] * (gh - a - xh * b);
        }
    }
}
