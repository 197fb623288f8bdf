import ArgumentParser
import AttentionBench
import Foundation
import Attention

/// `--isa` of every bench command: the kernel path to measure.
struct KernelPathOption: ParsableArguments {
    @Option(name: .customLong("isa"), help: "Kernel path: auto, scalar, avx2, avx512 or neon (auto: ATTENTION_ISA, else the best this CPU has).")
    var isa: String = "auto"

    /// The chosen path, nil for auto.
    func path() throws -> CPUKernels.Path? { try Self.path(named: isa) }

    /// The path `isa` names (nil for auto), or a usage error naming the value and the choices.
    static func path(named isa: String) throws -> CPUKernels.Path? {
        if isa == "auto" { return nil }
        guard let path = CPUKernels.Path(rawValue: isa) else {
            throw ValidationError("--isa must be auto, scalar, avx2, avx512 or neon, got \(isa)")
        }
        guard path.isSupported else {
            throw ValidationError("--isa \(isa): this CPU does not support that path (it supports \(CPUKernels.supportedPaths.map(\.rawValue).joined(separator: ", ")))")
        }
        return path
    }

    func validate() throws { _ = try path() }

    /// Switches the kernels to the chosen path before anything is measured.
    func apply() throws {
        if let path = try path() { CPUKernels.force(path) }
    }
}

struct BenchPeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peak",
        abstract: "This core's FMA peak on each kernel path (register-only FMA chains, no memory traffic).",
        discussion: """
            Each path runs 12 independent FMA chains of full vectors (NEON: 16) for --steps steps on each of --threads \
            threads at once, after a short run whose checksum is compared with the same recurrence computed in Swift. \
            GFLOP/s count an FMA as 2 operations; gflops_per_core is the best run divided by the threads. Without \
            --isa every path this CPU supports is measured, one JSON line each with --json. The scalar path is the \
            portable C as built (a multiply and an add, possibly vectorised by the compiler), not a property of the core.
            """
    )

    @Option(name: .customLong("isa"), help: "Kernel path to measure: all, scalar, avx2, avx512 or neon.") var isa: String = "all"
    @Option(help: "Threads running the probe at once (1...256).") var threads: Int = 1
    @Option(help: "Timed runs (after one untimed warm-up run; 1...10000).") var iterations: Int = 5
    @Option(help: "FMA steps per run on each thread (1000...10000000000).") var steps: Int = 20_000_000
    @Flag(help: "Print one JSON line per path.") var json = false

    func paths() throws -> [CPUKernels.Path] {
        if isa == "all" { return CPUKernels.supportedPaths }
        return [try KernelPathOption.path(named: isa) ?? CPUKernels.active]
    }

    func validate() throws {
        try Bounds.check([("--threads", threads, 1...256), ("--iterations", iterations, 1...10_000), ("--steps", steps, 1000...10_000_000_000)])
        if isa != "all", isa != "auto" { _ = try paths() }
    }

    func run() throws {
        for path in try paths() {
            let report: PeakBenchmark.Report
            do { report = try PeakBenchmark(path: path, threads: threads, iterations: iterations, steps: steps).run() } catch {
                throw CLIError.data("\(error)")
            }
            if json {
                Output.line(try sortedJSON(report))
            } else {
                Output.line("peak \(path.rawValue), \(threads) thread(s): \(String(format: "%.1f", report.gflops)) GFLOP/s (median), "
                      + "\(String(format: "%.1f", report.gflops_per_core)) GFLOP/s per core (best of \(iterations); checked)")
            }
        }
    }
}
