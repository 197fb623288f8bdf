// AArch64 softmax / log-softmax rows: the x86 structure (softmax_x86.c) with 4-lane vectors. Tails go
// through a 4-lane buffer filled with -inf, so they share the vector arithmetic.
#include "ck_exp.h"

#if defined(__aarch64__)

static void row_neon(float *x, int64_t n, int log_mode) {
    const float ninf = -__builtin_inff();
    const int64_t rem = n & 3, nv = n - rem;
    float tb[4] = {ninf, ninf, ninf, ninf};
    for (int64_t t = 0; t < rem; t++) tb[t] = x[nv + t];
    const float32x4_t tv = vld1q_f32(tb);

    float32x4_t mx0 = vdupq_n_f32(ninf), mx1 = tv;
    int64_t j = 0;
    for (; j + 8 <= nv; j += 8) {
        mx0 = vmaxq_f32(mx0, vld1q_f32(x + j));
        mx1 = vmaxq_f32(mx1, vld1q_f32(x + j + 4));
    }
    if (j < nv) mx0 = vmaxq_f32(mx0, vld1q_f32(x + j));
    const float m = vmaxvq_f32(vmaxq_f32(mx0, mx1));
    if (!(m > ninf && m < __builtin_inff())) {
        ck_softmax_row_special(x, n, m, log_mode);
        return;
    }

    const float32x4_t vm = vdupq_n_f32(m);
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = vdupq_n_f32(0.0f);
    for (j = 0; j + 8 <= nv; j += 8) {
        const float32x4_t e0 = ck_exp_neon(vsubq_f32(vld1q_f32(x + j), vm));
        const float32x4_t e1 = ck_exp_neon(vsubq_f32(vld1q_f32(x + j + 4), vm));
        if (!log_mode) {
            vst1q_f32(x + j, e0);
            vst1q_f32(x + j + 4, e1);
        }
        s0 = vaddq_f32(s0, e0);
        s1 = vaddq_f32(s1, e1);
    }
    if (j < nv) {
        const float32x4_t e = ck_exp_neon(vsubq_f32(vld1q_f32(x + j), vm));
        if (!log_mode) vst1q_f32(x + j, e);
        s0 = vaddq_f32(s0, e);
    }
    float te[4];
    if (rem) {
        const float32x4_t e = ck_exp_neon(vsubq_f32(tv, vm));
        vst1q_f32(te, e);
        s1 = vaddq_f32(s1, e);
    }
    const float sum = vaddvq_f32(vaddq_f32(s0, s1));

    if (log_mode) {
        const float lse = (float)ck_log_ge1((double)sum);
        const float32x4_t vl = vdupq_n_f32(lse);
        for (j = 0; j < nv; j += 4) vst1q_f32(x + j, vsubq_f32(vsubq_f32(vld1q_f32(x + j), vm), vl));
        for (int64_t t = 0; t < rem; t++) x[nv + t] = (x[nv + t] - m) - lse;
    } else {
        const float inv = 1.0f / sum;
        for (j = 0; j < nv; j += 4) vst1q_f32(x + j, vmulq_n_f32(vld1q_f32(x + j), inv));
        for (int64_t t = 0; t < rem; t++) x[nv + t] = te[t] * inv;
    }
}

void ck_softmax_rows_neon(float *x, int64_t rows, int64_t cols, int64_t ld, int log_mode) {
    if (cols <= 0) return;
    for (int64_t r = 0; r < rows; r++) row_neon(x + r * ld, cols, log_mode);
}

#endif
