import Attention
import Foundation
import AttentionVisualization

// Self-attention: queries, keys and values are all projections of the same tokens X [B = 1, L = 6, D = 16].
var rng = RandomGenerator(seed: 11)
let x = Tensor.randomNormal([1, 6, 16], using: &rng)

// Multi-head attention splits D = 16 into 4 heads of 4: each head projects X its own way, attends on its own, and
// the heads' outputs are concatenated and projected back to D.
let attention = MultiHeadAttention(MultiHeadAttention.Configuration(embedDim: 16, numHeads: 4), rng: &rng)
let (output, weights) = attention(query: x, key: x, value: x, weights: .perHead)
print("output", output.shape, "weights", weights!.shape)    // [1, 6, 16] and [B, H, L, S] = [1, 4, 6, 6]

// Every head has its own distribution over the same tokens: draw them side by side, one block of rows per head.
let perHead = weights!.reshaped([4, 6, 6]).doubles
var rows: [[Double]] = [], labels: [String] = []
for h in 0..<4 {
    for i in 0..<6 {
        rows.append(Array(perHead[(h * 36 + i * 6)..<(h * 36 + i * 6 + 6)]))
        labels.append("head \(h), token \(i)")
    }
}
let picture = try Heatmap(rows, rowLabels: labels, columnLabels: (0..<6).map { "token \($0)" },
                          title: "Four heads, one sentence", range: 0...1)
try picture.write(to: URL(fileURLWithPath: "multi-head.png"), cellSize: 24)
print("wrote multi-head.png")

// Self-attention has no notion of order: shuffle the tokens and each output row moves with its token, unchanged.
let order = [3, 0, 5, 1, 4, 2]
let shuffled = x.indexSelect(axis: 1, order)
let (moved, _) = attention(query: shuffled, key: shuffled, value: shuffled)
let expected = output.indexSelect(axis: 1, order).doubles
let difference = zip(moved.doubles, expected).map { abs($0 - $1) }.max()!
print("shuffled tokens: largest change of an output row, after following its token:", String(format: "%.1e", difference))
