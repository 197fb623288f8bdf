/// Bit-exact conversions between the 8- and 16-bit float formats of safetensors and Float / Double.
///
/// Swift's `Float16` is missing on Intel Macs and there is no `BFloat16` at all, so the formats are decoded from their
/// bits. Decoding is exact (every 16-bit value is a Float); encoding rounds to nearest, ties to even, overflows to
/// infinity, keeps NaN a NaN (quiet, with the top payload bits) and produces subnormals, as NumPy and PyTorch do.
///
/// ```swift
/// HalfPrecision.float(fromFloat16: 0x3C00)        // 1.0
/// HalfPrecision.float16Bits(from: 65520)           // 0x7C00 (rounds up to infinity)
/// HalfPrecision.bfloat16Bits(from: 1 / 3)          // 0x3EAB
/// ```
public enum HalfPrecision {
    /// IEEE binary16 → Float, exactly.
    @inlinable public static func float(fromFloat16 h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            // Subnormal (or zero): mantissa × 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// bfloat16 → Float, exactly (bfloat16 is the top half of a Float).
    @inlinable public static func float(fromBFloat16 b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// float8 e5m2 → Float, exactly (it is the top byte of a binary16).
    @inlinable public static func float(fromFloat8E5M2 b: UInt8) -> Float {
        float(fromFloat16: UInt16(b) << 8)
    }

    /// float8 e4m3fn (PyTorch's `float8_e4m3fn`: no infinities, S.1111.111 is NaN) → Float, exactly.
    @inlinable public static func float(fromFloat8E4M3 b: UInt8) -> Float {
        let negative = b & 0x80 != 0
        let exponent = Int((b >> 3) & 0xF)
        let mantissa = Float(b & 0x7)
        let magnitude: Float
        if exponent == 15 && b & 0x7 == 7 {
            magnitude = .nan
        } else if exponent == 0 {
            magnitude = mantissa * 0x1p-9
        } else {
            magnitude = (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
        }
        return negative ? -magnitude : magnitude
    }

    /// Double (or Float, converted exactly) → binary16 bits, rounding to nearest even.
    public static func float16Bits(from value: Double) -> UInt16 {
        round(value, exponentBits: 5, mantissaBits: 10)
    }

    /// Double (or Float, converted exactly) → bfloat16 bits, rounding to nearest even.
    public static func bfloat16Bits(from value: Double) -> UInt16 {
        round(value, exponentBits: 8, mantissaBits: 7)
    }

    /// Rounds a Double to a binary format with the given field widths. Going straight from Double (rather than through
    /// Float) avoids double rounding when Float64 tensors are stored as F16 / BF16.
    static func round(_ d: Double, exponentBits: Int, mantissaBits: Int) -> UInt16 {
        let bias = (1 << (exponentBits - 1)) - 1
        let maxExponent = (1 << exponentBits) - 1
        let bits = d.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 63) << 15
        let exponent = Int((bits >> 52) & 0x7FF)
        let mantissa = bits & ((1 << 52) - 1)
        let infinity = sign | UInt16(maxExponent << mantissaBits)
        if exponent == 0x7FF {
            if mantissa == 0 { return infinity }
            let payload = UInt16(truncatingIfNeeded: mantissa >> UInt64(52 - mantissaBits))
            return infinity | UInt16(1 << (mantissaBits - 1)) | payload
        }
        if exponent == 0 { return sign }  // Double subnormals are far below the smallest 16-bit subnormal.
        let e = exponent - 1023 + bias
        if e >= maxExponent { return infinity }
        let significand = mantissa | (1 << 52)
        // Normal results keep `mantissaBits` bits after the implicit one; subnormal results lose 1 − e more.
        let shift = e > 0 ? 52 - mantissaBits : 52 - mantissaBits + 1 - e
        if shift > 53 { return sign }  // below half the smallest subnormal: rounds to zero
        var q = significand >> UInt64(shift)
        let remainder = significand & ((1 << UInt64(shift)) - 1)
        let halfway = UInt64(1) << UInt64(shift - 1)
        if e > 0 { q = (q & ((1 << UInt64(mantissaBits)) - 1)) | UInt64(e) << UInt64(mantissaBits) }
        // A carry out of the mantissa bumps the exponent, up to infinity: exactly what rounding up should do.
        if remainder > halfway || (remainder == halfway && q & 1 == 1) { q += 1 }
        return sign | UInt16(q)
    }
}
