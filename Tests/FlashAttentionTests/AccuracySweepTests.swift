import Foundation
import Testing
@testable import Attention

/// The accuracy sweep of the issue: 216 shapes over every head dim {8 … 256}, the L/S pairs (1, 239) (3, 799)
/// (127, 512) (127, 513) (113, 203) (1023, 1024) both ways, 9 query heads with 9, 3 or 1 key/value heads
/// (MHA, GQA, MQA), and 15 mask settings (every mask kind, combinations, custom scale, dropout). Each case checks
/// the fused output, the three input gradients (and the additive mask's) — and the weights on every fourth
/// case — against Float64 with the project tolerance (≤ 2 × the naive Float32 error + 1e-6), plus exact zeros
/// on fully-masked rows.
///
/// Debug builds run the C kernels and the Swift reference unoptimised, so there the pairs are shorter and there
/// are 3 query heads (3 or 1 key/value heads); the case count, head dims and mask settings stay. `swift test -c
/// release` (what CI runs) uses the sizes above.
///
/// `ATTENTION_TEST_SMALL=1` (the sanitizer runs of `.ci/run`, where even debug sizes take too long) keeps the debug
/// sizes in any build and runs every fifth case: still every head dim, pair, head layout and mask setting.
struct AccuracySweepTests {
    static let headDims = [8, 16, 21, 32, 40, 59, 64, 80, 96, 111, 128, 256]

    static let small: Bool = {
        #if DEBUG
        return true
        #else
        return ProcessInfo.processInfo.environment["ATTENTION_TEST_SMALL"] == "1"
        #endif
    }()
    /// Whether only a subset of cases runs (the sanitizer runs).
    static let subset = ProcessInfo.processInfo.environment["ATTENTION_TEST_SMALL"] == "1"

    static let heads = small ? 3 : 9
    static let kvHeads = small ? [3, 1, 3] : [9, 3, 1]

    static let pairs: [(Int, Int)] = {
        let base = small ? [(1, 39), (3, 70), (17, 32), (17, 33), (13, 23), (31, 32)]
                         : [(1, 239), (3, 799), (127, 512), (127, 513), (113, 203), (1023, 1024)]
        return base + base.map { ($0.1, $0.0) }
    }()

    /// Mask settings, indexed by case; each is built for the case's (B, H, L, S).
    static func maskSetting(_ kind: Int, b: Int, h: Int, l: Int, s: Int, seed: UInt64) -> (MaskSpec, Double?, AttentionDropout?) {
        var rng = RandomGenerator(seed: seed &+ 99)
        func bools(_ shape: [Int], _ p: Double) -> BoolTensor {
            BoolTensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in rng.uniform() < p })
        }
        func normals(_ shape: [Int], _ sd: Double) -> Tensor {
            Tensor.randomNormal(shape, standardDeviation: sd, dtype: .float32, using: &rng).cast(to: .float64)
        }
        switch kind {
        case 0: return (.fixed("none", .none), nil, nil)
        case 1: return (.fixed("causal upper-left", .causal(.upperLeft)), nil, nil)
        case 2: return (.fixed("causal lower-right", .causal(.lowerRight)), nil, nil)
        case 3:
            let lengths = (0..<b).map { $0 == 1 ? 0 : max(1, s - 3) }   // batch 1 (if any) is all padding
            return (.fixed("key padding \(lengths)", .keyPadding(lengths: lengths)), nil, nil)
        case 4: return (.fixed("key padding mask", .keyPaddingMask(bools([b, s], 0.7))), nil, nil)
        case 5:
            var m = bools([l, s], 0.6).values
            for j in 0..<s { m[(l / 2) * s + j] = false }                 // one empty row
            return (.fixed("boolean [L, S]", .boolean(BoolTensor(shape: [l, s], values: m))), nil, nil)
        case 6: return (.fixed("boolean [B, 1, 1, S]", .boolean(bools([b, 1, 1, s], 0.8))), nil, nil)
        case 7:
            var a = normals([h, l, s], 0.5).doubles
            for j in 0..<s where j % 5 == 2 { a[j] = -.infinity }        // head 0, row 0: some keys removed
            return (MaskSpec(name: "additive [H, L, S] (grad)", additive: Tensor(shape: [h, l, s], doubles: a)) { .additive($0!) }, nil, nil)
        case 8:
            let alibi = Tensor(shape: [1, s], doubles: (0..<s).map { -0.05 * Double(s - 1 - $0) })
            return (MaskSpec(name: "additive ALiBi [1, S] (grad)", additive: alibi) { .additive($0!) }, nil, nil)
        case 9: return (.fixed("sliding window 7/3 upper-left", .slidingWindow(left: 7, right: 3, alignment: .upperLeft)), nil, nil)
        case 10: return (.fixed("sliding window 31/0 lower-right", .slidingWindow(left: 31, right: 0, alignment: .lowerRight)), nil, nil)
        case 11:
            let lengths = (0..<b).map { $0 == 0 ? max(1, s / 2) : s }
            return (.fixed("causal lower-right && key padding", .causal(.lowerRight) && .keyPadding(lengths: lengths)), nil, nil)
        case 12:
            let add = normals([l, s], 1), keep = bools([b, 1, l, s], 0.75)
            return (MaskSpec(name: "window 40/40 && additive [L, S] (grad) && boolean [B, 1, L, S]", additive: add) {
                .slidingWindow(left: 40, right: 40, alignment: .lowerRight) && .additive($0!) && .boolean(keep)
            }, nil, nil)
        case 13: return (.fixed("causal upper-left", .causal(.upperLeft)), nil, AttentionDropout(probability: 0.2, seed: seed))
        default: return (.fixed("none", .none), 0.3, nil)
        }
    }

    static let caseCount = 216
    static let runCases: [Int] = subset ? Array(stride(from: 0, to: caseCount, by: 5)) : Array(0..<caseCount)

    static func problem(_ index: Int) -> Problem {
        let (l, s) = pairs[index % pairs.count]
        let round = index / pairs.count
        let e = headDims[(round + index) % headDims.count]
        let ev = index % 2 == 0 ? e : headDims[(round + index + 5) % headDims.count]
        let hkv = kvHeads[round % 3]
        let b = l * s < 300_000 ? 2 : 1
        let (mask, scale, dropout) = maskSetting((index * 7 + round) % 15, b: b, h: heads, l: l, s: s, seed: UInt64(index))
        return Problem(b: b, h: heads, hkv: hkv, l: l, s: s, e: e, ev: ev, mask: mask, scale: scale, dropout: dropout,
                       needsWeights: index % 4 == 0, seed: UInt64(1000 + index))
    }

    @Test(arguments: runCases)
    func fusedMatchesFloat64Reference(_ index: Int) {
        Self.problem(index).checkFusedAgainstReference()
    }

    /// The whole sweep, and the subset the small mode runs, each reach every head dim, pair, head layout and mask.
    @Test func sweepCoversTheIssueMatrix() {
        #expect(Self.caseCount >= 200)
        for cases in [Array(0..<Self.caseCount), Array(stride(from: 0, to: Self.caseCount, by: 5))] {
            let problems = cases.map(Self.problem)
            #expect(Set(problems.map(\.e)) == Set(Self.headDims))
            #expect(Set(problems.map { "\($0.l)x\($0.s)" }).count == 12)
            #expect(Set(problems.map(\.hkv)) == Set(Self.kvHeads))
            #expect(Set(problems.map(\.mask.name)).count >= 14)
        }
    }
}

/// Short queries (5 ≤ L ≤ 32, e.g. a batch of sentences) run the forward of a 32-row / 32-key block instance on
/// AVX-512 (ck_flash_forward_rows); the main sweep's pairs never reach it, so this sweep does: every mask
/// setting, head dims around the register tiles, L just below, at and above 32, S shorter and longer than L.
struct ShortQuerySweepTests {
    static let pairs = [(5, 7), (17, 45), (28, 28), (32, 32), (32, 33), (33, 32), (29, 130)]
    static let headDims = [8, 21, 32, 64, 111]

    static func problem(_ index: Int) -> Problem {
        let (l, s) = pairs[index % pairs.count]
        let e = headDims[index % headDims.count], hkv = [4, 2, 1][index % 3]
        let (mask, scale, dropout) = AccuracySweepTests.maskSetting(index % 15, b: 3, h: 4, l: l, s: s, seed: UInt64(index))
        return Problem(b: 3, h: 4, hkv: hkv, l: l, s: s, e: e, ev: e, mask: mask, scale: scale, dropout: dropout,
                       needsWeights: index % 3 == 0, seed: UInt64(5000 + index))
    }

    @Test(arguments: 0..<35)
    func fusedMatchesFloat64Reference(_ index: Int) {
        Self.problem(index).checkFusedAgainstReference()
    }

    @Test func shortBlocksAreChosenOnAVX512Only() {
        for path in CPUKernels.supportedPaths {
            let main = FusedAttention.mainForwardRows(path)
            #expect(FusedAttention.forwardRows(path, rows: 33) == main)
            #expect(FusedAttention.forwardRows(path, rows: 32) == (path == .avx512 ? 32 : main))
            #expect(FusedAttention.forwardRows(path, rows: 1) == (path == .avx512 ? 32 : main))
        }
    }
}
