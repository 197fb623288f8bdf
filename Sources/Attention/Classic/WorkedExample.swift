/// The worked example of seed 001 ("Bonjour le monde" → "Hello"), computed with the library's own scorers.
///
/// Encoder states h₁ = [1.0, 0.5] "Bonjour", h₂ = [0.8, 1.2] "le", h₃ = [0.2, 1.5] "monde" serve as keys and values;
/// the decoder state s₀ = [0.8, 0.3] is the query. With dot scoring: e = [0.95, 1.00, 0.61],
/// α = softmax(e) = [0.3619, 0.3805, 0.2576], context c = Σ αᵢhᵢ = [0.7178, 1.0239]. The article prints
/// [0.716, 1.026] because it multiplies its weights rounded to [0.36, 0.38, 0.26].
public enum WorkedExample {
    /// The source words, one per encoder state.
    public static let words = ["Bonjour", "le", "monde"]
    /// h₁, h₂, h₃: the keys and values, [S = 3][2].
    public static let encoderStates: [[Double]] = [[1.0, 0.5], [0.8, 1.2], [0.2, 1.5]]
    /// s₀: the query, [2].
    public static let decoderState: [Double] = [0.8, 0.3]
    /// The weights as the article rounds them, and the context it derives from them.
    public static let articleWeights: [Double] = [0.36, 0.38, 0.26]
    /// The context [2] the article derives from `articleWeights`.
    public static let articleContext: [Double] = [0.716, 1.026]

    /// One attention step: scores → weights → context.
    public struct Step: Sendable, Codable {
        /// The scorer's name (`"dot"`, `"scaled-dot"`, `"additive"`).
        public let scorer: String
        /// The score formula, as printed.
        public let formula: String
        /// The scores e, one per source word [3].
        public let scores: [Double]
        /// α = softmax(e) [3]; sums to 1.
        public let weights: [Double]
        /// c = Σ αᵢhᵢ [2].
        public let context: [Double]
    }

    /// Keys/values [S = 3, 2] and query [L = 1, 2], in Float64 so printed digits are exact.
    static var keys: Tensor { Tensor(shape: [3, 2], doubles: encoderStates.flatMap { $0 }) }
    static var query: Tensor { Tensor(shape: [1, 2], doubles: decoderState) }

    /// Runs one step with `scorer`.
    public static func step(_ scorer: some AttentionScoring, name: String, formula: String) -> Step {
        let scores = scorer.scores(query: query, key: keys)               // [1, 3]
        let weights = attentionWeights(scores: scores)                     // [1, 3]
        let context = softAttention(weights: weights, values: keys)        // [1, 2]
        return Step(scorer: name, formula: formula, scores: scores.doubles, weights: weights.doubles, context: context.doubles)
    }

    /// Dot-product scoring eᵢ = s₀ · hᵢ (the article's choice).
    public static func dot() -> Step { step(DotScore(), name: "dot", formula: "e_i = s0 · h_i") }

    /// Scaled dot product eᵢ = s₀ · hᵢ / √2.
    public static func scaledDot() -> Step {
        step(ScaledDotScore(), name: "scaled-dot", formula: "e_i = s0 · h_i / √2")
    }

    /// Additive (Bahdanau) scoring eᵢ = vᵀ tanh(Wa·s₀ + Ua·hᵢ) with the illustrative weights Wa = Ua = I, v = [1, 1]
    /// (a trained model learns them).
    public static func additive() -> Step {
        let identity = Tensor(shape: [2, 2], doubles: [1, 0, 0, 1])
        let scorer = AdditiveScore(queryWeight: identity, keyWeight: identity, vector: Tensor(shape: [2], doubles: [1, 1]))
        return step(scorer, name: "additive", formula: "e_i = vᵀ tanh(Wa·s0 + Ua·h_i), Wa = Ua = I, v = [1, 1]")
    }
}
