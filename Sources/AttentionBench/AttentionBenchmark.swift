import Attention
import Foundation

/// Scaled dot-product attention, fp32, query/key/value [B, H, N, E]: checks the fused path against the Float64
/// reference on a small shape, then times the requested shape.
///
/// GFLOP/s follow FlashAttention's convention: forward 4·B·H·N²·E, backward 2.5× the forward (so a timed
/// forward + backward counts 3.5×), causal halves both. With `iterations == 1` nothing is warmed up and no
/// N×N buffer is allocated anywhere (the fused path keeps O(N) extra memory), so `peak_rss_mib` measures the
/// kernel's footprint at long N.
public struct AttentionBenchmark: Sendable {
    /// What `run()` measured, as `attention bench … --json` prints it (snake_case keys, stable order).
    public struct Report: Sendable, Codable {
        /// The benchmark's name in the JSON.
        public let benchmark: String
        /// B, H, N (query and key length) and E.
        public let batch, heads, seq, head_dim: Int
        /// Causal masking; whether a backward pass is timed with the forward.
        public let causal, backward: Bool
        /// Worker threads and timed runs.
        public let threads, iterations: Int
        /// "fused" (FlashAttention) or "reference" (materialised scores).
        public let path: String
        /// CPU path of the C kernels ("avx512", "avx2", "neon", "scalar").
        public let kernel: String
        /// Milliseconds per run (median and best) and GFLOP/s of the median.
        public let median_ms, min_ms, gflops: Double
        /// Largest |fused − Float64 reference| of the checked outputs and gradients (small shape).
        public let max_abs_error: Double
        /// Peak resident set size of the whole process so far, MiB.
        public let peak_rss_mib: Double
    }

    /// Why a benchmark refused to time: its check failed (a benchmark checks its result before it times it).
    public enum Failure: Error, CustomStringConvertible {
        /// The fused path's `what` (output or a gradient) is farther than `bound` from the Float64 reference.
        case wrongResult(what: String, error: Double, bound: Double)
        /// The message, naming what was checked and the figures.
        public var description: String {
            switch self {
            case let .wrongResult(what, error, bound):
                return "attention result check failed: \(what) differs from the Float64 reference by \(error) (bound \(bound))"
            }
        }
    }

    /// B, H, N (query and key length) and E.
    public let batch, heads, seq, headDim: Int
    /// Causal masking; whether a backward pass is timed with the forward.
    public let causal, backward: Bool
    /// Worker threads and timed runs.
    public let threads, iterations: Int
    /// Fused (FlashAttention) or reference (materialised scores).
    public let path: AttentionPath

    /// A benchmark of the given shape and options; nothing runs until `run()`.
    public init(batch: Int, heads: Int, seq: Int, headDim: Int, causal: Bool, backward: Bool, threads: Int,
                iterations: Int, path: AttentionPath = .automatic) {
        (self.batch, self.heads, self.seq, self.headDim) = (batch, heads, seq, headDim)
        (self.causal, self.backward, self.threads, self.iterations, self.path) = (causal, backward, threads, iterations, path)
    }

    var mask: AttentionMask { causal ? .causal(.upperLeft) : .none }

    /// Checks the result against its reference, then times `iterations` runs on `threads` threads.
    public func run() throws -> Report {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        let checkError = try check()

        var rng = RandomGenerator(seed: 2024)
        let shape = [batch, heads, seq, headDim]
        let q = Tensor.randomNormal(shape, using: &rng), k = Tensor.randomNormal(shape, using: &rng)
        let v = Tensor.randomNormal(shape, using: &rng), g = Tensor.randomNormal(shape, using: &rng)
        let timing: Timing
        if backward {
            let leaves = [q, k, v].map { $0.requiringGradient() }
            timing = Timing.measure(iterations: iterations, warmup: iterations > 1 ? 1 : 0) {
                let (o, _) = scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2], mask: mask, path: path)
                _ = Autograd.gradients(of: o, withRespectTo: leaves, seed: g)
            }
        } else {
            timing = Timing.measure(iterations: iterations, warmup: iterations > 1 ? 1 : 0) {
                withoutGradients { _ = scaledDotProductAttention(query: q, key: k, value: v, mask: mask, path: path) }
            }
        }
        let n = Double(seq)
        let flops = 4 * Double(batch * heads) * n * n * Double(headDim) * (backward ? 3.5 : 1) * (causal ? 0.5 : 1)
        let fused = path == .fused || (path == .automatic && FlashAttention.supports(query: q, key: k, value: v))
        return Report(benchmark: "attention", batch: batch, heads: heads, seq: seq, head_dim: headDim, causal: causal,
                      backward: backward, threads: threads, iterations: iterations, path: fused ? "fused" : "reference",
                      kernel: FlashAttention.activePath, median_ms: timing.medianMs, min_ms: timing.minMs,
                      gflops: flops / (timing.medianMs * 1e6), max_abs_error: checkError, peak_rss_mib: Self.peakResidentMiB())
    }

    /// The timed path on B 1, H 2, N min(seq, 96) (odd-sized tail blocks included) against the Float64 reference:
    /// outputs (and gradients with `backward`) within 1e-4 absolute.
    func check() throws -> Double {
        var rng = RandomGenerator(seed: 7)
        let n = min(seq, 96) + (seq > 96 ? 1 : 0), shape = [1, 2, n, headDim]
        let inputs = (0..<4).map { _ in Tensor.randomNormal(shape, using: &rng) }
        func evaluate(_ dtype: DType, _ p: AttentionPath) -> [[Double]] {
            let leaves = inputs.prefix(3).map { $0.cast(to: dtype).requiringGradient() }
            let (o, _) = scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2], mask: mask, path: p)
            guard backward else { return [o.doubles] }
            return [o.doubles] + Autograd.gradients(of: o, withRespectTo: leaves, seed: inputs[3].cast(to: dtype)).map(\.doubles)
        }
        let got = evaluate(.float32, path), want = evaluate(.float64, .reference)
        var worst = 0.0
        for (name, (a, b)) in zip(["output", "dq", "dk", "dv"], zip(got, want)) {
            let e = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
            worst = max(worst, e)
            if !(e <= 1e-4) { throw Failure.wrongResult(what: name, error: e, bound: 1e-4) }
        }
        return worst
    }

    /// Peak resident set size of this process in MiB (getrusage: KiB on Linux, bytes on macOS).
    static func peakResidentMiB() -> Double {
        var usage = rusage()
        #if os(macOS)
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #endif
    }
}
