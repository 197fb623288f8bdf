#!/usr/bin/env bash
# Side by side, in one run: `attention digits train` and the same Vision Transformer in PyTorch
# (Scripts/digits_vit_torch.py), same data, same split, same steps, for a few seeds; prints each run's test accuracy
# and training time, then the means. Both use 2 threads; run it on an otherwise idle machine.
#
#   Scripts/bench_digits_vs_pytorch.sh [STEPS] [SEEDS...]      # defaults: 5000 steps (the CLI default), seeds 1 2 3
#
# Needs: a release build (swift build -c release), python3 with torch (pip install torch), the digits CSV
# (Scripts/fetch-digits.sh). OPENBLAS_CORETYPE is unset so that the peer runs its own kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
unset OPENBLAS_CORETYPE
steps=${1:-5000}
shift || true
seeds=("${@:-1 2 3}")
read -r -a seeds <<<"${seeds[*]}"
bin=${ATTENTION_BIN:-.build/release/attention}
[ -x "$bin" ] || { echo "no $bin: run swift build -c release first" >&2; exit 66; }
python3 -c "import torch" 2>/dev/null || { echo "python3 cannot import torch: pip install torch" >&2; exit 66; }

kernel=$("$bin" bench gemm --size 64 --json 2>/dev/null | python3 -c "import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1]).get('kernel', '?'))" || echo '?')
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); our kernel path: $kernel"
printf '%-8s %5s %10s %10s %12s %12s\n' seed steps "ours acc" "torch acc" "ours s" "torch s"
ours_acc=(); torch_acc=(); ours_s=(); torch_s=()
for seed in "${seeds[@]}"; do
    o=$(ATTENTION_NUM_THREADS=2 "$bin" digits train --steps "$steps" --seed "$seed" --quiet --json)
    t=$(python3 Scripts/digits_vit_torch.py --steps "$steps" --seed "$seed" --threads 2 --json)
    oa=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['test_accuracy'])" "$o")
    os_=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['seconds'])" "$o")
    ta=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['accuracy'])" "$t")
    ts=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['training_seconds'])" "$t")
    printf '%-8s %5s %10.4f %10.4f %12.1f %12.1f\n' "$seed" "$steps" "$oa" "$ta" "$os_" "$ts"
    ours_acc+=("$oa"); torch_acc+=("$ta"); ours_s+=("$os_"); torch_s+=("$ts")
done
mean() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(f'{sum(v)/len(v):.4f}')" "$@"; }
printf '%-8s %5s %10s %10s %12s %12s\n' mean "$steps" "$(mean "${ours_acc[@]}")" "$(mean "${torch_acc[@]}")" \
    "$(mean "${ours_s[@]}")" "$(mean "${torch_s[@]}")"
echo "torch: $(python3 -c 'import torch; print(torch.__version__, torch.backends.cpu.get_cpu_capability())')"
