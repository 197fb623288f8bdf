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
