// Row kernels that sit around the GEMM in a Transformer layer: the bias + activation epilogue of a linear
// layer and the (residual +) LayerNorm of a row. Same rules as the rest of CKernels: runtime ISA dispatch,
// no allocation, no threads; every function is safe to call concurrently on disjoint rows.
#ifndef CK_ROWOPS_H
#define CK_ROWOPS_H

#include <stdint.h>
#include <stddef.h>
#include "AttentionCKernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Activations the epilogue can apply.
typedef enum {
    CK_ACT_NONE = 0,
    CK_ACT_RELU = 1,      ///< max(x, 0); NaN stays NaN
    CK_ACT_GELU_ERF = 2,  ///< x/2 * (1 + erf(x/sqrt 2)), the exact GELU (PyTorch's default, BERT's "gelu")
} ck_activation;

/// y[r*ld + j] = act(y[r*ld + j] + bias[j]) for r < rows, j < cols, in place; `bias` may be NULL (no add).
///
/// The exact GELU is a vectorised erf built from two polynomials fitted by Scripts/fit_gelu_erf.py
/// (erf(u) = u*A(u^2) for |u| < 0.5, erfc(|u|) = exp(-u^2)*B(2/(2+|u|)) beyond, with u^2 split into two
/// floats so exp sees it exactly); 1 + erf is formed as 2 - erfc or erfc so neither tail cancels. The scalar
/// path evaluates 0.5*x*erfc(-x/sqrt 2) with libm in double. gelu(+inf) = +inf, gelu(-inf) = NaN (the
/// formula's -inf * 0), NaN stays NaN.
/// Measured over all 2^32 floats against 0.5*x*erfc(-x/sqrt 2) in double (Scripts/check_gelu_ulp.c):
///   scalar 0 ulp from the correctly rounded value; AVX2 and AVX-512 at most 7 ulp (x = -2.78, negative tail,
///   where erfc's polynomial and exp round), 6.9 million inputs more than 1 ulp away. For scale: PyTorch's
///   float GELU (1 + erf in float) is up to 2133 ulp away on [-3, -1] and loses all digits below x = -5.
void ck_bias_act_rows(float *y, int64_t rows, int64_t cols, int64_t ld, const float *bias, ck_activation act);

/// The exact GELU's backward: dx[i] = g[i] * (Phi(x[i]) + x[i] * phi(x[i])), Phi and phi the standard normal
/// CDF and density, from the same erf / exp evaluation as the forward (scalar path: libm in double). dx may alias g.
void ck_gelu_backward(const float *x, const float *g, float *dx, int64_t n);

/// LayerNorm of rows with an optional residual added first:
///   z = x + residual (residual may be NULL), y = (z - mean(z)) / sqrt(var(z) + eps) * gamma + beta,
/// var biased (divided by cols), as PyTorch. gamma and beta may be NULL (1 and 0). Row r of x, residual
/// and y starts at r*ldx, r*ldr, r*ldy; y may alias x or residual (each row is read before it is written).
/// Statistics: mean, then the centred sum of squares (two passes over a row that stays in L1), in float
/// lanes summed at the end in double.
void ck_layernorm_rows(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                       const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols);

/// ck_layernorm_rows that also stores each row's mean and 1/sqrt(var + eps) (in mean[r], rstd[r]) for the backward.
void ck_layernorm_rows_saving(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                              const float *beta, float eps, float *y, int64_t ldy, int64_t rows, int64_t cols,
                              float *mean, float *rstd);

/// Backward of ck_layernorm_rows_saving for `rows` rows, given the upstream gradient g: writes
/// dz = rstd * (g*gamma - mean(g*gamma) - xh * mean(g*gamma*xh)), xh = (x + residual - mean) * rstd, which is the
/// gradient of both x and the residual, and adds g*xh to dgamma[j] and g to dbeta[j] (either may be NULL; gamma
/// NULL means 1). Callers splitting rows over threads give each part its own dgamma / dbeta and add them up in a
/// fixed order, so results do not depend on the thread count.
void ck_layernorm_backward_rows(const float *x, int64_t ldx, const float *residual, int64_t ldr, const float *gamma,
                                const float *mean, const float *rstd, const float *g, int64_t ldg, float *dz,
                                int64_t lddz, float *dgamma, float *dbeta, int64_t rows, int64_t cols);

/// ck_sgemm followed by the epilogue, applied to each register tile right after its last K block, while it
/// is still in L1: C = act(alpha*A·B + beta*C + bias), bias [N] or NULL. Same operand contract as ck_sgemm.
void ck_sgemm_bias_act(int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t rsA, int64_t csA,
                       const float *B, int64_t rsB, int64_t csB,
                       float beta, float *C, int64_t ldc, const float *bias, ck_activation act, void *workspace);

/// Bytes of B [K, N] pre-packed for path `isa` (CK_ISA_AUTO: the active one): round_up(N, NR) * K floats.
size_t ck_sgemm_packed_b_size(ck_isa isa, int64_t K, int64_t N);

/// Packs B (B(k, n) = B[k*rsB + n*csB]) once, in the layout the GEMM driver would pack it into on every call,
/// for path `isa` (CK_ISA_AUTO: the active one). dst: 64-byte aligned, ck_sgemm_packed_b_size bytes. A layer's
/// weight never changes during inference, so its packing is done once instead of per call and per thread.
void ck_sgemm_pack_b(ck_isa isa, int64_t K, int64_t N, const float *B, int64_t rsB, int64_t csB, void *dst);

/// Part `part` of `parts` of ck_sgemm_pack_b (an even share of the column strips of every block): the calls for
/// parts 0..<parts, on any threads, together write exactly what one ck_sgemm_pack_b writes. So threads that split
/// one product by rows pack its B once between them instead of once each.
void ck_sgemm_pack_b_part(ck_isa isa, int64_t K, int64_t N, const float *B, int64_t rsB, int64_t csB, void *dst,
                          int64_t part, int64_t parts);

/// ck_sgemm_bias_act with B pre-packed by ck_sgemm_pack_b for `isa`, which must be a concrete supported path
/// (the one the packing used; the caller re-packs when the active path changes).
void ck_sgemm_packed_bias_act(ck_isa isa, int64_t M, int64_t N, int64_t K, float alpha,
                              const float *A, int64_t rsA, int64_t csA, const void *packed_b,
                              float beta, float *C, int64_t ldc, const float *bias, ck_activation act,
                              void *workspace);

/// The constants of one Adam / AdamW step (torch.optim.Adam / AdamW without amsgrad); bias1 = 1 - beta1^t and
/// bias2 = 1 - beta2^t for step t (counted from 1).
typedef struct {
    double lr, weight_decay, beta1, beta2, eps, bias1, bias2;
    int decoupled;  ///< AdamW: w *= 1 - lr*weight_decay before the step; else weight_decay*w is added to g (L2)
} ck_adam_step;

/// One Adam step over n float32 parameters w with gradient g and double moments m, v (updated in place),
/// writing the new parameters to w_out (which may be w):
///   d = g (+ weight_decay*w when not decoupled); w = w*(1 - lr*weight_decay) when decoupled (and weight_decay != 0);
///   m = beta1*m + (1 - beta1)*d;  v = beta2*v + (1 - beta2)*d*d;
///   w_out = (float)(w - lr*(m/bias1) / (sqrt(v/bias2) + eps)),
/// every operation in double, in this order, with no multiply-add contraction, so that every path (and a scalar
/// double loop written the same way, AttentionTraining's reference rule) gives the same bits. Elementwise: safe
/// to call concurrently on disjoint ranges.
void ck_adam_update(const float *w, const float *g, double *m, double *v, float *w_out, int64_t n,
                    const ck_adam_step *step);

/// out[i] = (float)(s_i / divisor) (or (float)s_i when divisor == 1) where s_i = 0.0 + src[0*ld + i] + src[1*ld + i]
/// + ... + src[(rows-1)*ld + i], each term converted to double and added in that order, for i < cols: the column
/// sums of a [rows, cols] matrix with leading dimension ld (a bias gradient), the same bits on every path and for
/// any split of the columns. Safe to call concurrently on disjoint column ranges.
void ck_column_sums(const float *src, int64_t rows, int64_t cols, int64_t ld, double divisor, float *out);

#ifdef __cplusplus
}
#endif

#endif
