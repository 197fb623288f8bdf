import ArgumentParser
import Attention
import Bench
import Foundation

struct BenchAttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Scaled dot-product attention, fp32, query/key/value [B, H, N, E] (fused flash path by default).",
        discussion: """
            Checks the timed path against the Float64 reference on a small shape (outputs, and gradients with \
            --backward), then reports the median of the timed runs. GFLOP/s use FlashAttention's convention: forward \
            4·B·H·N²·E, backward 2.5× that (a timed forward + backward counts 3.5×), --causal halves both. \
            With --iterations 1 nothing is warmed up and no N×N buffer exists, so peak_rss_mib shows the O(N) footprint.
            """
    )

    @Option(help: "Batch size B.") var batch: Int = 1
    @Option(help: "Query (and key/value) heads H.") var heads: Int = 8
    @Option(help: "Sequence length N (L = S = N).") var seq: Int = 1024
    @Option(name: .customLong("head-dim"), help: "Head dimension E.") var headDim: Int = 64
    @Flag(help: "Causal mask (upper-left, as PyTorch's is_causal).") var causal = false
    @Flag(help: "Time forward + backward (gradients of query, key and value).") var backward = false
    @Option(help: "Threads to use.") var threads: Int = 1
    @Option(help: "Timed runs (after one untimed warm-up run when more than 1).") var iterations: Int = 10
    @Option(help: "Implementation: automatic, fused or reference.") var path: String = "automatic"
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        for (name, value) in [("--batch", batch), ("--heads", heads), ("--seq", seq), ("--head-dim", headDim),
                              ("--threads", threads), ("--iterations", iterations)] where value <= 0 {
            throw ValidationError("\(name) must be positive, got \(value)")
        }
        guard AttentionPath(rawValue: path) != nil else {
            throw ValidationError("--path must be one of \(AttentionPath.allCases.map(\.rawValue).joined(separator: ", ")), got \(path)")
        }
    }

    func run() throws {
        let report = try AttentionBenchmark(batch: batch, heads: heads, seq: seq, headDim: headDim, causal: causal,
                                            backward: backward, threads: threads, iterations: iterations,
                                            path: AttentionPath(rawValue: path)!).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("attention B\(batch) H\(heads) N\(seq) E\(headDim)\(causal ? " causal" : "")\(backward ? " fwd+bwd" : " fwd"), "
                  + "\(threads) thread(s), \(report.path) path, kernel \(report.kernel): median \(String(format: "%.3f", report.median_ms)) ms, "
                  + "\(String(format: "%.1f", report.gflops)) GFLOP/s, peak RSS \(String(format: "%.1f", report.peak_rss_mib)) MiB "
                  + "(checked, max |error| \(report.max_abs_error))")
        }
    }
}
