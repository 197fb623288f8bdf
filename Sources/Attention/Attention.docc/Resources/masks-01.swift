import Attention

// Five tokens of a sentence attending to each other (self-attention): queries, keys and values [L = S = 5, E = 4].
var rng = RandomGenerator(seed: 7)
let x = Tensor.randomNormal([5, 4], dtype: .float64, using: &rng)

// Without a mask every token sees every token: each row of weights spreads over all five columns.
let (_, open) = attend(query: x, key: x, value: x)
print("no mask")
for row in open.doubles.chunked(5) { print(row.map { String(format: "%.2f", $0) }.joined(separator: " ")) }

extension Array {
    func chunked(_ n: Int) -> [[Element]] { stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min($0 + n, count)]) } }
}
