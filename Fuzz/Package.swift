// swift-tools-version: 6.1
// libFuzzer harnesses for every parser that reads outside data: a separate package so that normal builds of the main
// package never see them (a fuzz entry point has no `main`, and it needs `-parse-as-library`, an unsafe flag). The
// library targets under Sources/ are symlinks to the main package's, so the fuzzers always test the current code.
// See README.md; Scripts/fuzz.sh builds and runs them all.
import PackageDescription

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "AttentionFuzz",
    platforms: [.macOS(.v15)],
    targets: [
        .target(name: "CKernels", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "TensorCore", dependencies: ["CKernels"]),
        .target(name: "Layers", dependencies: ["TensorCore"]),
        .target(name: "Attention", dependencies: ["Layers", "TensorCore"]),
        .target(name: "Training", dependencies: ["Layers", "TensorCore"]),
        .target(name: "SafeTensors", dependencies: ["TensorCore"]),
        .target(name: "Text"),
        .target(name: "Transformers", dependencies: ["Attention"]),
        .target(name: "Models", dependencies: ["Attention", "SafeTensors", "Text", "Training", "Transformers"]),
        .target(name: "FuzzSupport"),
        .executableTarget(name: "SafeTensorsFuzz", dependencies: ["SafeTensors"], swiftSettings: fuzzer),
        .executableTarget(name: "JSONFuzz", dependencies: ["SafeTensors", "Text", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "TokenizerFuzz", dependencies: ["Text", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "TokenizerFilesFuzz", dependencies: ["Text", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "CorpusFuzz", dependencies: ["Models", "Text", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "ModelConfigFuzz", dependencies: ["Models", "FuzzSupport"], swiftSettings: fuzzer),
    ],
    swiftLanguageModes: [.v6]
)
