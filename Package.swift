// swift-tools-version: 6.1
import PackageDescription

// One-way module graph (see ARCHITECTURE.md):
//   CKernels  <-  TensorCore  <-  Attention  <-  Bench  <-  AttentionCLI
// CKernels is the only C in the project: SIMD micro-kernels with runtime CPU dispatch, so that a default
// `swift build -c release` (no AVX flags) still runs the hot loops with AVX-512 / AVX2 / NEON.
let package = Package(
    name: "Attention",
    platforms: [.macOS(.v15)],
    products: [
        // One product, every library module: `import Attention` for the core API, `import Transformers`,
        // `import Models`, `import Training`, … for the rest.
        .library(name: "Attention", targets: ["Attention", "Transformers", "SafeTensors", "Text", "Models", "Training", "Visualization"]),
        .executable(name: "attention", targets: ["AttentionCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Documentation only (`swift package generate-documentation`): a plugin, nothing of it is linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CKernels",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(name: "TensorCore", dependencies: ["CKernels"]),
        .target(name: "Attention", dependencies: ["Layers", "TensorCore"]),
        .target(name: "Layers", dependencies: ["TensorCore"]),
        .target(name: "Transformers", dependencies: ["Attention", "Training"]),
        .target(name: "SafeTensors", dependencies: ["TensorCore"]),
        .target(name: "Text", dependencies: []),
        .target(name: "Models", dependencies: ["Attention", "SafeTensors", "Text", "Training", "Transformers"]),
        .target(name: "Bench", dependencies: ["Attention", "Training", "Transformers"]),
        .target(name: "Training", dependencies: ["Layers", "TensorCore"]),
        .target(name: "Visualization", dependencies: ["TensorCore"]),
        .executableTarget(
            name: "AttentionCLI",
            dependencies: [
                "Attention",
                "Transformers",
                "SafeTensors",
                "Models",
                "Text",
                "Bench",
                "Visualization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "AttentionCLITests", dependencies: ["AttentionCLI", "SafeTensors", "Models"]),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LayersTests", dependencies: ["Layers"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttentionTests", dependencies: ["Attention"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FlashAttentionTests", dependencies: ["Attention"]),
        .testTarget(name: "TransformersTests", dependencies: ["Transformers", "SafeTensors", "Training"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Training", "Visualization", "SafeTensors", "Text"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TextTests", dependencies: ["Text"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Layers"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VisualizationTests", dependencies: ["Visualization"]),
    ],
    swiftLanguageModes: [.v6]
)
