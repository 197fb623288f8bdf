import Foundation
import Testing
@testable import Attention

/// Multi-head attention written as plain Float64 loops from its definition (projections, appended bias and zero
/// slots, per-head softmax with g(h) = h / (H / Hkv), gate, output projection, fully-masked rows 0). Reads the
/// module's parameter values only; uses no library op.
enum NaiveMHA {
    static func project(_ x: [[Double]], _ w: [[Double]], _ b: [Double]?) -> [[Double]] {
        x.map { row in Naive.linear(w, row).enumerated().map { $1 + (b?[$0] ?? 0) } }
    }

    /// query [B, L, E], key [B, S, Ek], value [B, S, Ev]; `allowed(b, h, i, j)` over the S′ = S + extra keys.
    /// Returns output [B, L, E] and weights [B, H, L, S′], flattened row-major.
    static func forward(_ m: MultiHeadAttention, query: Tensor, key: Tensor, value: Tensor,
                        allowed: (Int, Int, Int, Int) -> Bool) -> (output: [Double], weights: [Double]) {
        let c = m.configuration
        let (bN, l, s) = (query.shape[0], query.shape[1], key.shape[1])
        let (e, d, ekv, hN) = (c.embedDim, c.headDim, c.kvDim, c.numHeads)
        let group = hN / c.kvHeads
        func weightRows(_ t: Tensor) -> [[Double]] { rows(t) }
        var wq: [[Double]], wk: [[Double]], wv: [[Double]], bq: [Double]?, bk: [Double]?, bv: [Double]?
        if let p = m.inputProjection {
            let w = weightRows(p.weight.value), b = p.bias?.value.doubles
            (wq, wk, wv) = (Array(w[0..<e]), Array(w[e..<(e + ekv)]), Array(w[(e + ekv)...]))
            (bq, bk, bv) = (b.map { Array($0[0..<e]) }, b.map { Array($0[e..<(e + ekv)]) }, b.map { Array($0[(e + ekv)...]) })
        } else {
            (wq, wk, wv) = (weightRows(m.queryProjection!.weight.value), weightRows(m.keyProjection!.weight.value),
                            weightRows(m.valueProjection!.weight.value))
            (bq, bk, bv) = (m.queryProjection!.bias?.value.doubles, m.keyProjection!.bias?.value.doubles, m.valueProjection!.bias?.value.doubles)
        }
        let wo = weightRows(m.outputProjection.weight.value), bo = m.outputProjection.bias?.value.doubles
        let qRows = rows(query), kRows = rows(key), vRows = rows(value)
        var output: [Double] = [], weights: [Double] = []
        var perBatchWeights: [[Double]] = []
        for b in 0..<bN {
            let x = Array(qRows[(b * l)..<((b + 1) * l)])
            let qp = project(x, wq, bq)
            var kp = project(Array(kRows[(b * s)..<((b + 1) * s)]), wk, bk)
            var vp = project(Array(vRows[(b * s)..<((b + 1) * s)]), wv, bv)
            if let bk = m.biasKey, let bv = m.biasValue { kp.append(bk.value.doubles); vp.append(bv.value.doubles) }
            if c.addZeroAttention { kp.append(Array(repeating: 0, count: ekv)); vp.append(Array(repeating: 0, count: ekv)) }
            let sAll = kp.count
            var concat = Array(repeating: [Double](repeating: 0, count: e), count: l)
            var dead = Array(repeating: true, count: l)
            var w = [Double](repeating: 0, count: hN * l * sAll)
            for h in 0..<hN {
                let g = h / group
                let keys = kp.map { Array($0[(g * d)..<((g + 1) * d)]) }, vals = vp.map { Array($0[(g * d)..<((g + 1) * d)]) }
                for i in 0..<l {
                    let qh = Array(qp[i][(h * d)..<((h + 1) * d)])
                    let (o, row) = Naive.attentionRow(q: qh, keys: keys, values: vals, scale: c.scale ?? 1 / Double(d).squareRoot()) {
                        allowed(b, h, i, $0) ? 0 : -.infinity
                    }
                    if row.contains(where: { $0 != 0 }) { dead[i] = false }
                    for t in 0..<d { concat[i][h * d + t] = o[t] }
                    for j in 0..<sAll { w[(h * l + i) * sAll + j] = row[j] }
                }
            }
            if let gate = m.gateProjection {
                let z = project(x, weightRows(gate.weight.value), gate.bias?.value.doubles)
                for i in 0..<l { for t in 0..<e { concat[i][t] *= 1 / (1 + Foundation.exp(-z[i][t])) } }
            }
            let y = project(concat, wo, bo)
            for i in 0..<l { output += dead[i] ? Array(repeating: 0, count: e) : y[i] }
            perBatchWeights.append(w)
        }
        for w in perBatchWeights { weights += w }
        return (output, weights)
    }
}

/// One module configuration with its mask written twice: the enum, and (b, h, i, j) → allowed over S′ keys.
struct MHACase: Sendable, CustomTestStringConvertible {
    let name: String
    let config: MultiHeadAttention.Configuration
    let b, l, s: Int
    let mask: @Sendable () -> AttentionMask
    let allowed: @Sendable (Int, Int, Int, Int) -> Bool
    var testDescription: String { name }

    static let boolRows: [Bool] = (0..<(2 * 3 * 4)).map { k in k / 4 != 1 && (k * 3) % 5 != 2 }   // [B 2, 1, L 3, S 4]; row (0, 1) empty

    static let all: [MHACase] = [
        MHACase(name: "packed, no mask", config: .init(embedDim: 8, numHeads: 2), b: 2, l: 3, s: 4,
                mask: { .none }, allowed: { _, _, _, _ in true }),
        MHACase(name: "kdim 3, vdim 5, no bias, causal upper-left L > S", config: .init(embedDim: 6, numHeads: 3, keyDim: 3, valueDim: 5, bias: false),
                b: 1, l: 4, s: 3, mask: { .causal(.upperLeft) }, allowed: { _, _, i, j in j <= i }),
        MHACase(name: "bias kv + zero attention, key padding [0, 2]", config: .init(embedDim: 4, numHeads: 2, addBiasKV: true, addZeroAttention: true),
                b: 2, l: 2, s: 3, mask: { .keyPadding(lengths: [0, 2]) }, allowed: { b, _, _, j in j >= 3 || j < [0, 2][b] }),
        MHACase(name: "GQA 4/2, boolean mask with a dead row", config: .init(embedDim: 8, numHeads: 4, kvHeads: 2), b: 2, l: 3, s: 4,
                mask: { .boolean(BoolTensor(shape: [2, 1, 3, 4], values: boolRows)) }, allowed: { b, _, i, j in boolRows[(b * 3 + i) * 4 + j] }),
        MHACase(name: "MQA 4/1, output gate, scale 0.5, causal lower-right", config: .init(embedDim: 8, numHeads: 4, kvHeads: 1, outputGate: true, scale: 0.5),
                b: 1, l: 2, s: 4, mask: { .causal(.lowerRight) }, allowed: { _, _, i, j in j <= i + 2 }),
        MHACase(name: "everything: kdim, vdim, GQA, bias kv, zero attention, gate, padding", config: .init(embedDim: 8, numHeads: 4, kvHeads: 2,
                keyDim: 3, valueDim: 2, addBiasKV: true, addZeroAttention: true, outputGate: true), b: 2, l: 2, s: 3,
                mask: { .keyPadding(lengths: [1, 3]) }, allowed: { b, _, _, j in j >= 3 || j < [1, 3][b] }),
        MHACase(name: "fully padded batch element (output rows 0)", config: .init(embedDim: 4, numHeads: 2), b: 2, l: 2, s: 3,
                mask: { .keyPadding(lengths: [0, 2]) }, allowed: { b, _, _, j in j < [0, 2][b] }),
    ]

    /// A module with every parameter random (PyTorch's zero biases would hide bias bugs), in `dtype`.
    func module(_ dtype: DType = .float64) -> MultiHeadAttention {
        var rng = RandomGenerator(seed: 404)
        let m = MultiHeadAttention(config, rng: &rng)
        for (k, p) in m.parameters.enumerated() { p.value = randomTensor(p.value.shape, seed: 900 + UInt64(k), scale: 0.5) }
        m.convert(to: dtype)
        m.eval()
        return m
    }

    var inputs: (q: Tensor, k: Tensor, v: Tensor) {
        (randomTensor([b, l, config.embedDim], seed: 71), randomTensor([b, s, config.keyDim], seed: 72),
         randomTensor([b, s, config.valueDim], seed: 73))
    }
}

struct MultiHeadAttentionTests {
    @Test("Output and per-head weights equal the Float64 loops", arguments: MHACase.all)
    func matchesNaive(_ c: MHACase) {
        let m = c.module()
        let (q, k, v) = c.inputs
        let (out, w) = m(query: q, key: k, value: v, mask: c.mask(), weights: .perHead)
        let naive = NaiveMHA.forward(m, query: q, key: k, value: v, allowed: c.allowed)
        #expect(out.shape == [c.b, c.l, c.config.embedDim])
        #expect(w!.shape == [c.b, c.config.numHeads, c.l, c.s + c.config.extraKeys])
        expectClose(out.doubles, naive.output, atol: 1e-12, rtol: 1e-12, "output")
        expectClose(w!.doubles, naive.weights, atol: 1e-12, rtol: 1e-12, "weights")
        #expect(!hasNaN(out) && !hasNaN(w!))
    }

    @Test("Asking for weights never changes the output; averaged weights are the mean over heads", arguments: MHACase.all)
    func weightsAreFree(_ c: MHACase) {
        let m = c.module(.float32)
        let (q, k, v) = c.inputs
        let (q32, k32, v32) = (q.cast(to: .float32), k.cast(to: .float32), v.cast(to: .float32))
        let plain = m(query: q32, key: k32, value: v32, mask: c.mask()).output
        let (withPerHead, perHead) = m(query: q32, key: k32, value: v32, mask: c.mask(), weights: .perHead)
        let (withAverage, averaged) = m(query: q32, key: k32, value: v32, mask: c.mask(), weights: .averaged)
        #expect(plain.scalars == withPerHead.scalars && plain.scalars == withAverage.scalars)
        let h = c.config.numHeads, sAll = c.s + c.config.extraKeys
        let p = perHead!.doubles
        var mean = [Double](repeating: 0, count: c.b * c.l * sAll)
        for b in 0..<c.b { for hh in 0..<h { for i in 0..<c.l { for j in 0..<sAll {
            mean[(b * c.l + i) * sAll + j] += p[((b * h + hh) * c.l + i) * sAll + j] / Double(h)
        } } } }
        expectClose(averaged!.doubles, mean, atol: 1e-6, "averaged weights")
    }

    @Test("Gradients of inputs and every parameter pass the Float64 checker", arguments: MHACase.all)
    func gradients(_ c: MHACase) {
        let m = c.module()
        let (q, k, v) = c.inputs
        let mask = c.mask()
        let r = GradientCheck.run(module: m, inputs: [q, k, v]) { x in m(query: x[0], key: x[1], value: x[2], mask: mask).output }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("Gradients with rotary positions and a cache offset pass the Float64 checker")
    func rotaryGradients() {
        var rng = RandomGenerator(seed: 13)
        let m = MultiHeadAttention(.init(embedDim: 4, numHeads: 2, kvHeads: 1, rotary: RotaryEmbedding(dimension: 2)), rng: &rng)
        m.convert(to: .float64)
        let past = randomTensor([1, 2, 4], seed: 14), x = randomTensor([1, 2, 4], seed: 15)
        let r = GradientCheck.run(module: m, inputs: [past, x]) { t in
            let cache = KeyValueCache()
            _ = m.causalSelfAttention(t[0], cache: cache)
            return m.causalSelfAttention(t[1], cache: cache).output
        }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("Self-attention entry point (one packed product) equals the general call; causal self-attention masks the future")
    func entryPoints() {
        var rng = RandomGenerator(seed: 5)
        let m = MultiHeadAttention(.init(embedDim: 8, numHeads: 2, kvHeads: 1), rng: &rng)
        let x = Tensor.randomNormal([2, 4, 8], using: &rng)
        let general = m(query: x, key: x, value: x, mask: .causal(.upperLeft)).output
        let (selfOut, w) = m.causalSelfAttention(x, weights: .perHead)
        expectClose(selfOut.doubles, general.doubles, atol: 1e-6, "causal self-attention")
        for b in 0..<2 { for h in 0..<2 { for i in 0..<4 { for j in (i + 1)..<max(4, i + 1) { #expect(w![b, h, i, j] == 0) } } } }
        let memory = Tensor.randomNormal([2, 3, 8], using: &rng)
        expectClose(m.crossAttention(query: x, memory: memory).output.doubles, m(query: x, key: memory, value: memory).output.doubles, atol: 0)
    }

    @Test("Fully-masked rows: output 0, weights 0, gradient 0 into their queries")
    func fullyMaskedRows() {
        let c = MHACase.all.last!
        let m = c.module()
        let (q, k, v) = c.inputs
        let (out, w) = m(query: q, key: k, value: v, mask: c.mask(), weights: .averaged)
        #expect(out.slice(axis: 0, 0..<1).doubles.allSatisfy { $0 == 0 })
        #expect(w!.slice(axis: 0, 0..<1).doubles.allSatisfy { $0 == 0 })
        let leaf = q.requiringGradient()
        let g = Autograd.gradients(of: m(query: leaf, key: k, value: v, mask: c.mask()).output.sum(), withRespectTo: [leaf])[0]
        #expect(g.slice(axis: 0, 0..<1).doubles.allSatisfy { $0 == 0 })
        #expect(g.slice(axis: 0, 1..<2).doubles.contains { $0 != 0 })
    }

    @Test("Attention dropout: seeded, advances every training call, off in evaluation")
    func dropout() {
        var rng = RandomGenerator(seed: 9)
        let m = MultiHeadAttention(.init(embedDim: 8, numHeads: 2, dropout: 0.5, dropoutSeed: 77), rng: &rng)
        let x = Tensor.randomNormal([1, 5, 8], using: &rng)
        let first = m.selfAttention(x, weights: .perHead).weights!.scalars
        let second = m.selfAttention(x, weights: .perHead).weights!.scalars
        #expect(first != second)
        var rng2 = RandomGenerator(seed: 9)
        let again = MultiHeadAttention(.init(embedDim: 8, numHeads: 2, dropout: 0.5, dropoutSeed: 77), rng: &rng2)
        #expect(again.selfAttention(x, weights: .perHead).weights!.scalars == first)
        m.eval()
        #expect(m.selfAttention(x).output.scalars == m.selfAttention(x).output.scalars)
        // Each training weight was dropped (0) or kept and scaled by 1/(1 − p) = 2.
        let kept = m.selfAttention(x, weights: .perHead).weights!.scalars
        #expect(first.contains(0) && zip(first, kept).allSatisfy { $0 == 0 || Swift.abs($0 - 2 * $1) <= 1e-6 })
        let rowSums = rows(m.selfAttention(x, weights: .perHead).weights!.reshaped([-1, 5])).map { $0.reduce(0, +) }
        expectClose(rowSums, Array(repeating: 1, count: rowSums.count), atol: 1e-6, "evaluation weights sum to 1")
    }

    @Test("Rotary positions: scores depend only on the offset between query and key positions")
    func rotaryIsRelative() {
        var rng = RandomGenerator(seed: 12)
        let m = MultiHeadAttention(.init(embedDim: 8, numHeads: 2, rotary: RotaryEmbedding(dimension: 4)), rng: &rng)
        let token = Tensor.randomNormal([1, 1, 8], using: &rng)
        let other = Tensor.randomNormal([1, 1, 8], using: &rng)
        // Sequences [other, token] and [other, other, token]: in both, the last query attends the token at
        // offset 0 and `other` at offsets 1 (and 2); the weight ratio of the offset-0 and offset-1 keys must agree.
        let a = m.causalSelfAttention(Tensor.concatenate([other, token], axis: 1), weights: .perHead).weights!
        let b = m.causalSelfAttention(Tensor.concatenate([other, other, token], axis: 1), weights: .perHead).weights!
        for h in 0..<2 {
            let ratioA = a[0, h, 1, 1] / a[0, h, 1, 0], ratioB = b[0, h, 2, 2] / b[0, h, 2, 1]
            #expect(Swift.abs(ratioA - ratioB) <= 1e-4 * Swift.abs(ratioA))
        }
    }

    @Test("PyTorch key map: names round-trip, in_proj_bias splits into the three separate biases")
    func keyMap() throws {
        var rng = RandomGenerator(seed: 3)
        let m = MultiHeadAttention(.init(embedDim: 6, numHeads: 2, keyDim: 4, valueDim: 5, addBiasKV: true), rng: &rng)
        let pt = m.pyTorchKeyMap.pyTorchStateDict(from: m.stateDict())
        #expect(Set(pt.keys) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v",
                                 "out_proj.weight", "out_proj.bias"])
        #expect(pt["in_proj_bias"]!.shape == [18])
        let config = try MultiHeadAttention.pyTorchConfiguration(pt, numHeads: 2)
        #expect(config.keyDim == 4 && config.valueDim == 5 && config.addBiasKV && config.bias && !config.isPacked)
        var rng2 = RandomGenerator(seed: 99)
        let copy = MultiHeadAttention(config, rng: &rng2)
        try copy.pyTorchKeyMap.load(pt, into: copy)
        for (name, value) in m.stateDict() { #expect(copy.stateDict()[name]!.scalars == value.scalars, "\(name)") }
        var bad = pt
        bad["out_proj.weight"] = Tensor.zeros([6, 5])
        #expect(throws: CheckpointError.shapeMismatch(name: "out_proj.weight", expected: [6, 6], found: [6, 5])) {
            try copy.pyTorchKeyMap.load(bad, into: copy)
        }
        bad = pt
        bad["bias_k"] = nil
        #expect(throws: CheckpointError.missingTensor("bias_k")) { try copy.pyTorchKeyMap.load(bad, into: copy) }
    }
}
