import Attention
import Foundation
import AttentionVisualization

// The encoder states of seed 001, one row per French word: keys and values [S = 3, E = 2].
let words = ["Bonjour", "le", "monde"]
let states = Tensor(shape: [3, 2], doubles: [1.0, 0.5,    // h1 "Bonjour"
                                             0.8, 1.2,    // h2 "le"
                                             0.2, 1.5])   // h3 "monde"
// The decoder state that is about to write "Hello": the query [L = 1, E = 2].
let query = Tensor(shape: [1, 2], doubles: [0.8, 0.3])

// 1. Scores: how well the query matches each key, e_i = s0 · h_i.
let scores = DotScore().scores(query: query, key: states)       // [1, 3]
print("scores ", scores.doubles.map { String(format: "%.4f", $0) })

// 2. The attention distribution: a softmax over the keys, α_i = exp(e_i) / Σ_j exp(e_j).
let weights = attentionWeights(scores: scores)                  // [1, 3], sums to 1
print("weights", weights.doubles.map { String(format: "%.4f", $0) })

// 3. The context: the weighted average of the values, c = Σ_i α_i h_i.
let context = softAttention(weights: weights, values: states)   // [1, 2]
print("context", context.doubles.map { String(format: "%.4f", $0) })

// The article multiplies weights it has rounded to two places, so its context differs in the third digit.
let rounded = Tensor(shape: [1, 3], doubles: [0.36, 0.38, 0.26])
print("context from rounded weights", softAttention(weights: rounded, values: states).doubles.map { String(format: "%.4f", $0) })

// 4. The picture: one row per query, one column per key, the weight in each cell.
let picture = try Heatmap(weights, rowLabels: ["Hello"], columnLabels: words,
                          title: "Where \"Hello\" looks", range: 0...1)
try picture.write(to: URL(fileURLWithPath: "weighted-average.png"), cellSize: 48)
print("wrote weighted-average.png")
