import Dispatch
import Foundation
import AttentionTensorCore

/// This core's FMA peak on each kernel path: a register-only loop of independent FMA chains (`ck_fma_peak_probe`),
/// timed on `threads` threads at once, so every other figure can be stated as a fraction of the machine's own limit.
///
/// Checked first: a short run's checksum must equal the same recurrence a ← a·m + c computed here (relative
/// error ≤ 1e-5, fused or with the multiply and the add rounded separately, as the scalar path may be built).
public struct PeakBenchmark: Sendable {
    /// What `run()` measured, as `attention bench … --json` prints it (snake_case keys, stable order).
    public struct Report: Sendable, Codable {
        /// The benchmark's name in the JSON.
        public let benchmark: String
        /// The CPU path of the C kernels that ran ("avx512", "avx2", "neon", "scalar").
        public let kernel: String
        /// Worker threads.
        public let threads: Int
        /// Timed runs.
        public let iterations: Int
        /// Floating-point operations per step of the probe (an FMA counts 2).
        public let flops_per_step: Int
        /// Probe steps per timed run on each thread.
        public let steps: Int
        /// Milliseconds per timed run, the median.
        public let median_ms: Double
        /// The best timed run, milliseconds.
        public let min_ms: Double
        /// Whole-machine rate over the threads, from the median run.
        public let gflops: Double
        /// The best run's rate divided by the threads: the per-core peak.
        public let gflops_per_core: Double
    }

    /// Why a benchmark refused to time: its check failed (a benchmark checks its result before it times it).
    public enum Failure: Error, CustomStringConvertible {
        /// This CPU cannot run the requested kernel path.
        case unsupported(CPUKernels.Path)
        /// The probe's checksum differs from the recurrence computed in Swift.
        case wrongChecksum(CPUKernels.Path, got: Double, expected: Double)
        /// The message, naming what was checked and the figures.
        public var description: String {
            switch self {
            case let .unsupported(p): "this CPU does not support the \(p.rawValue) path (it supports \(CPUKernels.supportedPaths.map(\.rawValue).joined(separator: ", ")))"
            case let .wrongChecksum(p, got, want): "peak probe check failed on \(p.rawValue): checksum \(got), expected \(want)"
            }
        }
    }

    /// The kernel path timed.
    public let path: CPUKernels.Path
    /// Worker threads.
    public let threads: Int
    /// Timed runs.
    public let iterations: Int
    /// Steps per timed run on each thread.
    public let steps: Int

    /// A benchmark of the given shape and options; nothing runs until `run()`.
    public init(path: CPUKernels.Path, threads: Int = 1, iterations: Int = 5, steps: Int = 20_000_000) {
        self.path = path
        self.threads = threads
        self.iterations = iterations
        self.steps = steps
    }

    /// The probe's recurrence a ← a·m + c in single precision, fused (one rounding, as the FMA paths) or not (a
    /// multiply and an add, as the scalar path may be built), times the chains × lanes.
    static func expectedChecksums(_ path: CPUKernels.Path, steps: Int) -> [Double] {
        let m: Float = 0.9999999, c: Float = 1e-7
        var fused: Float = 0.1, separate: Float = 0.1
        for _ in 0..<steps {
            fused = c.addingProduct(fused, m)
            separate = separate * m + c
        }
        let values = Double(CPUKernels.flopsPerStep(path) / 2)
        return [Double(fused) * values, Double(separate) * values]
    }

    /// Checks the result against its reference, then times `iterations` runs on `threads` threads.
    public func run() throws -> Report {
        guard path.isSupported else { throw Failure.unsupported(path) }
        let checkSteps = 4096
        let got = CPUKernels.peakProbe(path, steps: checkSteps)!, wants = Self.expectedChecksums(path, steps: checkSteps)
        // The accumulators are summed in single precision in the probe: a few roundings of relative size 2⁻²⁴.
        if !wants.contains(where: { Swift.abs(got - $0) <= 1e-5 * Swift.abs($0) }) {
            throw Failure.wrongChecksum(path, got: got, expected: wants[0])
        }

        let (path, steps, threads) = (self.path, self.steps, self.threads)
        let timing = Timing.measure(iterations: iterations, warmup: 1) {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in _ = CPUKernels.peakProbe(path, steps: steps) }
        }
        let flops = Double(CPUKernels.flopsPerStep(path)) * Double(steps) * Double(threads)
        return Report(benchmark: "peak", kernel: path.rawValue, threads: threads, iterations: iterations,
                      flops_per_step: CPUKernels.flopsPerStep(path), steps: steps, median_ms: timing.medianMs,
                      min_ms: timing.minMs, gflops: flops / (timing.medianMs * 1e6),
                      gflops_per_core: flops / (timing.minMs * 1e6) / Double(threads))
    }
}
