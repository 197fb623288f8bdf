import Attention

// Why √E: with unit-variance entries, qᵀk has variance E, so unscaled scores spread further apart as E
// grows and the softmax saturates — nearly all weight on one key, and gradients that vanish for the others.
// Measured here: the largest weight over S = 16 keys, averaged over 200 random queries, for growing E.
var rng = RandomGenerator(seed: 42)
let s = 16, trials = 200
print("   E   largest weight (dot)   largest weight (scaled dot)")
for e in [4, 16, 64, 256, 1024] {
    var plain = 0.0, scaled = 0.0
    for _ in 0..<trials {
        let q = Tensor.randomNormal([1, e], dtype: .float64, using: &rng)
        let k = Tensor.randomNormal([s, e], dtype: .float64, using: &rng)
        plain += attentionWeights(scores: DotScore().scores(query: q, key: k)).doubles.max()!
        scaled += attentionWeights(scores: ScaledDotScore().scores(query: q, key: k)).doubles.max()!
    }
    print(String(format: "%4d   %20.3f   %27.3f", e, plain / Double(trials), scaled / Double(trials)))
}
