// Softmax pieces shared by every path (the kernels are in softmax_impl.h): the rare-row handling and a libm-free log.
//
// Row policy (all paths):
//   - ordinary row (finite max): m = max, e_j = exp(x_j - m) (entries at -inf give exactly 0), then
//     softmax x_j = e_j * (1 / sum e) and log-softmax x_j = (x_j - m) - log(sum e). sum >= 1 because the
//     max entry contributes exp(0) = 1, so neither the reciprocal nor the log can misbehave.
//   - max == -inf (every entry masked): softmax gives 0, log-softmax gives -inf (project policy).
//   - max == +inf: the whole row becomes NaN, as in PyTorch (exp(x_j - m) is exp(inf - inf) = NaN at the
//     +inf entries, so the sum is NaN): an infinite logit is a blow-up upstream and must stay visible.
//   - any NaN in the row: the whole row becomes NaN. The vector paths see it through the sum; only
//     rows with an infinite (or NaN) max are scanned for it explicitly, in ck_softmax_row_special.
//   - cols == 0: nothing to do.
#include "ck_internal.h"

#include <string.h>

// Natural log of a finite double s >= 1, with no libm (the C target links nothing but libc):
// s = 2^e * f with f in [sqrt(1/2), sqrt(2)), log f = 2 atanh(t), t = (f - 1) / (f + 1), |t| < 0.172;
// 12 odd terms of the atanh series leave < 1e-18 relative error, far below float resolution.
double ck_log_ge1(double s) {
    if (s != s) return s;
    uint64_t bits;
    memcpy(&bits, &s, 8);
    int64_t e = (int64_t)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double f;
    memcpy(&f, &bits, 8);
    if (f > 1.4142135623730951) {
        f *= 0.5;
        e += 1;
    }
    const double t = (f - 1.0) / (f + 1.0), t2 = t * t;
    double sum = 0.0;
    for (int k = 23; k >= 3; k -= 2) sum = (sum + 1.0 / k) * t2;
    return (double)e * 0.6931471805599453 + 2.0 * t * (1.0 + sum);
}

void ck_softmax_row_special(float *x, int64_t cols, float m, int log_mode) {
    int finite_max = m < 0;  // -inf: every entry masked, unless a NaN hides among them
    for (int64_t j = 0; j < cols; j++) {
        if (x[j] != x[j] || x[j] == __builtin_inff()) finite_max = 0;
    }
    if (!finite_max) {
        for (int64_t t = 0; t < cols; t++) x[t] = __builtin_nanf("");
        return;
    }
    for (int64_t j = 0; j < cols; j++) x[j] = log_mode ? -__builtin_inff() : 0.0f;
}
