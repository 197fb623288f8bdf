import Foundation
import Testing
@testable import Attention

struct HardAttentionTests {
    /// Scores [B 2, L 3, S 5] with a tie in row 0 (keys 1 and 3 share the maximum 3).
    static var scores: Tensor {
        var d = randomTensor([2, 3, 5], seed: 81).doubles
        d.replaceSubrange(0..<5, with: [1, 3, 0.5, 3, 2])
        return Tensor(shape: [2, 3, 5], doubles: d)
    }
    static var values: Tensor { randomTensor([2, 5, 2], seed: 82) }
    /// Batch element 1 sees keys 0, 1; query 2 of every batch element sees none (a boolean [B, 1, L, S]).
    static var mask: AttentionMask {
        let rowsAllowed = (0..<(2 * 3 * 5)).map { k in (k / 5) % 3 != 2 }
        return .keyPadding(lengths: [5, 2]) && .boolean(BoolTensor(shape: [2, 1, 3, 5], values: rowsAllowed))
    }
    static func allowed(_ b: Int, _ i: Int, _ j: Int) -> Bool { i != 2 && j < [5, 2][b] }

    /// Allowed keys of row (b, i), best first, ties to the lower index.
    static func ranking(_ b: Int, _ i: Int) -> [Int] {
        let d = scores.doubles
        return (0..<5).filter { allowed(b, i, $0) }.sorted { x, y in
            let sx = d[(b * 3 + i) * 5 + x], sy = d[(b * 3 + i) * 5 + y]
            return sx > sy || (sx == sy && x < y)
        }
    }

    @Test func argmaxCopiesTheBestAllowedValue() {
        let (out, w, indices) = HardAttention.argmax(scores: Self.scores, values: Self.values, mask: Self.mask)
        let vr = rows(Self.values), o = rows(out), wr = rows(w)
        #expect(indices[0] == 1, "ties go to the first maximum")
        for b in 0..<2 { for i in 0..<3 {
            let r = b * 3 + i
            let best = Self.ranking(b, i).first
            #expect(indices[r] == best)
            #expect(o[r] == (best.map { vr[b * 5 + $0] } ?? [0, 0]))
            #expect(wr[r] == (0..<5).map { $0 == best ? 1 : 0 })
        } }
    }

    @Test func argmaxGradientReachesOnlyTheSelectedValues() {
        let s = Self.scores.requiringGradient(), v = Self.values.requiringGradient()
        let (out, _, indices) = HardAttention.argmax(scores: s, values: v, mask: Self.mask)
        let cot = randomTensor(out.shape, seed: 83)
        let g = Autograd.gradients(of: (out * cot).sum(), withRespectTo: [s, v])
        #expect(g[0].doubles.allSatisfy { $0 == 0 }, "the selection has no gradient")
        var expected = [Double](repeating: 0, count: 2 * 5 * 2)
        let c = rows(cot)
        for r in 0..<6 { if let j = indices[r] { for e in 0..<2 { expected[((r / 3) * 5 + j) * 2 + e] += c[r][e] } } }
        expectClose(g[1].doubles, expected, atol: 1e-15)
    }

    @Test(arguments: [1, 2, 4], HardAttention.TopKWeighting.allCases)
    func topKMatchesNaive(_ k: Int, _ weighting: HardAttention.TopKWeighting) {
        let (out, w, indices) = HardAttention.topK(k, scores: Self.scores, values: Self.values, mask: Self.mask, weighting: weighting)
        let d = Self.scores.doubles, vr = rows(Self.values)
        for b in 0..<2 { for i in 0..<3 {
            let r = b * 3 + i
            let chosen = Array(Self.ranking(b, i).prefix(k))
            #expect(indices[r] == chosen)
            var weights = [Double](repeating: 0, count: 5)
            if !chosen.isEmpty {
                switch weighting {
                case .uniform:
                    for j in chosen { weights[j] = 1 / Double(chosen.count) }
                case .softmax:
                    let sm = Naive.softmax(chosen.map { d[r * 5 + $0] })
                    for (j, p) in zip(chosen, sm) { weights[j] = p }
                }
            }
            expectClose(rows(w)[r], weights, atol: 1e-14)
            expectClose(rows(out)[r], Naive.weightedSum(weights, Array(vr[(b * 5)..<(b * 5 + 5)])), atol: 1e-14)
        } }
    }

    @Test(arguments: HardAttention.TopKWeighting.allCases)
    func topKGradients(_ weighting: HardAttention.TopKWeighting) {
        // Scores are well separated, so ±1e-6 steps never change the selection.
        let check = GradientCheck.run([Self.scores, Self.values]) { xs in
            HardAttention.topK(2, scores: xs[0], values: xs[1], mask: Self.mask, weighting: weighting).output
        }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
        // Uniform weights: nothing reaches the scores; softmax: only the selected scores get gradient.
        let s = Self.scores.requiringGradient()
        let out = HardAttention.topK(2, scores: s, values: Self.values, mask: Self.mask, weighting: weighting).output
        let g = rows(Autograd.gradients(of: (out * randomTensor(out.shape, seed: 84)).sum(), withRespectTo: [s])[0])
        for b in 0..<2 { for i in 0..<3 {
            let chosen = Set(Self.ranking(b, i).prefix(2))
            for j in 0..<5 where weighting == .uniform || !chosen.contains(j) { #expect(g[b * 3 + i][j] == 0) }
            if weighting == .softmax && chosen.count == 2 { #expect(g[b * 3 + i].contains { $0 != 0 }) }
        } }
    }
}
