import Foundation
import Testing
@testable import Attention

/// A mask with its expected allowed pattern, written out by hand: one string per (b, h, i) row of [B, H, L, S],
/// "1" = may attend.
struct MaskCase: Sendable, CustomTestStringConvertible {
    let name: String
    let mask: AttentionMask
    let dims: [Int]          // [B, H, L, S]
    let rows: [String]
    var testDescription: String { name }

    var expectedAllowed: [Bool] { rows.flatMap { $0.map { $0 == "1" } } }

    static let all: [MaskCase] = [
        MaskCase(name: "none", mask: .none, dims: [1, 1, 2, 3], rows: ["111", "111"]),
        MaskCase(name: "causal upper-left, L < S", mask: .causal(.upperLeft), dims: [1, 1, 3, 5],
                 rows: ["10000", "11000", "11100"]),
        MaskCase(name: "causal lower-right, L < S", mask: .causal(.lowerRight), dims: [1, 1, 3, 5],
                 rows: ["11100", "11110", "11111"]),
        MaskCase(name: "causal upper-left, L > S", mask: .causal(.upperLeft), dims: [1, 1, 4, 2],
                 rows: ["10", "11", "11", "11"]),
        MaskCase(name: "causal lower-right, L > S (first rows fully masked)", mask: .causal(.lowerRight), dims: [1, 1, 4, 2],
                 rows: ["00", "00", "10", "11"]),
        MaskCase(name: "causal, L = S, both alignments agree", mask: .causal(.lowerRight), dims: [1, 1, 3, 3],
                 rows: ["100", "110", "111"]),
        MaskCase(name: "sliding window ±1, upper-left", mask: .slidingWindow(left: 1, right: 1, alignment: .upperLeft),
                 dims: [1, 1, 4, 4], rows: ["1100", "1110", "0111", "0011"]),
        MaskCase(name: "sliding window left 2, right 0, lower-right, L < S",
                 mask: .slidingWindow(left: 2, right: 0, alignment: .lowerRight), dims: [1, 1, 2, 5],
                 rows: ["01110", "00111"]),
        MaskCase(name: "sliding window left 0, right 1, upper-left, L > S",
                 mask: .slidingWindow(left: 0, right: 1, alignment: .upperLeft), dims: [1, 1, 4, 2],
                 rows: ["11", "01", "00", "00"]),
        MaskCase(name: "key padding lengths [2, 0, 3]", mask: .keyPadding(lengths: [2, 0, 3]), dims: [3, 1, 2, 3],
                 rows: ["110", "110", "000", "000", "111", "111"]),
        MaskCase(name: "key padding booleans",
                 mask: .keyPaddingMask(BoolTensor(shape: [2, 3], values: [true, false, true, false, true, true])),
                 dims: [2, 2, 1, 3], rows: ["101", "101", "011", "011"]),
        MaskCase(name: "boolean [L, S]",
                 mask: .boolean(BoolTensor(shape: [2, 3], values: [false, true, true, true, false, false])),
                 dims: [2, 1, 2, 3], rows: ["011", "100", "011", "100"]),
        MaskCase(name: "boolean per head [H, L, S]",
                 mask: .boolean(BoolTensor(shape: [2, 1, 3], values: [true, false, false, false, false, true])),
                 dims: [1, 2, 2, 3], rows: ["100", "100", "001", "001"]),
        MaskCase(name: "additive with −∞ entries",
                 mask: .additive(Tensor(shape: [1, 3], doubles: [0.5, -.infinity, -2])),
                 dims: [1, 1, 2, 3], rows: ["101", "101"]),
        MaskCase(name: "all: causal upper-left and key padding [3, 1]",
                 mask: .all([.causal(.upperLeft), .keyPadding(lengths: [3, 1])]), dims: [2, 1, 3, 4],
                 rows: ["1000", "1100", "1110", "1000", "1000", "1000"]),
        MaskCase(name: "&&: sliding window and boolean",
                 mask: .slidingWindow(left: 1, right: 0, alignment: .upperLeft)
                    && .boolean(BoolTensor(shape: [3], values: [true, false, true])),
                 dims: [1, 1, 3, 3], rows: ["100", "100", "001"]),
        MaskCase(name: "all of nothing", mask: .all([.none, .all([])]), dims: [1, 1, 1, 2], rows: ["11"]),
    ]
}

struct MaskTests {
    @Test(arguments: MaskCase.all)
    func biasTensorMatchesTheHandWrittenPattern(_ c: MaskCase) {
        let (b, h, l, s) = (c.dims[0], c.dims[1], c.dims[2], c.dims[3])
        guard let bias = c.mask.additiveBias(batch: b, heads: h, queryLength: l, keyLength: s, dtype: .float64) else {
            #expect(c.expectedAllowed.allSatisfy { $0 }, "nil bias but the pattern masks something")
            #expect(c.mask.isNone)
            return
        }
        #expect(bias.rank == 4 && Shape.broadcast(bias.shape, c.dims) == c.dims, "bias \(bias.shape) vs \(c.dims)")
        let full = bias.expanded(to: c.dims).doubles
        #expect(full.map { $0 != -.infinity } == c.expectedAllowed)
        // Finite entries are 0 except where an additive mask says otherwise.
        if case .additive(let t) = c.mask {
            let add = t.expanded(to: [l, s]).doubles
            for (k, v) in full.enumerated() where v.isFinite { #expect(v == add[k % (l * s)]) }
        } else {
            #expect(full.allSatisfy { $0 == 0 || $0 == -.infinity })
        }
    }

    @Test(arguments: MaskCase.all)
    func resolvedMaskAnswersPerRowAndPerElement(_ c: MaskCase) {
        let (b, h, l, s) = (c.dims[0], c.dims[1], c.dims[2], c.dims[3])
        let r = c.mask.resolved(batch: b, heads: h, queryLength: l, keyLength: s)
        var allowed: [Bool] = []
        for bi in 0..<b { for hi in 0..<h { for i in 0..<l {
            let row = r.rowAllows(batch: bi, head: hi, query: i)
            allowed += row
            let range = r.keyRange(batch: bi, query: i)
            for j in 0..<s {
                #expect(r.allows(batch: bi, head: hi, query: i, key: j) == row[j])
                if row[j] { #expect(range.contains(j), "allowed key \(j) outside keyRange \(range)") }
            }
        } } }
        #expect(allowed == c.expectedAllowed)
    }

    static let shapes: [(Int, Int)] = [(1, 4), (3, 5), (5, 3), (4, 4)]

    @Test(arguments: shapes, CausalAlignment.allCases)
    func structuralMasksFollowTheirDefinitions(_ ls: (Int, Int), _ a: CausalAlignment) {
        let (l, s) = ls
        let windows = [(0, 0), (1, 2), (2, 0), (0, 3)]
        var cases: [(AttentionMask, (Int, Int) -> Bool)] = [(.causal(a), { Naive.causalAllows($0, $1, l: l, s: s, a) })]
        for (left, right) in windows {
            cases.append((.slidingWindow(left: left, right: right, alignment: a),
                          { Naive.windowAllows($0, $1, l: l, s: s, left: left, right: right, a) }))
        }
        for (mask, allows) in cases {
            let bias = mask.additiveBias(batch: 1, heads: 1, queryLength: l, keyLength: s, dtype: .float64)!
            let expected = (0..<l).flatMap { i in (0..<s).map { j in allows(i, j) ? 0.0 : -.infinity } }
            #expect(bias.expanded(to: [1, 1, l, s]).doubles == expected, "\(mask) L \(l) S \(s)")
        }
    }

    @Test func tensorMasksBroadcastAndCombine() {
        // B 2, H 3, L 2, S 4: a per-head boolean [H, L, S], an additive [B, 1, L, S] with some −∞, lower-right
        // causal, and per-batch lengths; checked element by element against the definitions.
        let (b, h, l, s) = (2, 3, 2, 4)
        let boolValues = (0..<(h * l * s)).map { ($0 * 7) % 5 != 0 }
        let addValues = (0..<(b * l * s)).map { k in k % 6 == 4 ? -Double.infinity : Double(k) * 0.25 - 1 }
        let lengths = [4, 3]
        let mask = AttentionMask.all([.boolean(BoolTensor(shape: [h, l, s], values: boolValues)),
                                      .additive(Tensor(shape: [b, 1, l, s], doubles: addValues)),
                                      .causal(.lowerRight), .keyPadding(lengths: lengths)])
        let bias = mask.additiveBias(batch: b, heads: h, queryLength: l, keyLength: s, dtype: .float64)!
        let got = bias.expanded(to: [b, h, l, s]).doubles
        let resolved = mask.resolved(batch: b, heads: h, queryLength: l, keyLength: s)
        var expected: [Double] = []
        for bi in 0..<b { for hi in 0..<h { for i in 0..<l { for j in 0..<s {
            let ok = boolValues[(hi * l + i) * s + j] && Naive.causalAllows(i, j, l: l, s: s, .lowerRight) && j < lengths[bi]
            let value = ok ? addValues[(bi * l + i) * s + j] : -.infinity
            expected.append(value)
            #expect(resolved.bias(batch: bi, head: hi, query: i, key: j) == value)
        } } } }
        #expect(got == expected)
        // The kernel-facing row helper, in Float32.
        var row = [Float](repeating: 0, count: s)
        row.withUnsafeMutableBufferPointer { resolved.rowBias(batch: 1, head: 2, query: 1, into: $0) }
        #expect(row.map(Double.init) == Array(expected[((1 * h + 2) * l + 1) * s..<((1 * h + 2) * l + 2) * s]))
    }

    @Test func additiveMaskIsDifferentiableThroughTheBias() {
        // d/dt Σ w ∘ (bias) = w for the entries where the boolean part allows; the additive tensor is a leaf.
        let t = Tensor(shape: [2, 2], doubles: [1, 2, 3, 4]).requiringGradient()
        let mask = AttentionMask.additive(t) && .causal(.upperLeft)
        let bias = mask.additiveBias(batch: 1, heads: 1, queryLength: 2, keyLength: 2, dtype: .float64)!
        let weights = Tensor(shape: [1, 1, 2, 2], doubles: [10, 20, 30, 40])
        let finite = Tensor.where(bias.isGreater(than: -.infinity), bias, Tensor(repeating: 0, shape: [], dtype: .float64))
        let g = Autograd.gradients(of: (finite * weights).sum(), withRespectTo: [t])[0]
        #expect(g.doubles == [10, 0, 30, 40])
    }

    @Test func structuralKeyRangesAreTight() {
        // With only structural masks, keyRange is exactly the allowed set.
        let mask = AttentionMask.slidingWindow(left: 1, right: 1, alignment: .lowerRight) && .keyPadding(lengths: [5, 2])
        let r = mask.resolved(batch: 2, heads: 1, queryLength: 3, keyLength: 6)
        #expect(r.isStructural)
        #expect(r.keyRange(batch: 0, query: 0) == 2..<5)    // c = 3: keys 2...4
        #expect(r.keyRange(batch: 0, query: 2) == 4..<5)    // c = 5: keys 4...6, padding stops at 5
        #expect(r.keyRange(batch: 1, query: 2).isEmpty)     // keys 4...6 but length 2
        #expect(!AttentionMask.boolean(BoolTensor(repeating: true, shape: [6])).resolved(batch: 1, heads: 1, queryLength: 1, keyLength: 6).isStructural)
    }

    // MARK: Validation (each stops the process with a message naming expected and found values)

    @Test func wrongNumberOfLengthsStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AttentionMask.keyPadding(lengths: [1, 2, 3]).additiveBias(batch: 2, heads: 1, queryLength: 1, keyLength: 4)
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("expected 2 lengths") && text.contains("found 3"), "\(text)")
        }
    }

    @Test(arguments: [-1, 5])
    func lengthOutsideTheKeysStops(_ length: Int) async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [length] in
            _ = AttentionMask.keyPadding(lengths: [2, length]).additiveBias(batch: 2, heads: 1, queryLength: 1, keyLength: 4)
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("length \(length) of batch element 1") && text.contains("0...4"), "\(text)")
        }
    }

    @Test func unbroadcastableBooleanMaskStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AttentionMask.boolean(BoolTensor(repeating: true, shape: [3, 5])).additiveBias(batch: 1, heads: 2, queryLength: 3, keyLength: 4)
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("[3, 5]") && text.contains("[1, 2, 3, 4]"), "\(text)")
        }
    }

    @Test func keyPaddingMaskOfTheWrongShapeStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AttentionMask.keyPaddingMask(BoolTensor(repeating: true, shape: [2, 3])).additiveBias(batch: 2, heads: 1, queryLength: 1, keyLength: 4)
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("[2, 4]") && text.contains("[2, 3]"), "\(text)")
        }
    }
}

extension MaskTests {
    @Test func emptyScoreShapesAreHandled() {
        // L = 0 queries or B = 0: the bias has no elements and attention returns empty results, not a trap.
        let mask = AttentionMask.causal(.lowerRight) && .boolean(BoolTensor(repeating: true, shape: [1, 3]))
        #expect(mask.additiveBias(batch: 0, heads: 2, queryLength: 1, keyLength: 3)?.count == 0)
        let q = Tensor.zeros([1, 2, 0, 4], dtype: .float64), k = randomTensor([1, 1, 3, 4], seed: 1), v = randomTensor([1, 1, 3, 2], seed: 2)
        let out = ReferenceAttention.forward(query: q, key: k, value: v, mask: mask).output
        #expect(out.shape == [1, 2, 0, 2])
        // S = 0 keys: every row is fully masked, so the output is 0.
        for dtype in [DType.float64, .float32] {
            let none = ReferenceAttention.forward(query: randomTensor([1, 2, 3, 4], seed: 3).cast(to: dtype),
                                                  key: Tensor.zeros([1, 1, 0, 4], dtype: dtype),
                                                  value: Tensor.zeros([1, 1, 0, 2], dtype: dtype), mask: .causal(.upperLeft)).output
            #expect(none.shape == [1, 2, 3, 2] && none.doubles.allSatisfy { $0 == 0 })
        }
    }
}
