import Foundation
import Testing
@testable import Attention

/// NaN and infinity propagate through the fused kernels as through PyTorch's softmax, on every CPU path and
/// every forward instance (decode for L ≤ 4, the short AVX-512 blocks for L ≤ 32, the main blocks): a visible
/// score that is NaN, or +∞, makes its row NaN in the output, the weights and the query gradient; −∞ scores
/// (the mask's) give weight 0 and a row of nothing but them gives 0.
@Suite struct NonFiniteTests {
    /// (L, S): decode with one and several key chunks, short blocks, main blocks.
    static let shapes = [(1, 40), (3, 700), (20, 50), (70, 130)]

    struct Case: Sendable, CustomTestStringConvertible {
        let path: CPUKernels.Path, l: Int, s: Int
        var testDescription: String { "path \(path) L\(l) S\(s)" }
    }
    static let cases = Paths.supported.flatMap { p in shapes.map { Case(path: p, l: $0.0, s: $0.1) } }

    /// Output, weights and dq of the fused path on path `c.path`, with query row `row` of head 0 edited.
    func run(_ c: Case, mask: AttentionMask = .none, edit: (inout [Double]) -> Void = { _ in },
             editKey: (inout [Double]) -> Void = { _ in }) -> (o: [Double], w: [Double], dq: [Double]) {
        FlashAttention.$pinnedPath.withValue(c.path) {
            var qd = randomFloat([1, 2, c.l, 16], seed: 1).doubles, kd = randomFloat([1, 2, c.s, 16], seed: 2).doubles
            edit(&qd)
            editKey(&kd)
            let q = Tensor(shape: [1, 2, c.l, 16], doubles: qd).cast(to: .float32).requiringGradient()
            let k = Tensor(shape: [1, 2, c.s, 16], doubles: kd).cast(to: .float32)
            let v = randomFloat([1, 2, c.s, 8], seed: 3)
            let (o, w) = scaledDotProductAttention(query: q, key: k, value: v, mask: mask, needsWeights: true, path: .fused)
            let dq = Autograd.gradients(of: o.sum(), withRespectTo: [q])[0]
            return (o.doubles, w!.doubles, dq.doubles)
        }
    }

    func rows(_ x: [Double], _ width: Int) -> [ArraySlice<Double>] {
        stride(from: 0, to: x.count, by: width).map { x[$0..<($0 + width)] }
    }

    @Test(arguments: cases)
    func nanInOneQueryRowMakesThatRowNaN(_ c: Case) {
        let row = c.l - 1
        let r = run(c) { $0[row * 16 + 5] = .nan }
        for (i, o) in rows(r.o, 8).enumerated() {
            #expect(i == row ? o.allSatisfy { $0.isNaN } : !o.contains { $0.isNaN }, "output row \(i): \(o)")
        }
        for (i, w) in rows(r.w, c.s).enumerated() {
            #expect(i == row ? w.allSatisfy { $0.isNaN } : !w.contains { $0.isNaN }, "weights row \(i)")
        }
        #expect(rows(r.dq, 16)[row].allSatisfy { $0.isNaN })
    }

    @Test(arguments: cases)
    func allNaNQueriesAreNaNNotMasked(_ c: Case) {
        let r = run(c) { q in q = q.map { _ in .nan } }
        #expect(r.o.allSatisfy { $0.isNaN } && r.w.allSatisfy { $0.isNaN } && r.dq.allSatisfy { $0.isNaN })
    }

    /// q > 0 against a key of +∞: every score with that key is +∞, so every row is NaN (PyTorch: e^(∞ − ∞)).
    @Test(arguments: cases)
    func infiniteKeyMakesEveryRowNaN(_ c: Case) {
        let r = run(c, edit: { q in q = q.map { Swift.abs($0) + 0.1 } },
                    editKey: { k in for e in 0..<16 { k[(c.s / 2) * 16 + e] = .infinity } })
        // head 0 sees the +∞ key; head 1 (its own keys, untouched) stays finite
        let half = c.l * 8
        #expect(r.o[..<half].allSatisfy { $0.isNaN } && !r.o[half...].contains { $0.isNaN })
        #expect(r.w[..<(c.l * c.s)].allSatisfy { $0.isNaN })
    }

    /// A NaN row next to fully masked rows: the masked rows stay exactly 0, the NaN row is NaN.
    @Test(arguments: cases)
    func maskedRowsStayZeroBesideANaNRow(_ c: Case) {
        guard c.l >= 2 else { return }
        // lower-right causal with S shortened to L - 1 visible keys for row L - 1 ... rows see i - (L - S') keys
        let mask = AttentionMask.keyPadding(lengths: [c.s / 2]) && .slidingWindow(left: 0, right: c.s, alignment: .upperLeft)
        let r = run(c, mask: mask) { $0[0 * 16 + 3] = .nan }
        let o = rows(r.o, 8)
        #expect(o[0].allSatisfy { $0.isNaN })
        // rows i ≥ S/2 see no key (the window starts at key i, padding ends at S/2): exactly 0
        for i in 1..<c.l where i >= c.s / 2 { #expect(o[i].allSatisfy { $0 == 0 }, "row \(i)") }
        for i in 1..<c.l where i < c.s / 2 { #expect(!o[i].contains { $0.isNaN }, "row \(i)") }
    }
}

/// Values near Float.greatestFiniteMagnitude: the output, a weighted average of the values, is finite, and so
/// must be the fused path's, whose unnormalised sums overflow (expected values from the formula in Float64).
@Suite struct NearFloatMaxAttentionTests {
    @Test(arguments: NonFiniteTests.cases)
    func valuesNearFloatMax(_ c: NonFiniteTests.Case) {
        FlashAttention.$pinnedPath.withValue(c.path) {
            let q = randomFloat([1, 2, c.l, 8], seed: 4), k = randomFloat([1, 2, c.s, 8], seed: 5)
            let vd: [Double] = (0..<(2 * c.s * 3)).map { (n: Int) -> Double in
                let sign: Double = n % 3 == 2 ? -1 : 1
                return sign * 3e38 * (1 - 0.01 * Double(n % 7))
            }
            let v = Tensor(shape: [1, 2, c.s, 3], doubles: vd).cast(to: .float32)
            let o = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal(.lowerRight), path: .fused).output.doubles
            let (qd, kd, vv) = (q.doubles, k.doubles, v.doubles)
            for h in 0..<2 { for i in 0..<c.l {
                let visible = max(0, min(c.s, i + 1 + c.s - c.l))   // lower-right causal: keys 0 ..< i + S − L + 1
                guard visible > 0 else { continue }
                let s: [Double] = (0..<visible).map { (j: Int) -> Double in
                    var dot = 0.0
                    for e in 0..<8 { dot += qd[(h * c.l + i) * 8 + e] * kd[(h * c.s + j) * 8 + e] }
                    return dot / 8.0.squareRoot()
                }
                let m = s.max()!, w = s.map { Foundation.exp($0 - m) }, l = w.reduce(0, +)
                for d in 0..<3 {
                    var want = 0.0
                    for j in 0..<visible { want += w[j] / l * vv[(h * c.s + j) * 3 + d] }
                    let got = o[(h * c.l + i) * 3 + d]
                    #expect(got.isFinite && Swift.abs(got - want) <= 1e-5 * 3e38, "h \(h) row \(i) dim \(d): \(got) vs \(want)")
                }
            } }
        }
    }
}
