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
        .target(name: "AttentionCKernels", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "AttentionSupport"),
        .target(name: "AttentionTensorCore", dependencies: ["AttentionCKernels", "AttentionSupport"]),
        .target(name: "AttentionLayers", dependencies: ["AttentionTensorCore"]),
        .target(name: "Attention", dependencies: ["AttentionLayers", "AttentionTensorCore"]),
        .target(name: "AttentionTraining", dependencies: ["AttentionLayers", "AttentionTensorCore"]),
        .target(name: "AttentionSafeTensors", dependencies: ["AttentionSupport", "AttentionTensorCore"]),
        .target(name: "AttentionText", dependencies: ["AttentionSupport"]),
        .target(name: "AttentionTransformers", dependencies: ["Attention", "AttentionTraining"]),
        .target(name: "AttentionAudio", dependencies: ["AttentionSupport"]),
        .target(name: "AttentionModels", dependencies: ["Attention", "AttentionAudio", "AttentionLayers", "AttentionSupport", "AttentionTensorCore", "AttentionSafeTensors", "AttentionText", "AttentionTraining", "AttentionTransformers"]),
        .target(name: "FuzzSupport"),
        .executableTarget(name: "SafeTensorsFuzz", dependencies: ["AttentionSafeTensors"], swiftSettings: fuzzer),
        .executableTarget(name: "JSONFuzz", dependencies: ["AttentionSupport", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "TokenizerFuzz", dependencies: ["AttentionText", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "TokenizerFilesFuzz", dependencies: ["AttentionText", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "CorpusFuzz", dependencies: ["AttentionModels", "AttentionText", "FuzzSupport"], swiftSettings: fuzzer),
        .executableTarget(name: "ModelConfigFuzz", dependencies: ["AttentionModels", "FuzzSupport"], swiftSettings: fuzzer),
    ],
    swiftLanguageModes: [.v6]
)
