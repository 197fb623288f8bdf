import Foundation
import Testing
@testable import Attention

struct QAMATests {
    struct Fixture: Decodable {
        let shape: [Int]
        let query, key, value, quadratic, entropyTerms, linear: [Double]
        static let shared: Fixture = {
            let url = Bundle.module.url(forResource: "qama", withExtension: "json", subdirectory: "Fixtures")!
            return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        }()
    }

    static func maxError(_ a: [Double], _ b: [Double]) -> Double {
        #expect(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test("QUBO coefficients (Jensen–Shannon J, value entropy h) equal an independent NumPy computation, no NaN on underflow")
    func coefficients() {
        let f = Fixture.shared
        let (j, terms, h) = QAMA.coefficients(query: Tensor(shape: f.shape, doubles: f.query), key: Tensor(shape: f.shape, doubles: f.key),
                                              value: Tensor(shape: f.shape, doubles: f.value))
        #expect(Self.maxError(j.doubles, f.quadratic) < 1e-12)
        #expect(Self.maxError(terms.doubles, f.entropyTerms) < 1e-12)
        #expect(Self.maxError(h.doubles, f.linear) < 1e-12)
        #expect(j.doubles.allSatisfy { $0.isFinite && $0 >= -1e-15 && $0 <= 1 + 1e-12 }, "JS divergence in bits lies in [0, 1]")
    }

    /// Every assignment of a small problem, for the exact minimum.
    static func bruteForce(_ p: QAMAProblem) -> Double {
        let count = p.heads * p.tokens * p.bits
        var best = Double.infinity
        for code in 0..<(1 << count) {
            best = min(best, p.energy((0..<count).map { code >> $0 & 1 == 1 }))
        }
        return best
    }

    static func randomProblem(heads: Int, tokens: Int, bits: Int, seed: UInt64, penalty: Double = 2) -> QAMAProblem {
        var rng = RandomGenerator(seed: seed)
        return QAMAProblem(quadratic: (0..<heads).map { _ in (0..<(tokens * tokens)).map { _ in rng.normal() } },
                           linear: (0..<heads).map { _ in (0..<tokens).map { _ in rng.normal() } },
                           bits: bits, headOverlapPenalty: penalty)
    }

    @Test("simulated annealing finds the exact minimum of small QUBOs (checked against all 2^n assignments)",
          arguments: [(1, 5, 2), (2, 3, 2), (3, 2, 2), (2, 2, 3)], [UInt64(1), 2, 3])
    func annealingFindsTheMinimum(size: (Int, Int, Int), seed: UInt64) {
        let p = Self.randomProblem(heads: size.0, tokens: size.1, bits: size.2, seed: seed)
        let (x, e) = p.anneal(AnnealingSchedule(initialTemperature: 10, cooling: 0.95, finalTemperature: 1e-3, sweeps: 5, seed: seed))
        #expect(abs(p.energy(x) - e) < 1e-9, "tracked energy \(e) vs recomputed \(p.energy(x))")
        #expect(abs(e - Self.bruteForce(p)) < 1e-9, "annealed \(e), exact \(Self.bruteForce(p))")
    }

    @Test("the same seed gives the same selection; the overlap penalty keeps heads apart")
    func determinismAndHeadSpecialisation() {
        let single = Self.randomProblem(heads: 1, tokens: 6, bits: 3, seed: 9)
        // Two heads with identical coefficients: without a penalty they would pick the same bits.
        let twin = QAMAProblem(quadratic: [single.quadratic[0], single.quadratic[0]], linear: [single.linear[0], single.linear[0]],
                               bits: 3, headOverlapPenalty: 1000)
        let schedule = AnnealingSchedule(initialTemperature: 10, cooling: 0.95, sweeps: 5, seed: 4)
        let a = twin.anneal(schedule), b = twin.anneal(schedule)
        #expect(a.assignment == b.assignment && a.energy == b.energy)
        let perHead = 6 * 3
        for r in 0..<perHead { #expect(!(a.assignment[r] && a.assignment[perHead + r]), "both heads set bit \(r)") }
        let free = QAMAProblem(quadratic: twin.quadratic, linear: twin.linear, bits: 3, headOverlapPenalty: 0).anneal(schedule)
        #expect(Array(free.assignment[0..<perHead]) == Array(free.assignment[perHead...]), "without a penalty both heads agree")
    }

    @Test("gradients of the coefficients and of the token energies pass the Float64 check")
    func gradients() {
        var rng = RandomGenerator(seed: 5)
        let q = Tensor.randomNormal([1, 2, 3, 4], dtype: .float64, using: &rng), k = Tensor.randomNormal([1, 2, 3, 4], dtype: .float64, using: &rng)
        let v = Tensor.randomUniform([1, 2, 3, 4], low: 0.1, high: 1, dtype: .float64, using: &rng)
        let r1 = GradientCheck.run([q, k, v]) { x in
            let (j, terms, _) = QAMA.coefficients(query: x[0], key: x[1], value: x[2])
            return j.sum(axis: -1) + terms.sum(axis: -1)
        }
        #expect(r1.maxRelativeError < 1e-3, "\(r1)")
        let w = Tensor.randomUniform([1, 2, 3], dtype: .float64, using: &rng)
        let r2 = GradientCheck.run([Tensor.randomNormal([1, 2, 3, 3], dtype: .float64, using: &rng), Tensor.randomNormal([1, 2, 3], dtype: .float64, using: &rng)]) { x in
            QAMA.tokenEnergies(quadratic: x[0], linear: x[1], selection: w, configuration: QAMA.Configuration())
        }
        #expect(r2.maxRelativeError < 1e-3, "\(r2)")
    }

    @Test("the QAMA layer: shapes, selections in [0, 1] on the 2^bits grid, finite output, gradients reach every projection")
    func layer() {
        var rng = RandomGenerator(seed: 11)
        var config = QAMA.Configuration()
        config.bits = 3
        config.schedule = AnnealingSchedule(initialTemperature: 10, cooling: 0.9, sweeps: 3, seed: 2)
        let layer = QAMAMultiHeadAttention(modelDim: 8, heads: 2, configuration: config, rng: &rng)
        let x = Tensor.randomNormal([2, 5, 8], using: &rng)
        let y = layer(x)
        #expect(y.shape == [2, 5, 8])
        #expect(y.scalars.allSatisfy { $0.isFinite })
        let w = layer.lastSelection!
        #expect(w.shape == [2, 2, 5])
        #expect(w.doubles.allSatisfy { v in (0...1).contains(v) && abs(v * 7 - (v * 7).rounded()) < 1e-6 })
        y.squared().sum().backward()
        for (name, p) in layer.namedParameters() where name.hasSuffix("weight") {
            #expect(p.gradient.map { g in g.scalars.contains { $0 != 0 } } == true, "no gradient reached \(name)")
        }
    }
}
