import ArgumentParser
import AttentionBench
import Foundation

struct BenchSeq2SeqTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq2seq-train",
        abstract: "The training step of a Transformer translator (the seq2seq-train model), fp32: tokens per second.",
        discussion: """
            The model of `attention run seq2seq-train` (embeddings ·√D + sinusoidal positions, post-norm Transformer \
            with ReLU feed-forward and both final norms, a generator), teacher-forced cross-entropy ignoring padding, \
            clip_grad_norm_(1.0) and AdamW, on a fixed batch of sentence pairs of lengths --min-length...--max-length \
            (a formula Scripts/bench_seq2seq_train_vs_pytorch.py repeats for PyTorch). Checks a small model first \
            (Float32 loss against Float64; three steps lower it), then reports the median step and the non-pad \
            source + target tokens per second (wall clock), and the median CPU time of a step.
            """
    )

    @Option(help: "Sentence pairs per batch (1...4096).") var batch: Int = 64
    @Option(name: .customLong("min-length"), help: "Shortest sentence (1...4096).") var minLength: Int = 12
    @Option(name: .customLong("max-length"), help: "Longest sentence (≥ --min-length, ≤ 4096).") var maxLength: Int = 20
    @Option(help: "Model width D (1...8192).") var dim: Int = 256
    @Option(help: "Heads H (D must be a multiple; 1...256).") var heads: Int = 4
    @Option(name: .customLong("encoder-layers"), help: "Encoder layers (0...64).") var encoderLayers: Int = 3
    @Option(name: .customLong("decoder-layers"), help: "Decoder layers (1...64).") var decoderLayers: Int = 3
    @Option(name: .customLong("feed-forward"), help: "Feed-forward width F (1...65536).") var feedForward: Int = 1024
    @Option(help: "Source and target vocabulary size (3...1000000).") var vocabulary: Int = 1000
    @Option(help: "Threads to use (1...256).") var threads: Int = 1
    @Option(help: "Timed steps (after one untimed warm-up step; 1...10000).") var iterations: Int = 10
    @OptionGroup var kernelPath: KernelPathOption
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        try Bounds.check([("--batch", batch, 1...4096), ("--min-length", minLength, 1...4096), ("--max-length", maxLength, minLength...4096),
                          ("--dim", dim, 1...8192), ("--heads", heads, 1...256), ("--encoder-layers", encoderLayers, 0...64),
                          ("--decoder-layers", decoderLayers, 1...64), ("--feed-forward", feedForward, 1...65536),
                          ("--vocabulary", vocabulary, 3...1_000_000), ("--threads", threads, 1...256), ("--iterations", iterations, 1...10_000)])
        guard dim % heads == 0 else { throw ValidationError("--dim \(dim) must be a multiple of --heads \(heads)") }
        // Weights with their gradients and Adam moments (×4, the moments in Float64 ×2 more), about 20 activations
        // of [B, L, max(D, F)] per layer kept for backward, and the logits with their softmax.
        let (b, l, d, f, v) = (Double(batch), Double(maxLength + 1), Double(dim), Double(feedForward), Double(vocabulary))
        let layers = Double(encoderLayers + 2 * decoderLayers)
        let weights = 2 * v * d + v * d + layers * (4 * d * d + 2 * d * f)
        try Bounds.checkMemory(floats: weights * 8 + layers * 20 * b * l * max(d, f) + 4 * b * l * v,
                               what: "bench seq2seq-train --batch \(batch) --max-length \(maxLength) --dim \(dim) --vocabulary \(vocabulary)")
    }

    func run() throws {
        let report: Seq2SeqTrainBenchmark.Report
        try kernelPath.apply()
        do {
            report = try Seq2SeqTrainBenchmark(batch: batch, minLength: minLength, maxLength: maxLength, dim: dim, heads: heads,
                                               encoderLayers: encoderLayers, decoderLayers: decoderLayers, feedForward: feedForward,
                                               vocabulary: vocabulary, threads: threads, iterations: iterations).run()
        } catch { throw CLIError.data("\(error)") }
        if json {
            Output.line(try sortedJSON(report))
        } else {
            Output.line("seq2seq-train B\(batch) lengths \(minLength)-\(maxLength) D\(dim) H\(heads) \(encoderLayers)+\(decoderLayers) layers "
                  + "F\(feedForward) V\(vocabulary), \(threads) thread(s), kernel \(report.kernel): median \(String(format: "%.1f", report.median_ms)) ms "
                  + "per step, \(String(format: "%.0f", report.tokens_per_s)) tokens/s (checked: Float32 loss within "
                  + "\(String(format: "%.1e", report.check_loss_rel_error)) of Float64)")
        }
    }
}
