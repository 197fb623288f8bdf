#!/usr/bin/env bash
# Builds a small app that has its own targets named Models, Text and Training (the common app target names the
# package's modules once had) and depends on this package's `Attention` product: SwiftPM refuses two targets of one
# name anywhere in a package graph, so this fails if any module of ours takes such a name again. The app imports
# our modules beside its own and calls one function of each, so a build that only resolves is not enough.
# Usage: Scripts/check_name_clash.sh   (from the repository root; builds in .build/name-clash, debug)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/.build/name-clash"
# Never delete what this script did not make (Scripts/work_folder.sh): the folder is reused only when it carries the
# marker a run left.
source "$ROOT/Scripts/work_folder.sh"
claim_work_folder check_name_clash "$WORK" .attention-name-clash
rm -rf "$WORK/Sources" "$WORK/Package.swift"
mkdir -p "$WORK/Sources/Models" "$WORK/Sources/Text" "$WORK/Sources/Training" "$WORK/Sources/App"
cat > "$WORK/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription
let attention = Target.Dependency.product(name: "Attention", package: "$(basename "$ROOT")")
let package = Package(
    name: "ClashApp",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "$ROOT")],
    targets: [
        .target(name: "Text"),
        .target(name: "Training"),
        .target(name: "Models", dependencies: ["Text", "Training"]),
        .executableTarget(name: "App", dependencies: ["Models", attention]),
    ]
)
SWIFT
echo 'public func appWords() -> [String] { ["le", "chien"] }' > "$WORK/Sources/Text/Text.swift"
echo 'public func appSteps() -> Int { 3 }' > "$WORK/Sources/Training/Training.swift"
cat > "$WORK/Sources/Models/Models.swift" <<'SWIFT'
import Text
import Training
public func appModel() -> String { appWords().joined(separator: " ") + " × \(appSteps())" }
SWIFT
cat > "$WORK/Sources/App/main.swift" <<'SWIFT'
import Attention
import AttentionModels
import AttentionText
import AttentionTraining
import Models


print(appModel(), "|", WorkedExample.words.joined(separator: " "), "|", WordVocabulary.self, "|", AdamW.self)
SWIFT
cd "$WORK"
if ! swift build > build.log 2>&1; then
    grep -E "error|warning: multiple" build.log | head -20 >&2
    echo "check_name_clash: the app did not build ($WORK/build.log)" >&2
    exit 1
fi
tail -1 build.log
OUT="$(swift run -q App)"
echo "$OUT"
[[ "$OUT" == "le chien × 3 |"* ]] || { echo "check_name_clash: unexpected output" >&2; exit 1; }
echo "check_name_clash: an app with its own Models, Text and Training targets builds against Attention"
