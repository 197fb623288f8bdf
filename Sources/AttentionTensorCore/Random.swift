/// A seeded pseudo-random generator whose streams are identical on every platform and run.
///
/// Core: xoshiro256** (period 2^256 − 1) seeded through SplitMix64. Uniforms use the top 53 bits. Normals use
/// Box–Muller with this file's own log, sin and cos, built from IEEE +, −, ×, ÷ and √ only, so no libm
/// difference between platforms can change a sample (their error is below 1e-15 relative).
public struct RandomGenerator: Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Double?

    /// A generator whose whole stream follows from `seed` (the same on every platform).
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in 0..<bound (unbiased, by rejection).
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "integer(below:): bound must be positive, got \(bound)")
        let b = UInt64(bound), limit = UInt64.max - UInt64.max % b
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }

    /// Standard normal N(0, 1).
    public mutating func normal() -> Double {
        if let z = spareNormal { spareNormal = nil; return z }
        let u1 = Double((next() >> 11) + 1) * 0x1p-53   // (0, 1]: log is finite
        let u2 = uniform()
        let radius = (-2 * DeterministicMath.log(u1)).squareRoot()
        let (s, c) = DeterministicMath.sinCos(turns: u2)
        spareNormal = radius * s
        return radius * c
    }
}

/// log, sin and cos from basic IEEE operations only (bit-identical everywhere).
enum DeterministicMath {
    static let ln2Hi = 0.693_147_180_369_123_816_49, ln2Lo = 1.908_214_929_270_587_700_02e-10

    /// Natural log of a positive finite x: x = m·2^e with m in [√½, √2), log m = 2·atanh((m−1)/(m+1)).
    static func log(_ x: Double) -> Double {
        var e = Double(x.exponent)
        var m = x.significand       // [1, 2)
        if m > 1.414_213_562_373_095 { m /= 2; e += 1 }
        let s = (m - 1) / (m + 1), s2 = s * s
        var term = s, sum = 0.0
        for k in stride(from: 1, through: 27, by: 2) {
            sum += term / Double(k)
            term *= s2
        }
        return e * ln2Hi + (2 * sum + e * ln2Lo)
    }

    /// sin and cos of 2π·t for t in [0, 1): reduce to a quarter turn q and |x| ≤ π/4, then Taylor series.
    static func sinCos(turns t: Double) -> (Double, Double) {
        let w = 4 * t                       // exact
        let q = (w + 0.5).rounded(.down)
        let x = (w - q) * (Double.pi / 2)   // |x| ≤ π/4
        let x2 = x * x
        var sinSum = 0.0, cosSum = 0.0
        var sinTerm = x, cosTerm = 1.0
        for k in 0..<11 {
            sinSum += sinTerm
            cosSum += cosTerm
            sinTerm *= -x2 / Double((2 * k + 2) * (2 * k + 3))
            cosTerm *= -x2 / Double((2 * k + 1) * (2 * k + 2))
        }
        switch Int(q) & 3 {
        case 0: return (sinSum, cosSum)
        case 1: return (cosSum, -sinSum)
        case 2: return (-sinSum, -cosSum)
        default: return (-cosSum, sinSum)
        }
    }
}

extension Tensor {
    /// Samples from N(mean, std²).
    public static func randomNormal(_ shape: [Int], mean: Double = 0, standardDeviation: Double = 1,
                                    dtype: DType = .float32, using rng: inout RandomGenerator) -> Tensor {
        let values = (0..<Shape.count(shape)).map { _ in mean + standardDeviation * rng.normal() }
        return Tensor(shape: shape, doubles: values).cast(to: dtype)
    }

    /// Samples uniform in [low, high).
    public static func randomUniform(_ shape: [Int], low: Double = 0, high: Double = 1,
                                     dtype: DType = .float32, using rng: inout RandomGenerator) -> Tensor {
        let values = (0..<Shape.count(shape)).map { _ in low + (high - low) * rng.uniform() }
        return Tensor(shape: shape, doubles: values).cast(to: dtype)
    }

    /// 1 with probability `probability`, else 0.
    public static func bernoulli(_ shape: [Int], probability: Double, dtype: DType = .float32,
                                 using rng: inout RandomGenerator) -> Tensor {
        precondition((0...1).contains(probability), "bernoulli: probability \(probability) is not in [0, 1]")
        let values = (0..<Shape.count(shape)).map { _ in rng.uniform() < probability ? 1.0 : 0.0 }
        return Tensor(shape: shape, doubles: values).cast(to: dtype)
    }
}
