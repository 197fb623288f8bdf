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
# What is not counted in the first figures (the last columns count everything DocC lists): members the compiler
# synthesises or inherits. `--skip-synthesized-members` drops the protocol-extension defaults a type gets without
# writing them (`!=` from Equatable, `hashValue`, a default `description`, ...). Two kinds survive it: a raw-value
# enum's `init(rawValue:)` and a derived Codable `init(from:)`; they are recognised reliably as the symbols with no
# source location in the symbol graph (nothing in our sources declares them). Everything written in our sources
# with `public` or `open` counts, including `==` and `description` written by hand, enum cases, and overrides such as
# `ownParameters`/`children`. The executable target (AttentionCLI) has no public API and is left out.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIST=0
if [ "${1:-}" = "--list" ]; then LIST=1; shift; fi
WORK="${1:-$ROOT/.build/doc-coverage}"
source "$ROOT/Scripts/work_folder.sh"   # never delete what this script did not make
claim_work_folder doc_coverage "$WORK" .attention-doc-coverage
rm -rf "$WORK/graphs" "$WORK/archives"
mkdir -p "$WORK/graphs" "$WORK/archives"

MODULES=(AttentionSupport AttentionTensorCore AttentionLayers Attention AttentionTransformers AttentionSafeTensors
         AttentionText AttentionModels AttentionTraining AttentionVisualization AttentionAudio AttentionBench)

if [ -n "${SYMBOL_GRAPHS:-}" ]; then
    dir="$SYMBOL_GRAPHS"      # graphs dumped earlier (e.g. of another commit), as the command below makes them
else
    # It exits non-zero because the package's synthesised test-product modules (AttentionPackageTests, …) have no
    # symbol graph; every target's graph is written all the same, and a missing one is caught below.
    out="$(swift package --package-path "$ROOT" dump-symbol-graph --skip-synthesized-members --minimum-access-level public 2>&1)" || true
    dir="$(echo "$out" | sed -n 's/^Files written to //p' | tail -1)"
fi
[ -d "$dir" ] || { echo "doc_coverage: no symbol graph folder in the output of dump-symbol-graph:" >&2; echo "$out" >&2; exit 1; }

for m in "${MODULES[@]}"; do
    mkdir -p "$WORK/graphs/$m"
    [ -e "$dir/$m.symbols.json" ] || { echo "doc_coverage: no symbol graph for $m in $dir:" >&2; echo "${out:-}" >&2; exit 1; }
    cp "$dir/$m.symbols.json" "$WORK/graphs/$m/"
    for extension in "$dir/$m"@*.symbols.json; do [ -e "$extension" ] && cp "$extension" "$WORK/graphs/$m/"; done
    docc convert --additional-symbol-graph-dir "$WORK/graphs/$m" --output-dir "$WORK/archives/$m.doccarchive" \
        --fallback-display-name "$m" --fallback-bundle-identifier "org.attention.$m" \
        --experimental-documentation-coverage --coverage-summary-level none >/dev/null 2>"$WORK/archives/$m.log" \
        || { echo "doc_coverage: docc failed for $m:" >&2; cat "$WORK/archives/$m.log" >&2; exit 1; }
done

python3 - "$WORK" "$LIST" "${MODULES[@]}" <<'EOF'
import glob, json, re, sys
work, show, modules = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
def strip(component): return re.sub(r"-swift\.[a-z.]+$", "", component)
rows, missing = [], []
for m in modules:
    # Compiler-synthesised members that survive --skip-synthesized-members (a raw-value enum's init(rawValue:), a
    # derived Codable init(from:)) are the symbols with no source location in the graph: nothing wrote them.
    implicit = set()
    for graph in glob.glob(f"{work}/graphs/{m}/*.symbols.json"):
        for symbol in json.load(open(graph))["symbols"]:
            if "location" not in symbol: implicit.add("/".join(symbol["pathComponents"]))
    entries = json.load(open(f"{work}/archives/{m}.doccarchive/documentation-coverage.json"))
    # One entry per page; count the symbols, not the module page.
    symbols = [e for e in entries if e["kind"].get("isSymbol") and e["kind"]["id"] != "org.swift.docc.kind.module"]
    def path(e): return "/".join(strip(c) for c in e["referencePath"].split("/documentation/")[-1].split("/")[1:])
    written = [e for e in symbols if path(e) not in implicit]
    rows.append((m, len(symbols), sum(e.get("hasAbstract", False) for e in symbols),
                 len(written), sum(e.get("hasAbstract", False) for e in written)))
    missing += [(m, e["kind"]["name"], e["referencePath"].split("/documentation/")[-1]) for e in written if not e.get("hasAbstract")]
def pct(a, b): return f"{100 * a / b:.1f}%" if b else "-"
print(f"{'module':<24}{'written':>8}{'documented':>11}{'coverage':>9}   all symbols DocC lists (+ synthesised)")
for m, n, d, w, wd in rows: print(f"{m:<24}{w:>8}{wd:>11}{pct(wd, w):>9}   {d:>6} of {n:<5}{pct(d, n):>8}")
N, D, W, WD = (sum(r[i] for r in rows) for i in range(1, 5))
print(f"{'total':<24}{W:>8}{WD:>11}{pct(WD, W):>9}   {D:>6} of {N:<5}{pct(D, N):>8}")
if show:
    for m, kind, p in missing: print(f"undocumented  {m}  {kind}  {p}")
EOF
