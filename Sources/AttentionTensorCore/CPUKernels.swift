import AttentionCKernels

/// Which CPU code path the C kernels use, how to choose one, and how fast this core can go on each.
///
/// The path is picked once, at the first kernel call: the one named by the environment variable `ATTENTION_ISA`
/// (`avx512`, `avx2`, `neon`, `scalar`; `auto` or unset = the best this CPU has), so any path can be measured or
/// tested on any machine that supports it. ``force(_:)`` changes it later (benchmarks' `--isa`); it must not be
/// called while kernels run.
public enum CPUKernels {
    /// An instruction-set path of the C kernels.
    public enum Path: String, CaseIterable, Sendable, Codable {
        /// Portable C, AVX2 + FMA, AVX-512, or NEON on arm64.
        case scalar, avx2, avx512, neon

        var isa: ck_isa {
            switch self {
            case .scalar: CK_ISA_SCALAR
            case .avx2: CK_ISA_AVX2
            case .avx512: CK_ISA_AVX512
            case .neon: CK_ISA_NEON
            }
        }

        init?(_ isa: ck_isa) {
            guard let path = Path.allCases.first(where: { $0.isa == isa }) else { return nil }
            self = path
        }

        /// Whether this CPU can run the path (NEON on arm64 only; AVX2 needs FMA too; AVX-512 needs F, BW, DQ, VL).
        public var isSupported: Bool { ck_isa_supported(isa) != 0 }
    }

    /// Name of the active instruction-set path: "avx512", "avx2", "neon" or "scalar".
    public static var activePath: String { String(cString: ck_isa_name(ck_active_isa())) }

    /// The active path.
    public static var active: Path { Path(ck_active_isa()) ?? .scalar }

    /// The paths this CPU can run, fastest last.
    public static var supportedPaths: [Path] { Path.allCases.filter(\.isSupported) }

    /// Switches every later kernel call to `path` (nil: back to the automatic choice). Returns false, changing
    /// nothing, when the CPU does not support it. Not while kernels run on other threads.
    @discardableResult
    public static func force(_ path: Path?) -> Bool { ck_force_isa(path?.isa ?? CK_ISA_AUTO) == 0 }

    /// What is wrong with `ATTENTION_ISA`, if it is set to something the kernels cannot use (then they ignore it
    /// and take the best path): a message naming the value and the choices, for tools to report.
    public static func environmentProblem(_ environment: [String: String]) -> String? {
        guard let value = environment["ATTENTION_ISA"], value != "auto" else { return nil }
        let supported = supportedPaths.map(\.rawValue).joined(separator: ", ")
        guard let path = Path(rawValue: value) else {
            return "ATTENTION_ISA=\(value) is not a kernel path; expected auto, scalar, avx2, avx512 or neon"
        }
        return path.isSupported ? nil : "ATTENTION_ISA=\(value): this CPU does not support that path (it supports \(supported))"
    }

    /// One run of the register-only FMA probe on `path`, single thread: `steps` steps of `flopsPerStep(path)`
    /// operations with no memory traffic (see `ck_fma_peak_probe`). Returns the accumulators' checksum, or nil
    /// when the CPU does not support the path. Time it to get this core's FMA peak on the path.
    public static func peakProbe(_ path: Path, steps: Int) -> Double? {
        precondition(steps >= 0, "CPUKernels.peakProbe: steps must be ≥ 0, got \(steps)")
        let checksum = ck_fma_peak_probe(path.isa, Int64(steps))
        return checksum < 0 ? nil : checksum
    }

    /// Floating-point operations (an FMA counts 2) in one step of ``peakProbe(_:steps:)``.
    public static func flopsPerStep(_ path: Path) -> Int { Int(ck_fma_peak_flops_per_step(path.isa)) }
}
