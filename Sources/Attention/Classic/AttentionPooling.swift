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
    /// How the learned query scores each state. Raw values `"additive"` and `"scaled-dot"`.
    public enum Scorer: String, Sendable, CaseIterable {
        /// `additive`: a `BahdanauAttention` with the learned query (vᵀ tanh(W q + b + U h_i + c));
        /// `scaledDot`: qᵀ h_i / √D.
        case additive, scaledDot = "scaled-dot"
    }

    /// The scoring function chosen at initialisation.
    public let scorer: Scorer
    /// q [D].
    public let query: Parameter
    /// The additive scorer's W, U and v (nil for scaled dot).
    public let additive: BahdanauAttention?

    /// A pooling over states of `dimension` D features (D > 0, a precondition). q is drawn from N(0, 1/D); the
    /// additive scorer's hidden size is `attentionSize` (default D) and is ignored by `.scaledDot`. Float32 parameters.
    public init(dimension: Int, scorer: Scorer, attentionSize: Int? = nil, rng: inout RandomGenerator) {
        precondition(dimension > 0, "AttentionPooling: dimension must be positive, got \(dimension)")
        self.scorer = scorer
        query = Parameter(Tensor.randomNormal([dimension], standardDeviation: 1 / Double(dimension).squareRoot(), using: &rng))
        additive = scorer == .additive
            ? BahdanauAttention(queryDim: dimension, keyDim: dimension, hiddenSize: attentionSize ?? dimension, rng: &rng) : nil
    }

    /// q, as `"query"`.
    override public var ownParameters: [(String, Parameter)] { [("query", query)] }
    /// The additive scorer as `"additive"`, or nothing for `.scaledDot`.
    override public var children: [(String, Module)] { additive.map { [("additive", $0)] } ?? [] }

    /// D, the length of the learned query and the keys' last dimension.
    public var dimension: Int { query.value.shape[0] }

    /// Pools `states` [B, S, D] (scored and averaged) with `lengths` [B] (each in 0...S) → (pooled [B, D],
    /// weights [B, S]). Positions ≥ `lengths[b]` get weight 0; a length of 0 gives weights 0 and pooled 0. Padded
    /// positions are scored, then masked: a NaN anywhere in a row's states, padding included, makes its weights and
    /// pooled vector NaN (as PyTorch's softmax does), so pad with finite values.
    public func callAsFunction(_ states: Tensor, lengths: [Int]) -> (pooled: Tensor, weights: Tensor) {
        callAsFunction(keys: states, values: states, lengths: lengths)
    }

    /// Scores `keys` [B, S, D] and averages `values` [B, S, Dv] → (pooled [B, Dv], weights [B, S]); `lengths` [B],
    /// each in 0...S, marks the real positions (the rest get weight 0; a length of 0 gives weights 0 and pooled 0).
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
