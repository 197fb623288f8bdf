#!/usr/bin/env bash
# Runs the CKernels self-test (and optionally the exhaustive exp check) on the AArch64 NEON paths under
# qemu-user, for x86 machines without arm64 hardware.
#
#   Scripts/check_neon_qemu.sh            self-tests (GEMM shapes, sampled exp, softmax rows; flash): a minute
#   Scripts/check_neon_qemu.sh --exp-all  plus all 2^32 exp inputs on scalar and NEON: tens of minutes
#
# Needs Debian's gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user or qemu-user-static (apt-get install ...).
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-aarch64-linux-gnu-gcc}
# Debian's qemu-user installs qemu-aarch64, qemu-user-static installs qemu-aarch64-static: either runs these.
QEMU=${QEMU:-$(command -v qemu-aarch64 || command -v qemu-aarch64-static)}
OUT=${TMPDIR:-/tmp}
"$CC" -O2 -Wall -Wno-unknown-pragmas -static -ISources/AttentionCKernels/include Scripts/kernels_selftest.c \
    Sources/AttentionCKernels/*.c -lm -o "$OUT/ck_selftest_arm64"
"$QEMU" "$OUT/ck_selftest_arm64" 65537
"$CC" -O2 -Wall -Wno-unknown-pragmas -static -ISources/AttentionCKernels/include Scripts/flash_selftest.c \
    Sources/AttentionCKernels/*.c -lm -o "$OUT/ck_flash_selftest_arm64"
"$QEMU" "$OUT/ck_flash_selftest_arm64"
if [ "${1:-}" = "--exp-all" ]; then
    "$CC" -O2 -Wall -Wno-unknown-pragmas -static -ISources/AttentionCKernels/include Scripts/check_exp_ulp.c \
        Sources/AttentionCKernels/*.c -lm -lpthread -o "$OUT/ck_check_exp_arm64"
    "$QEMU" "$OUT/ck_check_exp_arm64"
fi
