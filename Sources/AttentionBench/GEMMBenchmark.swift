import Foundation
import AttentionTensorCore

/// Single-precision GEMM C = A·B at M = N = K = size: checks the result, then times it.
public struct GEMMBenchmark: Sendable {
    /// What `run()` measured, as `attention bench … --json` prints it (snake_case keys, stable order).
    public struct Report: Sendable, Codable {
        /// The benchmark's name in the JSON.
        public let benchmark: String
        /// M = N = K.
        public let size: Int
        /// Worker threads.
        public let threads: Int
        /// Timed runs.
        public let iterations: Int
        /// The CPU path of the C kernels that ran ("avx512", "avx2", "neon", "scalar").
        public let kernel: String
        /// Milliseconds per timed run, the median.
        public let median_ms: Double
        /// The best timed run, milliseconds.
        public let min_ms: Double
        /// GFLOP/s of the median run (the type's description gives the FLOP count).
        public let gflops: Double
        /// Largest |ours − Float64 dot product| over the checked entries.
        public let max_abs_error: Double
        /// Entries of C compared with the Float64 dot products.
        public let checked_entries: Int
    }

    /// Why a benchmark refused to time: its check failed (a benchmark checks its result before it times it).
    public enum Failure: Error, CustomStringConvertible {
        /// C[row, column] differs from the Float64 dot product by more than the tolerance.
        case wrongResult(row: Int, column: Int, got: Double, expected: Double)
        /// The message, naming what was checked and the figures.
        public var description: String {
            switch self {
            case let .wrongResult(r, c, got, want):
                return "GEMM result check failed at C[\(r), \(c)]: got \(got), expected \(want) (Float64 dot product)"
            }
        }
    }

    /// M = N = K.
    public let size: Int
    /// Worker threads.
    public let threads: Int
    /// Timed runs.
    public let iterations: Int

    /// A benchmark of the given shape and options; nothing runs until `run()`.
    public init(size: Int, threads: Int, iterations: Int) {
        self.size = size
        self.threads = threads
        self.iterations = iterations
    }

    /// Checks the result against its reference, then times `iterations` runs on `threads` threads.
    public func run() throws -> Report {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        var rng = RandomGenerator(seed: 1234)
        let a = Tensor.randomUniform([size, size], low: -1, high: 1, using: &rng)
        let b = Tensor.randomUniform([size, size], low: -1, high: 1, using: &rng)
        var c = Tensor.zeros([size, size])
        a.matmul(b, into: &c)

        // Check sampled entries against Float64 dot products before timing anything.
        let ad = a.scalars, bd = b.scalars, cd = c.scalars
        let samples = min(size * size, 512)
        var worst = 0.0
        for _ in 0..<samples {
            let i = rng.integer(below: size), j = rng.integer(below: size)
            var want = 0.0
            for p in 0..<size { want += Double(ad[i * size + p]) * Double(bd[p * size + j]) }
            let got = Double(cd[i * size + j])
            // Float32 accumulation over K terms of magnitude ≤ 1: error ≲ K·2⁻²⁴ in the worst case.
            let bound = Double(size) * 0x1p-24 + 1e-6
            worst = max(worst, Swift.abs(got - want))
            if Swift.abs(got - want) > bound { throw Failure.wrongResult(row: i, column: j, got: got, expected: want) }
        }

        let timing = Timing.measure(iterations: iterations, warmup: 2) { a.matmul(b, into: &c) }
        let flops = 2 * Double(size) * Double(size) * Double(size)
        return Report(benchmark: "gemm", size: size, threads: threads, iterations: iterations, kernel: CPUKernels.activePath,
                      median_ms: timing.medianMs, min_ms: timing.minMs, gflops: flops / (timing.medianMs * 1e6),
                      max_abs_error: worst, checked_entries: samples)
    }
}
