#!/usr/bin/env bash
# How many training steps `attention digits train` should take by default, decided on the training rows only:
# 5-fold cross-validation over rows 0–1399 of the digits CSV, never the test rows 1400–1796. `digits train` holds
# out the last 22 % of a file that is not the 1,797-row UCI file (DigitImages.standardSplit); fold f's file is the
# other 1,120 training rows, the first 280 of them once more, then the fold's 280 rows: 1,680 rows, of which the
# first 1,310 train and the last 370 are held out — the fold plus 90 repeated rows that were also trained on. The
# same files for every candidate. Prints, per step count, the correct answers on the fold rows, counting the 90
# repeated rows as correct (a lower bound if one of them is not).
#
#   Scripts/digits_steps_cv.sh [STEPS...]        # default: 2500 5000
#
# Needs a release build and the digits CSV (Scripts/fetch-digits.sh). Measured 2026-12-07 (seed 1): 2500 steps
# 96.1 % (1346 of 1400), 5000 steps 96.9 % (1357 of 1400) — the reason the default is 5000.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ATTENTION_BIN:-.build/release/attention}
data=${ATTENTION_DIGITS:-$HOME/.cache/attention/digits/digits.csv}
[ -x "$bin" ] || { echo "no $bin: run swift build -c release first" >&2; exit 66; }
[ -r "$data" ] || { echo "no $data: run Scripts/fetch-digits.sh first" >&2; exit 66; }
candidates=("${@:-2500 5000}")
read -r -a candidates <<<"${candidates[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n 1400 "$data" >"$work/train.csv"
for f in 0 1 2 3 4; do
    first=$((f * 280 + 1)) last=$(((f + 1) * 280))
    sed -n "${first},${last}p" "$work/train.csv" >"$work/fold.csv"
    sed "${first},${last}d" "$work/train.csv" >"$work/rest.csv"
    { cat "$work/rest.csv"; head -n 280 "$work/rest.csv"; cat "$work/fold.csv"; } >"$work/fold$f.csv"
done
for steps in "${candidates[@]}"; do
    correct=0
    for f in 0 1 2 3 4; do
        out=$("$bin" digits train --data "$work/fold$f.csv" --steps "$steps" --seed 1 --quiet --json)
        # Held-out rows: 90 repeats (trained on) + the 280 fold rows; the repeats are counted as right.
        n=$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(round(d['test_accuracy']*d['test_images']) - 90)" "$out")
        echo "steps $steps fold $f: $n of 280 unseen rows"
        correct=$((correct + n))
    done
    echo "steps $steps: $correct of 1400 ($(python3 -c "print(f'{100*$correct/1400:.1f}')") %)"
done
