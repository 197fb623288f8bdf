import ArgumentParser
import Attention
import AttentionBench
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

    @Option(help: "Batch size B (1...4096).") var batch: Int = 1
    @Option(help: "Query (and key/value) heads H (1...1024).") var heads: Int = 8
    @Option(help: "Sequence length N (L = S = N; 1...1048576).") var seq: Int = 1024
    @Option(name: .customLong("head-dim"), help: "Head dimension E (1...1024).") var headDim: Int = 64
    @Flag(help: "Causal mask (upper-left, as PyTorch's is_causal).") var causal = false
    @Flag(help: "Time forward + backward (gradients of query, key and value).") var backward = false
    @Option(help: "Threads to use (1...256).") var threads: Int = 1
    @Option(help: "Timed runs (after one untimed warm-up run when more than 1; 1...10000).") var iterations: Int = 10
    @Option(help: "Implementation: automatic, fused or reference.") var path: String = "automatic"
    @OptionGroup var kernelPath: KernelPathOption
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        try Bounds.check([("--batch", batch, 1...4096), ("--heads", heads, 1...1024), ("--seq", seq, 1...1_048_576),
                          ("--head-dim", headDim, 1...1024), ("--threads", threads, 1...256), ("--iterations", iterations, 1...10_000)])
        guard let chosen = AttentionPath(rawValue: path) else {
            throw ValidationError("--path must be one of \(AttentionPath.allCases.map(\.rawValue).joined(separator: ", ")), got \(path)")
        }
        // q, k, v, output (and the output gradient and three input gradients), plus the [B, H, N, N] scores (and
        // their gradient) on any path that may materialise them.
        let bhn = Double(batch) * Double(heads) * Double(seq)
        let scores = chosen != .reference ? 0 : bhn * Double(seq) * (backward ? 2 : 1)
        try Bounds.checkMemory(floats: bhn * Double(headDim) * (backward ? 8 : 4) + scores,
                               what: "bench attention --batch \(batch) --heads \(heads) --seq \(seq) --head-dim \(headDim)\(chosen == .reference ? " --path reference" : "")")
    }

    func run() throws {
        let report: AttentionBenchmark.Report
        try kernelPath.apply()
        do {
            report = try AttentionBenchmark(batch: batch, heads: heads, seq: seq, headDim: headDim, causal: causal,
                                            backward: backward, threads: threads, iterations: iterations,
                                            path: AttentionPath(rawValue: path)!).run()
        } catch { throw CLIError.data("\(error)") }
        if json {
            Output.line(try sortedJSON(report))
        } else {
            Output.line("attention B\(batch) H\(heads) N\(seq) E\(headDim)\(causal ? " causal" : "")\(backward ? " fwd+bwd" : " fwd"), "
                  + "\(threads) thread(s), \(report.path) path, kernel \(report.kernel): median \(String(format: "%.3f", report.median_ms)) ms, "
                  + "\(String(format: "%.1f", report.gflops)) GFLOP/s, peak RSS \(String(format: "%.1f", report.peak_rss_mib)) MiB "
                  + "(checked, max |error| \(report.max_abs_error))")
        }
    }
}
