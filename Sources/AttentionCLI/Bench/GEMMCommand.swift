import ArgumentParser
import Attention
import AttentionBench
import Foundation

struct GEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Single-precision matrix product C = A·B with M = N = K = size.",
        discussion: """
            Checks 512 sampled entries of C against Float64 dot products, then reports the median of the timed runs.
            GFLOP/s = 2·size³ / median time. `kernel` names the CPU path the C kernels dispatched to. With \
            --precision bf16 or int8, B is a linear layer's weight in that precision (the products `attention embed \
            --precision` runs: bf16 by vdpbf16ps where the CPU has AVX512_BF16, int8 by the int8 table of the path), \
            and the check uses the operands as rounded.
            """
    )

    @Option(help: "Matrix size (M = N = K; 1...16384).") var size: Int = 1024
    @Option(help: "Threads to use (1...256).") var threads: Int = 1
    @Option(help: "Timed runs (after 2 untimed warm-up runs; 1...10000).") var iterations: Int = 20
    @Option(help: "What the products compute in: fp32, bf16 or int8.") var precision: String = "fp32"
    @OptionGroup var kernelPath: KernelPathOption
    @Flag(help: "Print one JSON line.") var json = false

    func validate() throws {
        try Bounds.check([("--size", size, 1...16384), ("--threads", threads, 1...256), ("--iterations", iterations, 1...10_000)])
        guard InferencePrecision(rawValue: precision) != nil else {
            throw ValidationError("--precision: expected fp32, bf16 or int8, found '\(precision)'")
        }
        // A, B, C and the packed copies of A and B; bf16 and int8 also hold Bᵀ, the reduced weight and the check's
        // Float64 operands.
        try Bounds.checkMemory(floats: (precision == "fp32" ? 5 : 11) * Double(size) * Double(size),
                               what: "bench gemm --size \(size)")
    }

    func run() throws {
        let report: GEMMBenchmark.Report
        try kernelPath.apply()
        do {
            report = try GEMMBenchmark(size: size, threads: threads, iterations: iterations,
                                       precision: InferencePrecision(rawValue: precision)!).run()
        } catch {
            throw CLIError.data("\(error)")
        }
        if json {
            Output.line(try sortedJSON(report))
        } else {
            Output.line("gemm \(size)³ \(report.precision), \(threads) thread(s), kernel \(report.kernel): median \(String(format: "%.3f", report.median_ms)) ms, "
                  + "\(String(format: "%.1f", report.gflops)) \(report.precision == "int8" ? "GOP/s" : "GFLOP/s") (checked \(report.checked_entries) entries, max |error| \(report.max_abs_error))")
        }
    }
}
