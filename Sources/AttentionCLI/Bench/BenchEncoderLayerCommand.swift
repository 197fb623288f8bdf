import ArgumentParser
import AttentionBench
import Foundation

struct BenchEncoderLayerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder-layer",
        abstract: "One Transformer encoder layer (post-norm, GELU, no dropout), fp32, x [B, L, D]: inference or a training step.",
        discussion: """
            Checks a small layer against the same weights in Float64, then reports the median of the timed runs: \
            without --backward the inference path (no gradients: fused GEMM epilogues and LayerNorm), with --backward \
            a forward and a backward pass to every parameter and the input. GFLOP/s count the matrix products: \
            2·B·L·(4D² + 2·D·F) + 4·B·L²·D forward, 3× that with --backward.
            """
    )

    @Option(help: "Batch size B (1...4096).") var batch: Int = 8
    @Option(help: "Sequence length L (1...65536).") var seq: Int = 128
    @Option(help: "Model width D (1...16384).") var dim: Int = 256
    @Option(help: "Heads H (D must be a multiple; 1...1024).") var heads: Int = 8
    @Option(name: .customLong("feed-forward"), help: "Feed-forward width F (1...65536).") var feedForward: Int = 1024
    @Flag(help: "Time forward + backward (a training step without the optimiser).") var backward = false
    @Option(help: "Threads to use (1...256).") var threads: Int = 1
    @Option(help: "Timed runs (after one untimed warm-up run when more than 1; 1...10000).") var iterations: Int = 10
    @OptionGroup var kernelPath: KernelPathOption
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        try Bounds.check([("--batch", batch, 1...4096), ("--seq", seq, 1...65536), ("--dim", dim, 1...16384), ("--heads", heads, 1...1024),
                          ("--feed-forward", feedForward, 1...65536), ("--threads", threads, 1...256), ("--iterations", iterations, 1...10_000)])
        guard dim % heads == 0 else { throw ValidationError("--dim \(dim) must be a multiple of --heads \(heads)") }
        // Weights (4·D² + 2·D·F, with Adam-free gradients ×2 for --backward), the activations of every sub-layer
        // (about 8·D + 2·F per token, ×3 kept for backward) and the [B, H, L, L] attention weights.
        let (b, l, d, f, h) = (Double(batch), Double(seq), Double(dim), Double(feedForward), Double(heads))
        let k = backward ? 3.0 : 1.0
        try Bounds.checkMemory(floats: (4 * d * d + 2 * d * f) * (backward ? 2 : 1) + b * l * (8 * d + 2 * f) * k + b * h * l * l * k,
                               what: "bench encoder-layer --batch \(batch) --seq \(seq) --dim \(dim) --heads \(heads) --feed-forward \(feedForward)")
    }

    func run() throws {
        let report: EncoderLayerBenchmark.Report
        try kernelPath.apply()
        do {
            report = try EncoderLayerBenchmark(batch: batch, seq: seq, dim: dim, heads: heads, feedForward: feedForward,
                                               backward: backward, threads: threads, iterations: iterations).run()
        } catch { throw CLIError.data("\(error)") }
        if json {
            Output.line(try sortedJSON(report))
        } else {
            Output.line("encoder-layer B\(batch) L\(seq) D\(dim) H\(heads) F\(feedForward)\(backward ? " fwd+bwd" : " fwd"), \(threads) thread(s), "
                  + "kernel \(report.kernel): median \(String(format: "%.3f", report.median_ms)) ms, \(String(format: "%.1f", report.gflops)) GFLOP/s "
                  + "(checked, max |error| \(report.max_abs_error))")
        }
    }
}
