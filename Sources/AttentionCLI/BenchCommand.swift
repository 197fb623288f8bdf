import ArgumentParser
import Attention
import Bench
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that check their result before timing it.",
        subcommands: [GEMMCommand.self, BenchAttentionCommand.self, BenchEncoderLayerCommand.self]
    )
}

struct GEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Single-precision matrix product C = A·B with M = N = K = size.",
        discussion: """
            Checks 512 sampled entries of C against Float64 dot products, then reports the median of the timed runs.
            GFLOP/s = 2·size³ / median time. `kernel` names the CPU path the C kernels dispatched to.
            """
    )

    @Option(help: "Matrix size (M = N = K).") var size: Int = 1024
    @Option(help: "Threads to use.") var threads: Int = 1
    @Option(help: "Timed runs (after 2 untimed warm-up runs).") var iterations: Int = 20
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
        guard threads > 0 else { throw ValidationError("--threads must be positive, got \(threads)") }
        guard iterations > 0 else { throw ValidationError("--iterations must be positive, got \(iterations)") }
    }

    func run() throws {
        let report = try GEMMBenchmark(size: size, threads: threads, iterations: iterations).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("gemm \(size)³, \(threads) thread(s), kernel \(report.kernel): median \(String(format: "%.3f", report.median_ms)) ms, "
                  + "\(String(format: "%.1f", report.gflops)) GFLOP/s (checked \(report.checked_entries) entries, max |error| \(report.max_abs_error))")
        }
    }
}
