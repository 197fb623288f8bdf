#!/usr/bin/env bash
# Documentation coverage of the public symbols, per library module and in total, as DocC counts it:
#   bash Scripts/doc_coverage.sh [--list] [WORK_DIR]     (default .build/doc-coverage; a folder this script made, or a new one)
# --list also prints every public symbol without a doc comment (module, kind, path), for writing the missing ones.
# SYMBOL_GRAPHS=DIR measures graphs dumped before (the folder `dump-symbol-graph` names) instead of dumping them.
#
# How: `swift package dump-symbol-graph --skip-synthesized-members` (a debug build, then the public symbol graph of
# every target), then `docc convert --experimental-documentation-coverage` over each module's graphs (the module's own
# plus its extensions of other modules' types); a symbol counts as documented when DocC finds an abstract for it
# (`hasAbstract` in documentation-coverage.json).
#
# What is not counted: members the compiler synthesises or inherits. `--skip-synthesized-members` drops the
# protocol-extension defaults a type gets without writing them (`!=` from Equatable, `hashValue`, `description` from a
# default implementation, …), and the symbol graph never holds implicit declarations such as a derived `hash(into:)`,
# `init(rawValue:)` / `rawValue` of a raw-value enum or a memberwise initialiser. Everything written in our sources
# with `public` or `open` counts, including `==` and `description` written by hand, enum cases, and overrides such as
# `ownParameters`/`children`. The executable targets (AttentionCLI) have no public API and are left out.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIST=0
if [ "${1:-}" = "--list" ]; then LIST=1; shift; fi
WORK="${1:-$ROOT/.build/doc-coverage}"
MARK=".attention-doc-coverage"
if [ -e "$WORK" ] && [ ! -e "$WORK/$MARK" ]; then
    echo "doc_coverage: $WORK exists and was not made by this script; refusing to write into it" >&2
    exit 74
fi
mkdir -p "$WORK"
touch "$WORK/$MARK"
rm -rf "$WORK/graphs" "$WORK/archives"
mkdir -p "$WORK/graphs" "$WORK/archives"

MODULES=(AttentionSupport AttentionTensorCore AttentionLayers Attention AttentionTransformers AttentionSafeTensors
         AttentionText AttentionModels AttentionTraining AttentionVisualization AttentionAudio AttentionBench)

if [ -n "${SYMBOL_GRAPHS:-}" ]; then
    dir="$SYMBOL_GRAPHS"      # graphs dumped earlier (e.g. of another commit), as the command below makes them
else
    out="$(swift package --package-path "$ROOT" dump-symbol-graph --skip-synthesized-members --minimum-access-level public 2>&1)" \
        || { echo "$out" >&2; exit 1; }
    dir="$(echo "$out" | sed -n 's/^Files written to //p' | tail -1)"
fi
[ -d "$dir" ] || { echo "doc_coverage: no symbol graph folder in the output of dump-symbol-graph:" >&2; echo "$out" >&2; exit 1; }

for m in "${MODULES[@]}"; do
    mkdir -p "$WORK/graphs/$m"
    cp "$dir/$m.symbols.json" "$WORK/graphs/$m/"
    for extension in "$dir/$m"@*.symbols.json; do [ -e "$extension" ] && cp "$extension" "$WORK/graphs/$m/"; done
    docc convert --additional-symbol-graph-dir "$WORK/graphs/$m" --output-dir "$WORK/archives/$m.doccarchive" \
        --fallback-display-name "$m" --fallback-bundle-identifier "org.attention.$m" \
        --experimental-documentation-coverage --coverage-summary-level none >/dev/null 2>"$WORK/archives/$m.log" \
        || { echo "doc_coverage: docc failed for $m:" >&2; cat "$WORK/archives/$m.log" >&2; exit 1; }
done

python3 - "$WORK/archives" "$LIST" "${MODULES[@]}" <<'EOF'
import json, sys
archives, show, modules = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
total = documented = 0
missing = []
print(f"{'module':<24}{'symbols':>8}{'documented':>12}{'coverage':>10}")
for m in modules:
    entries = json.load(open(f"{archives}/{m}.doccarchive/documentation-coverage.json"))
    # One entry per page; count the symbols, not the module page.
    symbols = [e for e in entries if e["kind"].get("isSymbol") and e["kind"]["id"] != "org.swift.docc.kind.module"]
    done = [e for e in symbols if e.get("hasAbstract")]
    total += len(symbols); documented += len(done)
    share = 100 * len(done) / len(symbols) if symbols else 100
    print(f"{m:<24}{len(symbols):>8}{len(done):>12}{share:>9.1f}%")
    missing += [(m, e["kind"]["name"], e["title"], e["referencePath"].split("/documentation/")[-1]) for e in symbols if not e.get("hasAbstract")]
print(f"{'total':<24}{total:>8}{documented:>12}{100 * documented / total:>9.1f}%")
if show:
    for m, kind, title, path in missing: print(f"undocumented  {m}  {kind}  {path or title}")
EOF
