import Dispatch
import Foundation
import Testing
@testable import AttentionLayers
import AttentionTensorCore

/// One `Linear` shared by many threads (issue 15, item 22): the threads race to fill its packed-weight cache. Every
/// result must equal x·Wᵀ + b computed in Float64 to Float32 rounding, and equal the bits of a forward run alone.
/// Under ThreadSanitizer (`.ci/run`) the unlocked cache was reported as a data race.
struct ConcurrentLinearTests {
    final class Shared: @unchecked Sendable {
        let layer: Linear
        init(_ layer: Linear) { self.layer = layer }
    }

    /// Runs `body` on `count` threads released together (so that their first calls overlap), and waits for all.
    static func together(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        let arrived = Locked(0), group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread {
                arrived.withLock { $0 += 1 }
                while arrived.withLock({ $0 }) < count {}
                body()
                group.leave()
            }.start()
        }
        group.wait()
    }

    @Test("Concurrent forwards on one fresh Linear agree bit for bit with a forward run alone, and with Float64")
    func concurrentForwards() {
        var rng = RandomGenerator(seed: 3)
        let w = Tensor.randomNormal([256, 192], standardDeviation: 0.1, using: &rng)
        let b = Tensor.randomNormal([256], using: &rng)
        let x = Tensor.randomNormal([3, 192], using: &rng)
        let alone: [Float] = withoutGradients { Linear(weight: w, bias: b)(x) }.scalars
        let reference = (x.cast(to: .float64).matmul(w.cast(to: .float64).transposed()) + b.cast(to: .float64)).doubles
        #expect(zip(alone, reference).allSatisfy { abs(Double($0) - $1) <= 1e-5 * (1 + abs($1)) })
        for _ in 0..<5 {
            let shared = Shared(Linear(weight: w, bias: b))
            let results = Locked<[[Float]]>([])
            Self.together(4) {
                let y: [Float] = withoutGradients { shared.layer(x) }.scalars
                results.withLock { $0.append(y) }
            }
            let all = results.withLock { $0 }
            #expect(all.count == 4 && all.allSatisfy { $0 == alone })
        }
    }
}
