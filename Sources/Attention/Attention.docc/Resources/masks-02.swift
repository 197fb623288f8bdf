import Attention

// Five tokens of a sentence attending to each other (self-attention): queries, keys and values [L = S = 5, E = 4].
var rng = RandomGenerator(seed: 7)
let x = Tensor.randomNormal([5, 4], dtype: .float64, using: &rng)

/// Prints the weights of self-attention over `x` under `mask`.
func show(_ title: String, _ x: Tensor, _ mask: AttentionMask) {
    let (_, weights) = attend(query: x, key: x, value: x, mask: mask)
    print(title)
    for row in weights.doubles.chunked(5) { print(row.map { String(format: "%.2f", $0) }.joined(separator: " ")) }
}

show("no mask", x, .none)
// Causal: token i sees tokens 0…i only — what a language model needs, so that no word sees the future.
show("causal", x, .causal(.upperLeft))
// Padding: a batch pads short sentences; here only the first 3 keys are real, so columns 3 and 4 get weight 0.
show("key padding, length 3", x, .keyPadding(lengths: [3]))
// Sliding window: each token sees one neighbour on each side (local attention, O(N·w) instead of O(N²)).
show("sliding window ±1", x, .slidingWindow(left: 1, right: 1, alignment: .upperLeft))

extension Array {
    func chunked(_ n: Int) -> [[Element]] { stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min($0 + n, count)]) } }
}
