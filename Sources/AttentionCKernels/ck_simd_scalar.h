// Private: the Scalar (one lane) section of the vector vocabulary (ck_simd.h includes it; never include it directly).
#define CK_SIMD_TARGET
#define CK_FN(name) name##_scalar
#define FV_N 1
typedef float fv;
typedef int fmask;

CK_INLINE fv fv_zero(void) { return 0.0f; }
CK_INLINE fv fv_set1(float x) { return x; }
CK_INLINE fv fv_load(const float *p) { return *p; }
CK_INLINE void fv_store(float *p, fv x) { *p = x; }
CK_INLINE fv fv_fma(fv a, fv b, fv c) { return a * b + c; }  // no fmaf: it would be a libm call without FMA hardware
CK_INLINE fv fv_mul(fv a, fv b) { return a * b; }
CK_INLINE fv fv_add(fv a, fv b) { return a + b; }
CK_INLINE fv fv_sub(fv a, fv b) { return a - b; }
CK_INLINE fv fv_div(fv a, fv b) { return a / b; }
CK_INLINE fv fv_max(fv a, fv b) { return a > b ? a : b; }
CK_INLINE fv fv_min(fv a, fv b) { return a < b ? a : b; }
CK_INLINE fv fv_abs(fv a) { return __builtin_fabsf(a); }
CK_INLINE fmask fv_lt(fv a, fv b) { return a < b; }
CK_INLINE fv fv_loadn(const float *p, int64_t n) { return n > 0 ? *p : 0.0f; }
CK_INLINE void fv_storen(float *p, fv x, int64_t n) { if (n > 0) *p = x; }
CK_INLINE fv fv_mask_ninf(fv x, fmask keep) { return keep ? x : -__builtin_inff(); }
CK_INLINE fv fv_ninf_to(fv x, fv alt) { return x == -__builtin_inff() ? alt : x; }
CK_INLINE fmask fv_rows_see(const int32_t *lo, const int32_t *hi, int32_t j) { return *lo <= j && j < *hi; }
CK_INLINE fmask fv_keys_seen(int32_t j0, int32_t lo, int32_t hi) { return lo <= j0 && j0 < hi; }
CK_INLINE fv fv_gather(const float *base, const int32_t *idx) { return base[*idx]; }
CK_INLINE float fv_hsum(fv x) { return x; }
CK_INLINE float fv_hmax(fv x) { return x; }
CK_INLINE fmask fv_dropout_keep(uint64_t seed, uint64_t threshold, uint64_t idx0, uint64_t stride) {
    (void)stride;
    return fl_keeps(seed, threshold, idx0);
}
CK_INLINE fv fv_select(fmask m, fv yes, fv no) { return m ? yes : no; }
CK_INLINE fmask fv_nonzero(fv x) { return x != 0.0f; }
CK_INLINE void fl_dot_sum_d(const float *a, const float *b, int n, double *dot, double *sum) {
    for (int l = 0; l < n; l++) {
        *dot += (double)a[l] * (double)b[l];
        *sum += (double)a[l];
    }
}

CK_INLINE void fv_prefetch_l2(const float *p) { (void)p; }

// The GEMM micro-kernel's lanes: GCC/Clang generic 4-float vectors, which any target lowers (SSE2 on
// baseline x86-64, scalar code where there is no SIMD). With one-lane `fv` the compiler kept the 32
// accumulators in memory and shuffled them every k (5 GFLOP/s at 512^3 against 18 with these).
#define GV_N 4
typedef float gv __attribute__((vector_size(16)));
CK_INLINE gv gv_zero(void) { return (gv){0, 0, 0, 0}; }
CK_INLINE gv gv_set1(float x) { return (gv){x, x, x, x}; }
CK_INLINE gv gv_load(const float *p) { gv v; memcpy(&v, p, sizeof v); return v; }
CK_INLINE void gv_store(float *p, gv x) { memcpy(p, &x, sizeof x); }
CK_INLINE gv gv_fma(gv a, gv b, gv c) { return a * b + c; }
CK_INLINE gv gv_mul(gv a, gv b) { return a * b; }
CK_INLINE gv gv_loadn(const float *p, int64_t n) {
    float t[4] = {0, 0, 0, 0};
    for (int64_t l = 0; l < n && l < 4; l++) t[l] = p[l];
    return gv_load(t);
}
CK_INLINE void gv_storen(float *p, gv x, int64_t n) {
    float t[4];
    gv_store(t, x);
    for (int64_t l = 0; l < n && l < 4; l++) p[l] = t[l];
}
