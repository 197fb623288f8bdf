import Foundation
import Testing
@testable import AttentionTransformers

/// Seeded Float64 standard normals (arbitrary values; the generator itself is tested in TensorCoreTests).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1, dtype: DType = .float64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, standardDeviation: scale, dtype: dtype, using: &rng)
}

/// Gives every parameter of `module` random values (PyTorch's zero biases and unit norms would hide wiring
/// bugs), then converts it to `dtype` and switches dropout off.
func randomize(_ module: Module, seed: UInt64, dtype: DType = .float64, scale: Double = 0.4) {
    for (k, p) in module.parameters.enumerated() { p.value = randomTensor(p.value.shape, seed: seed &+ UInt64(k), scale: scale) }
    module.convert(to: dtype)
    module.eval()
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "maxAbsDifference: \(a.count) vs \(b.count) elements")
    return zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
}

/// Checks |a − b| ≤ atol + rtol·|b| elementwise (NaN fails), naming the first element that does not.
func expectClose(_ a: [Double], _ b: [Double], atol: Double, rtol: Double = 0, _ comment: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(comment): element counts differ: \(a.count) vs \(b.count)", sourceLocation: sourceLocation)
    guard a.count == b.count else { return }
    let bad = a.indices.first { k in !(a[k] == b[k] || Swift.abs(a[k] - b[k]) <= atol + rtol * Swift.abs(b[k])) }
    #expect(bad == nil, "\(comment): element \(bad ?? -1) is \(bad.map { a[$0] } ?? 0), expected \(bad.map { b[$0] } ?? 0) (max |Δ| \(maxAbsDifference(a, b)))",
            sourceLocation: sourceLocation)
}

/// A small layer configuration for tests (dropout 0 unless asked).
func smallLayer(_ placement: NormPlacement, _ kind: FeedForward.Kind = .relu, d: Int = 4, heads: Int = 2, kvHeads: Int? = nil,
                ff: Int = 6, dropout: Double = 0, rotary: RotaryEmbedding? = nil) -> TransformerLayerConfiguration {
    TransformerLayerConfiguration(modelDim: d, numHeads: heads, kvHeads: kvHeads, feedForwardDim: ff, feedForward: kind,
                                  dropout: dropout, normPlacement: placement, rotary: rotary)
}
