#!/usr/bin/env bash
# Runs the CKernels self-test (and optionally the exhaustive exp check) on the AArch64 NEON paths under
# qemu-user, for x86 machines without arm64 hardware.
#
#   Scripts/check_neon_qemu.sh            self-test (GEMM shapes, sampled exp, softmax rows): seconds
#   Scripts/check_neon_qemu.sh --exp-all  plus all 2^32 exp inputs on scalar and NEON: tens of minutes
#
# Needs Debian's gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user (apt-get install ...).
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-aarch64-linux-gnu-gcc}
OUT=${TMPDIR:-/tmp}
"$CC" -O2 -Wall -Wno-unknown-pragmas -static -ISources/CKernels/include Scripts/kernels_selftest.c \
    Sources/AttentionCKernels/*.c -lm -o "$OUT/ck_selftest_arm64"
qemu-aarch64 "$OUT/ck_selftest_arm64" 65537
if [ "${1:-}" = "--exp-all" ]; then
    "$CC" -O2 -Wall -Wno-unknown-pragmas -static -ISources/CKernels/include Scripts/check_exp_ulp.c \
        Sources/AttentionCKernels/*.c -lm -lpthread -o "$OUT/ck_check_exp_arm64"
    qemu-aarch64 "$OUT/ck_check_exp_arm64"
fi
