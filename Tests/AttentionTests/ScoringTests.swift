import Foundation
import Testing
@testable import Attention

/// One scorer under test: its parameters (Float64), how to build it from them, and an independent scalar
/// formula score(q, k) written with plain loops.
struct ScorerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let queryDim: Int
    let keyDim: Int
    let parameters: [Tensor]
    let build: @Sendable ([Tensor]) -> any AttentionScoring
    let naive: @Sendable ([[Double]], [Double], [Double]) -> Double
    var testDescription: String { name }

    static let all: [ScorerCase] = {
        var rng = RandomGenerator(seed: 11)
        let bilinear = BilinearScore(queryDim: 4, keyDim: 6, dtype: .float64, rng: &rng)
        let additive = AdditiveScore(queryDim: 4, keyDim: 6, hiddenDim: 5, dtype: .float64, rng: &rng)
        let mlp = MLPScore(queryDim: 4, keyDim: 6, hiddenDim: 5, dtype: .float64, rng: &rng)
        return [
            ScorerCase(name: "dot", queryDim: 4, keyDim: 4, parameters: [], build: { _ in DotScore() },
                       naive: { _, q, k in Naive.dot(q, k) }),
            ScorerCase(name: "scaled dot, default 1/√E", queryDim: 4, keyDim: 4, parameters: [],
                       build: { _ in ScaledDotScore() }, naive: { _, q, k in Naive.dot(q, k) / 2 }),
            ScorerCase(name: "scaled dot, scale 0.3", queryDim: 3, keyDim: 3, parameters: [],
                       build: { _ in ScaledDotScore(scale: 0.3) }, naive: { _, q, k in 0.3 * Naive.dot(q, k) }),
            ScorerCase(name: "bilinear", queryDim: 4, keyDim: 6, parameters: [bilinear.weight.value],
                       build: { BilinearScore(weight: $0[0]) },
                       naive: { p, q, k in
                           // Σ_a Σ_b q_a W_ab k_b, W row-major [4, 6]
                           var s = 0.0
                           for a in 0..<4 { for b in 0..<6 { s += q[a] * p[0][a * 6 + b] * k[b] } }
                           return s
                       }),
            ScorerCase(name: "additive (Bahdanau)", queryDim: 4, keyDim: 6,
                       parameters: [additive.queryWeight.value, additive.keyWeight.value, additive.vector.value],
                       build: { AdditiveScore(queryWeight: $0[0], keyWeight: $0[1], vector: $0[2]) },
                       naive: { p, q, k in
                           var s = 0.0
                           for h in 0..<5 {
                               var pre = 0.0
                               for a in 0..<4 { pre += p[0][h * 4 + a] * q[a] }
                               for b in 0..<6 { pre += p[1][h * 6 + b] * k[b] }
                               s += p[2][h] * Foundation.tanh(pre)
                           }
                           return s
                       }),
            ScorerCase(name: "cosine, τ = 0.5", queryDim: 4, keyDim: 4, parameters: [],
                       build: { _ in CosineScore(temperature: 0.5) },
                       naive: { _, q, k in Naive.dot(q, k) / (Naive.dot(q, q).squareRoot() * Naive.dot(k, k).squareRoot()) / 0.5 }),
            ScorerCase(name: "MLP on [q; k]", queryDim: 4, keyDim: 6,
                       parameters: [mlp.hiddenWeight.value, mlp.hiddenBias.value, mlp.outputWeight.value, mlp.outputBias.value],
                       build: { MLPScore(hiddenWeight: $0[0], hiddenBias: $0[1], outputWeight: $0[2], outputBias: $0[3], queryDim: 4) },
                       naive: { p, q, k in
                           let x = q + k
                           var s = p[3][0]
                           for h in 0..<5 {
                               var pre = p[1][h]
                               for c in 0..<10 { pre += p[0][h * 10 + c] * x[c] }
                               s += p[2][h] * max(pre, 0)
                           }
                           return s
                       }),
        ]
    }()

    /// Expected scores for query [Bq..., L, Eq] and key [B, S, Ek] with Bq ∈ {[], [B]}: [B, L, S].
    func expected(query: Tensor, key: Tensor) -> [Double] {
        let p = parameters.map(\.doubles)
        let qs = rows(query), ks = rows(key)
        let b = key.shape[0], s = key.shape[1], l = query.shape[query.rank - 2]
        var out: [Double] = []
        for bi in 0..<b { for i in 0..<l { for j in 0..<s {
            let q = query.rank == 3 ? qs[bi * l + i] : qs[i]
            out.append(naive(p, q, ks[bi * s + j]))
        } } }
        return out
    }
}

struct ScoringTests {
    @Test(arguments: ScorerCase.all, [DType.float64, .float32])
    func scoresMatchTheFormula(_ c: ScorerCase, _ dtype: DType) {
        let query = randomTensor([2, 3, c.queryDim], seed: 1)
        let key = randomTensor([2, 5, c.keyDim], seed: 2)
        let scorer = c.build(c.parameters.map { $0.cast(to: dtype) })
        let got = scorer.scores(query: query.cast(to: dtype), key: key.cast(to: dtype))
        #expect(got.shape == [2, 3, 5])
        #expect(got.dtype == dtype)
        // Float32 inputs are the Float64 ones rounded; the tolerance covers that rounding and Float32 arithmetic.
        let tol = dtype == .float64 ? 1e-12 : 2e-5
        expectClose(got.doubles, c.expected(query: query, key: key), atol: tol, rtol: tol)
    }

    @Test(arguments: ScorerCase.all)
    func leadingDimensionsBroadcast(_ c: ScorerCase) {
        // One query set [L, Eq] against a batch of key sets [B, S, Ek].
        let query = randomTensor([3, c.queryDim], seed: 3)
        let key = randomTensor([2, 4, c.keyDim], seed: 4)
        let got = c.build(c.parameters).scores(query: query, key: key)
        #expect(got.shape == [2, 3, 4])
        expectClose(got.doubles, c.expected(query: query, key: key), atol: 1e-12, rtol: 1e-12)
    }

    @Test(arguments: ScorerCase.all)
    func gradientsMatchCentralDifferences(_ c: ScorerCase) {
        let query = randomTensor([2, 2, c.queryDim], seed: 5)
        let key = randomTensor([2, 3, c.keyDim], seed: 6)
        // A learnable scorer is a Module: the module form of the check perturbs its parameters as well as the inputs.
        let scorer = c.build(c.parameters)
        let result = if let module = scorer as? Module {
            GradientCheck.run(module: module, inputs: [query, key]) { xs in scorer.scores(query: xs[0], key: xs[1]) }
        } else {
            GradientCheck.run([query, key]) { xs in scorer.scores(query: xs[0], key: xs[1]) }
        }
        #expect(result.maxRelativeError <= 1e-3, "\(result)")
    }

    @Test func cosineIsSafeForZeroVectors() {
        let query = Tensor(shape: [2, 3], doubles: [0, 0, 0, 1, 2, 2]).requiringGradient()
        let key = Tensor(shape: [2, 3], doubles: [2, 4, 4, 0, 0, 0]).requiringGradient()
        let s = CosineScore().scores(query: query, key: key)
        // Row 0 is the zero query, column 1 the zero key: score 0. cos([1,2,2], [2,4,4]) = 1 (up to ε²).
        expectClose(s.doubles, [0, 0, 1, 0], atol: 1e-12)
        let g = Autograd.gradients(of: s.sum(), withRespectTo: [query, key])
        #expect(!hasNaN(g[0]) && !hasNaN(g[1]))
        #expect(g[0].doubles.allSatisfy { $0.isFinite } && g[1].doubles.allSatisfy { $0.isFinite })
    }

    @Test func cosineTemperatureDividesTheScore() {
        // cos([1, 0], [1, 1]) = 1/√2; τ = 0.25 → 4/√2.
        let s = CosineScore(temperature: 0.25).scores(query: Tensor(shape: [1, 2], doubles: [3, 0]),
                                                      key: Tensor(shape: [1, 2], doubles: [1, 1]))
        expectClose(s.doubles, [4 / 2.0.squareRoot()], atol: 1e-12)
    }

    /// (name, parameter table, fan-in of each parameter) for each learnable scorer, initialised from `seed`.
    static func learnedParameters(seed: UInt64) -> [(String, [String: Tensor], [String: Int])] {
        var rng = RandomGenerator(seed: seed)
        return [
            ("bilinear", BilinearScore(queryDim: 3, keyDim: 7, rng: &rng).stateDict(), ["weight": 3]),
            ("additive", AdditiveScore(queryDim: 3, keyDim: 7, hiddenDim: 5, rng: &rng).stateDict(),
             ["queryWeight": 3, "keyWeight": 7, "vector": 5]),
            ("mlp", MLPScore(queryDim: 3, keyDim: 7, hiddenDim: 5, rng: &rng).stateDict(),
             ["hiddenWeight": 10, "hiddenBias": 10, "outputWeight": 5, "outputBias": 5]),
        ]
    }

    @Test func initialisationIsSeededUniformWithinOneOverRootFanIn() {
        let a = Self.learnedParameters(seed: 42), b = Self.learnedParameters(seed: 42), c = Self.learnedParameters(seed: 43)
        for ((name, pa, fanIn), ((_, pb, _), (_, pc, _))) in zip(a, zip(b, c)) {
            #expect(Set(pa.keys) == Set(fanIn.keys), "\(name)")
            for (key, t) in pa {
                let bound = 1 / Double(fanIn[key]!).squareRoot()
                #expect(t.dtype == .float32)
                #expect(t.doubles.allSatisfy { abs($0) <= bound }, "\(name).\(key) exceeds ±\(bound)")
                #expect(t.doubles == pb[key]!.doubles, "\(name).\(key) differs for the same seed")
                if t.count > 1 {
                    #expect(t.doubles != pc[key]!.doubles, "\(name).\(key) equal for different seeds")
                    #expect(Set(t.doubles).count > 1, "\(name).\(key) is constant")
                }
            }
        }
        // Shapes follow the documented layouts.
        #expect(a[1].1["queryWeight"]!.shape == [5, 3] && a[1].1["keyWeight"]!.shape == [5, 7] && a[1].1["vector"]!.shape == [5])
        #expect(a[2].1["hiddenWeight"]!.shape == [5, 10] && a[2].1["outputWeight"]!.shape == [1, 5])
    }

    @Test func settingParametersChangesTheScores() throws {
        var rng = RandomGenerator(seed: 9)
        let scorer = BilinearScore(queryDim: 2, keyDim: 2, dtype: .float64, rng: &rng)
        try scorer.load(stateDict: ["weight": Tensor(shape: [2, 2], doubles: [0, 1, 2, 0])])
        // qᵀWk with q = [1, 2], k = [3, 4]: [1, 2]·[[0, 1], [2, 0]] = [4, 1]; ·[3, 4] = 16.
        let s = scorer.scores(query: Tensor(shape: [1, 2], doubles: [1, 2]), key: Tensor(shape: [1, 2], doubles: [3, 4]))
        #expect(s.doubles == [16])
    }
}
