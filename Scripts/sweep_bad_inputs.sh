#!/usr/bin/env bash
# Runs every `attention` command with bad inputs (issue 15: missing files, folders given as files and files as
# folders, invalid UTF-8, huge and negative numbers, /dev/full outputs, existing outputs that must survive a
# failure) and checks each run:
#   - the documented exit status (attention --help: 0, 1, 64, 66, 74), never a signal (status >= 128) or a timeout;
#   - a named error on stderr: an "Error:" line containing the phrase the case expects (the path, option or limit);
#   - no backtrace or "Fatal error" text;
#   - nothing written that the command was not asked to write: a checksum of every file under the scratch folder
#     (inputs, existing outputs) before and after, so a changed, new or temporary file fails the case.
# Prints one line per failure and a summary "N passed, M failed"; exits 1 when any case failed.
#
#   Scripts/sweep_bad_inputs.sh                     # uses (and builds if needed) the debug executable
#   ATTENTION_BIN=.build/release/attention Scripts/sweep_bad_inputs.sh
set -u
cd "$(dirname "$0")/.."

BIN="${ATTENTION_BIN:-}"
if [ -z "$BIN" ]; then
    BIN="$(swift build --show-bin-path)/attention"
    [ -x "$BIN" ] || swift build --product attention >/dev/null || { echo "build failed"; exit 2; }
fi
[ -x "$BIN" ] || { echo "no executable at $BIN"; exit 2; }

S="$(mktemp -d "${TMPDIR:-/tmp}/attention-sweep.XXXXXX")"
trap 'rm -rf "$S"' EXIT
export SWIFT_BACKTRACE=enable=no   # a crash must show as a signal here, not hang in the backtracer

# --- Inputs ------------------------------------------------------------------------------------------------
mkdir -p "$S/folder" "$S/emptymodel" "$S/vocabmodel" "$S/out.svg" "$S/out.safetensors.d"
# Outputs that are not regular files. Never /dev/full itself as an output path: a tool that writes atomically
# renames over its target, and run as root the pre-fix binary replaced the device /dev/full with a regular file.
mkfifo "$S/fifo.safetensors" "$S/fifo.svg"
printf 'hello\ncaf\351\n' > "$S/latin1.txt"                      # é in Latin-1: not UTF-8
printf '\n   \n\t\n' > "$S/blank.txt"
printf 'je suis grand .\ti am tall .\nune ligne sans tabulation\n' > "$S/bad.tsv"
printf 'not a model folder\n' > "$S/file.txt"
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n' > "$S/vocabmodel/vocab.txt"
cp Tests/AttentionTransformersTests/Fixtures/sdpa_basic.in.safetensors "$S/sdpa.in.safetensors"
cp Tests/AttentionTransformersTests/Fixtures/mha_basic.in.safetensors "$S/mha.in.safetensors"
cp Tests/AttentionSafeTensorsTests/Fixtures/bad/data_truncated.safetensors "$S/truncated.safetensors"
printf 'an existing output that a failed run must not touch\n' > "$S/existing.safetensors"
printf 'an existing picture that a failed run must not touch\n' > "$S/existing.svg"
BAD=$(printf 'caf\351')

snapshot() { (cd "$S" && find . -print0 | sort -z | xargs -0 -I{} sh -c 'if [ -f "{}" ]; then sha256sum "{}"; else echo "dir {}"; fi') ; }

passed=0 failed=0
# check STATUS PHRASE [--stdout FILE] -- ARGS...: runs attention ARGS (stdin from /dev/null, stdout to FILE or a
# capture) and checks the status, the phrase on stderr, no backtrace, no signal and an unchanged scratch folder.
check() {
    local want="$1" phrase="$2"; shift 2
    local out="$S/../attention-sweep-stdout.$$"
    if [ "$1" = "--stdout" ]; then out="$2"; shift 2; fi
    [ "$1" = "--" ] && shift
    local before after status err
    before="$(snapshot)"
    err="$(timeout 120 "$BIN" "$@" < /dev/null 2>&1 >"$out")"
    status=$?
    after="$(snapshot)"
    [ "$out" = "/dev/full" ] || rm -f "$out"
    local why=""
    if [ "$status" -ge 124 ]; then why="status $status (signal or timeout)"
    elif [ "$status" -ne "$want" ]; then why="status $status, expected $want"
    elif ! grep -q "Error:" <<<"$err"; then why="no 'Error:' line on stderr"
    elif ! grep -qF -- "$phrase" <<<"$err"; then why="stderr does not name '$phrase'"
    elif grep -qiE "backtrace|fatal error|stack dump" <<<"$err"; then why="backtrace on stderr"
    elif [ "$before" != "$after" ]; then why="files changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')"
    fi
    if [ -z "$why" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: attention $* -> $why"; echo "      stderr: $(head -c 300 <<<"$err" | tr '\n' ' ')"
    fi
}

# --- demo ----------------------------------------------------------------------------------------------------
check 74 "cannot write to standard output" --stdout /dev/full -- demo
check 74 "cannot write to standard output" --stdout /dev/full -- demo --json
check 74 "does not exist" -- demo --heatmap "$S/nofolder/a.svg"
check 74 "is a folder" -- demo --heatmap "$S/out.svg"
check 64 "a.gif" -- demo --heatmap "$S/a.gif"
check 74 "not a regular file" -- demo --heatmap "$S/fifo.svg"
check 64 "--heatmap" -- demo --heatmap "$S/folder/no-extension"
check 64 "--bogus" -- demo --bogus

# --- bench ---------------------------------------------------------------------------------------------------
for v in 1000000 4000000000 99999999999999999999 0 -5 abc; do check 64 "--size" -- bench gemm --size "$v"; done
check 64 "1...256" -- bench gemm --threads 100000
check 64 "1...10000" -- bench gemm --iterations 99999999
check 64 "--iterations" -- bench gemm --iterations -1
check 74 "cannot write to standard output" --stdout /dev/full -- bench gemm --size 16 --iterations 1 --json
for v in 100000000 0 -1; do check 64 "--seq" -- bench attention --seq "$v"; done
check 64 "1...1024" -- bench attention --head-dim 100000
check 64 "GiB of memory" -- bench attention --batch 4096 --heads 1024 --seq 1048576
check 64 "--path" -- bench attention --path bogus
check 64 "multiple of --heads" -- bench encoder-layer --dim 7 --heads 2
check 64 "1...65536" -- bench encoder-layer --feed-forward 10000000
check 64 "--batch" -- bench encoder-layer --batch -3

# --- run -----------------------------------------------------------------------------------------------------
check 66 "no such file" -- run sdpa --input "$S/missing.safetensors" --output "$S/o.safetensors"
check 66 "is a folder, not a file" -- run sdpa --input "$S/folder" --output "$S/o.safetensors"
check 1 "latin1.txt" -- run sdpa --input "$S/latin1.txt" --output "$S/existing.safetensors"
check 1 "truncated" -- run sdpa --input "$S/truncated.safetensors" --output "$S/existing.safetensors"
check 1 "--weights" -- run mha --input "$S/mha.in.safetensors" --output "$S/existing.safetensors"
check 66 "no such file" -- run mha --input "$S/mha.in.safetensors" --weights "$S/missing.safetensors" --output "$S/o.safetensors"
check 74 "does not exist" -- run sdpa --input "$S/sdpa.in.safetensors" --output "$S/nofolder/o.safetensors"
check 74 "is a folder" -- run sdpa --input "$S/sdpa.in.safetensors" --output "$S/out.safetensors.d"
check 74 "not a regular file" -- run sdpa --input "$S/sdpa.in.safetensors" --output "$S/fifo.safetensors"
check 64 "unknown op 'softmax'" -- run softmax --input "$S/sdpa.in.safetensors" --output "$S/o.safetensors"
check 64 "--output" -- run sdpa --input "$S/sdpa.in.safetensors"

# --- embed, tokenize, similarity, search ---------------------------------------------------------------------
for cmd in embed tokenize similarity; do
    check 66 "no such folder" -- $cmd --model "$S/missing" hello
    check 66 "is a file, not a folder" -- $cmd --model "$S/file.txt" hello
    check 66 "no such file" -- $cmd --model "$S/vocabmodel" --file "$S/missing.txt"
    check 66 "is a folder, not a file" -- $cmd --model "$S/vocabmodel" --file "$S/folder"
    check 1 "0xE9" -- $cmd --model "$S/vocabmodel" --file "$S/latin1.txt"
    check 64 "no sentences" -- $cmd --model "$S/vocabmodel" --file "$S/blank.txt"
    check 64 "no sentences" -- $cmd --model "$S/vocabmodel"
    check 64 "not UTF-8" -- $cmd --model "$S/vocabmodel" "$BAD"
done
check 1 "config.json" -- embed --model "$S/emptymodel" hello
check 1 "config.json" -- similarity --model "$S/emptymodel" hello
check 1 "vocab.txt" -- tokenize --model "$S/emptymodel" hello
check 74 "cannot write to standard output" --stdout /dev/full -- tokenize --model "$S/vocabmodel" --json hello
for v in 0 -3 100000; do check 64 "--batch-size" -- embed --model "$S/vocabmodel" --batch-size "$v" hello; done
check 66 "no such file" -- search --model "$S/vocabmodel" --corpus "$S/missing.txt" q
check 66 "is a folder, not a file" -- search --model "$S/vocabmodel" --corpus "$S/folder" q
check 1 "0xE9" -- search --model "$S/vocabmodel" --corpus "$S/latin1.txt" q
check 1 "no lines with text" -- search --model "$S/vocabmodel" --corpus "$S/blank.txt" q
check 1 "config.json" -- search --model "$S/emptymodel" --corpus "$S/bad.tsv" q
check 64 "not UTF-8" -- search --model "$S/vocabmodel" --corpus "$S/bad.tsv" "$BAD"
for v in 0 -1 1000000000; do check 64 "--top" -- search --model "$S/vocabmodel" --corpus "$S/bad.tsv" --top "$v" q; done

# --- explain -------------------------------------------------------------------------------------------------
check 66 "no such folder" -- explain --model "$S/missing" hello
check 66 "is a file, not a folder" -- explain --model "$S/file.txt" hello
check 1 "config.json" -- explain --model "$S/emptymodel" hello
check 64 "TEXT is empty" -- explain --model "$S/vocabmodel" ""
check 64 "SECOND_TEXT is empty" -- explain --model "$S/vocabmodel" hello "  "
check 64 "not UTF-8" -- explain --model "$S/vocabmodel" "$BAD"
check 74 "does not exist" -- explain --model "$S/vocabmodel" --html "$S/nofolder/a.html" hello
check 74 "does not exist" -- explain --model "$S/emptymodel" --html "$S/nofolder/a.html" hello
check 64 "ending in .html" -- explain --model "$S/vocabmodel" --html "$S/a.svg" hello
for v in 0 65; do check 64 "--top" -- explain --model "$S/vocabmodel" --top "$v" hello; done
# With the real model (CI fetches it first): standard output on /dev/full, and an existing page that a failed run
# (an empty second text) must leave as it was.
MINILM="${ATTENTION_MINILM_DIR:-${ATTENTION_CACHE:-$HOME/.cache/attention}/all-MiniLM-L6-v2}"
if [ -s "$MINILM/model.safetensors" ]; then
    printf 'an existing page that a failed run must not touch\n' > "$S/existing.html"
    check 74 "cannot write to standard output" --stdout /dev/full -- explain --model "$MINILM" --json "the ferry left"
    check 64 "SECOND_TEXT is empty" -- explain --model "$MINILM" --html "$S/existing.html" "the ferry left" ""
else
    echo "note: no all-MiniLM-L6-v2 at $MINILM; the explain cases that need a real model were skipped"
fi

# --- translate -----------------------------------------------------------------------------------------------
check 66 "no such file" -- translate --corpus "$S/missing.tsv" "je ."
check 66 "is a folder, not a file" -- translate --corpus "$S/folder" "je ."
check 1 "0xE9" -- translate --corpus "$S/latin1.txt" "je ."
check 1 "bad.tsv:2" -- translate --corpus "$S/bad.tsv" --heatmap "$S/existing.svg" "je suis grand ."
check 74 "does not exist" -- translate --steps 100000 --heatmap "$S/nofolder/a.svg" "je ."
check 74 "is a folder" -- translate --heatmap "$S/out.svg" "je ."
check 64 "a.gif" -- translate --heatmap "$S/a.gif" "je ."
for v in 0 -1 1000000000 abc; do check 64 "--steps" -- translate --steps "$v" "je ."; done
check 64 "--seed" -- translate --seed -1 "je ."
check 64 "SENTENCE" -- translate
check 64 "not UTF-8" -- translate "$BAD"
check 74 "cannot write to standard output" --stdout /dev/full -- translate --steps 1 "je ."

[ -c /dev/full ] || { echo "FAIL: /dev/full is no longer a device"; failed=$((failed + 1)); }
# --- translate train / eval / run --------------------------------------------------------------------------
printf 'un chat .\ta cat .\nle chien\tthe\tdog\n' > "$S/ragged-pairs.tsv"
printf 'un chat .\ta cat .\r\nsans tabulation\r\n' > "$S/notab.tsv"
: > "$S/empty.tsv"
"$BIN" translate train --corpus builtin:tutorial --steps 2 --quiet --save "$S/translator.safetensors" > /dev/null \
    || { echo "FAIL: could not train the tiny translator"; failed=$((failed + 1)); }
check 66 "no such file" -- translate train --corpus "$S/missing.tsv" --quiet
check 66 "is a folder, not a file" -- translate train --corpus "$S/folder" --quiet
check 1 "latin1.txt:2: not UTF-8" -- translate train --corpus "$S/latin1.txt" --save "$S/existing.safetensors" --quiet
check 1 "ragged-pairs.tsv:2: expected one tab" -- translate train --corpus "$S/ragged-pairs.tsv" --save "$S/existing.safetensors" --quiet
check 1 "notab.tsv:2: expected one tab" -- translate train --corpus "$S/notab.tsv" --save "$S/existing.safetensors" --quiet
check 1 "no sentence pairs" -- translate train --corpus "$S/empty.tsv" --save "$S/existing.safetensors" --quiet
check 1 "no sentence pairs" -- translate train --corpus "$S/blank.txt" --quiet
check 64 "builtin:grammar" -- translate train --corpus builtin:nothing
check 74 "does not exist" -- translate train --steps 1000000 --save "$S/nofolder/m.safetensors"
check 74 "not a regular file" -- translate train --save "$S/fifo.safetensors"
for v in 0 -1 1000001 abc; do check 64 "--steps" -- translate train --steps "$v"; done
check 64 "--architecture" -- translate train --architecture lstm
check 64 "not both" -- translate train --steps 5 --epochs 1
check 66 "no such file" -- translate eval --load "$S/missing.safetensors"
check 1 "truncated.safetensors" -- translate eval --load "$S/truncated.safetensors"
check 1 "not an attention checkpoint" -- translate run --load "$S/sdpa.in.safetensors" --heatmap "$S/existing.svg" "je ."
check 1 "notab.tsv:2" -- translate eval --load "$S/translator.safetensors" --corpus "$S/notab.tsv"
check 64 "--beam" -- translate run --load "$S/translator.safetensors" --beam 0 "je ."
check 64 "SENTENCE" -- translate run --load "$S/translator.safetensors"
check 74 "is a folder" -- translate run --load "$S/translator.safetensors" --heatmap "$S/out.svg" "je ."
check 1 "has no words" -- translate run --load "$S/translator.safetensors" --heatmap "$S/new.svg" "   "

# --- classify ------------------------------------------------------------------------------------------------
printf 'positive\tgood\nno tab on this line\n' > "$S/ragged.tsv"
printf 'positive\tgood\npositive\tfine\n' > "$S/onelabel.tsv"
ones() { seq -s, 1 "$1" | sed 's/[0-9][0-9]*/1/g'; }       # N comma-separated 1s
printf '%s\n' "$(ones 64),3" "$(ones 63)" > "$S/short.csv"   # a labelled row, then a row one value short
printf '%s\n' "17,$(ones 63),3" > "$S/range.csv"
printf '%s\n' "nan,$(ones 63),3" > "$S/nan.csv"
check 66 "no such file" -- classify train --corpus "$S/missing.tsv" --quiet
check 66 "is a folder, not a file" -- classify train --corpus "$S/folder" --quiet
check 1 "0xE9" -- classify train --corpus "$S/latin1.txt" --quiet
check 1 "ragged.tsv:2" -- classify train --corpus "$S/ragged.tsv" --save "$S/existing.safetensors" --quiet
check 1 "at least 2" -- classify train --corpus "$S/onelabel.tsv" --save "$S/existing.safetensors" --quiet
check 74 "does not exist" -- classify train --steps 1000000 --save "$S/nofolder/m.safetensors"
check 74 "is a folder" -- classify train --save "$S/out.svg"
check 74 "not a regular file" -- classify train --save "$S/fifo.safetensors"
for v in 0 -1 1000000000 abc; do check 64 "--steps" -- classify train --steps "$v"; done
check 64 "--scorer" -- classify train --scorer cosine
check 64 "--word-dropout" -- classify train --word-dropout 1
check 66 "no such file" -- classify eval --load "$S/missing.safetensors"
check 1 "truncated.safetensors" -- classify eval --load "$S/truncated.safetensors"
check 1 "not an attention checkpoint" -- classify run --load "$S/sdpa.in.safetensors" "good"
check 1 "not an attention checkpoint" -- classify run --load "$S/sdpa.in.safetensors" --heatmap "$S/existing.svg" "good"
check 64 "TEXT" -- classify run --load "$S/sdpa.in.safetensors"
check 64 "--split" -- classify corpus --split validation

# --- digits --------------------------------------------------------------------------------------------------
check 66 "no such file" -- digits train --data "$S/missing.csv" --quiet
check 1 "short.csv:2" -- digits train --data "$S/short.csv" --save "$S/existing.safetensors" --quiet
check 1 "outside the pixel range" -- digits train --data "$S/range.csv" --quiet
check 1 "not a finite number" -- digits train --data "$S/nan.csv" --quiet
check 1 "no image rows" -- digits train --data "$S/blank.txt" --quiet
check 74 "does not exist" -- digits train --steps 1000000 --save "$S/nofolder/m.safetensors"
check 64 "--patch" -- digits train --patch 3
check 64 "--dimension" -- digits train --dimension 30 --heads 4
check 1 "not an attention checkpoint" -- digits eval --load "$S/sdpa.in.safetensors"
check 66 "no such file" -- digits run --load "$S/missing.safetensors" --csv "$S/short.csv"
check 66 "no such file" -- digits run --load "$S/sdpa.in.safetensors" --csv "$S/missing.csv"
check 74 "does not exist" -- digits run --load "$S/sdpa.in.safetensors" --csv "$S/short.csv" --heatmap "$S/nofolder/a.png"

# --- caption -------------------------------------------------------------------------------------------------
# A small labelled digits file, and a tiny caption and digits checkpoint trained on it (the figures do not matter).
for i in $(seq 0 59); do printf '%s,%d\n' "$(ones 64)" $((i % 10)); done > "$S/tiny-digits.csv"
"$BIN" caption train --data "$S/tiny-digits.csv" --steps 1 --dimension 8 --heads 2 --layers 1 --hidden 8 --quiet \
    --save "$S/caption.safetensors" > /dev/null || { echo "FAIL: could not train the tiny caption model"; failed=$((failed + 1)); }
"$BIN" digits train --data "$S/tiny-digits.csv" --steps 1 --dimension 8 --heads 2 --layers 1 --quiet \
    --save "$S/digits.safetensors" > /dev/null || { echo "FAIL: could not train the tiny digits model"; failed=$((failed + 1)); }
printf '%s\n' "$(ones 128)" "$(ones 127)" > "$S/strip-short.csv"     # a 2-digit strip, then a row one value short
printf '%s\n' "$(ones 64)" > "$S/strip-one.csv"                        # one digit: k = 1 is not a strip
printf '%s\n' "17,$(ones 191)" > "$S/strip-range.csv"
printf '%s\n' "$(ones 100),nan,$(ones 91)" > "$S/strip-nan.csv"
: > "$S/strip-empty.csv"
printf '%s\n' "$(ones 192)" > "$S/strip-ok.csv"
check 1 "strip-short.csv:2: a strip row holds 64·k values" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-short.csv"
check 1 "found 64" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-one.csv" --heatmap "$S/existing.svg"
check 1 "outside the pixel range" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-range.csv" --json
check 1 "not a finite number" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-nan.csv" --heatmap "$S/new.png"
check 1 "no strip rows" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-empty.csv"
check 1 "no strip rows" -- caption run --load "$S/caption.safetensors" --csv "$S/blank.txt"
check 1 "expected \"caption\"" -- caption run --load "$S/digits.safetensors" --csv "$S/strip-ok.csv" --heatmap "$S/new.png"
check 1 "expected \"caption\"" -- caption eval --load "$S/digits.safetensors" --data "$S/tiny-digits.csv"
check 1 "expected \"digits\"" -- digits eval --load "$S/caption.safetensors" --data "$S/tiny-digits.csv"
check 1 "not an attention checkpoint" -- caption eval --load "$S/sdpa.in.safetensors"
check 66 "no such file" -- caption run --load "$S/missing.safetensors" --csv "$S/strip-ok.csv"
check 66 "no such file" -- caption run --load "$S/caption.safetensors" --csv "$S/missing.csv"
check 74 "does not exist" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-ok.csv" --heatmap "$S/nofolder/a.png"
check 64 "a.gif" -- caption run --load "$S/caption.safetensors" --csv "$S/strip-ok.csv" --heatmap "$S/a.gif"
check 66 "no such file" -- caption train --data "$S/missing.csv" --quiet
check 1 "short.csv:2" -- caption train --data "$S/short.csv" --save "$S/existing.safetensors" --quiet
check 1 "not a finite number" -- caption train --data "$S/nan.csv" --quiet
check 74 "does not exist" -- caption train --steps 1000000 --save "$S/nofolder/m.safetensors"
for v in 0 -1 10000000 abc; do check 64 "--steps" -- caption train --steps "$v"; done
check 64 "--patch" -- caption train --patch 3
check 64 "--dimension" -- caption train --dimension 30 --heads 4
check 64 "--digits" -- caption eval --load "$S/caption.safetensors" --digits 5

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
