#!/usr/bin/env bash
# Side-by-side single-thread SGEMM: CKernels (dispatch exactly as in the package: no -m flags) against
# OpenBLAS through numpy, in one session.
#
#   Scripts/bench_gemm_vs_numpy.sh [SIZE ...]      default sizes: 256 512 1024 2048
#
# The sandbox exports OPENBLAS_CORETYPE=Haswell, which makes OpenBLAS pick its AVX2 kernels; it is unset
# for the numpy run, and the core OpenBLAS actually uses is printed. Needs python3 with numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-/opt/swift/usr/bin/clang}
BIN=${TMPDIR:-/tmp}/ck_gemm_bench
"$CC" -O2 -ISources/AttentionCKernels/include Scripts/gemm_bench.c Sources/AttentionCKernels/*.c -o "$BIN" -lm
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(256 512 1024 2048)

env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 python3 - <<'PY'
import ctypes, glob, os
import numpy as np
libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*.so*"))
for lib in libs:
    l = ctypes.CDLL(lib)
    for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
        if hasattr(l, name):
            f = getattr(l, name); f.restype = ctypes.c_char_p
            print(f"numpy {np.__version__}, OpenBLAS core: {f().decode()}")
            break
PY

for n in "${SIZES[@]}"; do
    "$BIN" "$n"
    env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 python3 - "$n" <<'PY'
import sys, time
import numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(1)
a = rng.random((n, n), dtype=np.float32) - 0.5
b = rng.random((n, n), dtype=np.float32) - 0.5
c = a @ b
ref = a.astype(np.float64) @ b.astype(np.float64)
assert np.abs(c - ref).max() < n * 1.2e-7 * np.abs(a).max() * np.abs(b).max() * n, "numpy result wrong"
flops = 2.0 * n ** 3
inner = int(2e10 / flops) + 1
best = 0.0
for _ in range(7):
    t0 = time.perf_counter()
    for _ in range(inner):
        a @ b
    best = max(best, flops * inner / (time.perf_counter() - t0) / 1e9)
print(f"openblas        sgemm {n}x{n}x{n}: {best:.1f} GFLOP/s (best of 7)")
PY
done
