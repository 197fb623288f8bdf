import Testing
@testable import Attention

/// A mask for one test case, written so that an `.additive` tensor can be swapped for a leaf that requires
/// gradients (to check the fused gradient of the bias).
struct MaskSpec: Sendable, CustomStringConvertible {
    let name: String
    /// The additive tensor (Float64 values), if any; passed to `build` as a leaf of the run's dtype.
    var additive: Tensor? = nil
    let build: @Sendable (_ additive: Tensor?) -> AttentionMask
    var description: String { name }

    static func fixed(_ name: String, _ mask: AttentionMask) -> MaskSpec { MaskSpec(name: name) { _ in mask } }
}

/// One attention problem: inputs in Float64 (rounded to Float32 values, so every path sees the same numbers).
struct Problem: Sendable, CustomStringConvertible {
    let b, h, hkv, l, s, e, ev: Int
    var mask: MaskSpec = .fixed("none", .none)
    var scale: Double? = nil
    var dropout: AttentionDropout? = nil
    var needsWeights = false
    var seed: UInt64 = 1

    var description: String {
        "B\(b) H\(h)/\(hkv) L\(l) S\(s) E\(e) Ev\(ev) mask \(mask)" + (scale.map { " scale \($0)" } ?? "")
            + (dropout.map { " dropout \($0.probability)" } ?? "") + (needsWeights ? " +weights" : "")
    }

    /// q, k, v and the output cotangent, each Float32-representable, stored as Float64.
    var inputs: [Tensor] {
        var rng = RandomGenerator(seed: seed)
        return [[b, h, l, e], [b, hkv, s, e], [b, hkv, s, ev], [b, h, l, ev]].map { shape in
            Tensor.randomNormal(shape, dtype: .float32, using: &rng).cast(to: .float64)
        }
    }
}

/// Output, weights and gradients (dq, dk, dv, then the additive mask's) of one path, as Doubles.
struct Run {
    let output: [Double]
    let weights: [Double]?
    let grads: [[Double]]
    let outputShape: [Int]
}

extension Problem {
    /// Runs `path` in `dtype`: forward, then the gradients of Σ output ∘ cotangent.
    func run(_ path: AttentionPath, _ dtype: DType, gradients: Bool = true) -> Run {
        let x = inputs
        var leaves = x.prefix(3).map { $0.cast(to: dtype).requiringGradient() }
        if let a = mask.additive { leaves.append(a.cast(to: dtype).requiringGradient()) }
        let (out, w) = scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2],
                                                 mask: mask.build(leaves.count > 3 ? leaves[3] : nil), scale: scale,
                                                 dropout: dropout, needsWeights: needsWeights || path == .reference,
                                                 path: path)
        let grads = gradients ? Autograd.gradients(of: (out * x[3].cast(to: dtype)).sum(), withRespectTo: leaves) : []
        return Run(output: out.doubles, weights: w?.doubles, grads: grads.map(\.doubles), outputShape: out.shape)
    }

    /// Checks the fused path against the Float64 reference with the project tolerance: max |fused − ref64| ≤
    /// 2·max |naive32 − ref64| + 1e-6, for the output, every gradient and (when asked) the weights. Also checks
    /// that rows the reference gives all-zero weights (fully masked, or everything dropped) are exactly 0 in the
    /// fused output and query gradient, and that nothing is NaN.
    func checkFusedAgainstReference(gradients: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let ref = run(.reference, .float64, gradients: gradients)
        let naive = run(.reference, .float32, gradients: gradients)
        let fused = run(.fused, .float32, gradients: gradients)
        func check(_ name: String, _ f: [Double], _ n: [Double], _ r: [Double]) {
            #expect(!f.contains { $0.isNaN }, "\(self): fused \(name) has NaN", sourceLocation: sourceLocation)
            let ef = maxAbsDifference(f, r), en = maxAbsDifference(n, r)
            #expect(ef <= 2 * en + 1e-6, "\(self): \(name) error \(ef) > 2 × naive \(en) + 1e-6", sourceLocation: sourceLocation)
        }
        check("output", fused.output, naive.output, ref.output)
        for (k, name) in ["dq", "dk", "dv", "dmask"].prefix(fused.grads.count).enumerated() {
            check(name, fused.grads[k], naive.grads[k], ref.grads[k])
        }
        if needsWeights, let fw = fused.weights { check("weights", fw, naive.weights!, ref.weights!) }

        // Rows with all-zero reference weights: exactly 0 out (and dq), never "almost".
        let w = ref.weights!
        var zeroRows = 0
        for row in 0..<(b * h * l) where (0..<s).allSatisfy({ w[row * s + $0] == 0 }) {
            zeroRows += 1
            #expect((0..<ev).allSatisfy { fused.output[row * ev + $0] == 0 }, "\(self): row \(row) output not exactly 0",
                    sourceLocation: sourceLocation)
            if gradients {
                #expect((0..<e).allSatisfy { fused.grads[0][row * e + $0] == 0 }, "\(self): row \(row) dq not exactly 0",
                        sourceLocation: sourceLocation)
            }
            if needsWeights, let fw = fused.weights {
                #expect((0..<s).allSatisfy { fw[row * s + $0] == 0 }, "\(self): row \(row) weights not exactly 0",
                        sourceLocation: sourceLocation)
            }
        }
        _ = zeroRows
    }
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "maxAbsDifference: \(a.count) vs \(b.count) elements")
    var m = 0.0
    for (x, y) in zip(a, b) where x != y { m = max(m, Swift.abs(x - y)) }
    return m
}

/// Bitwise equality of two Float32 results (compared through their Double images, which are exact).
func bitwiseEqual(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// The CPU paths the fused kernels can run here, for tests that pin each.
enum Paths {
    static var supported: [CPUKernels.Path] { CPUKernels.supportedPaths }
}
