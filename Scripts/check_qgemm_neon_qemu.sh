#!/usr/bin/env bash
# The int8 GEMM self-test (every variant against the reference, bit for bit) on AArch64 under qemu-user, so the
# sdot path is executed on x86 machines. Needs gcc-aarch64-linux-gnu and qemu-user(-static).
# qemu's default CPU model ("max") has the dot product, so the NEON table is selected and checked.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-aarch64-linux-gnu-gcc}
QEMU=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
OUT=${TMPDIR:-/tmp}
"$CC" -O2 -Wall -Wno-unknown-pragmas -static -ISources/AttentionCKernels/include Scripts/qgemm_selftest.c Sources/AttentionCKernels/*.c \
    -lm -o "$OUT/qgemm_selftest_arm64"
"$QEMU" "$OUT/qgemm_selftest_arm64"
