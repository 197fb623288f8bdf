import Dispatch
import Testing
@testable import AttentionTransformers

/// One model shared by many threads for inference (issue 15, item 22): every concurrent forward must give the
/// bits of the same forward run alone. The shared model starts with empty packed-weight caches, so the threads
/// race to fill them — the case ThreadSanitizer reported before the cache had a lock.
struct ConcurrencyTests {
    /// Lets the evaluation-mode model cross into the worker threads; the test's subject is exactly that sharing.
    final class Shared: @unchecked Sendable {
        let layer: TransformerEncoderLayer
        init(_ layer: TransformerEncoderLayer) { self.layer = layer }
    }

    static func makeLayer() -> TransformerEncoderLayer {
        var rng = RandomGenerator(seed: 42)
        let config = TransformerLayerConfiguration(modelDim: 32, numHeads: 4, feedForwardDim: 64, feedForward: .gelu,
                                                   dropout: 0.1, normPlacement: .pre)
        let layer = TransformerEncoderLayer(config, rng: &rng)
        layer.eval()
        return layer
    }

    static func input(_ i: Int) -> Tensor {
        var rng = RandomGenerator(seed: UInt64(100 + i))
        return Tensor.randomNormal([2, 5 + i % 4, 32], using: &rng)
    }

    @Test("Concurrent forwards on one shared encoder layer are bit-identical to single-threaded ones")
    func sharedModelForwardsMatchSingleThreaded() {
        let inputs = (0..<8).map(Self.input)
        // The reference comes from a separate, identically seeded layer run on this thread only.
        let alone = Self.makeLayer()
        let expected = inputs.map { x in withoutGradients { alone(x, mask: .causal(.upperLeft)) }.scalars }
        let shared = Shared(Self.makeLayer())
        let results = Locked<[Int: [Float]]>([:])
        let rounds = 6
        DispatchQueue.concurrentPerform(iterations: inputs.count * rounds) { job in
            let i = job % inputs.count
            let y: [Float] = withoutGradients { shared.layer(inputs[i], mask: .causal(.upperLeft)) }.scalars
            results.withLock { all in
                if let first = all[i], first != y { all[-1 - i] = y } else { all[i] = y }
            }
        }
        let all = results.withLock { $0 }
        for i in 0..<inputs.count {
            #expect(all[i] == expected[i], "input \(i): a concurrent forward differs from the single-threaded one")
            #expect(all[-1 - i] == nil, "input \(i): two concurrent forwards disagree")
        }
    }
}
