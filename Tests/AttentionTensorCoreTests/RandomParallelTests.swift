import Foundation
import Testing
@testable import AttentionTensorCore

struct RandomParallelTests {
    struct Stream: Decodable { let bits: [String]; let uniform: [Double] }
    struct File: Decodable { let random: [String: Stream] }

    @Test func streamsMatchAnIndependentImplementation() throws {
        let url = Bundle.module.url(forResource: "ops", withExtension: "json", subdirectory: "Fixtures")!
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.random.count == 3)
        for (seedText, stream) in file.random {
            var a = RandomGenerator(seed: UInt64(seedText)!), b = RandomGenerator(seed: UInt64(seedText)!)
            #expect(stream.bits.map { UInt64($0)! } == (0..<8).map { _ in a.next() })
            #expect(stream.uniform == (0..<8).map { _ in b.uniform() })
        }
    }

    @Test func deterministicMathIsAccurate() {
        for x in [1e-300, 1e-9, 0.1, 0.5, 0.7071, 1, 1.5, 2, 10, 1e10, 1e300] {
            #expect(Swift.abs(DeterministicMath.log(x) - Foundation.log(x)) <= 4e-16 * max(1, Swift.abs(Foundation.log(x))))
        }
        for i in 0..<1000 {
            let t = Double(i) / 1000
            let (s, c) = DeterministicMath.sinCos(turns: t)
            #expect(Swift.abs(s - Foundation.sin(2 * .pi * t)) <= 1e-15)
            #expect(Swift.abs(c - Foundation.cos(2 * .pi * t)) <= 1e-15)
        }
    }

    @Test func normalSamplesHaveTheRightMoments() {
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.randomNormal([200_000], mean: 2, standardDeviation: 3, dtype: .float64, using: &rng).doubles
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)
        // Standard errors: 3/√n ≈ 0.0067 for the mean, ≈ 0.028 for the variance (9·√(2/n)).
        #expect(Swift.abs(mean - 2) < 0.03)
        #expect(Swift.abs(variance - 9) < 0.15)
        let u = Tensor.randomUniform([100_000], low: -1, high: 3, using: &rng).doubles
        #expect(u.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(Swift.abs(u.reduce(0, +) / 100_000 - 1) < 0.02)
        let bern = Tensor.bernoulli([100_000], probability: 0.3, using: &rng).doubles
        #expect(Swift.abs(bern.reduce(0, +) / 100_000 - 0.3) < 0.01)
    }

    @Test func sameSeedSameTensor() {
        var a = RandomGenerator(seed: 99), b = RandomGenerator(seed: 99)
        #expect(Tensor.randomNormal([50], using: &a).scalars == Tensor.randomNormal([50], using: &b).scalars)
        #expect(a.integer(below: 7) == b.integer(below: 7))
    }

    @Test("parallelFor visits every index exactly once", arguments: [1, 2, 5])
    func parallelVisitsAll(_ threads: Int) {
        // `Locked`, not `Synchronization.Mutex`: TSan cannot see Mutex's futex and reports every guarded access.
        let counts = Locked([Int](repeating: 0, count: 1000))
        Parallel.forEach(1000, threads: threads) { i in counts.withLock { $0[i] += 1 } }
        #expect(counts.withLock { $0.allSatisfy { $0 == 1 } })
    }
}
