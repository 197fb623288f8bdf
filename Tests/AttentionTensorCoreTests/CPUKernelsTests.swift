import Testing
@testable import AttentionTensorCore

/// The kernel-path API and the FMA peak probe's arithmetic (its speed is measured by `attention bench peak`, never here).
@Suite struct CPUKernelsTests {
    @Test func supportedPathsIncludeTheActiveOneAndScalar() {
        #expect(CPUKernels.supportedPaths.contains(.scalar))
        #expect(CPUKernels.supportedPaths.contains(CPUKernels.active))
        #expect(CPUKernels.activePath == CPUKernels.active.rawValue)
        #if arch(x86_64)
        #expect(!CPUKernels.Path.neon.isSupported)
        #elseif arch(arm64)
        #expect(CPUKernels.Path.neon.isSupported && !CPUKernels.Path.avx2.isSupported)
        #endif
    }

    @Test func environmentProblemsNameTheValue() {
        #expect(CPUKernels.environmentProblem([:]) == nil)
        #expect(CPUKernels.environmentProblem(["ATTENTION_ISA": "auto"]) == nil)
        #expect(CPUKernels.environmentProblem(["ATTENTION_ISA": "scalar"]) == nil)
        #expect(CPUKernels.environmentProblem(["ATTENTION_ISA": "avx"])?.contains("ATTENTION_ISA=avx is not a kernel path") == true)
        #expect(CPUKernels.environmentProblem(["ATTENTION_ISA": ""])?.contains("not a kernel path") == true)
        for path in CPUKernels.Path.allCases where !path.isSupported {
            #expect(CPUKernels.environmentProblem(["ATTENTION_ISA": path.rawValue])?.contains("does not support") == true)
        }
    }

    /// a ← fma(a, m, c) from 0.1, m = 0.9999999, c = 1e-7, summed over the chains × lanes: the probe computes what
    /// its flop count claims. Each lane after n steps, by hand: the recurrence in single precision.
    @Test(arguments: CPUKernels.supportedPaths)
    func peakProbeComputesItsRecurrence(_ path: CPUKernels.Path) {
        let m: Float = 0.9999999, c: Float = 1e-7
        for steps in [0, 1, 7, 1000] {
            var fused: Float = 0.1, separate: Float = 0.1
            for _ in 0..<steps { fused = c.addingProduct(fused, m); separate = separate * m + c }
            let lanes = Double(CPUKernels.flopsPerStep(path) / 2)
            let got = CPUKernels.peakProbe(path, steps: steps)!
            let ok = [fused, separate].contains { Swift.abs(got - Double($0) * lanes) <= 1e-5 * Double($0) * lanes }
            #expect(ok, "\(path) after \(steps) steps: \(got), expected \(Double(fused) * lanes)")
        }
        #expect(CPUKernels.flopsPerStep(path) >= 24)
    }

    @Test func unsupportedPathsAreNotProbed() {
        for path in CPUKernels.Path.allCases where !path.isSupported {
            #expect(CPUKernels.peakProbe(path, steps: 10) == nil)
            #expect(!CPUKernels.force(path))
        }
        #expect(CPUKernels.active.isSupported)
    }
}
