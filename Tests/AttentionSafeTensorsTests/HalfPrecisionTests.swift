import Testing
@testable import AttentionSafeTensors

/// The 16-bit conversions, checked exhaustively where the space is small and against exact rounding elsewhere.
struct HalfPrecisionTests {
    @Test func everyFloat16DecodesAndReencodesToItself() {
        for bits in UInt16.min...UInt16.max {
            let f = HalfPrecision.float(fromFloat16: bits)
            let back = HalfPrecision.float16Bits(from: Double(f))
            if f.isNaN {
                #expect(back & 0x7C00 == 0x7C00 && back & 0x3FF != 0 && back & 0x8000 == bits & 0x8000)
            } else {
                #expect(back == bits, "0x\(String(bits, radix: 16)) → \(f) → 0x\(String(back, radix: 16))")
            }
        }
    }

    @Test func everyBFloat16DecodesAndReencodesToItself() {
        for bits in UInt16.min...UInt16.max {
            let f = HalfPrecision.float(fromBFloat16: bits)
            let back = HalfPrecision.bfloat16Bits(from: Double(f))
            if f.isNaN { #expect(f.bitPattern >> 16 == UInt32(bits)) } else { #expect(back == bits) }
        }
    }

    @Test func float16DecodesKnownValues() {
        #expect(HalfPrecision.float(fromFloat16: 0x3C00) == 1)
        #expect(HalfPrecision.float(fromFloat16: 0xC000) == -2)
        #expect(HalfPrecision.float(fromFloat16: 0x7BFF) == 65504)
        #expect(HalfPrecision.float(fromFloat16: 0x0001) == 0x1p-24)   // smallest subnormal
        #expect(HalfPrecision.float(fromFloat16: 0x0400) == 0x1p-14)   // smallest normal
        #expect(HalfPrecision.float(fromFloat16: 0x7C00) == .infinity)
        #expect(HalfPrecision.float(fromFloat16: 0x8000).sign == .minus)
    }

    /// Reference rounding: the nearest representable half (ties to even), found by search over the decoded values.
    static func nearestFloat16(_ x: Double) -> UInt16 {
        if x.isNaN { return 0x7E00 }
        let magnitude = abs(x)
        var best: UInt16 = 0
        var bestError = Double.infinity
        for bits in UInt16(0)...0x7BFF {
            let e = abs(Double(HalfPrecision.float(fromFloat16: bits)) - magnitude)
            if e < bestError || (e == bestError && bits & 1 == 0) { best = bits; bestError = e }
        }
        // Beyond the largest finite value by at least half an ulp (65520) rounds to infinity.
        if magnitude >= 65520 { best = 0x7C00 }
        return (x.sign == .minus ? 0x8000 : 0) | best
    }

    @Test(arguments: [0.1, 1.0 / 3, 2.0 / 3, 1e-5, 6.0e-8, 2.98e-8, 2.9802322387695312e-8, 65519.0, 65520.0, 1e6,
                      -0.5, -1e-7, 1.00048828125, 1.00146484375, 3.0e-5, 5.96e-8, 8.940696716308594e-08])
    func float16RoundsToNearestEven(_ x: Double) {
        #expect(HalfPrecision.float16Bits(from: x) == Self.nearestFloat16(x), "\(x)")
    }

    @Test func bfloat16RoundsToNearestEvenAndOverflowsToInfinity() {
        #expect(HalfPrecision.bfloat16Bits(from: 1.0) == 0x3F80)
        #expect(HalfPrecision.bfloat16Bits(from: 1.0 / 3) == 0x3EAB)
        // 1 + 2^-8 is exactly halfway between 0x3F80 and 0x3F81: ties to the even 0x3F80.
        #expect(HalfPrecision.bfloat16Bits(from: 1 + 0x1p-8) == 0x3F80)
        #expect(HalfPrecision.bfloat16Bits(from: 1 + 3 * 0x1p-8) == 0x3F82)
        #expect(HalfPrecision.bfloat16Bits(from: 3.4e38) == 0x7F80)
        #expect(HalfPrecision.bfloat16Bits(from: -.infinity) == 0xFF80)
        #expect(HalfPrecision.bfloat16Bits(from: .nan) == 0x7FC0)
        #expect(HalfPrecision.bfloat16Bits(from: 1e-40) == 0x0001)  // subnormal
    }

    @Test func float8FormatsDecode() {
        #expect(HalfPrecision.float(fromFloat8E4M3: 0x38) == 1)
        #expect(HalfPrecision.float(fromFloat8E4M3: 0x7E) == 448)
        #expect(HalfPrecision.float(fromFloat8E4M3: 0x01) == 0x1p-9)
        #expect(HalfPrecision.float(fromFloat8E4M3: 0xFF).isNaN)
        #expect(HalfPrecision.float(fromFloat8E5M2: 0x3C) == 1)
        #expect(HalfPrecision.float(fromFloat8E5M2: 0x7B) == 57344)
        #expect(HalfPrecision.float(fromFloat8E5M2: 0x7C) == .infinity)
    }
}
