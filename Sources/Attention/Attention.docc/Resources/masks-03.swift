import Attention
import Foundation
import AttentionVisualization

// Five tokens of a sentence attending to each other (self-attention): queries, keys and values [L = S = 5, E = 4].
var rng = RandomGenerator(seed: 7)
let x = Tensor.randomNormal([5, 4], dtype: .float64, using: &rng)

/// Prints the weights of self-attention over `x` under `mask` and returns their rows.
func show(_ title: String, _ x: Tensor, _ mask: AttentionMask) -> [[Double]] {
    let (_, weights) = attend(query: x, key: x, value: x, mask: mask)
    print(title)
    let rows = weights.doubles.chunked(5)
    for row in rows { print(row.map { String(format: "%.2f", $0) }.joined(separator: " ")) }
    return rows
}

let masks: [(String, AttentionMask)] = [
    ("no mask", .none),
    // Causal: token i sees tokens 0…i only — what a language model needs, so that no word sees the future.
    ("causal", .causal(.upperLeft)),
    // Padding: a batch pads short sentences; here only the first 3 keys are real, so columns 3 and 4 get weight 0.
    ("key padding, length 3", .keyPadding(lengths: [3])),
    // Sliding window: each token sees one neighbour on each side (local attention, O(N·w) instead of O(N²)).
    ("sliding window ±1", .slidingWindow(left: 1, right: 1, alignment: .upperLeft)),
]
var picture: [[Double]] = [], labels: [String] = []
for (title, mask) in masks {
    let rows = show(title, x, mask)
    picture += rows
    labels += rows.indices.map { "\(title): query \($0)" }
}

// Masks combine with &&. A causal mask over keys of which only the last 2 are real leaves the first three query
// rows with no key at all. Their softmax would be 0/0; here such a row gives weights 0 and output 0, never NaN.
let allowed = BoolTensor(shape: [1, 5], values: [false, false, false, true, true])
let (output, weights) = attend(query: x, key: x, value: x, mask: .causal(.upperLeft) && .boolean(allowed))
print("fully masked rows: weights", weights.doubles.prefix(15).allSatisfy { $0 == 0 } ? "0" : "not 0",
      "output", output.doubles.prefix(12).allSatisfy { $0 == 0 } ? "0" : "not 0",
      "NaN anywhere:", output.doubles.contains { $0.isNaN })

// All four patterns in one picture: a block of five query rows per mask, dark where the weight is 0.
let heatmap = try Heatmap(picture, rowLabels: labels, columnLabels: (0..<5).map { "key \($0)" },
                          title: "Four masks over five tokens", range: 0...1)
try heatmap.write(to: URL(fileURLWithPath: "masks.png"), cellSize: 26)
print("wrote masks.png")

extension Array {
    func chunked(_ n: Int) -> [[Element]] { stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min($0 + n, count)]) } }
}
