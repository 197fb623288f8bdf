import AttentionCKernels
import Testing

extension CKernelsTests {
    /// Values near Float.greatestFiniteMagnitude whose exact results are finite: the kernels must not overflow on
    /// the way (expected values from the formulas in Float64).
    @Suite struct NearFloatMax {
        /// LayerNorm of one row in Float64: (z − μ) / √(σ² + ε).
        static func layerNorm64(_ z: [Float], eps: Double) -> [Double] {
            let x = z.map(Double.init), n = Double(x.count)
            let mean = x.reduce(0, +) / n
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
            return x.map { ($0 - mean) / (variance + eps).squareRoot() }
        }

        @Test("LayerNorm rows of ±3e38", arguments: ISA.supported, [4, 19, 40])
        func layerNormNearMax(isa: ISA, cols: Int) {
            // Alternating ±3e38 (mean 0, spread 6e38), then a row whose mean is far from 0 (-1e38 for cols = 3k).
            let rows: [[Float]] = [(0..<cols).map { $0 % 2 == 0 ? 3e38 : -3e38 },
                                   (0..<cols).map { $0 % 3 == 0 ? 3e38 : -3e38 },
                                   (0..<cols).map { _ in 3e38 }]
            for row in rows {
                var y = [Float](repeating: .nan, count: cols)
                var mean: Float = 0, rstd: Float = 0
                withISA(isa) { ck_layernorm_rows_saving(row, Int64(cols), nil, 0, nil, nil, 1e-5, &y, Int64(cols), 1, Int64(cols), &mean, &rstd) }
                let want = Self.layerNorm64(row, eps: 1e-5)
                for (got, w) in zip(y, want) { #expect(Swift.abs(Double(got) - w) <= 1e-6 * Swift.max(1, Swift.abs(w)), "\(row.prefix(3)): \(got) vs \(w)") }
                #expect(mean.isFinite)
            }
        }

        @Test("LayerNorm of a row with +inf is NaN", arguments: ISA.supported)
        func layerNormInfinity(isa: ISA) {
            let row: [Float] = [1, .infinity, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
            var y = [Float](repeating: 0, count: row.count)
            withISA(isa) { ck_layernorm_rows(row, Int64(row.count), nil, 0, nil, nil, 1e-5, &y, Int64(row.count), 1, Int64(row.count)) }
            #expect(y.allSatisfy { $0.isNaN })
        }
    }
}
