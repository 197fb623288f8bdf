// Chooses the int8 kernel table for the path the other kernels use now (ck_active_isa: ATTENTION_ISA, ck_force_isa
// and the per-thread override included, so `--isa` and pinned tests move int8 too); within that path, the fastest
// int8 variant the CPU has, from the list in that path's kernel table (ck_table.h; VNNI needs more than the path's
// own check). One choice per path, cached.
#include "ck_table.h"

#include <stdatomic.h>
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif


int ck_qgemm_supported(ck_qgemm_variant variant) {
    switch (variant) {
    case CK_QGEMM_SCALAR: return 1;
#if defined(__x86_64__)
    case CK_QGEMM_AVX2: return ck_isa_supported(CK_ISA_AVX2);
    case CK_QGEMM_AVXVNNI: __builtin_cpu_init(); return ck_isa_supported(CK_ISA_AVX2) && __builtin_cpu_supports("avxvnni");
    case CK_QGEMM_AVX512VNNI:
        __builtin_cpu_init();
        return ck_isa_supported(CK_ISA_AVX512) && __builtin_cpu_supports("avx512vnni");
#endif
#if defined(__aarch64__)
    case CK_QGEMM_NEON:
#if defined(__APPLE__)
        return 1;  // every Apple arm64 CPU macOS 15 runs on has the dot product
#elif defined(__linux__)
        return (getauxval(AT_HWCAP) & (1UL << 20)) != 0;  // HWCAP_ASIMDDP
#else
        return 0;
#endif
#endif
    default: return 0;
    }
}

const ck_qgemm_kernels *ck_qgemm_table(ck_qgemm_variant variant) {
    if (!ck_qgemm_supported(variant)) return NULL;
    switch (variant) {
    case CK_QGEMM_SCALAR: return &ck_qgemm_scalar_table;
#if defined(__x86_64__)
    case CK_QGEMM_AVX2: return &ck_qgemm_avx2_table;
    case CK_QGEMM_AVXVNNI: return &ck_qgemm_avxvnni_table;
    case CK_QGEMM_AVX512VNNI: return &ck_qgemm_avx512vnni_table;
#endif
#if defined(__aarch64__)
    case CK_QGEMM_NEON: return &ck_qgemm_neon_table;
#endif
    default: return NULL;
    }
}

// The first variant of the path's list (ck_kernel_table.qgemm, best first) that this CPU runs.
static const ck_qgemm_kernels *choose(ck_isa isa) {
    const ck_kernel_table *path = ck_table_of(isa);
    if (path)
        for (const ck_qgemm_kernels *const *t = path->qgemm; *t != NULL; t++)
            if (ck_qgemm_supported((*t)->variant)) return *t;
    return &ck_qgemm_scalar_table;
}

// Indexed by ck_isa (CK_ISA_AUTO .. CK_ISA_NEON).
static _Atomic(const ck_qgemm_kernels *) g_tables[CK_ISA_NEON + 1];

const ck_qgemm_kernels *ck_qgemm_active(void) {
    ck_isa isa = ck_active_isa();
    if ((unsigned)isa > CK_ISA_NEON) isa = CK_ISA_SCALAR;
    const ck_qgemm_kernels *t = atomic_load_explicit(&g_tables[isa], memory_order_acquire);
    if (t) return t;
    // Threads racing here compute the same table; the first store wins and the rest read it.
    const ck_qgemm_kernels *expected = NULL, *chosen = choose(isa);
    if (atomic_compare_exchange_strong_explicit(&g_tables[isa], &expected, chosen, memory_order_acq_rel, memory_order_acquire))
        return chosen;
    return expected;
}
