import Attention

// Self-attention: queries, keys and values are all projections of the same tokens X [B = 1, L = 6, D = 16].
var rng = RandomGenerator(seed: 11)
let x = Tensor.randomNormal([1, 6, 16], using: &rng)

// Multi-head attention splits D = 16 into 4 heads of 4: each head projects X its own way, attends on its own, and
// the heads' outputs are concatenated and projected back to D.
let attention = MultiHeadAttention(MultiHeadAttention.Configuration(embedDim: 16, numHeads: 4), rng: &rng)
let (output, weights) = attention(query: x, key: x, value: x, weights: .perHead)
print("output", output.shape, "weights", weights!.shape)    // [1, 6, 16] and [B, H, L, S] = [1, 4, 6, 6]
