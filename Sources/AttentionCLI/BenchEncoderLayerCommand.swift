import ArgumentParser
import Bench
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

    @Option(help: "Batch size B.") var batch: Int = 8
    @Option(help: "Sequence length L.") var seq: Int = 128
    @Option(help: "Model width D.") var dim: Int = 256
    @Option(help: "Heads H (D must be a multiple).") var heads: Int = 8
    @Option(name: .customLong("feed-forward"), help: "Feed-forward width F.") var feedForward: Int = 1024
    @Flag(help: "Time forward + backward (a training step without the optimiser).") var backward = false
    @Option(help: "Threads to use.") var threads: Int = 1
    @Option(help: "Timed runs (after one untimed warm-up run when more than 1).") var iterations: Int = 10
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        for (name, value) in [("--batch", batch), ("--seq", seq), ("--dim", dim), ("--heads", heads), ("--feed-forward", feedForward),
                              ("--threads", threads), ("--iterations", iterations)] where value <= 0 {
            throw ValidationError("\(name) must be positive, got \(value)")
        }
        guard dim % heads == 0 else { throw ValidationError("--dim \(dim) must be a multiple of --heads \(heads)") }
    }

    func run() throws {
        let report = try EncoderLayerBenchmark(batch: batch, seq: seq, dim: dim, heads: heads, feedForward: feedForward,
                                               backward: backward, threads: threads, iterations: iterations).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("encoder-layer B\(batch) L\(seq) D\(dim) H\(heads) F\(feedForward)\(backward ? " fwd+bwd" : " fwd"), \(threads) thread(s), "
                  + "kernel \(report.kernel): median \(String(format: "%.3f", report.median_ms)) ms, \(String(format: "%.1f", report.gflops)) GFLOP/s "
                  + "(checked, max |error| \(report.max_abs_error))")
        }
    }
}
