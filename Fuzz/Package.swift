// swift-tools-version: 6.1
// The libFuzzer harness for the safetensors reader: a separate package so that normal builds of the main package never
// see it (a fuzz entry point has no `main`, and it needs `-parse-as-library`, an unsafe flag). Sources/CKernels,
// Sources/TensorCore and Sources/SafeTensors are symlinks to the main package's targets. See README.md.
import PackageDescription

let package = Package(
    name: "AttentionFuzz",
    platforms: [.macOS(.v15)],
    targets: [
        .target(name: "CKernels", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "TensorCore", dependencies: ["CKernels"]),
        .target(name: "SafeTensors", dependencies: ["TensorCore"]),
        .executableTarget(
            name: "SafeTensorsFuzz",
            dependencies: ["SafeTensors"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
