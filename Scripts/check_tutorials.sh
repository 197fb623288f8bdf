#!/usr/bin/env bash
# The DocC tutorials' code compiles and runs, prints what the tutorial text says it prints, and draws the pictures
# the catalog shows, byte for byte:
#   bash Scripts/check_tutorials.sh [--update] [WORK_DIR]   (default .build/tutorials; a folder this script made, or a new one)
# --update copies every picture the steps draw into the catalog instead of comparing (the one way they are regenerated).
# Every step file in Sources/Attention/Attention.docc/Resources/*-NN.swift becomes an executable of a scratch package
# that depends on this one by path; each runs in its own folder. For a tutorial with NAME.output.txt, its last
# step's standard output must equal that file; every PNG a step writes must equal the catalog's copy (byte for byte,
# or within the pixel tolerance of Scripts/compare_png.py when drawn on another kernel path).
# TUTORIAL_STEPS='@(transformer|applications)' (an extended glob over the tutorials' file names) checks only those
# tutorials' steps, e.g. while writing one.
# The digits the application tutorial reads come from Scripts/fetch-digits.sh (pinned SHA-256, cached).
# The catalog's pictures were drawn on the avx2 kernel path, so on a CPU that has it the steps run there
# (ATTENTION_ISA=avx2, unless the caller set ATTENTION_ISA) and the pictures compare byte for byte on any such machine:
# the steps that train drift apart between paths, further than the tolerance allows (lm-heads.png on the avx512 path
# of a Zen 4: 11.6 % of its pixels). Elsewhere (arm64) the tolerance applies. --update draws on the same path.
set -euo pipefail
shopt -s extglob
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RES="$ROOT/Sources/Attention/Attention.docc/Resources"
UPDATE=0
if [ "${1:-}" = "--update" ]; then UPDATE=1; shift; fi
PICTURE_PATH=avx2
has_picture_path() {
    case "$(uname -s)" in
    Linux) grep -qw "$PICTURE_PATH" /proc/cpuinfo 2>/dev/null ;;
    Darwin) sysctl -n machdep.cpu.leaf7_features 2>/dev/null | grep -qiw "$PICTURE_PATH" ;;
    *) return 1 ;;
    esac
}
if [ -z "${ATTENTION_ISA:-}" ] && has_picture_path; then export ATTENTION_ISA=$PICTURE_PATH; fi
echo "tutorial steps run on kernel path: ${ATTENTION_ISA:-the best this CPU has}"
WORK="${1:-$ROOT/.build/tutorials}"
source "$ROOT/Scripts/work_folder.sh"   # never delete what this script did not make
claim_work_folder check_tutorials "$WORK" .attention-tutorials
rm -rf "$WORK/Sources" "$WORK/run"
mkdir -p "$WORK/Sources"

targets=()
for f in "$RES"/${TUTORIAL_STEPS:-*}-[0-9][0-9].swift; do
    name="$(basename "$f" .swift | tr '-' '_')"
    mkdir -p "$WORK/Sources/$name"
    cp "$f" "$WORK/Sources/$name/main.swift"
    targets+=("$name")
done
{
    echo '// swift-tools-version: 6.1'
    echo 'import PackageDescription'
    echo 'let attention = Target.Dependency.product(name: "Attention", package: "'"$(basename "$ROOT")"'")'
    echo 'let package = Package(name: "AttentionTutorials", platforms: [.macOS(.v15)],'
    echo '    dependencies: [.package(path: "'"$ROOT"'")],'
    echo '    targets: ['
    for t in "${targets[@]}"; do echo "        .executableTarget(name: \"$t\", dependencies: [attention]),"; done
    echo '    ], swiftLanguageModes: [.v6])'
} > "$WORK/Package.swift"

if grep -l "DigitImages.defaultPath" "$WORK"/Sources/*/main.swift >/dev/null 2>&1; then
    ATTENTION_DIGITS="$(bash "$ROOT/Scripts/fetch-digits.sh")"
    export ATTENTION_DIGITS
fi
echo "building ${#targets[@]} tutorial steps"
swift build -c release --package-path "$WORK" 2>&1 | grep -E "error|warning: |Compiling|Build" | grep -v "^\[" || true
swift build -c release --package-path "$WORK" >/dev/null
BIN="$(swift build -c release --package-path "$WORK" --show-bin-path)"

failures=0
for t in "${targets[@]}"; do
    dir="$WORK/run/$t"
    mkdir -p "$dir"
    (cd "$dir" && "$BIN/$t" > stdout.txt) || { echo "FAIL $t: exit $?"; failures=$((failures + 1)); continue; }
    bad=0
    for png in "$dir"/*.png; do
        [ -e "$png" ] || continue
        if [ "$UPDATE" -eq 1 ]; then cp "$png" "$RES/"; echo "updated Resources/$(basename "$png")"; continue; fi
        # Byte for byte on the machine that drew the catalog's copy; elsewhere (another kernel path rounds the last
        # bits differently) at most 1 % of the pixels may move by more than 8 levels (Scripts/compare_png.py).
        if [ ! -e "$RES/$(basename "$png")" ]; then
            echo "FAIL $t: draws $(basename "$png"), which the catalog lacks (bash Scripts/check_tutorials.sh --update adds it)"
            bad=1
        elif ! cmp -s "$png" "$RES/$(basename "$png")" &&
           ! python3 "$ROOT/Scripts/compare_png.py" "$png" "$RES/$(basename "$png")"; then
            echo "FAIL $t: $(basename "$png") differs from the catalog's copy (Resources/$(basename "$png"))"
            bad=1
        fi
    done
    if [ "$bad" -eq 0 ]; then echo "ok   $t"; else failures=$((failures + 1)); fi
done
for expected in "$RES"/*.output.txt; do
    tutorial="$(basename "$expected" .output.txt)"
    [ -e "$WORK/run/$(ls "$RES/$tutorial"-[0-9][0-9].swift | sort | tail -1 | xargs basename | sed 's/.swift$//' | tr '-' '_')" ] || continue
    last="$(ls "$RES/$tutorial"-[0-9][0-9].swift | sort | tail -1)"
    t="$(basename "$last" .swift | tr '-' '_')"
    if ! diff -u "$expected" "$WORK/run/$t/stdout.txt"; then
        echo "FAIL $t: its output differs from Resources/$(basename "$expected")"
        failures=$((failures + 1))
    else
        echo "ok   $t prints Resources/$(basename "$expected")"
    fi
done
[ "$failures" -eq 0 ] || { echo "$failures tutorial check(s) failed"; exit 1; }
echo "all ${#targets[@]} tutorial steps compile and run"
