import AttentionLayers
import AttentionTensorCore

/// Attention pooling: a learned query scores every token state, a softmax over the real (unpadded) tokens turns the
/// scores into weights, and the weighted average of the states summarises the sequence — the "attention focuses on
/// the words that carry the sentiment" of the seeds' text classifiers.
///
///     scaled dot:  e_i = qᵀ h_i / √D                     q: a learned vector [D]
///     additive:    e_i = vᵀ tanh(W q + b + U h_i + c)     (``BahdanauAttention`` with the learned q as its query)
///     α = softmax(e) over i < length,   pooled = Σ_i α_i h_i
///
/// Shapes: keys h [B, S, D], values [B, S, Dv] (by default the keys), lengths [B] → (pooled [B, Dv], weights [B, S]);
/// padded positions get weight 0, and a sequence of length 0 gets weights 0 and pooled 0 (a fully masked row).
/// Scoring other vectors than the ones averaged (e.g. the words themselves while averaging their states in context)
/// decides what the weights can depend on.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let pool = AttentionPooling(dimension: 64, scorer: .additive, rng: &rng)
/// let (summary, weights) = pool(states, lengths: [7, 4])   // [2, 64], [2, S]
/// ```
public final class AttentionPooling: Module {
    public enum Scorer: String, Sendable, CaseIterable {
        case additive, scaledDot = "scaled-dot"
    }

    public let scorer: Scorer
    /// q [D].
    public let query: Parameter
    /// The additive scorer's W, U and v (nil for scaled dot).
    public let additive: BahdanauAttention?

    public init(dimension: Int, scorer: Scorer, attentionSize: Int? = nil, rng: inout RandomGenerator) {
        precondition(dimension > 0, "AttentionPooling: dimension must be positive, got \(dimension)")
        self.scorer = scorer
        query = Parameter(Tensor.randomNormal([dimension], standardDeviation: 1 / Double(dimension).squareRoot(), using: &rng))
        additive = scorer == .additive
            ? BahdanauAttention(queryDim: dimension, keyDim: dimension, hiddenSize: attentionSize ?? dimension, rng: &rng) : nil
    }

    override public var ownParameters: [(String, Parameter)] { [("query", query)] }
    override public var children: [(String, Module)] { additive.map { [("additive", $0)] } ?? [] }

    public var dimension: Int { query.value.shape[0] }

    public func callAsFunction(_ states: Tensor, lengths: [Int]) -> (pooled: Tensor, weights: Tensor) {
        callAsFunction(keys: states, values: states, lengths: lengths)
    }

    public func callAsFunction(keys: Tensor, values: Tensor, lengths: [Int]) -> (pooled: Tensor, weights: Tensor) {
        precondition(keys.rank == 3 && keys.shape[2] == dimension,
                     "AttentionPooling: keys must be [B, S, \(dimension)], got \(keys.shape)")
        let (b, s, d) = (keys.shape[0], keys.shape[1], dimension)
        precondition(values.rank == 3 && values.shape[0] == b && values.shape[1] == s,
                     "AttentionPooling: values \(values.shape) must be [B, S, Dv] with the keys' B and S \(keys.shape)")
        precondition(lengths.count == b && lengths.allSatisfy { (0...s).contains($0) },
                     "AttentionPooling: lengths \(lengths) do not fit keys \(keys.shape)")
        if let additive {
            let q = query.value.reshaped([1, d]).expanded(to: [b, d])
            let (context, weights) = additive(query: q, keys: keys, values: values, lengths: lengths)
            return (context, weights)
        }
        let scale = 1 / Double(d).squareRoot()
        let scores = keys.matmul(query.value.reshaped([d, 1])).reshaped([b, 1, s]) * scale     // [B, 1, S]
        let weights = attentionWeights(scores: scores, mask: .keyPadding(lengths: lengths))    // [B, 1, S]
        let pooled = weights.matmul(values).reshaped([b, values.shape[2]])                     // [B, Dv]
        return (pooled, weights.reshaped([b, s]))
    }
}
