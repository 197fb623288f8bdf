import AttentionCKernels
import Testing

/// Every kernel test runs once per instruction-set path this CPU supports. The path is forced for the test's own
/// thread only (`ck_force_isa_on_this_thread`), so tests elsewhere that run kernels at the same time keep the
/// automatic path; the suite stays serialized anyway (nested suites inherit `.serialized`), and each test
/// removes its override when it ends.
@Suite(.serialized) struct CKernelsTests {}

/// One ISA path, named for test output.
struct ISA: Sendable, CustomTestStringConvertible {
    let raw: UInt32
    var isa: ck_isa { ck_isa(rawValue: raw) }
    var testDescription: String { String(cString: ck_isa_name(isa)) }

    /// The paths this CPU can run (always includes scalar).
    static let supported: [ISA] = [CK_ISA_SCALAR, CK_ISA_AVX2, CK_ISA_AVX512, CK_ISA_NEON]
        .filter { ck_isa_supported($0) != 0 }
        .map { ISA(raw: $0.rawValue) }
}

/// Runs `body` with `isa` forced, restoring automatic selection afterwards.
func withISA<R>(_ isa: ISA, _ body: () throws -> R) rethrows -> R {
    #expect(ck_force_isa_on_this_thread(isa.isa) == 0)
    #expect(ck_active_isa() == isa.isa)
    defer { _ = ck_force_isa_on_this_thread(CK_ISA_AUTO) }
    return try body()
}

/// Small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func symmetric() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
}

/// Distance between two floats in units in the last place along the ordered float line
/// (0 for equal values, including +0 / -0).
func ulpDistance(_ a: Float, _ b: Float) -> Int64 {
    func ordered(_ f: Float) -> Int64 {
        let bits = Int64(Int32(bitPattern: f.bitPattern))
        return bits < 0 ? -(bits & 0x7FFF_FFFF) : bits
    }
    return abs(ordered(a) - ordered(b))
}
