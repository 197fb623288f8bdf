import Testing
@testable import AttentionTensorCore

/// Tensor.quantizedLinear against a Float64 product of the operands it actually multiplies (the dequantised
/// weight and the activations rounded to their int8 grid), and the weight types' round trips.
struct QuantizedLinearTests {
    static func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { i in Float(((i * 7919 + seed * 104_729) % 2003)) / 1001.5 - 1 }
    }

    @Test(arguments: [(5, 7, 9), (33, 40, 384), (70, 96, 130)])
    func matchesTheFloat64ProductOfItsOperands(m: Int, n: Int, k: Int) {
        var x = Self.values(m * k, seed: 1)
        x[3] = 9   // an outlier in row 0: its step is 9/127 and the rest of the row is rounded to it
        let wv = Self.values(n * k, seed: 2), bias = Self.values(n, seed: 3)
        let w = Tensor(shape: [n, k], scalars: wv), q = QuantizedWeight(weight: w)
        let y = Tensor(shape: [m, k], scalars: x).quantizedLinear(weight: q, bias: Tensor(shape: [n], scalars: bias)).scalars
        let wd = q.dequantized().scalars
        for i in 0..<m {
            // The grid as ck_quantize_rows_s8 computes it (Float32): q = round(x·(127/amax)), step = amax/127.
            let row = x[(i * k)..<(i * k + k)], amax = row.map { abs($0) }.max()!, inv = 127 / amax
            let step = Double(amax / 127)
            let xq = row.map { Double(($0 * inv).rounded(.toNearestOrEven)) * step }
            for j in 0..<n {
                var ref = Double(bias[j])
                for c in 0..<k { ref += xq[c] * Double(wd[j * k + c]) }
                #expect(abs(Double(y[i * n + j]) - ref) <= 1e-4 * (1 + abs(ref)), "[\(i), \(j)]")
            }
        }
    }

    /// The outlier split: the int8 part over the other channels plus the Float32 part over `fp32Columns`, against a
    /// Float64 sum of the same two parts. Bound: the epilogue rounds acc·sx, ·sw and + b (3 roundings of u = 2⁻²⁴ on
    /// |int part| and 1 on |b|), then the Float32 GEMM adds c products into y with one rounding each, so
    /// |y − ref| ≤ (c + 3)·u·(|int part| + |b| + Σ_O |x_k·W[n, k]|) to first order; the test allows (c + 4)·u·(…).
    @Test(arguments: [(5, 7, 9, [2], false), (33, 40, 384, [383, 0, 17, 17], true), (70, 96, 130, [5, 6, 129], false),
                      (9, 20, 1536, [1, 700, 701, 1535], true)])
    func outlierSplitMatchesTheFloat64SumOfItsTwoParts(m: Int, n: Int, k: Int, split: [Int], smoothed: Bool) {
        var x = Self.values(m * k, seed: 8)
        for i in 0..<m { for (j, c) in split.enumerated() { x[i * k + c] = Float(40 + 30 * j) * (i % 2 == 0 ? 1 : -1) } }
        let wv = Self.values(n * k, seed: 9), bias = Self.values(n, seed: 10)
        let s: [Float]? = smoothed ? (0..<k).map { Float($0 % 7 + 1) / 3 } : nil
        let q = QuantizedWeight(weight: Tensor(shape: [n, k], scalars: wv), smoothing: s, fp32Columns: split)
        let o = Array(Set(split)).sorted()
        #expect(q.fp32Columns == o)
        let y = Tensor(shape: [m, k], scalars: x).quantizedLinear(weight: q, bias: Tensor(shape: [n], scalars: bias)).scalars
        let u = 0x1p-24, c = Double(o.count)
        for i in 0..<m {
            // What the kernel quantises: x·(1/s) with the split channels multiplied by 0, on its Float32 grid.
            let row = (0..<k).map { col in o.contains(col) ? 0 : x[i * k + col] * (s.map { 1 / $0[col] } ?? 1) }
            let amax = row.map { abs($0) }.max()!, inv = 127 / amax, step = Double(amax / 127)
            let xq = row.map { Double(($0 * inv).rounded(.toNearestOrEven)) }
            for j in 0..<n {
                var int8Part = 0.0, fp32Part = 0.0, fp32Magnitude = 0.0
                for col in 0..<k { int8Part += xq[col] * Double(q.values[j * k + col]) }
                int8Part *= step * Double(q.scales[j])
                for col in o { let t = Double(x[i * k + col]) * Double(wv[j * k + col]); fp32Part += t; fp32Magnitude += abs(t) }
                let ref = int8Part + fp32Part + Double(bias[j])
                let bound = (c + 4) * u * (abs(int8Part) + abs(Double(bias[j])) + fp32Magnitude)
                #expect(abs(Double(y[i * n + j]) - ref) <= bound, "[\(i), \(j)] \(y[i * n + j]) vs \(ref), bound \(bound)")
            }
        }
        // The weight the path multiplies by holds the split columns exactly and int8 zeros under them.
        let wd = q.dequantized().scalars
        for j in 0..<n { for col in o { #expect(wd[j * k + col] == wv[j * k + col] && q.values[j * k + col] == 0) } }
    }

    /// Why the split exists: one channel 1000× the others sets the whole row's int8 step without it.
    @Test func splittingOffAnOutlierChannelKeepsTheOtherChannelsPrecise() {
        let (m, n, k) = (4, 16, 64)
        var x = Self.values(m * k, seed: 11)
        for i in 0..<m { x[i * k + 5] = 1000 }
        let wv = Self.values(n * k, seed: 12), w = Tensor(shape: [n, k], scalars: wv), xt = Tensor(shape: [m, k], scalars: x)
        let plain = xt.quantizedLinear(weight: QuantizedWeight(weight: w)).scalars
        let split = xt.quantizedLinear(weight: QuantizedWeight(weight: w, fp32Columns: [5])).scalars
        var errPlain = 0.0, errSplit = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0
                for col in 0..<k { exact += Double(x[i * k + col]) * Double(wv[j * k + col]) }
                errPlain = max(errPlain, abs(Double(plain[i * n + j]) - exact)); errSplit = max(errSplit, abs(Double(split[i * n + j]) - exact))
            }
        }
        #expect(errSplit * 50 < errPlain, "split \(errSplit), plain \(errPlain)")
    }

    @Test func nanInASplitChannelGivesNaNInThatRowOnly() {
        let (n, k) = (20, 8), q = QuantizedWeight(weight: Tensor(shape: [n, k], scalars: Self.values(n * k, seed: 6)), fp32Columns: [2])
        var x = Self.values(3 * k, seed: 7)
        x[k + 2] = .nan
        let y = Tensor(shape: [3, k], scalars: x).quantizedLinear(weight: q).scalars
        #expect(y[n..<(2 * n)].allSatisfy { $0.isNaN })
        #expect(y[0..<n].allSatisfy { $0.isFinite } && y[(2 * n)...].allSatisfy { $0.isFinite })
    }

    @Test func weightQuantizationRoundTripsWithinHalfAStep() {
        let (n, k) = (6, 50), wv = Self.values(n * k, seed: 4)
        let q = QuantizedWeight(weight: Tensor(shape: [n, k], scalars: wv)), back = q.dequantized().scalars
        for r in 0..<n {
            let amax = wv[(r * k)..<(r * k + k)].map { abs($0) }.max()!
            #expect(q.scales[r] == amax / 127)
            for c in 0..<k { #expect(abs(back[r * k + c] - wv[r * k + c]) <= q.scales[r] / 2 * 1.0001) }
        }
        // Smoothing moves range between the operands but keeps the product: W' = W·diag(s), x' = x / s.
        let s = (0..<k).map { Float($0 % 5 + 1) }
        let qs = QuantizedWeight(weight: Tensor(shape: [n, k], scalars: wv), smoothing: s)
        let x = Tensor(shape: [2, k], scalars: Self.values(2 * k, seed: 5))
        let plain = x.linear(weight: Tensor(shape: [n, k], scalars: wv)).scalars, smoothed = x.quantizedLinear(weight: qs).scalars
        for (a, b) in zip(plain, smoothed) { #expect(abs(a - b) <= 0.05 * (1 + abs(a))) }
    }

    /// A NaN in one row of x: that row's outputs are NaN, the other rows' finite, in int8 and in bf16.
    @Test(arguments: ["int8", "bf16"])
    func nanInARowGivesNaNInThatRowOnly(_ precision: String) {
        let (n, k) = (20, 8), w = Tensor(shape: [n, k], scalars: Self.values(n * k, seed: 6))
        var xv = Self.values(3 * k, seed: 7)
        xv[k + 2] = .nan
        let x = Tensor(shape: [3, k], scalars: xv)
        let y = precision == "int8" ? x.quantizedLinear(weight: QuantizedWeight(weight: w)).scalars
                                    : x.bfloat16Linear(weight: BFloat16Weight(weight: w)).scalars
        #expect(y[n..<(2 * n)].allSatisfy { $0.isNaN })
        #expect(y[0..<n].allSatisfy { $0.isFinite } && y[(2 * n)...].allSatisfy { $0.isFinite })
    }

    /// x rounded to bf16 where the products run in bf16 (AVX512_BF16), as it is where they do not (Float32).
    static func bf16Rounded(_ x: [Float]) -> [Float] {
        guard Tensor.bfloat16ProductsAvailable else { return x }
        return BFloat16Weight(weight: Tensor(shape: [1, x.count], scalars: x)).float32().scalars
    }

    /// bfloat16Linear against a Float64 sum of the operands it multiplies (the bf16 weight, and x rounded to bf16
    /// where the CPU has AVX512_BF16): the products are exact in Float32, so only the k additions and the bias add
    /// round, |y − ref| ≤ (k + 1)·2⁻²⁴·(Σ|x·w| + |b|) to first order (the test allows k + 2). Shapes cover the
    /// 8-row × 2-panel tile's tails, an odd k (padded pair) and k = 1. Threads do not change a bit.
    @Test(arguments: [(5, 7, 9), (23, 48, 100), (70, 96, 131), (17, 40, 1), (64, 384, 384)])
    func bfloat16LinearMatchesItsRoundedOperands(m: Int, n: Int, k: Int) {
        let x = Self.values(m * k, seed: 11).map { $0 * 3 }, bias = Self.values(n, seed: 13)
        let w = BFloat16Weight(weight: Tensor(shape: [n, k], scalars: Self.values(n * k, seed: 12)))
        let xt = Tensor(shape: [m, k], scalars: x), bt = Tensor(shape: [n], scalars: bias)
        let y = xt.bfloat16Linear(weight: w, bias: bt).scalars
        let xr = Self.bf16Rounded(x), wr = w.float32().scalars
        for i in 0..<m {
            for j in 0..<n {
                var ref = Double(bias[j]), mag = Double(abs(bias[j]))
                for c in 0..<k {
                    let p = Double(xr[i * k + c]) * Double(wr[j * k + c])
                    ref += p; mag += abs(p)
                }
                #expect(abs(Double(y[i * n + j]) - ref) <= Double(k + 2) * 0x1p-24 * mag, "[\(i), \(j)] \(y[i * n + j]) vs \(ref)")
            }
        }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let one = xt.bfloat16Linear(weight: w, bias: bt, activation: .relu).scalars
        Parallel.threadCount = 2
        let two = xt.bfloat16Linear(weight: w, bias: bt, activation: .relu).scalars
        #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
        #expect(zip(one, y).allSatisfy { $0 == Swift.max($1, 0) })   // the activation runs on the same sums
    }

    /// Small integers are exact in bf16 and their products and sums exact in Float32: the result is exact.
    @Test func bfloat16LinearOfSmallIntegersIsExact() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, -4, 5, 0])
        let w = BFloat16Weight(weight: Tensor(shape: [2, 3], scalars: [1, 0, -1, 2, 2, 2]))
        let y = x.bfloat16Linear(weight: w, bias: Tensor(shape: [2], scalars: [0.5, -1])).scalars
        #expect(y == [-1.5, 11, -3.5, 1])
    }

    @Test func bfloat16WeightIsTheRoundedFloat() {
        let wv: [Float] = [1, 1.00390625, 1.005859375, -3.14159, 0]
        let b = BFloat16Weight(weight: Tensor(shape: [1, 5], scalars: wv))
        let back = b.float32().scalars
        #expect(back[0] == 1 && back[1] == 1 && back[2] == 1.0078125 && back[4] == 0)
        #expect(abs(back[3] - wv[3]) <= abs(wv[3]) / 256)
    }
}
