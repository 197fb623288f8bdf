import Attention
import Foundation
import Testing

/// `--isa`, `ATTENTION_ISA` and `bench peak`, end to end: the path asked for is the path measured, and a path the
/// CPU cannot run is a usage error (exit 64) naming it, never a silent fallback.
@Suite struct KernelPathTests {
    @Test("Every bench command runs on every path this CPU supports and reports that path",
          arguments: CPUKernels.supportedPaths)
    func benchOnEachPath(_ path: CPUKernels.Path) throws {
        for arguments in [["bench", "gemm", "--size", "48", "--iterations", "1"],
                          ["bench", "attention", "--seq", "40", "--heads", "2", "--head-dim", "16", "--iterations", "1"],
                          ["bench", "encoder-layer", "--batch", "1", "--seq", "8", "--dim", "32", "--heads", "4", "--feed-forward", "64", "--iterations", "1"]] {
            let r = try CLI.run(arguments + ["--isa", path.rawValue, "--json"])
            #expect(r.status == 0, "\(arguments): \(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            #expect(object["kernel"] as? String == path.rawValue, "\(arguments)")
            // The same path chosen through the environment instead.
            let e = try CLI.run(arguments + ["--json"], environment: ["ATTENTION_ISA": path.rawValue])
            #expect(e.status == 0, "\(arguments): \(e.stderr)")
            let fromEnvironment = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
            #expect(fromEnvironment["kernel"] as? String == path.rawValue, "ATTENTION_ISA \(arguments)")
        }
    }

    @Test func peakMeasuresEverySupportedPath() throws {
        let r = try CLI.run(["bench", "peak", "--steps", "20000", "--iterations", "1", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == CPUKernels.supportedPaths.count)
        for (line, path) in zip(lines, CPUKernels.supportedPaths) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["kernel"] as? String == path.rawValue)
            #expect(object["benchmark"] as? String == "peak")
            #expect((object["gflops"] as! Double) > 0 && (object["gflops_per_core"] as! Double) > 0)
            #expect(object["flops_per_step"] as? Int == CPUKernels.flopsPerStep(path))
        }
    }

    @Test("Unknown or unsupported paths are usage errors naming the value", arguments: [
        (["bench", "gemm", "--size", "16", "--isa", "sse9"], [:], "sse9"),
        (["bench", "peak", "--isa", "avx"], [:], "avx"),
        (["bench", "gemm", "--size", "16"], ["ATTENTION_ISA": "bogus"], "ATTENTION_ISA=bogus"),
        (["demo"], ["ATTENTION_ISA": "AVX2"], "ATTENTION_ISA=AVX2"),
    ] as [([String], [String: String], String)])
    func badPaths(_ arguments: [String], _ environment: [String: String], _ named: String) throws {
        let r = try CLI.run(arguments, environment: environment)
        #expect(r.status == 64)
        #expect(r.stderr.contains(named), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func unsupportedPathsAreRefused() throws {
        for path in CPUKernels.Path.allCases where !path.isSupported {
            let flag = try CLI.run(["bench", "gemm", "--size", "16", "--isa", path.rawValue])
            #expect(flag.status == 64 && flag.stderr.contains("does not support"), "\(flag.stderr)")
            let env = try CLI.run(["demo"], environment: ["ATTENTION_ISA": path.rawValue])
            #expect(env.status == 64 && env.stderr.contains("does not support"), "\(env.stderr)")
        }
    }
}
