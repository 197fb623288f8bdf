// SGEMM blocking driver shared by every ISA path (GotoBLAS / BLIS loop structure).
//
//   for jc in N by NC:            B panel  kc x nc  packed once per (jc, pc), lives in L3
//     for pc in K by KC:          C += A[:, pc] * B[pc, :] (beta applies on the first pc only)
//       for ic in M by MC:        A block  mc x kc  packed, lives in L2
//         for jr in nc by NR:     B strip  kc x NR  stays in L1 (or L2) while...
//           for ir in mc by MR:   ...every A strip (kc x MR) of the block streams past it
//             micro-kernel:       MR x NR tile of C accumulated in registers over kc
//
// Packing reads A and B through their general strides, so a transposed operand costs one differently
// ordered copy (which the packing has to do anyway) and nothing else. The packed layouts are k-major
// (a[k*MR + i], b[k*NR + j]) so the micro-kernel walks both with unit stride.
//
// Blocks are split evenly (K = 1100 with KC 512 runs 3 x 367, not 512 + 512 + 76) so no pass runs a
// short, inefficient kc.
// Code here runs a few times per micro-tile of ~2*MR*NR*kc flops, so it is plain C and calls the kernels
// through pointers; only the kernels and packers are ISA-specific.
#include "ck_internal.h"

#include <string.h>

static int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// Even split of `n` into ceil(n / cap) parts, each rounded up to a multiple of `m` (never above cap
// when cap is itself a multiple of m).
static int64_t even_block(int64_t n, int64_t cap, int64_t m) {
    int64_t parts = (n + cap - 1) / cap;
    int64_t b = round_up((n + parts - 1) / parts, m);
    return b < cap ? b : cap;
}

size_t ck_sgemm_impl_workspace(const ck_sgemm_impl *impl) {
    size_t b = (size_t)round_up(impl->kc * round_up(impl->nc, impl->nr) * (int64_t)sizeof(float), 64);
    size_t a = (size_t)round_up(impl->kc * round_up(impl->mc, impl->mr) * (int64_t)sizeof(float), 64);
    return a + b;
}

// C = beta * C on an M x N block; beta == 0 writes zeros without reading (C may hold NaN).
static void scale_c(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++) {
        float *row = C + i * ldc;
        if (beta == 0.0f) {
            memset(row, 0, (size_t)N * sizeof(float));
        } else if (beta != 1.0f) {
            for (int64_t j = 0; j < N; j++) row[j] *= beta;
        }
    }
}

// Block sizes of one product (shared by the driver and the pre-packer, so a pre-packed B has the driver's layout).
static void blocks(const ck_sgemm_impl *impl, int64_t M, int64_t N, int64_t K, int64_t *MC, int64_t *NC,
                   int64_t *KC) {
    *NC = even_block(N, impl->nc, impl->nr);
    *KC = even_block(K, impl->kc, 1);
    *MC = even_block(M > 0 ? M : 1, impl->mc, impl->mr);
}

// Pre-packed B layout: column blocks jc (NC wide, a multiple of NR) one after the other, each holding its K
// blocks pc in order, each panel packed as pack_b writes it (round_up(nc, NR) x kc floats). So the panel of
// (jc, pc) starts at jc*K + round_up(nc, NR)*pc, and the whole buffer is round_up(N, NR)*K floats.
size_t ck_sgemm_impl_packed_b_size(const ck_sgemm_impl *impl, int64_t K, int64_t N) {
    return (size_t)(round_up(N, impl->nr) * (K > 0 ? K : 0)) * sizeof(float);
}

void ck_sgemm_impl_pack_b(const ck_sgemm_impl *impl, int64_t K, int64_t N, const float *B, int64_t rsB,
                          int64_t csB, float *dst, int64_t part, int64_t parts) {
    if (K <= 0 || N <= 0 || parts <= 0 || part < 0 || part >= parts) return;
    int64_t MC, NC, KC;
    blocks(impl, 1, N, K, &MC, &NC, &KC);
    const int64_t NR = impl->nr;
    for (int64_t jc = 0; jc < N; jc += NC) {
        const int64_t nc = CK_MIN(NC, N - jc);
        // This part's strips of NR columns (an even share of the block's strips); a strip's packed place does not
        // depend on who packs it, so the parts together write exactly what one call writes.
        const int64_t strips = (nc + NR - 1) / NR;
        const int64_t c0 = strips * part / parts * NR, c1 = CK_MIN(nc, strips * (part + 1) / parts * NR);
        if (c0 >= c1) continue;
        for (int64_t pc = 0; pc < K; pc += KC) {
            const int64_t kc = CK_MIN(KC, K - pc);
            impl->pack_b(c1 - c0, kc, B + pc * rsB + (jc + c0) * csB, csB, rsB,
                         dst + jc * K + round_up(nc, NR) * pc + c0 * kc);
        }
    }
}

void ck_sgemm_drive(const ck_sgemm_impl *impl, int64_t M, int64_t N, int64_t K, float alpha,
                    const float *A, int64_t rsA, int64_t csA, const float *B, int64_t rsB, int64_t csB,
                    const float *packed_b, float beta, float *C, int64_t ldc, void *workspace,
                    ck_rows_epilogue epilogue, const float *bias, ck_activation act) {
    if (M <= 0 || N <= 0) return;
    if (epilogue != NULL && bias == NULL && act == CK_ACT_NONE) epilogue = NULL;
    // BLAS semantics: alpha == 0 does not read A or B (NaN there does not reach C).
    if (K <= 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, ldc);
        if (epilogue) epilogue(C, M, N, ldc, bias, act);
        return;
    }
    const int64_t MR = impl->mr, NR = impl->nr;
    int64_t MC, NC, KC;
    blocks(impl, M, N, K, &MC, &NC, &KC);
    float *bp = (float *)workspace;
    float *ap = bp + round_up(impl->kc * round_up(impl->nc, NR), 16);

    for (int64_t jc = 0; jc < N; jc += NC) {
        const int64_t nc = CK_MIN(NC, N - jc);
        for (int64_t pc = 0; pc < K; pc += KC) {
            const int64_t kc = CK_MIN(KC, K - pc);
            const float beta_eff = pc == 0 ? beta : 1.0f;
            // The epilogue runs on each tile as soon as its last K block is written, while it is in L1.
            const int last = pc + kc >= K && epilogue != NULL;
            // B^T is packed like A: its "rows" are the columns of B (stride csB), its k-stride is rsB.
            const float *panel = packed_b ? packed_b + jc * K + round_up(nc, NR) * pc : bp;
            if (!packed_b) impl->pack_b(nc, kc, B + pc * rsB + jc * csB, csB, rsB, bp);
            for (int64_t ic = 0; ic < M; ic += MC) {
                const int64_t mc = CK_MIN(MC, M - ic);
                impl->pack_a(mc, kc, A + ic * rsA + pc * csA, rsA, csA, ap);
                for (int64_t jr = 0; jr < nc; jr += NR) {
                    const int64_t nr = CK_MIN(NR, nc - jr);
                    const float *bs = panel + jr * kc;
                    for (int64_t ir = 0; ir < mc; ir += MR) {
                        const int64_t mr = CK_MIN(MR, mc - ir);
                        float *tile = C + (ic + ir) * ldc + jc + jr;
                        impl->kernel(kc, ap + ir * kc, bs, tile, ldc, alpha, beta_eff, mr, nr);
                        if (last) epilogue(tile, mr, nr, ldc, bias ? bias + jc + jr : NULL, act);
                    }
                }
            }
        }
    }
}

// Strips of `w` rows: dst[s*w*kc + k*w + i] = src[(s*w + i)*rs + k*cs], missing rows of the last strip = 0.
void ck_pack_generic(int64_t mn, int64_t kc, const float *src, int64_t rs, int64_t cs, float *dst,
                     int64_t w) {
    for (int64_t s0 = 0; s0 < mn; s0 += w) {
        const int64_t rows = CK_MIN(w, mn - s0);
        const float *s = src + s0 * rs;
        float *d = dst + s0 * kc;
        if (rs == 1) {
            // Each k holds `rows` consecutive elements: a straight copy per k.
            for (int64_t k = 0; k < kc; k++) {
                const float *sk = s + k * cs;
                float *dk = d + k * w;
                for (int64_t i = 0; i < rows; i++) dk[i] = sk[i];
                for (int64_t i = rows; i < w; i++) dk[i] = 0.0f;
            }
        } else {
            // Transposing copy; blocks of 8 k keep the `rows` read streams and the write stream short.
            int64_t k0 = 0;
            for (; k0 + 8 <= kc; k0 += 8) {
                for (int64_t i = 0; i < rows; i++) {
                    const float *si = s + i * rs + k0 * cs;
                    for (int64_t k = 0; k < 8; k++) d[(k0 + k) * w + i] = si[k * cs];
                }
            }
            for (; k0 < kc; k0++) {
                for (int64_t i = 0; i < rows; i++) d[k0 * w + i] = s[i * rs + k0 * cs];
            }
            if (rows < w) {
                for (int64_t k = 0; k < kc; k++) {
                    for (int64_t i = rows; i < w; i++) d[k * w + i] = 0.0f;
                }
            }
        }
    }
}
