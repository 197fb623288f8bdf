import Foundation
import AttentionTensorCore

/// GEMM C = A·B at M = N = K = size in Float32, or with B as a reduced-precision weight (`Tensor.bfloat16Linear`,
/// `Tensor.quantizedLinear`, the products `--precision bf16|int8` runs): checks the result, then times it.
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
        /// "fp32", "bf16" or "int8".
        public let precision: String
        /// The kernels that ran: the CPU path for fp32 ("avx512", "avx2", "neon", "scalar"); for bf16 "avx512bf16"
        /// (vdpbf16ps) or "<path>, widened to fp32"; for int8 the int8 table ("avx512vnni", "avx2", ...).
        public let kernel: String
        /// Milliseconds per timed run, the median.
        public let median_ms: Double
        /// The best timed run, milliseconds.
        public let min_ms: Double
        /// GFLOP/s (GOP/s for int8) of the median run: 2·size³ / median time.
        public let gflops: Double
        /// Largest |ours − Float64 dot product| over the checked entries (for bf16 and int8, the dot product of the
        /// operands as rounded: bf16 weights, and A rounded to bf16 or to its per-row int8 grid).
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
    /// What the products compute in.
    public let precision: InferencePrecision

    /// A benchmark of the given shape and options; nothing runs until `run()`.
    public init(size: Int, threads: Int, iterations: Int, precision: InferencePrecision = .fp32) {
        self.size = size
        self.threads = threads
        self.iterations = iterations
        self.precision = precision
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
        // The reduced weights hold Bᵀ ([out, in], as a linear layer's), so x·Wᵀ = A·B.
        let bt = precision == .fp32 ? b : Tensor(shape: [size, size], scalars: b.transposed(0, 1).scalars)
        let bf16 = precision == .bf16 ? BFloat16Weight(weight: bt) : nil
        let int8 = precision == .int8 ? QuantizedWeight(weight: bt) : nil
        func product() {
            switch precision {
            case .fp32: a.matmul(b, into: &c)
            case .bf16: c = a.bfloat16Linear(weight: bf16!)
            case .int8: c = a.quantizedLinear(weight: int8!)
            }
        }
        product()

        // Check sampled entries against Float64 dot products of the operands as the kernels see them.
        let (ad, bd) = roundedOperands(a, b, bf16: bf16, int8: int8)
        let cd = c.scalars
        let samples = min(size * size, 512)
        var worst = 0.0
        for _ in 0..<samples {
            let i = rng.integer(below: size), j = rng.integer(below: size)
            var want = 0.0, magnitude = 0.0
            for p in 0..<size {
                let t = ad[i * size + p] * bd[p * size + j]
                want += t; magnitude += Swift.abs(t)
            }
            let got = Double(cd[i * size + j])
            // Float32 accumulation over K products (exact for bf16 and int8): error ≤ K·2⁻²⁴·Σ|a·b| to first order;
            // int8 adds the rounding of the two scale products.
            let bound = Double(size + 3) * 0x1p-24 * magnitude + 1e-6
            worst = max(worst, Swift.abs(got - want))
            if !(Swift.abs(got - want) <= bound) { throw Failure.wrongResult(row: i, column: j, got: got, expected: want) }
        }

        let timing = Timing.measure(iterations: iterations, warmup: 2) { product() }
        let flops = 2 * Double(size) * Double(size) * Double(size)
        return Report(benchmark: "gemm", size: size, threads: threads, iterations: iterations, precision: precision.rawValue,
                      kernel: kernelName, median_ms: timing.medianMs, min_ms: timing.minMs,
                      gflops: flops / (timing.medianMs * 1e6), max_abs_error: worst, checked_entries: samples)
    }

    var kernelName: String {
        switch precision {
        case .fp32: return CPUKernels.activePath
        case .bf16: return Tensor.bfloat16ProductsAvailable ? "avx512bf16" : "\(CPUKernels.activePath), widened to fp32"
        case .int8: return Tensor.int8KernelPath
        }
    }

    /// A and B in Float64 as the products see them: bf16 rounds B (and A where the products run in bf16); int8
    /// dequantises B per output channel and puts each row of A on its int8 grid (step max|row| / 127).
    func roundedOperands(_ a: Tensor, _ b: Tensor, bf16: BFloat16Weight?, int8: QuantizedWeight?) -> ([Double], [Double]) {
        let n = size
        func transposedBack(_ wt: [Float]) -> [Double] {  // [out, in] → B's [in, out]
            var out = [Double](repeating: 0, count: n * n)
            for r in 0..<n { for c in 0..<n { out[c * n + r] = Double(wt[r * n + c]) } }
            return out
        }
        if let bf16 {
            let ar = Tensor.bfloat16ProductsAvailable ? BFloat16Weight(weight: a).float32().scalars : a.scalars
            return (ar.map(Double.init), transposedBack(bf16.float32().scalars))
        }
        if let int8 {
            var ar = [Double](repeating: 0, count: n * n)
            let av = a.scalars
            for i in 0..<n {
                let row = av[(i * n)..<(i * n + n)], amax = row.map { Swift.abs($0) }.max()!
                guard amax > 0 else { continue }
                let inv = 127 / amax, step = Double(amax / 127)
                for (k, x) in row.enumerated() { ar[i * n + k] = Double((x * inv).rounded(.toNearestOrEven)) * step }
            }
            return (ar, transposedBack(int8.dequantized().scalars))
        }
        return (a.scalars.map(Double.init), b.scalars.map(Double.init))
    }
}
