import Foundation
import Testing
@testable import Attention

struct SoftAttentionTests {
    // MARK: Seed 001, by hand

    /// h1 = [1.0, 0.5] "Bonjour", h2 = [0.8, 1.2] "le", h3 = [0.2, 1.5] "monde"; s0 = [0.8, 0.3].
    /// Scores by hand: 0.8 + 0.15 = 0.95, 0.64 + 0.36 = 1.00, 0.16 + 0.45 = 0.61.
    @Test(arguments: [DType.float64, .float32])
    func seedWorkedExample(_ dtype: DType) {
        let h = Tensor(shape: [3, 2], doubles: [1.0, 0.5, 0.8, 1.2, 0.2, 1.5]).cast(to: dtype)
        let s0 = Tensor(shape: [1, 2], doubles: [0.8, 0.3]).cast(to: dtype)
        let scores = DotScore().scores(query: s0, key: h)
        let tol = dtype == .float64 ? 1e-12 : 1e-6
        expectClose(scores.doubles, [0.95, 1.00, 0.61], atol: tol)
        let (context, weights) = attend(query: s0, key: h, value: h, scorer: DotScore())
        #expect(weights.shape == [1, 3] && context.shape == [1, 2])
        expectClose(weights.doubles, [0.3619, 0.3805, 0.2576], atol: 5e-5)          // to 4 decimals
        expectClose(context.doubles, [0.7178, 1.0239], atol: 5e-5)
        // The weights sum to one.
        expectClose([weights.doubles.reduce(0, +)], [1], atol: tol)
    }

    @Test func articleContextComesFromItsRoundedWeights() {
        // The article's [0.716, 1.026] is Σ αᵢhᵢ with α rounded to [0.36, 0.38, 0.26]:
        // 0.36·1.0 + 0.38·0.8 + 0.26·0.2 = 0.716; 0.36·0.5 + 0.38·1.2 + 0.26·1.5 = 1.026.
        let h = Tensor(shape: [3, 2], doubles: [1.0, 0.5, 0.8, 1.2, 0.2, 1.5])
        let rounded = softAttention(weights: Tensor(shape: [1, 3], doubles: [0.36, 0.38, 0.26]), values: h)
        expectClose(rounded.doubles, [0.716, 1.026], atol: 1e-12)
    }

    // MARK: Masked softmax against the hand-written mask patterns

    @Test(arguments: MaskCase.all)
    func maskedSoftmaxMatchesNaive(_ c: MaskCase) {
        let scores = randomTensor(c.dims, seed: 21, scale: 2)
        let got = attentionWeights(scores: scores, mask: c.mask)
        #expect(got.shape == c.dims)
        let x = scores.doubles, allowed = c.expectedAllowed
        let s = c.dims[3]
        var additive: [Double]? = nil
        if case .additive(let t) = c.mask { additive = t.expanded(to: c.dims).doubles }
        var expected: [Double] = []
        for r in 0..<(x.count / s) {
            let row = (0..<s).map { j in
                let k = r * s + j
                return allowed[k] ? x[k] + (additive?[k] ?? 0) : -.infinity
            }
            expected += Naive.softmax(row)
        }
        expectClose(got.doubles, expected, atol: 1e-14)
        #expect(!hasNaN(got))
    }

    @Test func scoresOfRankTwoAndThreeAreLSAndBLS() {
        // [L, S] with a causal mask; [B, L, S] with per-batch key padding (B is the first axis, H = 1).
        let s2 = randomTensor([3, 4], seed: 22)
        let w2 = attentionWeights(scores: s2, mask: .causal(.lowerRight)).doubles
        let x2 = s2.doubles
        var e2: [Double] = []
        for i in 0..<3 { e2 += Naive.softmax((0..<4).map { j in j <= i + 1 ? x2[i * 4 + j] : -.infinity }) }
        expectClose(w2, e2, atol: 1e-14)

        let s3 = randomTensor([2, 2, 3], seed: 23)
        let w3 = attentionWeights(scores: s3, mask: .keyPadding(lengths: [1, 2])).doubles
        let x3 = s3.doubles, lengths = [1, 2]
        var e3: [Double] = []
        for b in 0..<2 { for i in 0..<2 {
            e3 += Naive.softmax((0..<3).map { j in j < lengths[b] ? x3[(b * 2 + i) * 3 + j] : -.infinity })
        } }
        expectClose(w3, e3, atol: 1e-14)
    }

    // MARK: Extreme logits

    @Test(arguments: [DType.float64, .float32])
    func logitsOfTenThousandDoNotOverflow(_ dtype: DType) {
        let scores = Tensor(shape: [2, 4], doubles: [1e4, -1e4, 1e4 - 2, 0,
                                                   -1e4, -1e4 + 1, -1e4, -1e4]).cast(to: dtype)
        let w = attentionWeights(scores: scores, mask: .boolean(BoolTensor(shape: [4], values: [true, true, true, false])))
        // Row 0: e^0, e^−2e4, e^−2 (masked last) → [1, 0, e^−2] / (1 + e^−2). Row 1: [1, e, 1] / (2 + e).
        let e2 = Foundation.exp(-2.0), e = Foundation.exp(1.0)
        let expected = [1 / (1 + e2), 0, e2 / (1 + e2), 0, 1 / (2 + e), e / (2 + e), 1 / (2 + e), 0]
        expectClose(w.doubles, expected, atol: dtype == .float64 ? 1e-15 : 1e-6)
        #expect(w.doubles.allSatisfy { $0.isFinite })
    }

    // MARK: Fully-masked rows

    /// Masks that leave row 1 of [B 2, H 1, L 3, S 4] (or all of batch element 1) with no key.
    static let fullyMaskingMasks: [(String, AttentionMask, [Int])] = {
        var b = [Bool](repeating: true, count: 3 * 4)
        for j in 0..<4 { b[1 * 4 + j] = false }
        var a = [Double](repeating: 0.25, count: 3 * 4)
        for j in 0..<4 { a[1 * 4 + j] = -.infinity }
        return [
            // (name, mask, fully masked (b, i) rows as b·L + i)
            ("boolean", .boolean(BoolTensor(shape: [3, 4], values: b)), [1, 4]),
            ("additive −∞", .additive(Tensor(shape: [3, 4], doubles: a)), [1, 4]),
            ("key padding length 0", .keyPadding(lengths: [4, 0]), [3, 4, 5]),
        ]
    }()

    @Test(arguments: 0..<3)
    func fullyMaskedRowsGiveZeroOutputAndZeroGradient(_ index: Int) {
        let (name, mask, masked) = Self.fullyMaskingMasks[index]
        let q = randomTensor([2, 3, 5], seed: 31).requiringGradient()
        let k = randomTensor([2, 4, 5], seed: 32).requiringGradient()
        let v = randomTensor([2, 4, 2], seed: 33).requiringGradient()
        let scores = ScaledDotScore().scores(query: q, key: k)
        let w = attentionWeights(scores: scores, mask: mask)
        let out = softAttention(weights: w, values: v)
        let o = rows(out), wr = rows(w)
        for r in 0..<6 {
            if masked.contains(r) {
                #expect(o[r] == [0, 0], "\(name): output row \(r)")
                #expect(wr[r] == [0, 0, 0, 0], "\(name): weights row \(r)")
            } else {
                expectClose([wr[r].reduce(0, +)], [1], atol: 1e-12, "\(name): row \(r) sums to 1")
            }
        }
        let cotangent = randomTensor([2, 3, 2], seed: 34)
        let g = Autograd.gradients(of: (out * cotangent).sum(), withRespectTo: [q, k, v, scores])
        for t in g { #expect(!hasNaN(t), "\(name): NaN in a gradient") }
        let gq = rows(g[0]), gs = rows(g[3])
        for r in masked {
            #expect(gq[r].allSatisfy { $0 == 0 }, "\(name): query row \(r) gradient \(gq[r])")
            #expect(gs[r].allSatisfy { $0 == 0 }, "\(name): score row \(r) gradient \(gs[r])")
        }
        if masked.count == 3 {   // the whole of batch element 1: its keys and values get nothing either
            #expect(g[1].slice(axis: 0, 1..<2).doubles.allSatisfy { $0 == 0 })
            #expect(g[2].slice(axis: 0, 1..<2).doubles.allSatisfy { $0 == 0 })
        }
        // And the gradient is right everywhere, masked rows included.
        let check = GradientCheck.run([q, k, v]) { xs in
            attend(query: xs[0], key: xs[1], value: xs[2], scorer: ScaledDotScore(), mask: mask).output
        }
        #expect(check.maxRelativeError <= 1e-3, "\(name): \(check)")
    }

    // MARK: Gradients

    static let gradientMasks: [(String, AttentionMask)] = [
        ("none", .none),
        ("causal upper-left", .causal(.upperLeft)),
        ("causal lower-right", .causal(.lowerRight)),
        ("sliding window", .slidingWindow(left: 1, right: 1, alignment: .upperLeft)),
        ("key padding", .keyPadding(lengths: [2, 4])),
        ("boolean", .boolean(BoolTensor(shape: [3, 4], values: (0..<12).map { $0 % 3 != 1 }))),
    ]

    @Test(arguments: 0..<6)
    func attentionWeightsGradients(_ index: Int) {
        let (name, mask) = Self.gradientMasks[index]
        let check = GradientCheck.run([randomTensor([2, 1, 3, 4], seed: 41)]) { xs in
            attentionWeights(scores: xs[0], mask: mask)
        }
        #expect(check.maxRelativeError <= 1e-3, "\(name): \(check)")
    }

    @Test func gradientReachesTheAdditiveMask() {
        // Finite biases and −∞ entries together; both the scores and the bias tensor are inputs.
        let bias = Tensor(shape: [3, 4], doubles: [0.3, -.infinity, 1, -0.5, 0, 0.2, -.infinity, 0.1, -1, 0.4, 0.6, 0])
        let check = GradientCheck.run([randomTensor([2, 1, 3, 4], seed: 42), bias]) { xs in
            attentionWeights(scores: xs[0], mask: .additive(xs[1]) && .causal(.lowerRight))
        }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    @Test func softAttentionIsTheWeightedAverage() {
        let w = randomTensor([2, 3, 4], seed: 51), v = randomTensor([2, 4, 5], seed: 52)
        let got = rows(softAttention(weights: w, values: v))
        let wr = rows(w), vr = rows(v)
        for b in 0..<2 { for i in 0..<3 {
            expectClose(got[b * 3 + i], Naive.weightedSum(wr[b * 3 + i], Array(vr[(b * 4)..<(b * 4 + 4)])), atol: 1e-12)
        } }
        let check = GradientCheck.run([w, v]) { xs in softAttention(weights: xs[0], values: xs[1]) }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    @Test func attendWithAdditiveScorerAndMask() {
        var rng = RandomGenerator(seed: 5)
        let scorer = AdditiveScore(queryDim: 3, keyDim: 2, hiddenDim: 4, dtype: .float64, rng: &rng)
        let q = randomTensor([2, 2, 3], seed: 53), k = randomTensor([2, 3, 2], seed: 54), v = randomTensor([2, 3, 2], seed: 55)
        let (out, w) = attend(query: q, key: k, value: v, scorer: scorer, mask: .keyPadding(lengths: [3, 2]))
        let p = scorer.stateDict().mapValues(\.doubles)
        let qr = rows(q), kr = rows(k), vr = rows(v)
        for b in 0..<2 { for i in 0..<2 {
            let scores = (0..<3).map { j -> Double in
                if j >= [3, 2][b] { return -.infinity }
                var s = 0.0
                for h in 0..<4 {
                    var pre = 0.0
                    for a in 0..<3 { pre += p["queryWeight"]![h * 3 + a] * qr[b * 2 + i][a] }
                    for c in 0..<2 { pre += p["keyWeight"]![h * 2 + c] * kr[b * 3 + j][c] }
                    s += p["vector"]![h] * Foundation.tanh(pre)
                }
                return s
            }
            let weights = Naive.softmax(scores)
            expectClose(rows(w)[b * 2 + i], weights, atol: 1e-12)
            expectClose(rows(out)[b * 2 + i], Naive.weightedSum(weights, Array(vr[(b * 3)..<(b * 3 + 3)])), atol: 1e-12)
        } }
    }
}
