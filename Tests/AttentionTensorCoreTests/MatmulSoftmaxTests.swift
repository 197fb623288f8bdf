import Testing
@testable import AttentionTensorCore

/// Naive Float64 references written out with loops, independent of the kernels under test.
enum Naive {
    static func matmul(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    static func softmax(_ row: [Double]) -> [Double] {
        let m = row.max() ?? 0
        if m == -.infinity { return row.map { _ in 0 } }
        let e = row.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

import Foundation

struct MatmulSoftmaxTests {
    @Test("Float32 matmul matches a Float64 loop, any thread count",
          arguments: [(1, 1, 1, 1), (7, 13, 5, 2), (64, 96, 33, 2), (130, 70, 257, 2), (3, 300, 40, 1)])
    func matmulAgainstLoops(_ shape: (Int, Int, Int, Int)) {
        let (m, n, k, threads) = shape
        var rng = RandomGenerator(seed: UInt64(m * 1000 + n))
        let a = Tensor.randomNormal([m, k], using: &rng), b = Tensor.randomNormal([k, n], using: &rng)
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        let c = a.matmul(b)
        let want = Naive.matmul(a.doubles, b.doubles, m: m, n: n, k: k)
        let bound = Double(k) * 1.2e-7 * 4   // K·eps·|a||b| with |a|,|b| ≲ 2 typical
        for (got, w) in zip(c.doubles, want) { #expect(Swift.abs(got - w) <= bound * max(1, Swift.abs(w))) }
    }

    /// Products split over threads by rows (tall C) or by columns (wide C), and column sums split by column blocks,
    /// compute every element with the same operations in the same order: the same bits on 1 and 2 threads; the
    /// column sums equal a Double loop over the rows, rounded once.
    @Test("matmul (row and column splits) and column sums: the same bits on 1 and 2 threads")
    func threadSplitsChangeNoBit() {
        var rng = RandomGenerator(seed: 21)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for (m, n, k) in [(700, 150, 200), (150, 700, 200), (1280, 256, 600), (80, 48, 2000)] {
            let a = Tensor.randomNormal([m, k], using: &rng), b = Tensor.randomNormal([k, n], using: &rng)
            Parallel.threadCount = 1
            let one = a.matmul(b).scalars
            Parallel.threadCount = 2
            let two = a.matmul(b).scalars
            #expect(zip(one, two).filter { $0.bitPattern != $1.bitPattern }.count == 0, "\(m)×\(k)·\(k)×\(n)")
            // A read transposed (a weight gradient gᵀ·x), and the fused linear x·wᵀ + b (B shared between threads).
            let at = Tensor.randomNormal([k, m], using: &rng), w = Tensor.randomNormal([n, k], using: &rng)
            let bias = Tensor.randomNormal([n], using: &rng)
            Parallel.threadCount = 1
            let oneT = at.transposed().matmul(b).scalars, oneL = a.linear(weight: w, bias: bias).scalars
            Parallel.threadCount = 2
            let twoT = at.transposed().matmul(b).scalars, twoL = a.linear(weight: w, bias: bias).scalars
            #expect(oneT.map(\.bitPattern) == twoT.map(\.bitPattern), "(\(k)×\(m))ᵀ·\(k)×\(n)")
            #expect(oneL.map(\.bitPattern) == twoL.map(\.bitPattern), "linear \(m)×\(k) by [\(n), \(k)]")
        }
        let x = Tensor.randomNormal([3000, 257], using: &rng)
        let values = x.scalars
        var want = [Float](repeating: 0, count: 257)
        for j in 0..<257 {
            var total = 0.0
            for i in 0..<3000 { total += Double(values[i * 257 + j]) }
            want[j] = Float(total)
        }
        for threads in [1, 2] {
            Parallel.threadCount = threads
            let got = x.sum(axis: 0).scalars
            #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "column sums on \(threads) thread(s)")
        }
    }

    @Test func batchedMatmulWithTransposedViewsAndManyBatches() {
        var rng = RandomGenerator(seed: 3)
        let a = Tensor.randomNormal([6, 5, 9], using: &rng), b = Tensor.randomNormal([6, 7, 9], using: &rng)
        let c = a.matmul(b.transposed())
        #expect(c.shape == [6, 5, 7])
        let ad = a.doubles, bd = b.doubles, cd = c.doubles
        for batch in 0..<6 { for i in 0..<5 { for j in 0..<7 {
            var s = 0.0
            for p in 0..<9 { s += ad[batch * 45 + i * 9 + p] * bd[batch * 63 + j * 9 + p] }
            #expect(Swift.abs(cd[batch * 35 + i * 7 + j] - s) <= 1e-5)
        } } }
    }

    @Test func float64MatmulIsExactToRoundoff() {
        var rng = RandomGenerator(seed: 4)
        let a = Tensor.randomNormal([17, 23], dtype: .float64, using: &rng), b = Tensor.randomNormal([23, 11], dtype: .float64, using: &rng)
        let want = Naive.matmul(a.doubles, b.doubles, m: 17, n: 11, k: 23)
        for (got, w) in zip(a.matmul(b).doubles, want) { #expect(Swift.abs(got - w) <= 1e-13) }
    }

    @Test("Softmax rows: masked rows are zero, huge logits do not overflow",
          arguments: [DType.float32, .float64])
    func softmaxEdgeCases(_ dtype: DType) {
        let inf = Double.infinity
        let rows: [[Double]] = [
            [1, 2, 3, 4], [-inf, -inf, -inf, -inf], [1e4, -1e4, 1e4, 0], [-1e4, -1e4, -1e4 + 1, -inf], [0, -inf, 0, -inf],
        ]
        let x = Tensor(shape: [5, 4], doubles: rows.flatMap { $0 }).cast(to: dtype)
        let y = x.softmax(axis: -1).doubles
        for (r, row) in rows.enumerated() {
            for (j, w) in Naive.softmax(row).enumerated() {
                #expect(Swift.abs(y[r * 4 + j] - w) <= 2e-7, "row \(r) col \(j)")
            }
        }
        #expect(!y.contains { $0.isNaN })
        let l = x.logSoftmax(axis: -1).doubles
        #expect(l[4...7].allSatisfy { $0 == -.infinity })
        #expect(Swift.abs(l[0] - Foundation.log(Naive.softmax(rows[0])[0])) <= 1e-6)
    }

    /// PyTorch: softmax of a row holding NaN or +inf is all NaN (e^(∞ − ∞)), also when the rest is masked (−∞).
    @Test("Softmax rows with NaN or +inf are all NaN", arguments: [DType.float32, .float64])
    func softmaxNaNAndInfinityPoisonTheRow(_ dtype: DType) {
        let inf = Double.infinity
        let rows: [[Double]] = [[.nan, .nan, .nan], [-inf, .nan, -inf], [1, .nan, 2], [inf, 0, -inf], [-inf, -inf, -inf]]
        let x = Tensor(shape: [5, 3], doubles: rows.flatMap { $0 }).cast(to: dtype)
        for y in [x.softmax(axis: -1).doubles, x.logSoftmax(axis: -1).doubles] {
            #expect(y[0..<12].allSatisfy { $0.isNaN }, "\(y)")
        }
        #expect(x.softmax(axis: -1).doubles[12...].allSatisfy { $0 == 0 })
    }

    @Test func fullyMaskedSoftmaxRowHasZeroGradient() {
        let x = Tensor(shape: [2, 3], doubles: [-.infinity, -.infinity, -.infinity, 0.5, 1, -1]).requiringGradient()
        let y = x.softmax()
        (y * Tensor(shape: [2, 3], doubles: [1, 2, 3, 4, 5, 6])).sum().backward()
        let g = x.gradient!.doubles
        #expect(g[0...2].allSatisfy { $0 == 0 })
        #expect(g[3...].allSatisfy { $0.isFinite && $0 != 0 })
    }

    @Test func largeSoftmaxMatchesReference() {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor.randomNormal([7, 1000], standardDeviation: 20, using: &rng)
        let y = x.softmax().doubles, xd = x.doubles
        for r in 0..<7 {
            let want = Naive.softmax(Array(xd[r * 1000..<(r + 1) * 1000]))
            for j in 0..<1000 { #expect(Swift.abs(y[r * 1000 + j] - want[j]) <= 1e-6 * max(want[j], 1e-30) + 1e-12) }
        }
    }
}

/// Reductions of values near Float.greatestFiniteMagnitude whose exact result is finite.
struct NearFloatMaxReductionTests {
    @Test func meanOfHugeFloat32ValuesIsFinite() {
        let x = Tensor(shape: [2, 3], doubles: [3e38, 3e38, 3.2e38, -3e38, 3e38, 3e38]).cast(to: .float32)
        // exact means in Float64, rounded once
        #expect(x.mean(axis: 1).doubles == [Double(Float(9.2e38 / 3)), Double(Float(3e38 / 3))])
        #expect(x.mean(axis: 0).doubles == [0, Double(Float(3e38)), Double(Float(3.1e38))])
        #expect(x.mean().doubles == [Double(Float(9.2e38 / 6 + 3e38 / 6))])
        // the gradient of a mean is 1/n everywhere
        let leaf = x.requiringGradient()
        #expect(Autograd.gradients(of: leaf.mean(), withRespectTo: [leaf])[0].doubles.allSatisfy { $0 == Double(Float(1.0 / 6)) })
    }

    @Test func layerNormOfHugeFloat32RowIsFinite() {
        let x = Tensor(shape: [1, 4], doubles: [3e38, -3e38, 3e38, -3e38]).cast(to: .float32)
        let y = x.layerNorm(weight: nil, bias: nil, eps: 1e-5).doubles
        for (got, want) in zip(y, [1.0, -1, 1, -1]) { #expect(Swift.abs(got - want) <= 1e-6) }
    }
}
