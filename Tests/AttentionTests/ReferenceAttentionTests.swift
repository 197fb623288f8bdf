import Foundation
import Testing
@testable import Attention

/// One ReferenceAttention configuration with its mask written twice: as the library enum and as a plain
/// (b, h, i, j) → bias function from the definitions.
struct SDPACase: Sendable, CustomTestStringConvertible {
    let name: String
    let b, h, hkv, l, s, e, ev: Int
    var scale: Double? = nil
    let mask: @Sendable () -> AttentionMask
    let naiveBias: @Sendable (Int, Int, Int, Int) -> Double
    var testDescription: String { name }

    static let alibi: [Double] = [0, -0.5, -1, -1.5, -2, -2.5, 0, -0.25, -0.5, -0.75, -1, -1.25]   // [H 2, 1, S 6]
    static let boolValues: [Bool] = (0..<(2 * 3 * 4)).map { k in k / 4 != 2 && (k * 5) % 7 != 3 }  // [B 2, 1, L 3, S 4]; row (0, 2) all false

    static let all: [SDPACase] = [
        SDPACase(name: "multi-head, no mask", b: 2, h: 2, hkv: 2, l: 3, s: 3, e: 4, ev: 5,
                 mask: { .none }, naiveBias: { _, _, _, _ in 0 }),
        SDPACase(name: "GQA 4/2, causal lower-right, L < S", b: 1, h: 4, hkv: 2, l: 3, s: 5, e: 4, ev: 3,
                 mask: { .causal(.lowerRight) }, naiveBias: { _, _, i, j in j <= i + 2 ? 0 : -.infinity }),
        SDPACase(name: "MQA 3/1, causal upper-left, L > S", b: 2, h: 3, hkv: 1, l: 4, s: 2, e: 3, ev: 2,
                 mask: { .causal(.upperLeft) }, naiveBias: { _, _, i, j in j <= i ? 0 : -.infinity }),
        SDPACase(name: "GQA 4/2, causal lower-right, L > S (rows 0, 1 fully masked)", b: 1, h: 4, hkv: 2, l: 5, s: 3, e: 3, ev: 2,
                 mask: { .causal(.lowerRight) }, naiveBias: { _, _, i, j in j <= i - 2 ? 0 : -.infinity }),
        SDPACase(name: "key padding [3, 0]", b: 2, h: 2, hkv: 1, l: 2, s: 3, e: 4, ev: 3,
                 mask: { .keyPadding(lengths: [3, 0]) }, naiveBias: { b, _, _, j in j < [3, 0][b] ? 0 : -.infinity }),
        SDPACase(name: "sliding window ±1 lower-right + ALiBi-like additive per head", b: 1, h: 2, hkv: 2, l: 3, s: 6, e: 2, ev: 2,
                 mask: { .slidingWindow(left: 1, right: 1, alignment: .lowerRight) && .additive(Tensor(shape: [2, 1, 6], doubles: alibi)) },
                 naiveBias: { _, h, i, j in abs(j - (i + 3)) <= 1 ? alibi[h * 6 + j] : -.infinity }),
        SDPACase(name: "boolean [B, 1, L, S] with an empty row, scale 0.7", b: 2, h: 2, hkv: 2, l: 3, s: 4, e: 3, ev: 3, scale: 0.7,
                 mask: { .boolean(BoolTensor(shape: [2, 1, 3, 4], values: boolValues)) },
                 naiveBias: { b, _, i, j in boolValues[(b * 3 + i) * 4 + j] ? 0 : -.infinity }),
    ]

    var inputs: (q: Tensor, k: Tensor, v: Tensor) {
        (randomTensor([b, h, l, e], seed: 61), randomTensor([b, hkv, s, e], seed: 62), randomTensor([b, hkv, s, ev], seed: 63))
    }

    /// Output [B, H, L, Ev] and weights [B, H, L, S] by plain loops; kv head of query head h is h / (H / Hkv).
    func naive(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> (out: [Double], weights: [Double]) {
        let qr = rows(q), kr = rows(k), vr = rows(v)
        let group = h / hkv, factor = scale ?? 1 / Double(e).squareRoot()
        var out: [Double] = [], weights: [Double] = []
        for bi in 0..<b { for hi in 0..<h { for i in 0..<l {
            let kv = (bi * hkv + hi / group) * s
            let row = Naive.attentionRow(q: qr[(bi * h + hi) * l + i], keys: Array(kr[kv..<(kv + s)]),
                                         values: Array(vr[kv..<(kv + s)]), scale: factor) { j in naiveBias(bi, hi, i, j) }
            out += row.out
            weights += row.weights
        } } }
        return (out, weights)
    }
}

struct ReferenceAttentionTests {
    @Test(arguments: SDPACase.all, [DType.float64, .float32])
    func matchesNaiveLoops(_ c: SDPACase, _ dtype: DType) {
        let (q, k, v) = c.inputs
        let (out, weights) = ReferenceAttention.forward(query: q.cast(to: dtype), key: k.cast(to: dtype), value: v.cast(to: dtype),
                                                        mask: c.mask(), scale: c.scale, needsWeights: true)
        let expected = c.naive(q, k, v)
        #expect(out.shape == [c.b, c.h, c.l, c.ev] && out.dtype == dtype)
        #expect(weights?.shape == [c.b, c.h, c.l, c.s])
        // Float32: inputs are the Float64 ones rounded, so compare with PyTorch's fp32 tolerances.
        let (atol, rtol) = dtype == .float64 ? (1e-12, 1e-12) : (1e-5, 1e-4)
        expectClose(out.doubles, expected.out, atol: atol, rtol: rtol)
        expectClose(weights?.doubles ?? [], expected.weights, atol: atol, rtol: rtol)
        #expect(!hasNaN(out))
    }

    @Test func weightsOnlyWhenAsked() {
        let (q, k, v) = SDPACase.all[0].inputs
        #expect(ReferenceAttention.forward(query: q, key: k, value: v).weights == nil)
        #expect(ReferenceAttention.forward(query: q, key: k, value: v, needsWeights: true).weights != nil)
    }

    @Test(arguments: SDPACase.all.filter { $0.s * $0.l <= 20 })
    func gradientsMatchCentralDifferences(_ c: SDPACase) {
        let (q, k, v) = c.inputs
        let check = GradientCheck.run([q, k, v]) { xs in
            ReferenceAttention.forward(query: xs[0], key: xs[1], value: xs[2], mask: c.mask(), scale: c.scale).output
        }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    @Test func gradientReachesAnAdditiveBias() {
        let c = SDPACase.all[5]
        let (q, k, v) = c.inputs
        let check = GradientCheck.run([q, k, v, Tensor(shape: [2, 1, 6], doubles: SDPACase.alibi)]) { xs in
            ReferenceAttention.forward(query: xs[0], key: xs[1], value: xs[2],
                                       mask: .additive(xs[3]) && .slidingWindow(left: 1, right: 1, alignment: .lowerRight)).output
        }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    /// K, V [B, Hkv, S, X] repeated to [B, H, S, X] with plain loops: head h gets kv head h / (H / Hkv).
    static func repeatHeads(_ t: Tensor, heads: Int) -> Tensor {
        let (b, hkv, s, x) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
        let d = t.doubles, group = heads / hkv
        var out: [Double] = []
        for bi in 0..<b { for h in 0..<heads {
            let base = (bi * hkv + h / group) * s * x
            out += d[base..<(base + s * x)]
        } }
        return Tensor(shape: [b, heads, s, x], doubles: out)
    }

    @Test(arguments: [(4, 2), (6, 3), (3, 1), (4, 1)])
    func groupedQueryAttentionEqualsRepeatingKeysAndValues(_ heads: (Int, Int)) {
        let (h, hkv) = heads
        let q = randomTensor([2, h, 3, 4], seed: 71), k = randomTensor([2, hkv, 5, 4], seed: 72), v = randomTensor([2, hkv, 5, 3], seed: 73)
        let kr = Self.repeatHeads(k, heads: h).requiringGradient(), vr = Self.repeatHeads(v, heads: h).requiringGradient()
        let kl = k.requiringGradient(), vl = v.requiringGradient()
        let mask = AttentionMask.causal(.lowerRight)
        let grouped = ReferenceAttention.forward(query: q, key: kl, value: vl, mask: mask).output
        let repeated = ReferenceAttention.forward(query: q, key: kr, value: vr, mask: mask).output
        expectClose(grouped.doubles, repeated.doubles, atol: 1e-13)
        // The gradient of a shared kv head is the sum over the query heads of its group.
        let cot = randomTensor([2, h, 3, 3], seed: 74)
        let gg = Autograd.gradients(of: (grouped * cot).sum(), withRespectTo: [kl, vl])
        let gr = Autograd.gradients(of: (repeated * cot).sum(), withRespectTo: [kr, vr])
        for (g, r) in zip(gg, gr) {
            let x = g.shape[3], s = g.shape[2], group = h / hkv, rd = r.doubles
            var summed = [Double](repeating: 0, count: g.count)
            for b in 0..<2 { for head in 0..<h { for e in 0..<(s * x) {
                summed[(b * hkv + head / group) * s * x + e] += rd[(b * h + head) * s * x + e]
            } } }
            expectClose(g.doubles, summed, atol: 1e-12)
        }
    }

    @Test func fullyMaskedRowsHaveZeroOutputAndGradient() {
        // Lower-right causal with L 5 > S 3: queries 0 and 1 see no key.
        let c = SDPACase.all[3]
        let (q0, k0, v0) = c.inputs
        let q = q0.requiringGradient(), k = k0.requiringGradient(), v = v0.requiringGradient()
        let (out, w) = ReferenceAttention.forward(query: q, key: k, value: v, mask: .causal(.lowerRight), needsWeights: true)
        let g = Autograd.gradients(of: (out * randomTensor(out.shape, seed: 75)).sum(), withRespectTo: [q, k, v])
        for t in g + [out, w!] { #expect(!hasNaN(t)) }
        for head in 0..<4 { for i in 0..<2 {
            #expect(rows(out)[head * 5 + i].allSatisfy { $0 == 0 })
            #expect(rows(w!)[head * 5 + i].allSatisfy { $0 == 0 })
            #expect(rows(g[0])[head * 5 + i].allSatisfy { $0 == 0 })
        } }
    }
}
