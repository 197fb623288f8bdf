import AttentionCKernels
import Foundation
import Testing

/// exp in Float64 rounded to Float: the reference for ck_vexp.
private func referenceExp(_ x: Float) -> Float { Float(Foundation.exp(Double(x))) }

private func vexp(_ xs: [Float]) -> [Float] {
    var ys = [Float](repeating: -1, count: xs.count)
    ck_vexp(xs, &ys, Int64(xs.count))
    return ys
}

extension CKernelsTests {
    @Suite struct Exp {
        @Test("ck_vexp special values", arguments: ISA.supported)
        func specials(isa: ISA) {
            let xs: [Float] = [
                -.infinity, .infinity, .nan, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 88.72283, 88.7229, 89, 1e30, -1e30,
                -87.33655, -103.97, -103.98, -104, -150, 1, -1, 0x1p-24, -0x1p-25,
            ]
            let ys = withISA(isa) { vexp(xs) }
            #expect(ys[0] == 0 && ys[0].sign == .plus)
            #expect(ys[1] == .infinity)
            #expect(ys[2].isNaN)
            #expect(ys[3] == 1 && ys[4] == 1 && ys[5] == 1 && ys[6] == 1)
            #expect(ys[7] == .infinity && ys[8] == 0)
            #expect(ys[9].isFinite && ys[9] > 3.4e38, "exp(88.72283) = \(ys[9])")
            #expect(ys[10] == .infinity && ys[11] == .infinity && ys[12] == .infinity && ys[13] == 0)
            #expect(ys[14].isNormal || ys[14].isSubnormal)
            #expect(ys[15] == .leastNonzeroMagnitude, "exp(-103.97) = \(ys[15])")  // just above 2^-150
            #expect(ys[16] == 0 && ys[17] == 0 && ys[18] == 0)
            for (x, y) in zip(xs, ys) where !x.isNaN {
                #expect(ulpDistance(y, referenceExp(x)) <= 1, "exp(\(x)) = \(y), want \(referenceExp(x))")
            }
        }

        @Test("ck_vexp within 2 ulp on a dense sample and a stride through all floats", arguments: ISA.supported)
        func ulpBound(isa: ISA) {
            // 200k points evenly spread over the finite-result range, plus every 16411th bit pattern
            // (~262k inputs covering every binade, both signs, NaNs and infinities).
            var xs = (0..<200_000).map { Float(-104.5 + 193.5 * Double($0) / 200_000) }
            xs += stride(from: UInt64(0), to: 1 << 32, by: 16411).map { Float(bitPattern: UInt32($0)) }
            let ys = withISA(isa) { vexp(xs) }
            var worst: Int64 = 0, worstX: Float = 0
            for (x, y) in zip(xs, ys) {
                if x.isNaN {
                    #expect(y.isNaN)
                    continue
                }
                let d = ulpDistance(y, referenceExp(x))
                if d > worst { (worst, worstX) = (d, x) }
            }
            #expect(worst <= 2, "max \(worst) ulp at x = \(worstX)")
        }

        @Test("ck_vexp: tails, aliasing and position independence", arguments: ISA.supported)
        func tailsAndAliasing(isa: ISA) {
            var rng = SplitMix(seed: 7)
            for n in [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 100] {
                let xs = (0..<n).map { _ in Float(rng.symmetric() * 90) }
                withISA(isa) {
                    let ys = vexp(xs)
                    // In place (x == y) gives the same values.
                    var inPlace = xs
                    inPlace.withUnsafeMutableBufferPointer { p in
                        ck_vexp(p.baseAddress, p.baseAddress, Int64(n))
                    }
                    #expect(inPlace == ys)
                    // Each element alone (always a tail) equals its value inside the long call.
                    for i in 0..<n {
                        #expect(vexp([xs[i]])[0] == ys[i])
                    }
                }
            }
        }
    }

    @Suite struct Softmax {
        /// Float64 softmax of one row; fully masked rows give zeros (log: -inf).
        static func reference(_ row: [Float], log: Bool) -> [Double] {
            let m = Double(row.max() ?? -.infinity)
            if m == -.infinity { return row.map { _ in log ? -.infinity : 0 } }
            let s = row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
            return row.map { log ? Double($0) - m - Foundation.log(s) : Foundation.exp(Double($0) - m) / s }
        }

        /// Runs the kernel on `rows` (stored with row stride ld = cols + pad) and checks the padding.
        static func run(_ rows: [[Float]], pad: Int, log: Bool) -> [[Float]] {
            let cols = rows.first?.count ?? 0, ld = cols + pad
            let sentinel: Float = 12345
            var buf = [Float](repeating: sentinel, count: rows.count * ld)
            for (r, row) in rows.enumerated() {
                for (j, v) in row.enumerated() { buf[r * ld + j] = v }
            }
            if log {
                ck_log_softmax_rows(&buf, Int64(rows.count), Int64(cols), Int64(ld))
            } else {
                ck_softmax_rows(&buf, Int64(rows.count), Int64(cols), Int64(ld))
            }
            for r in 0..<rows.count {
                for j in cols..<ld { #expect(buf[r * ld + j] == sentinel, "padding overwritten") }
            }
            return (0..<rows.count).map { r in Array(buf[(r * ld)..<(r * ld + cols)]) }
        }

        static func check(_ rows: [[Float]], pad: Int, isa: ISA) {
            for log in [false, true] {
                let out = withISA(isa) { run(rows, pad: pad, log: log) }
                for (row, got) in zip(rows, out) {
                    let ref = reference(row, log: log)
                    for (g, r) in zip(got, ref) {
                        #expect(!g.isNaN)
                        if r.isInfinite {
                            #expect(Double(g) == r)
                        } else {
                            #expect(abs(Double(g) - r) <= 2e-6 * max(1, abs(r)), "got \(g), want \(r)")
                        }
                    }
                    if !log && ref.contains(where: { $0 > 0 }) {
                        #expect(abs(got.reduce(0.0) { $0 + Double($1) } - 1) <= 1e-5)
                    }
                }
            }
        }

        @Test("softmax rows match a Float64 reference", arguments: ISA.supported, [1, 3, 8, 15, 16, 17, 33, 100])
        func randomRows(isa: ISA, cols: Int) {
            var rng = SplitMix(seed: UInt64(cols))
            let rows = (0..<3).map { _ in (0..<cols).map { _ in Float(rng.symmetric() * 8) } }
            Self.check(rows, pad: 5, isa: isa)
        }

        @Test("masked entries, fully masked rows and huge logits", arguments: ISA.supported)
        func maskedAndExtreme(isa: ISA) {
            let ninf = -Float.infinity
            let rows: [[Float]] = [
                [ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf],
                [1e4, -1e4, 0, 1e4, ninf, 3, -3, 1e4, 0, 0, 0, 0, 0, 0, 0, 0, -1e4],
                [-1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4, -1e4],
                [ninf, ninf, 2, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, -5],
            ]
            Self.check(rows, pad: 3, isa: isa)
            let soft = withISA(isa) { Self.run(rows, pad: 3, log: false) }
            #expect(soft[0].allSatisfy { $0 == 0 })
            #expect(soft[1][0] == soft[1][3] && abs(soft[1][0] - 1.0 / 3) < 1e-6)
            #expect(soft[2].allSatisfy { abs($0 - 1.0 / 17) < 1e-7 })
            let logs = withISA(isa) { Self.run(rows, pad: 3, log: true) }
            #expect(logs[0].allSatisfy { $0 == -.infinity })
        }

        @Test("rows containing +inf or NaN, and empty rows", arguments: ISA.supported)
        func infinitiesAndNaN(isa: ISA) {
            // PyTorch's semantics: a +inf logit makes the row NaN (exp(inf - inf)), and so does a NaN anywhere,
            // including rows whose other entries are all masked (-inf), where a max scan alone would see -inf.
            let ninf = -Float.infinity
            let rows: [[Float]] = [[.infinity, 1, .infinity, -.infinity], [0, .nan, 1, 2], [.nan, .infinity, 0, 0],
                                   [.nan, .nan, .nan, .nan], [ninf, .nan, ninf, ninf], [ninf, .infinity, ninf, ninf]]
            for log in [false, true] {
                let out = withISA(isa) { Self.run(rows, pad: 1, log: log) }
                for (r, row) in out.enumerated() { #expect(row.allSatisfy { $0.isNaN }, "log \(log) row \(r): \(row)") }
            }
            // cols == 0 touches nothing.
            var buf: [Float] = [1, 2, 3]
            withISA(isa) {
                ck_softmax_rows(&buf, 3, 0, 1)
                ck_log_softmax_rows(&buf, 3, 0, 1)
            }
            #expect(buf == [1, 2, 3])
        }
    }
}
