import Testing
@testable import Attention

/// Same inputs and seed → bitwise-identical outputs, weights and gradients, run after run and on any number of
/// threads. Work splits depend only on the shape and partial results are combined in a fixed order, so this
/// holds by construction; these tests pin it. Serialized because they change `Parallel.threadCount`.
@Suite(.serialized) struct DeterminismTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let problem: Problem
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "block path, causal, GQA", problem: Problem(b: 1, h: 4, hkv: 2, l: 300, s: 300, e: 32, ev: 32,
                                                               mask: .fixed("causal", .causal(.upperLeft)), needsWeights: true, seed: 31)),
        // One head: the backward splits the keys into several chunks whose dQ partials are summed in order.
        Case(name: "one head, chunked backward, dropout", problem: Problem(b: 1, h: 1, hkv: 1, l: 200, s: 1100, e: 40, ev: 24,
                                                                          dropout: AttentionDropout(probability: 0.2, seed: 3),
                                                                          needsWeights: true, seed: 32)),
        Case(name: "decode path, window + additive", problem: Problem(
            b: 2, h: 3, hkv: 1, l: 1, s: 2000, e: 64, ev: 64,
            mask: MaskSpec(name: "window && additive", additive: FeatureTests.additive([1, 2000], seed: 4)) {
                .slidingWindow(left: 900, right: 0, alignment: .lowerRight) && .additive($0!)
            }, needsWeights: true, seed: 33)),
    ]

    func everything(_ p: Problem) -> [[Double]] {
        let run = p.run(.fused, .float32)
        return [run.output, run.weights ?? []] + run.grads
    }

    @Test(arguments: cases)
    func bitwiseAcrossRunsAndThreadCounts(_ c: Case) {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let baseline = everything(c.problem)
        for threads in [1, 2, 3, 7] {
            Parallel.threadCount = threads
            let again = everything(c.problem)
            for (k, (a, b)) in zip(baseline, again).enumerated() {
                #expect(bitwiseEqual(a, b), "\(c.name): result \(k) differs on \(threads) thread(s)")
            }
        }
    }
}
