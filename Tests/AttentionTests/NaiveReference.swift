import Foundation
import Testing
@testable import Attention

/// Independent Float64 references: plain loops over [Double], using no TensorCore op. Every value test of the
/// module compares against these (or against hand arithmetic / NumPy fixtures), never the library with itself.
enum Naive {
    /// softmax of one row; a row of all −∞ gives zeros.
    static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max() ?? -.infinity
        if m == -.infinity { return x.map { _ in 0 } }
        let e = x.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Σ_e a[e]·b[e].
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Row-vector · matrixᵀ: out[r] = Σ_c m[r][c]·x[c] (a Linear layer with weight m).
    static func linear(_ m: [[Double]], _ x: [Double]) -> [Double] { m.map { dot($0, x) } }

    /// Σ_j w[j]·v[j] for rows v[j].
    static func weightedSum(_ w: [Double], _ v: [[Double]]) -> [Double] {
        var out = [Double](repeating: 0, count: v.first?.count ?? 0)
        for (wj, row) in zip(w, v) { for e in 0..<row.count { out[e] += wj * row[e] } }
        return out
    }

    /// Whether query i may attend key j for the structural masks, written from the definitions.
    static func causalAllows(_ i: Int, _ j: Int, l: Int, s: Int, _ a: CausalAlignment) -> Bool {
        a == .upperLeft ? j <= i : j <= i + s - l
    }

    static func windowAllows(_ i: Int, _ j: Int, l: Int, s: Int, left: Int, right: Int, _ a: CausalAlignment) -> Bool {
        let c = a == .upperLeft ? i : i + s - l
        return j >= c - left && j <= c + right
    }

    /// One attention row: softmax(scale·q·k_j + bias_j) over keys, then the weighted sum of values.
    static func attentionRow(q: [Double], keys: [[Double]], values: [[Double]], scale: Double,
                             bias: (Int) -> Double) -> (out: [Double], weights: [Double]) {
        let scores = keys.enumerated().map { j, k in scale * dot(q, k) + bias(j) }
        let w = softmax(scores)
        return (weightedSum(w, values), w)
    }
}

// MARK: - Tensor ↔ arrays

/// A seeded Float64 tensor of standard normals (values drawn by the library generator, which is tested in
/// TensorCoreTests; the values only need to be arbitrary).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, standardDeviation: scale, dtype: .float64, using: &rng)
}

/// Elements of a tensor as nested rows of its last dimension: [..., n] → [[Double]] (row-major).
func rows(_ t: Tensor) -> [[Double]] {
    let n = t.shape.last ?? 1
    let d = t.doubles
    return stride(from: 0, to: d.count, by: max(n, 1)).map { Array(d[$0..<min($0 + n, d.count)]) }
}

/// The 2-D slice [b, h, :, :] of a rank-4 tensor's data as rows.
func matrix(_ d: [Double], shape: [Int], _ b: Int, _ h: Int) -> [[Double]] {
    let (hh, l, s) = (shape[1], shape[2], shape[3])
    let base = (b * hh + h) * l * s
    return (0..<l).map { i in Array(d[(base + i * s)..<(base + i * s + s)]) }
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "maxAbsDifference: \(a.count) vs \(b.count) elements")
    return zip(a, b).map { x, y in
        if x == y { return 0 }          // equal infinities
        return Swift.abs(x - y)
    }.max() ?? 0
}

/// Checks |a − b| ≤ atol + rtol·|b| elementwise, reporting the first element that fails.
func expectClose(_ a: [Double], _ b: [Double], atol: Double = 1e-12, rtol: Double = 0,
                 _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "element counts differ: \(a.count) vs \(b.count)", sourceLocation: sourceLocation)
    guard a.count == b.count else { return }
    let bad = (0..<a.count).first { k in
        !(a[k] == b[k] || Swift.abs(a[k] - b[k]) <= atol + rtol * Swift.abs(b[k]))   // NaN fails
    }
    #expect(bad == nil, "\(comment.map { "\($0): " } ?? "")element \(bad ?? -1) differs: \(bad.map { a[$0] } ?? 0) vs \(bad.map { b[$0] } ?? 0) (max |Δ| \(maxAbsDifference(a, b)))",
            sourceLocation: sourceLocation)
}

func hasNaN(_ t: Tensor) -> Bool { t.doubles.contains { $0.isNaN } }
