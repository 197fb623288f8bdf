import Attention
import Foundation
import AttentionVisualization

// Attention by itself is order-blind: permuting the keys permutes nothing in the result but the weights' order.
// The Transformer adds a position code to each token. The sinusoidal table of "Attention Is All You Need":
// PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(p / 10000^(2i/D)) — [L = 48 positions, D = 32].
let table = PositionalEncoding.sinusoidal(length: 48, dimension: 32, dtype: .float64)
// Low dimensions oscillate fast, high ones slowly: each position gets a distinct pattern, and PE[p + k] is a
// rotation of PE[p] for every pair of dimensions, so relative offsets are easy for a linear layer to read.
let picture = try Heatmap(table, title: "Sinusoidal positions: rows = positions 0…47, columns = dimensions 0…31", range: -1...1)
try picture.write(to: URL(fileURLWithPath: "sinusoidal-positions.png"), cellSize: 8)
print("wrote sinusoidal-positions.png")

// RoPE rotates q and k instead of adding to them: the score q·k then depends only on the offset between the
// two positions. Put the same query and key 3 positions apart, anywhere in the sequence: the score is the same.
var rng = RandomGenerator(seed: 1)
let q = Tensor.randomNormal([1, 8], dtype: .float64, using: &rng), k = Tensor.randomNormal([1, 8], dtype: .float64, using: &rng)
let rope = RotaryEmbedding(dimension: 8)
for start in [0, 10, 100] {
    let score = rope(q, offset: start + 3).matmul(rope(k, offset: start).transposed()).doubles[0]
    print(String(format: "RoPE: query at %3d, key at %3d: score %.6f", start + 3, start, score))
}
