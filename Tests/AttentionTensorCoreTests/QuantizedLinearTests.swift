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

    @Test func nanInARowGivesNaNInThatRowOnly() {
        let (n, k) = (20, 8), q = QuantizedWeight(weight: Tensor(shape: [n, k], scalars: Self.values(n * k, seed: 6)))
        var x = Self.values(3 * k, seed: 7)
        x[k + 2] = .nan
        let y = Tensor(shape: [3, k], scalars: x).quantizedLinear(weight: q).scalars
        #expect(y[n..<(2 * n)].allSatisfy { $0.isNaN })
        #expect(y[0..<n].allSatisfy { $0.isFinite } && y[(2 * n)...].allSatisfy { $0.isFinite })
    }

    @Test func bfloat16WeightIsTheRoundedFloat() {
        let wv: [Float] = [1, 1.00390625, 1.005859375, -3.14159, 0]
        let b = BFloat16Weight(weight: Tensor(shape: [1, 5], scalars: wv))
        let back = b.float32().scalars
        #expect(back[0] == 1 && back[1] == 1 && back[2] == 1.0078125 && back[4] == 0)
        #expect(abs(back[3] - wv[3]) <= abs(wv[3]) / 256)
    }
}
