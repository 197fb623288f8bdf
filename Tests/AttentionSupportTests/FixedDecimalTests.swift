import AttentionSupport
import Foundation
import Testing

/// `FixedDecimal` against the C library's printf (through `String(format:)`), the formatter it replaces: the same
/// bytes for random bit patterns over the whole finite range, exact decimal ties, carries, signed zeros, and the
/// values it hands back to printf (non-finite, huge).
@Suite struct FixedDecimalTests {
    static func printf(_ x: Float, _ digits: Int) -> String { String(format: "%.\(digits)f", Double(x)) }

    @Test("random bit patterns, every digit count", arguments: 0...9)
    func randomPatterns(_ digits: Int) {
        var state: UInt64 = 0x5EED_0000 + UInt64(digits)
        var mismatches: [String] = []
        for _ in 0..<4000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var x = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
            // Half the samples in the range embeddings live in (|x| < 4), the rest anywhere in the float range.
            if state & 1 == 0 { x = Float(bitPattern: (x.bitPattern & 0x807F_FFFF) | (UInt32(state >> 8 & 0x7) + 122) << 23) }
            let want = Self.printf(x, digits), got = FixedDecimal.string(x, digits: digits)
            if got != want, mismatches.count < 5 { mismatches.append("\(x.bitPattern): \(got) vs \(want)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("exact decimal ties round to even, as printf does")
    func ties() {
        // m / 2^k with m odd is m * 5^k / 10^k: k decimals, the last a 5, so an exact tie at k - 1 decimals.
        var checked = 0
        for k in 1...12 {
            for m in stride(from: 1, through: 4001, by: 2) {
                let x = Float(m) / Float(1 << k)
                for d in 0...9 {
                    #expect(FixedDecimal.string(x, digits: d) == Self.printf(x, d), "\(m)/2^\(k) at \(d) digits")
                    #expect(FixedDecimal.string(-x, digits: d) == Self.printf(-x, d), "-\(m)/2^\(k) at \(d) digits")
                    checked += 2
                }
            }
        }
        #expect(checked == 12 * 2001 * 10 * 2)
        #expect(FixedDecimal.string(0.0078125, digits: 6) == "0.007812")  // 7812.5 millionths: to even
        #expect(FixedDecimal.string(0.5, digits: 0) == "0")
        #expect(FixedDecimal.string(1.5, digits: 0) == "2")
        #expect(FixedDecimal.string(2.5, digits: 0) == "2")
    }

    @Test("signed zeros, tiny negatives, carries, the printf fallbacks")
    func edges() {
        let values: [Float] = [0, -0.0, 1e-9, -1e-9, -4.9e-7, -5.1e-7, 0.9999995, 0.99999946, 9.9999995, 999_999.94,
                               123_456.79, 1e11, -1e11, 999_999_999_999, 1e12, 3e12, .greatestFiniteMagnitude,
                               -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                               .infinity, -.infinity, .nan, 1, -1, 0.1, -0.1, 0.000_001, 0.000_000_5]
        for x in values {
            for d in [0, 1, 6, 9] {
                #expect(FixedDecimal.string(x, digits: d) == Self.printf(x, d), "\(x) at \(d) digits")
            }
        }
        #expect(FixedDecimal.string(-0.0, digits: 6) == "-0.000000")
        #expect(FixedDecimal.string(-1e-9, digits: 6) == "-0.000000")
        #expect(FixedDecimal.string(0.9999995, digits: 6) == Self.printf(0.9999995, 6))
        var out = Array("[".utf8)
        FixedDecimal.append(0.25, digits: 2, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "[0.25")
    }
}
