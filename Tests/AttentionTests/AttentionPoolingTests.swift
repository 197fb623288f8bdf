import Foundation
import Testing
@testable import Attention

/// Attention pooling against arithmetic done here in Float64, and its gradients against central differences.
struct AttentionPoolingTests {
    @Test("scaled dot: weights = softmax(q·h/√D) over the real tokens, 0 on padding; pooled = Σ α h", arguments: [AttentionPooling.Scorer.scaledDot])
    func scaledDotByHand(_ scorer: AttentionPooling.Scorer) {
        var rng = RandomGenerator(seed: 3)
        let pool = AttentionPooling(dimension: 4, scorer: scorer, rng: &rng)
        pool.convert(to: .float64)
        let h = Tensor.randomNormal([2, 5, 4], dtype: .float64, using: &rng)
        let lengths = [5, 3]
        let (pooled, weights) = pool(h, lengths: lengths)
        let q = pool.query.value.doubles, hs = h.doubles
        for b in 0..<2 {
            let scores = (0..<lengths[b]).map { i in (0..<4).reduce(0.0) { $0 + q[$1] * hs[(b * 5 + i) * 4 + $1] } / 2 }
            let top = scores.max()!, e = scores.map { Foundation.exp($0 - top) }, z = e.reduce(0, +)
            let alpha = e.map { $0 / z } + [Double](repeating: 0, count: 5 - lengths[b])
            for i in 0..<5 { #expect(abs(weights.doubles[b * 5 + i] - alpha[i]) < 1e-14) }
            for j in 0..<4 {
                let expected = (0..<5).reduce(0.0) { $0 + alpha[$1] * hs[(b * 5 + $1) * 4 + j] }
                #expect(abs(pooled.doubles[b * 4 + j] - expected) < 1e-14)
            }
        }
    }

    @Test("both scorers: a length-0 row gives weights 0 and pooled 0 (never NaN); gradients pass the Float64 check",
          arguments: AttentionPooling.Scorer.allCases)
    func emptyRowAndGradients(_ scorer: AttentionPooling.Scorer) {
        var rng = RandomGenerator(seed: 5)
        let pool = AttentionPooling(dimension: 3, scorer: scorer, attentionSize: 4, rng: &rng)
        pool.convert(to: .float64)
        let keys = Tensor.randomNormal([2, 4, 3], dtype: .float64, using: &rng)
        let values = Tensor.randomNormal([2, 4, 2], dtype: .float64, using: &rng)
        let (pooled, weights) = pool(keys: keys, values: values, lengths: [0, 4])
        #expect(pooled.shape == [2, 2] && weights.shape == [2, 4])
        #expect(pooled.doubles[0..<2].allSatisfy { $0 == 0 } && weights.doubles[0..<4].allSatisfy { $0 == 0 })
        #expect(abs(weights.doubles[4..<8].reduce(0, +) - 1) < 1e-12)
        let result = GradientCheck.run(module: pool, inputs: [keys, values]) { x in
            pool(keys: x[0], values: x[1], lengths: [2, 4]).pooled
        }
        #expect(result.maxRelativeError < 1e-3, "\(result)")
    }
}
