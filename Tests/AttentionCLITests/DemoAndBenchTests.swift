import Foundation
import Testing

/// End-to-end: the `attention` executable as a user runs it.
@Suite(.serialized) struct DemoAndBenchTests {
    @Test func demoPrintsTheSeedNumbers() throws {
        let r = try CLI.run(["demo"])
        #expect(r.status == 0)
        // The seed's hand arithmetic: scores, weights to 4 decimals, context from the unrounded weights.
        for number in ["0.95", "1.00", "0.61", "0.3619", "0.3805", "0.2576", "0.7178", "1.0239", "[0.716, 1.026]"] {
            #expect(r.stdout.contains(number), "demo output lacks \(number)")
        }
    }

    @Test func demoJSONCarriesFullPrecision() throws {
        let r = try CLI.run(["demo", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let steps = object["steps"] as! [[String: Any]]
        #expect(steps.map { $0["scorer"] as! String } == ["dot", "scaled-dot", "additive"])
        let weights = steps[0]["weights"] as! [Double]
        // softmax([0.95, 1.00, 0.61]) computed by hand in Double.
        let e = [0.95, 1.00, 0.61].map { Foundation.exp($0) }, sum = e.reduce(0, +)
        for (w, x) in zip(weights, e) { #expect(Swift.abs(w - x / sum) < 1e-12) }
        let context = steps[0]["context"] as! [Double]
        #expect(Swift.abs(context[0] - (weights[0] * 1.0 + weights[1] * 0.8 + weights[2] * 0.2)) < 1e-12)
        #expect(Swift.abs(context[1] - (weights[0] * 0.5 + weights[1] * 1.2 + weights[2] * 1.5)) < 1e-12)
    }

    @Test func benchGemmReportsACheckedResult() throws {
        let r = try CLI.run(["bench", "gemm", "--size", "96", "--iterations", "3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect((object["gflops"] as! Double) > 0)
        #expect((object["median_ms"] as! Double) > 0)
        #expect(["avx512", "avx2", "neon", "scalar"].contains(object["kernel"] as! String))
        #expect((object["max_abs_error"] as! Double) < 1e-4)
    }

    /// The reduced-precision products, checked against their rounded operands before timing; the kernel names the
    /// variant that ran. Sizes past the 8-row / 2-panel tiles (97) take the tail paths.
    @Test(arguments: ["bf16", "int8"])
    func benchGemmReportsCheckedReducedPrecisionProducts(_ precision: String) throws {
        let r = try CLI.run(["bench", "gemm", "--size", "97", "--iterations", "2", "--precision", precision, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["precision"] as? String == precision)
        let kernel = object["kernel"] as! String
        if precision == "bf16" {
            #expect(kernel == "avx512bf16" || kernel.hasSuffix(", widened to fp32"))
        } else {
            #expect(["avx512vnni", "avxvnni", "avx2", "neon", "scalar"].contains(kernel))
        }
        #expect((object["max_abs_error"] as! Double) < 1e-3)
        #expect((object["gflops"] as! Double) > 0)
    }

    @Test("Bad arguments fail with a message on stderr", arguments: [
        ["bench", "gemm", "--size", "0"], ["bench", "gemm", "--threads", "-1"], ["bench", "gemm", "--size", "abc"], ["no-such-command"],
        ["bench", "gemm", "--precision", "fp16"],
    ])
    func badArguments(_ arguments: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status != 0)
        #expect(!r.stderr.isEmpty)
        #expect(r.stdout.isEmpty)
    }

    @Test func everySubcommandHasHelp() throws {
        for command in [["--help"], ["demo", "--help"], ["bench", "--help"], ["bench", "gemm", "--help"]] {
            let r = try CLI.run(command)
            #expect(r.status == 0)
            #expect(r.stdout.contains("USAGE"))
        }
    }
}
