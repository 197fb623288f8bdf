import Attention
import Foundation
import AttentionTransformers

/// One Transformer encoder layer (post-norm, GELU, no dropout — PyTorch's `nn.TransformerEncoderLayer` with
/// `activation="gelu", batch_first=True, dropout=0`), x [B, L, D]: checks a small layer against the same layer
/// in Float64, then times inference (no gradients: the fused paths) or a training step's forward + backward
/// (gradients of every parameter and of x through the recorded ops).
///
/// GFLOP/s count the matrix products only: 2·B·L·(4D² + 2·D·F) for the projections and feed-forward plus
/// 4·B·L²·D for attention, forward; forward + backward counts 3× that.
public struct EncoderLayerBenchmark: Sendable {
    /// What `run()` measured, as `attention bench … --json` prints it (snake_case keys, stable order).
    public struct Report: Sendable, Codable {
        /// The benchmark's name in the JSON.
        public let benchmark: String
        /// B, L, D, H and the feed-forward width F.
        public let batch, seq, dim, heads, feed_forward: Int
        /// Whether a training step's forward + backward is timed instead of inference.
        public let backward: Bool
        /// Worker threads and timed runs.
        public let threads, iterations: Int
        /// The CPU path of the C kernels that ran ("avx512", "avx2", "neon", "scalar").
        public let kernel: String
        /// Milliseconds per run (median and best) and GFLOP/s of the median.
        public let median_ms, min_ms, gflops: Double
        /// Largest |Float32 − Float64| of the checked layer's output (small shape).
        public let max_abs_error: Double
    }

    /// Why a benchmark refused to time: its check failed (a benchmark checks its result before it times it).
    public enum Failure: Error, CustomStringConvertible {
        /// The Float32 layer is farther than `bound` from the same layer in Float64.
        case wrongResult(error: Double, bound: Double)
        /// The message, naming what was checked and the figures.
        public var description: String {
            switch self {
            case let .wrongResult(error, bound):
                return "encoder-layer result check failed: Float32 output differs from Float64 by \(error) (bound \(bound))"
            }
        }
    }

    /// B, L, D, H and the feed-forward width F.
    public let batch, seq, dim, heads, feedForward: Int
    /// Whether a training step's forward + backward is timed instead of inference.
    public let backward: Bool
    /// Worker threads and timed runs.
    public let threads, iterations: Int

    /// A benchmark of the given shape and options; nothing runs until `run()`.
    public init(batch: Int, seq: Int, dim: Int, heads: Int, feedForward: Int, backward: Bool, threads: Int, iterations: Int) {
        (self.batch, self.seq, self.dim, self.heads, self.feedForward) = (batch, seq, dim, heads, feedForward)
        (self.backward, self.threads, self.iterations) = (backward, threads, iterations)
    }

    static func layer(dim: Int, heads: Int, feedForward: Int) -> TransformerEncoderLayer {
        var rng = RandomGenerator(seed: 5)
        let c = TransformerLayerConfiguration(modelDim: dim, numHeads: heads, feedForwardDim: feedForward, feedForward: .gelu,
                                              dropout: 0, normPlacement: .post)
        return TransformerEncoderLayer(c, rng: &rng)
    }

    /// A small layer in Float32 (fused inference path) against the same weights in Float64.
    func check() throws -> Double {
        let small = Self.layer(dim: 64, heads: 4, feedForward: 128)
        var rng = RandomGenerator(seed: 9)
        let x = Tensor.randomNormal([2, 17, 64], using: &rng)
        let y32 = withoutGradients { small(x) }
        for p in small.parameters { p.value = p.value.cast(to: .float64) }
        let y64 = withoutGradients { small(x.cast(to: .float64)) }
        let error = zip(y32.doubles, y64.doubles).map { abs($0 - $1) }.max() ?? .infinity
        guard error <= 1e-4 else { throw Failure.wrongResult(error: error, bound: 1e-4) }
        return error
    }

    /// Checks the result against its reference, then times `iterations` runs on `threads` threads.
    public func run() throws -> Report {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        let checkError = try check()
        let layer = Self.layer(dim: dim, heads: heads, feedForward: feedForward)
        var rng = RandomGenerator(seed: 2024)
        let x = Tensor.randomNormal([batch, seq, dim], using: &rng), g = Tensor.randomNormal([batch, seq, dim], using: &rng)
        let timing: Timing
        if backward {
            let input = x.requiringGradient()
            let leaves = [input] + layer.parameters.map(\.value)
            timing = Timing.measure(iterations: iterations, warmup: iterations > 1 ? 1 : 0) {
                _ = Autograd.gradients(of: layer(input), withRespectTo: leaves, seed: g)
            }
        } else {
            timing = Timing.measure(iterations: iterations, warmup: iterations > 1 ? 1 : 0) { withoutGradients { _ = layer(x) } }
        }
        let tokens = Double(batch * seq), d = Double(dim)
        let forward = 2 * tokens * (4 * d * d + 2 * d * Double(feedForward)) + 4 * Double(batch) * Double(seq) * Double(seq) * d
        let flops = forward * (backward ? 3 : 1)
        return Report(benchmark: "encoder-layer", batch: batch, seq: seq, dim: dim, heads: heads, feed_forward: feedForward,
                      backward: backward, threads: threads, iterations: iterations, kernel: CPUKernels.activePath,
                      median_ms: timing.medianMs, min_ms: timing.minMs, gflops: flops / (timing.medianMs * 1e6),
                      max_abs_error: checkError)
    }
}
