import Testing
@testable import Attention

/// Named cases for every feature the fused path supports, each checked against the Float64 reference with the
/// project tolerance (see `Problem.checkFusedAgainstReference`).
struct FeatureTests {
    static func bools(_ shape: [Int], seed: UInt64, _ p: Double) -> BoolTensor {
        var rng = RandomGenerator(seed: seed)
        return BoolTensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in rng.uniform() < p })
    }

    static func additive(_ shape: [Int], seed: UInt64, edit: (inout [Double]) -> Void = { _ in }) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        var values = Tensor.randomNormal(shape, dtype: .float32, using: &rng).cast(to: .float64).doubles
        edit(&values)
        return Tensor(shape: shape, doubles: values)
    }

    static let masks: [MaskSpec] = [
        .fixed("none", .none),
        .fixed("causal upper-left", .causal(.upperLeft)),
        .fixed("causal lower-right", .causal(.lowerRight)),
        .fixed("key padding [150, 0]", .keyPadding(lengths: [150, 0])),
        .fixed("key padding [37, 150]", .keyPadding(lengths: [37, 150])),
        .fixed("key padding mask [B, S]", .keyPaddingMask(bools([2, 150], seed: 1, 0.6))),
        .fixed("boolean [L, S]", .boolean(bools([70, 150], seed: 2, 0.5))),
        .fixed("boolean [B, H, L, S]", .boolean(bools([2, 4, 70, 150], seed: 3, 0.7))),
        .fixed("boolean [H, L, S] (rank 3)", .boolean(bools([4, 70, 150], seed: 4, 0.7))),
        MaskSpec(name: "additive [B, H, L, S] (grad)", additive: additive([2, 4, 70, 150], seed: 5)) { .additive($0!) },
        MaskSpec(name: "additive with −∞ entries and a −∞ row (grad)", additive: additive([70, 150], seed: 6) { a in
            for j in 0..<150 { a[3 * 150 + j] = -.infinity }
            for k in stride(from: 0, to: a.count, by: 7) { a[k] = -.infinity }
        }) { .additive($0!) },
        MaskSpec(name: "additive −1e9 row (uniform, not masked)", additive: additive([70, 150], seed: 7) { a in
            for j in 0..<150 { a[5 * 150 + j] = -1e9 }
        }) { .additive($0!) },
        .fixed("sliding window 5/5 upper-left", .slidingWindow(left: 5, right: 5, alignment: .upperLeft)),
        .fixed("sliding window 16/0 lower-right", .slidingWindow(left: 16, right: 0, alignment: .lowerRight)),
        .fixed("causal lower-right && key padding [60, 150]", .causal(.lowerRight) && .keyPadding(lengths: [60, 150])),
        MaskSpec(name: "window && boolean && additive (grad)", additive: additive([1, 1, 150], seed: 8)) {
            .slidingWindow(left: 50, right: 10, alignment: .lowerRight) && .boolean(bools([2, 1, 70, 150], seed: 9, 0.8)) && .additive($0!)
        },
    ]

    @Test(arguments: masks)
    func everyMaskKind(_ mask: MaskSpec) {
        Problem(b: 2, h: 4, hkv: 2, l: 70, s: 150, e: 24, ev: 20, mask: mask, needsWeights: true, seed: 11)
            .checkFusedAgainstReference()
    }

    @Test(arguments: [(4, 4), (4, 2), (6, 3), (6, 1), (8, 1)])
    func groupedAndMultiQuery(_ heads: (Int, Int)) {
        Problem(b: 1, h: heads.0, hkv: heads.1, l: 97, s: 131, e: 32, ev: 48, mask: .fixed("causal", .causal(.lowerRight)),
                seed: 12).checkFusedAgainstReference()
    }

    @Test(arguments: [(1, 300), (2, 77), (5, 1), (300, 1), (65, 64), (64, 65), (200, 31), (31, 200)])
    func unequalLengths(_ ls: (Int, Int)) {
        for mask in [MaskSpec.fixed("none", .none), .fixed("causal lower-right", .causal(.lowerRight)),
                     .fixed("causal upper-left", .causal(.upperLeft))] {
            Problem(b: 2, h: 3, hkv: 3, l: ls.0, s: ls.1, e: 16, ev: 16, mask: mask, needsWeights: true, seed: 13)
                .checkFusedAgainstReference()
        }
    }

    @Test(arguments: [0.05, 0.3, 1.0, 3.0])
    func customScale(_ scale: Double) {
        Problem(b: 1, h: 2, hkv: 1, l: 50, s: 90, e: 40, ev: 40, scale: scale, needsWeights: true, seed: 14)
            .checkFusedAgainstReference()
    }

    @Test(arguments: [0.1, 0.5, 0.9])
    func dropoutDropsTheReferenceWeights(_ p: Double) {
        let problem = Problem(b: 2, h: 3, hkv: 1, l: 60, s: 130, e: 16, ev: 24, mask: .fixed("causal", .causal(.lowerRight)),
                              dropout: AttentionDropout(probability: p, seed: 99), needsWeights: true, seed: 15)
        problem.checkFusedAgainstReference()
        // The same weights are dropped on both paths: zero exactly where the reference is zero.
        let fused = problem.run(.fused, .float32, gradients: false).weights!
        let reference = problem.run(.reference, .float64, gradients: false).weights!
        #expect(zip(fused, reference).allSatisfy { ($0 == 0) == ($1 == 0) })
    }

    @Test(arguments: [8, 16, 21, 32, 40, 59, 64, 80, 96, 111, 128, 256])
    func headDims(_ e: Int) {
        Problem(b: 1, h: 2, hkv: 2, l: 67, s: 99, e: e, ev: e, mask: .fixed("causal", .causal(.upperLeft)), seed: 16)
            .checkFusedAgainstReference()
    }

    /// L ≤ 4 runs the decode kernel (keys split into fixed chunks, merged in order), including more keys than one
    /// chunk and rows that see nothing.
    @Test(arguments: [1, 2, 4])
    func decodePath(_ l: Int) {
        #if DEBUG
        let s = 300   // still more than one 256-key chunk
        #else
        let s = 1000
        #endif
        for mask in [MaskSpec.fixed("none", .none), .fixed("causal lower-right", .causal(.lowerRight)),
                     .fixed("key padding [S, 0]", .keyPadding(lengths: [s, 0])),
                     .fixed("window 100/0 lower-right", .slidingWindow(left: 100, right: 0, alignment: .lowerRight)),
                     MaskSpec(name: "additive [1, S] (grad)", additive: Self.additive([1, s], seed: 17)) { .additive($0!) }] {
            Problem(b: 2, h: 4, hkv: 1, l: l, s: s, e: 64, ev: 32, mask: mask, needsWeights: true, seed: 18)
                .checkFusedAgainstReference()
        }
        Problem(b: 1, h: 2, hkv: 2, l: l, s: s - 1, e: 24, ev: 24, dropout: AttentionDropout(probability: 0.25, seed: 5),
                needsWeights: true, seed: 19).checkFusedAgainstReference()
    }

    @Test func fullyMaskedRowsAreExactlyZero() {
        // Lower-right causal with L 40 > S 25: queries 0 ..< 15 see no key; batch 1 is all padding.
        let q = randomFloat([2, 2, 40, 8], seed: 1).requiringGradient(), k = randomFloat([2, 2, 25, 8], seed: 2).requiringGradient()
        let v = randomFloat([2, 2, 25, 8], seed: 3).requiringGradient()
        let mask = AttentionMask.causal(.lowerRight) && .keyPadding(lengths: [25, 0])
        let (o, w) = scaledDotProductAttention(query: q, key: k, value: v, mask: mask, needsWeights: true, path: .fused)
        let g = Autograd.gradients(of: (o * randomFloat(o.shape, seed: 4)).sum(), withRespectTo: [q, k, v])
        for t in [o, w!] + g { #expect(!t.doubles.contains { $0.isNaN }) }
        let od = o.doubles, wd = w!.doubles, dq = g[0].doubles
        for b in 0..<2 { for h in 0..<2 { for i in 0..<40 where b == 1 || i < 15 {
            let row = (b * 2 + h) * 40 + i
            #expect(od[(row * 8)..<(row * 8 + 8)].allSatisfy { $0 == 0 })
            #expect(dq[(row * 8)..<(row * 8 + 8)].allSatisfy { $0 == 0 })
            #expect(wd[(row * 25)..<(row * 25 + 25)].allSatisfy { $0 == 0 })
        } } }
        #expect(g[1].doubles[(2 * 25 * 8)...].allSatisfy { $0 == 0 })   // batch 1 keys: no gradient
        #expect(g[2].doubles[(2 * 25 * 8)...].allSatisfy { $0 == 0 })
    }

    @Test func extremeScoresNeitherOverflowNorLoseTheWinner() {
        Problem(b: 1, h: 2, hkv: 2, l: 33, s: 70, e: 16, ev: 16, scale: 300, needsWeights: true, seed: 20)
            .checkFusedAgainstReference()
    }

    @Test func weightsAreNormalisedAndDifferentiable() {
        let q = randomFloat([1, 2, 30, 16], seed: 5), k = randomFloat([1, 2, 45, 16], seed: 6), v = randomFloat([1, 2, 45, 16], seed: 7)
        let (_, w) = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal(.upperLeft), needsWeights: true, path: .fused)
        let wd = w!.doubles
        for row in 0..<60 { #expect(Swift.abs(wd[(row * 45)..<(row * 45 + 45)].reduce(0, +) - 1) < 1e-5) }
        // A loss on the weights differentiates like the reference path's weights.
        let cot = randomFloat([1, 2, 30, 45], seed: 8)
        func grads(_ path: AttentionPath) -> [[Double]] {
            let leaves = [q, k, v].map { $0.requiringGradient() }
            let (_, w) = scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2], mask: .causal(.upperLeft),
                                                   needsWeights: true, path: path)
            return Autograd.gradients(of: (w! * cot).sum(), withRespectTo: leaves).map(\.doubles)
        }
        for (f, r) in zip(grads(.fused), grads(.reference)) { #expect(maxAbsDifference(f, r) < 1e-5) }
    }

    @Test func automaticPathIsFusedForFloat32AndReferenceForFloat64() {
        let q = randomFloat([1, 2, 20, 8], seed: 9), k = randomFloat([1, 2, 20, 8], seed: 10), v = randomFloat([1, 2, 20, 8], seed: 11)
        let automatic = scaledDotProductAttention(query: q, key: k, value: v, needsWeights: true)
        let fused = scaledDotProductAttention(query: q, key: k, value: v, needsWeights: true, path: .fused)
        #expect(bitwiseEqual(automatic.output.doubles, fused.output.doubles))
        #expect(bitwiseEqual(automatic.weights!.doubles, fused.weights!.doubles))
        let (q64, k64, v64) = (q.cast(to: .float64), k.cast(to: .float64), v.cast(to: .float64))
        let a64 = scaledDotProductAttention(query: q64, key: k64, value: v64).output
        let r64 = scaledDotProductAttention(query: q64, key: k64, value: v64, path: .reference).output
        #expect(a64.dtype == .float64 && bitwiseEqual(a64.doubles, r64.doubles))
    }

    /// Views with a unit last stride are read where they lie: a [B, L, H, E] projection permuted to [B, H, L, E]
    /// gives bitwise the result of its contiguous copy, and so does GQA against explicitly repeated K/V heads.
    @Test func stridedViewsAndSharedHeadsGiveIdenticalResults() {
        let x = randomFloat([2, 37, 4, 16], seed: 12), k = randomFloat([2, 1, 50, 16], seed: 13), v = randomFloat([2, 1, 50, 16], seed: 14)
        let view = x.permuted([0, 2, 1, 3])
        let copy = Tensor(shape: view.shape, doubles: view.doubles).cast(to: .float32)
        let a = FlashAttention.forward(query: view, key: k, value: v, mask: .causal(.lowerRight)).output
        let b = FlashAttention.forward(query: copy, key: k, value: v, mask: .causal(.lowerRight)).output
        #expect(bitwiseEqual(a.doubles, b.doubles))
        let kr = k.expanded(to: [2, 4, 50, 16]), vr = v.expanded(to: [2, 4, 50, 16])   // stride-0 head views
        let c = FlashAttention.forward(query: copy, key: kr, value: vr, mask: .causal(.lowerRight)).output
        #expect(bitwiseEqual(a.doubles, c.doubles))
    }

    @Test func emptyShapes() {
        let q = randomFloat([1, 2, 5, 8], seed: 15)
        let none = FlashAttention.forward(query: q, key: Tensor.zeros([1, 2, 0, 8]), value: Tensor.zeros([1, 2, 0, 3]), needsWeights: true)
        #expect(none.output.shape == [1, 2, 5, 3] && none.output.doubles.allSatisfy { $0 == 0 })
        #expect(none.weights!.shape == [1, 2, 5, 0])
        let noRows = FlashAttention.forward(query: Tensor.zeros([1, 2, 0, 8]), key: q, value: q)
        #expect(noRows.output.shape == [1, 2, 0, 8])
    }

    /// Every CPU path this machine has (scalar, AVX2, AVX-512 here), pinned per task, passes the same checks.
    @Test(arguments: Paths.supported)
    func everyCPUPath(_ path: CPUKernels.Path) {
        FlashAttention.$pinnedPath.withValue(path) {
            for (i, mask) in Self.masks.enumerated() where i % 3 == 0 {
                Problem(b: 2, h: 4, hkv: 2, l: 70, s: 150, e: 21, ev: 19, mask: mask, needsWeights: true, seed: 21)
                    .checkFusedAgainstReference()
            }
            Problem(b: 1, h: 2, hkv: 1, l: 1, s: 600, e: 40, ev: 24, mask: .fixed("causal", .causal(.lowerRight)),
                    dropout: AttentionDropout(probability: 0.3, seed: 1), needsWeights: true, seed: 22).checkFusedAgainstReference()
            Problem(b: 1, h: 2, hkv: 2, l: 130, s: 129, e: 64, ev: 64, dropout: AttentionDropout(probability: 0.3, seed: 2),
                    seed: 23).checkFusedAgainstReference()
        }
    }
}

/// A seeded Float32 tensor of standard normals.
func randomFloat(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, dtype: .float32, using: &rng)
}
