import AttentionCKernels
import Testing

extension CKernelsTests {
    /// ck_column_sums against a plain Swift Double loop (each column summed from 0.0 in row order, then divided and
    /// rounded to Float): the same bits on every path, for column counts that leave every kind of tail, a leading
    /// dimension wider than the columns, any column split, and zeros, infinities and NaN among the values.
    @Suite struct ColumnSums {
        static func reference(_ x: [Float], rows: Int, cols: Int, ld: Int, divisor: Double) -> [Float] {
            (0..<cols).map { i in
                var total = 0.0
                for j in 0..<rows { total += Double(x[j * ld + i]) }
                return Float(divisor == 1 ? total : total / divisor)
            }
        }

        @Test("column sums in double: bit-identical to the Swift Double loop on every path", arguments: ISA.supported)
        func matchesDoubleLoop(isa: ISA) {
            var rng = SplitMix(seed: 12)
            let specials: [Float] = [0, -0, .infinity, -.infinity, .nan, 3e38, 3e38, -1e-30, .leastNonzeroMagnitude]
            for (rows, cols, extra) in [(1, 1, 0), (7, 3, 2), (300, 37, 5), (64, 64, 0), (5, 131, 1), (1000, 16, 3), (0, 9, 0)] {
                let ld = cols + extra
                var x = (0..<(max(rows, 1) * ld)).map { _ in Float(rng.symmetric()) * 1000 }
                for s in 0..<min(specials.count, x.count / 7) where rows > 1 { x[(s * 7919) % x.count] = specials[s] }
                for divisor in [1.0, 300.0] {
                    let want = Self.reference(x, rows: rows, cols: cols, ld: ld, divisor: divisor)
                    var whole = [Float](repeating: 7, count: cols), split = whole
                    withISA(isa) {
                        ck_column_sums(x, Int64(rows), Int64(cols), Int64(ld), divisor, &whole)
                        // Three uneven column ranges, as the threads split them.
                        let cuts = [0, cols / 3, cols / 3 + (cols + 1) / 2, cols].map { min($0, cols) }
                        for p in 0..<3 where cuts[p] < cuts[p + 1] {
                            x.withUnsafeBufferPointer { src in
                                split.withUnsafeMutableBufferPointer { dst in
                                    ck_column_sums(src.baseAddress! + cuts[p], Int64(rows), Int64(cuts[p + 1] - cuts[p]),
                                                   Int64(ld), divisor, dst.baseAddress! + cuts[p])
                                }
                            }
                        }
                    }
                    #expect(whole.map(\.bitPattern) == want.map(\.bitPattern), "\(rows)x\(cols) ld \(ld) ÷\(divisor)")
                    #expect(split.map(\.bitPattern) == want.map(\.bitPattern), "\(rows)x\(cols) split ÷\(divisor)")
                }
            }
        }
    }
}
