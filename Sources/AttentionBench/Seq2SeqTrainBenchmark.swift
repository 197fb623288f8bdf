import Attention
import Foundation
import AttentionTraining
import AttentionTransformers

/// The training step of a Transformer translator: the model of `attention run seq2seq-train` (embeddings ·√D +
/// sinusoidal positions, post-norm `nn.Transformer` with both final norms, a generator), teacher-forced
/// cross-entropy ignoring padding, `clip_grad_norm_(1.0)` and AdamW, on a fixed batch of sentence pairs whose
/// lengths vary between `minLength` and `maxLength` (padded to the longest).
///
/// The batch is a formula, not a random draw, so that a peer (Scripts/bench_seq2seq_train_vs_pytorch.py) builds
/// exactly the same one: pair i has source length minLength + (7i mod span) and target length
/// minLength + (11i + 3 mod span) (span = maxLength − minLength + 1), token j of it 2 + (31i + 17j mod (V − 2))
/// (source) or 2 + (13i + 29j mod (V − 2)) (target); pad 0, BOS 1 first in each target.
///
/// Tokens per second count the non-pad source and target tokens of a step (BOS included).
/// Before timing, a small model's first loss in Float32 is checked against Float64 and three steps must lower it.
public struct Seq2SeqTrainBenchmark: Sendable {
    /// What `run()` measured, as `attention bench … --json` prints it (snake_case keys, stable order).
    public struct Report: Sendable, Codable {
        /// The benchmark's name in the JSON.
        public let benchmark: String
        /// B, the length range of the pairs, D, H, the layer counts, F and the vocabulary V.
        public let batch, min_length, max_length, dim, heads, encoder_layers, decoder_layers, feed_forward, vocabulary: Int
        /// Worker threads and timed runs.
        public let threads, iterations: Int
        /// The CPU path of the C kernels that ran ("avx512", "avx2", "neon", "scalar").
        public let kernel: String
        /// Non-pad source and target tokens of one step.
        public let tokens_per_step: Int
        /// Milliseconds per step (median and best) and tokens per second of the median.
        public let median_ms, min_ms, tokens_per_s: Double
        /// Median CPU time of the process per step (user + system, all threads): on a loaded machine this moves less
        /// than the wall clock, which counts the time other programs held the cores.
        public let median_cpu_ms: Double
        /// The check: |loss32 − loss64| / loss64 of the small model's first step, and its loss after 3 steps.
        public let check_loss_rel_error, check_loss_first, check_loss_after: Double
        /// The timed model's loss at the first timed step (the peer's should match it closely).
        public let first_loss: Double
    }

    /// Why a benchmark refused to time: its check failed (a benchmark checks its result before it times it).
    public enum Failure: Error, CustomStringConvertible {
        /// The loss check failed (the message gives the figures).
        case wrongResult(String)
        /// The message, naming what was checked and the figures.
        public var description: String {
            switch self { case .wrongResult(let m): return "seq2seq-train result check failed: \(m)" }
        }
    }

    /// B, the length range of the pairs, D, H, the layer counts, F and the vocabulary V.
    public let batch, minLength, maxLength, dim, heads, encoderLayers, decoderLayers, feedForward, vocabulary: Int
    /// Worker threads and timed runs.
    public let threads, iterations: Int

    /// A benchmark of the given shape and options; nothing runs until `run()`.
    public init(batch: Int = 64, minLength: Int = 12, maxLength: Int = 20, dim: Int = 256, heads: Int = 4, encoderLayers: Int = 3,
                decoderLayers: Int = 3, feedForward: Int = 1024, vocabulary: Int = 1000, threads: Int = 1, iterations: Int = 10) {
        (self.batch, self.minLength, self.maxLength, self.dim, self.heads) = (batch, minLength, maxLength, dim, heads)
        (self.encoderLayers, self.decoderLayers, self.feedForward, self.vocabulary) = (encoderLayers, decoderLayers, feedForward, vocabulary)
        (self.threads, self.iterations) = (threads, iterations)
    }

    /// The formula batch: sources [B][S] and targets [B][T + 1] padded with 0.
    public static func pairs(batch: Int, minLength: Int, maxLength: Int, vocabulary v: Int) -> (sources: [[Int]], targets: [[Int]]) {
        let span = maxLength - minLength + 1
        let s = (0..<batch).map { minLength + (7 * $0) % span }, t = (0..<batch).map { minLength + (11 * $0 + 3) % span }
        let sMax = s.max()!, tMax = t.max()!
        let sources = (0..<batch).map { i in (0..<sMax).map { j in j < s[i] ? 2 + (31 * i + 17 * j) % (v - 2) : 0 } }
        let targets = (0..<batch).map { i in [1] + (0..<tMax).map { j in j < t[i] ? 2 + (13 * i + 29 * j) % (v - 2) : 0 } }
        return (sources, targets)
    }

    static func model(vocabulary: Int, dim: Int, heads: Int, encoderLayers: Int, decoderLayers: Int, feedForward: Int) -> Seq2SeqTransformer {
        var rng = RandomGenerator(seed: 11)
        let c = TransformerLayerConfiguration(modelDim: dim, numHeads: heads, feedForwardDim: feedForward, feedForward: .relu,
                                              dropout: 0, normPlacement: .post)
        return Seq2SeqTransformer(sourceVocabulary: vocabulary, targetVocabulary: vocabulary, layer: c, encoderLayers: encoderLayers,
                                  decoderLayers: decoderLayers, padID: 0, rng: &rng)
    }

    /// One training step; returns the loss before the update.
    static func step(_ model: Seq2SeqTransformer, _ optimizer: AdamW, sources: [[Int]], targets: [[Int]]) -> Double {
        optimizer.zeroGradients()
        let loss = model.teacherForcedLoss(sources: sources, targets: targets)
        loss.backward()
        clipGradientNorm(optimizer.parameters, maxNorm: 1)
        optimizer.step()
        return loss.doubles[0]
    }

    /// CPU time of this process so far (CLOCK_PROCESS_CPUTIME_ID).
    static func cpuNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// A small model: its first loss in Float32 against Float64, and three steps must lower the loss.
    func check() throws -> (relError: Double, first: Double, after: Double) {
        let (src, tgt) = Self.pairs(batch: 6, minLength: 3, maxLength: 7, vocabulary: 23)
        let small = Self.model(vocabulary: 23, dim: 16, heads: 2, encoderLayers: 1, decoderLayers: 1, feedForward: 32)
        let wide = Self.model(vocabulary: 23, dim: 16, heads: 2, encoderLayers: 1, decoderLayers: 1, feedForward: 32)
        wide.convert(to: .float64)
        let l64 = wide.teacherForcedLoss(sources: src, targets: tgt).doubles[0]
        let optimizer = AdamW(parameters: small.parameters, learningRate: 1e-2)
        let first = Self.step(small, optimizer, sources: src, targets: tgt)
        var last = first
        for _ in 0..<3 { last = Self.step(small, optimizer, sources: src, targets: tgt) }
        let rel = abs(first - l64) / l64
        guard rel <= 1e-5, first.isFinite else { throw Failure.wrongResult("Float32 loss \(first), Float64 \(l64)") }
        guard last < first else { throw Failure.wrongResult("three AdamW steps did not lower the loss (\(first) → \(last))") }
        return (rel, first, last)
    }

    /// Checks the result against its reference, then times `iterations` runs on `threads` threads.
    public func run() throws -> Report {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        let checked = try check()
        let (src, tgt) = Self.pairs(batch: batch, minLength: minLength, maxLength: maxLength, vocabulary: vocabulary)
        let model = Self.model(vocabulary: vocabulary, dim: dim, heads: heads, encoderLayers: encoderLayers,
                               decoderLayers: decoderLayers, feedForward: feedForward)
        model.train()
        let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-4, beta1: 0.9, beta2: 0.98, epsilon: 1e-9)
        let firstLoss = Self.step(model, optimizer, sources: src, targets: tgt)      // the warm-up step
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<iterations {
            let (w0, c0) = (DispatchTime.now().uptimeNanoseconds, Self.cpuNanoseconds())
            _ = Self.step(model, optimizer, sources: src, targets: tgt)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e6)
            cpu.append(Double(Self.cpuNanoseconds() - c0) / 1e6)
        }
        let timing = Timing(samplesMs: wall), cpuTiming = Timing(samplesMs: cpu)
        let tokens = src.joined().filter { $0 != 0 }.count + tgt.joined().filter { $0 != 0 }.count
        return Report(benchmark: "seq2seq-train", batch: batch, min_length: minLength, max_length: maxLength, dim: dim, heads: heads,
                      encoder_layers: encoderLayers, decoder_layers: decoderLayers, feed_forward: feedForward, vocabulary: vocabulary,
                      threads: threads, iterations: iterations, kernel: CPUKernels.activePath, tokens_per_step: tokens,
                      median_ms: timing.medianMs, min_ms: timing.minMs, tokens_per_s: Double(tokens) / (timing.medianMs / 1000),
                      median_cpu_ms: cpuTiming.medianMs,
                      check_loss_rel_error: checked.relError, check_loss_first: checked.first, check_loss_after: checked.after,
                      first_loss: firstLoss)
    }
}
