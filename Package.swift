// swift-tools-version: 6.1
import PackageDescription

// One-way module graph (see ARCHITECTURE.md):
//   AttentionCKernels  <-  AttentionTensorCore  <-  Attention  <-  AttentionBench  <-  AttentionCLI
// Every library module carries the `Attention` prefix, so that none clashes with an app's own targets (`Models`,
// `Text`, `Training`, ...): SwiftPM refuses two targets of one name anywhere in a package graph.
// AttentionCKernels is the only C in the project: SIMD micro-kernels with runtime CPU dispatch, so that a default
// `swift build -c release` (no AVX flags) still runs the hot loops with AVX-512 / AVX2 / NEON.
let package = Package(
    name: "Attention",
    platforms: [.macOS(.v15)],
    products: [
        // One product, every library module: `import Attention` for the core API, `import AttentionTransformers`,
        // `import AttentionModels`, `import AttentionTraining`, … for the rest.
        .library(name: "Attention", targets: ["Attention", "AttentionTransformers", "AttentionSafeTensors", "AttentionText", "AttentionModels", "AttentionTraining", "AttentionVisualization", "AttentionAudio"]),
        .executable(name: "attention", targets: ["AttentionCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Documentation only (`swift package generate-documentation`): a plugin, nothing of it is linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "AttentionCKernels",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // Internal support (all `package`): the message-keeping precondition, the one JSON reader, the one atomic
        // file writer, the sendable pointer boxes.
        .target(name: "AttentionSupport"),
        .target(name: "AttentionTensorCore", dependencies: ["AttentionCKernels", "AttentionSupport"]),
        .target(name: "Attention", dependencies: ["AttentionLayers", "AttentionTensorCore"]),
        .target(name: "AttentionLayers", dependencies: ["AttentionTensorCore"]),
        .target(name: "AttentionTransformers", dependencies: ["Attention", "AttentionTraining"]),
        .target(name: "AttentionSafeTensors", dependencies: ["AttentionSupport", "AttentionTensorCore"]),
        .target(name: "AttentionText", dependencies: ["AttentionSupport"]),
        .target(name: "AttentionModels", dependencies: ["Attention", "AttentionAudio", "AttentionLayers", "AttentionSupport", "AttentionTensorCore", "AttentionSafeTensors", "AttentionText", "AttentionTraining", "AttentionTransformers"]),
        .target(name: "AttentionBench", dependencies: ["Attention", "AttentionTensorCore", "AttentionTraining", "AttentionTransformers"]),
        .target(name: "AttentionTraining", dependencies: ["AttentionLayers", "AttentionTensorCore"]),
        .target(name: "AttentionVisualization", dependencies: ["AttentionSupport", "AttentionTensorCore"]),
        // WAV reading, resampling and log-mel features in plain Swift.
        .target(name: "AttentionAudio", dependencies: ["AttentionSupport"]),
        .executableTarget(
            name: "AttentionCLI",
            dependencies: [
                "Attention",
                "AttentionTransformers",
                "AttentionSafeTensors",
                "AttentionModels",
                "AttentionText",
                "AttentionTraining",
                "AttentionBench",
                "AttentionVisualization",
                "AttentionAudio",
                "AttentionSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // AttentionCLITests runs the built `attention` executable (its dependency on AttentionCLI builds it first).
        .testTarget(name: "AttentionCLITests", dependencies: ["AttentionCLI", "Attention", "AttentionAudio", "AttentionTensorCore", "AttentionSafeTensors", "AttentionModels"]),
        .testTarget(name: "AttentionSupportTests", dependencies: ["AttentionSupport"]),
        .testTarget(name: "AttentionCKernelsTests", dependencies: ["AttentionCKernels"]),
        .testTarget(name: "AttentionTensorCoreTests", dependencies: ["AttentionTensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionLayersTests", dependencies: ["AttentionLayers", "AttentionTensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionTests", dependencies: ["Attention"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FlashAttentionTests", dependencies: ["Attention"]),
        .testTarget(name: "AttentionTransformersTests", dependencies: ["AttentionTransformers", "AttentionSafeTensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionSafeTensorsTests", dependencies: ["AttentionSafeTensors", "AttentionTensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionModelsTests", dependencies: ["AttentionModels", "AttentionAudio", "Attention", "AttentionTransformers", "AttentionTraining", "AttentionVisualization", "AttentionSafeTensors", "AttentionText"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionTextTests", dependencies: ["AttentionText"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionTrainingTests", dependencies: ["AttentionTraining", "AttentionLayers", "AttentionTensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionVisualizationTests", dependencies: ["AttentionVisualization", "AttentionTensorCore"]),
        .testTarget(name: "AttentionAudioTests", dependencies: ["AttentionAudio"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
