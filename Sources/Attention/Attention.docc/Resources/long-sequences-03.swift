import Attention
import Foundation

// Every query scores every key: for one head of width E, N tokens cost 4·N²·E operations (two products of
// N × N × E) and, done plainly, an N × N matrix of weights. Doubling N quadruples both.
print("     N   GFLOP per head   N×N weights (Float32)")
for n in [1024, 4096, 16384, 65536] {
    let flops = 4 * Double(n) * Double(n) * 64
    let bytes = 4 * Double(n) * Double(n)
    print(String(format: "%6d   %14.2f   %12.0f MiB", n, flops / 1e9, bytes / 1_048_576))
}

/// The process's peak resident memory so far, in MiB.
func peakMiB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024          // kilobytes on Linux
    #else
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / 1_048_576     // bytes on macOS
    #endif
}

// The fused kernels (FlashAttention) never build that matrix: they walk the keys in blocks, keeping a running
// maximum and sum per query row (the online softmax), so memory grows with N, not N². Watch the peak memory of
// this process while N grows 16-fold: it grows by the inputs and outputs only (4 tensors of N × 64 floats).
var rng = RandomGenerator(seed: 0)
for n in [1024, 4096, 16384] {
    let q = Tensor.randomNormal([1, 1, n, 64], using: &rng)
    let k = Tensor.randomNormal([1, 1, n, 64], using: &rng)
    let v = Tensor.randomNormal([1, 1, n, 64], using: &rng)
    let start = Date()
    let (out, _) = scaledDotProductAttention(query: q, key: k, value: v, path: .fused)
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "fused   N = %5d: %.3f s, peak memory %6.1f MiB, output %@", n, seconds, peakMiB(), out.shape.description))
}

// The plain reference builds the N × N scores and weights: at N = 4096, 64 MiB each; the answer is the same
// to Float32 rounding. (It runs last because peak memory only ever grows.)
let n = 4096
let q = Tensor.randomNormal([1, 1, n, 64], using: &rng)
let k = Tensor.randomNormal([1, 1, n, 64], using: &rng)
let v = Tensor.randomNormal([1, 1, n, 64], using: &rng)
let fused = scaledDotProductAttention(query: q, key: k, value: v, path: .fused).output.doubles
let before = peakMiB()
let plain = scaledDotProductAttention(query: q, key: k, value: v, path: .reference).output.doubles
let difference = zip(fused, plain).map { abs($0 - $1) }.max()!
print(String(format: "reference N = %d: peak memory %.1f → %.1f MiB; largest |fused − reference| = %.1e", n, before, peakMiB(), difference))
