#!/usr/bin/env bash
# Renders every HTML and SVG view the `attention` tool writes in headless Chromium and fails on any console error,
# uncaught exception, failed resource load, network access or blank page (Scripts/check_views.py, standard-library
# Python over the DevTools protocol). Writes a 1280x800 screenshot of each view to the output folder.
#
#   Scripts/check_views.sh [OUT_DIR]          # default OUT_DIR: .build/views; pages are made in OUT_DIR/pages
#   ATTENTION_BIN=.build/debug/attention Scripts/check_views.sh
#
# The views: demo --heatmap (.svg, .html), translate --heatmap, classify run --heatmap, digits run --heatmap (small
# models trained here in seconds: the pages are checked, not the models), explain --html (its head, model and
# rollout views; needs all-MiniLM-L6-v2, fetched with Scripts/fetch-minilm.sh) — and the PNGs of demo and translate
# are kept beside the screenshots for a person to look at. Needs `chromium` (Debian: apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${ATTENTION_BIN:-.build/release/attention}"
[ -x "$BIN" ] || swift build -c release --product attention >/dev/null
OUT="${1:-.build/views}"
P="$OUT/pages"
# Never delete a folder this script did not make (Scripts/work_folder.sh): an existing OUT is emptied only when it
# carries the marker an earlier run left; anything else is refused.
source Scripts/work_folder.sh   # the working directory is the repository root here
claim_work_folder --fresh check_views "$OUT" .attention-views
mkdir -p "$P"

"$BIN" demo --heatmap "$P/demo.svg" >/dev/null
"$BIN" demo --heatmap "$P/demo.html" >/dev/null
"$BIN" demo --heatmap "$OUT/demo.png" >/dev/null
"$BIN" translate --steps 60 --quiet --heatmap "$P/translate.svg" "je suis étudiant ." >/dev/null
"$BIN" translate --steps 60 --quiet --heatmap "$P/translate.html" "je suis étudiant ." >/dev/null
"$BIN" translate --steps 60 --quiet --heatmap "$OUT/translate.png" "je suis étudiant ." >/dev/null
"$BIN" classify train --steps 40 --quiet --save "$P/classify.safetensors" >/dev/null
"$BIN" classify run --load "$P/classify.safetensors" --heatmap "$P/classify.svg" "the acting was wonderful but the plot was dull" >/dev/null
"$BIN" classify run --load "$P/classify.safetensors" --heatmap "$P/classify.html" "the acting was wonderful but the plot was dull" >/dev/null
pages=("$P/demo.svg" "$P/demo.html" "$P/translate.svg" "$P/translate.html" "$P/classify.svg" "$P/classify.html")

DIGITS="$(bash Scripts/fetch-digits.sh)"
"$BIN" digits train --data "$DIGITS" --steps 20 --quiet --save "$P/digits.safetensors" >/dev/null
sed -n '1401p' "$DIGITS" > "$P/one-digit.csv"
"$BIN" digits run --load "$P/digits.safetensors" --csv "$P/one-digit.csv" --heatmap "$P/digits.svg" >/dev/null
"$BIN" digits run --load "$P/digits.safetensors" --csv "$P/one-digit.csv" --heatmap "$P/digits.html" >/dev/null
pages+=("$P/digits.svg" "$P/digits.html")

MINILM="$(bash Scripts/fetch-minilm.sh)"
"$BIN" explain --model "$MINILM" --html "$P/explain.html" "Why did the keeper whistle?" "The fog horn had rusted." 2>/dev/null
"$BIN" explain --model "$MINILM" --html "$P/explain-long.html" "$(printf 'The ferry captain counted seventeen gulls on the railing while the passengers argued about the fog. %.0s' 1 2 3 4 5)" 2>/dev/null
pages+=("$P/explain.html#head" "$P/explain.html#model" "$P/explain.html#rollout" "$P/explain-long.html#head" "$P/explain-long.html#model" "$P/explain-long.html#rollout")

python3 Scripts/check_views.py "$OUT" "${pages[@]}"
