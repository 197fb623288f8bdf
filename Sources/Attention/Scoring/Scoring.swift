/// Attention scoring functions: how well each query matches each key.
///
/// Shape legend (used throughout the module): B batch, H query heads, Hkv key/value heads, L query length,
/// S key length, E embedding / head dim of queries and keys (Eq, Ek when they differ), Ev value dim.
///
/// A scorer maps query [..., L, Eq] and key [..., S, Ek] to scores [..., L, S]; the leading dimensions broadcast
/// (NumPy rules), so a single query set can be scored against a batch of key sets and vice versa. Scores are
/// turned into the attention distribution by ``attentionWeights(scores:mask:)``.
///
/// Every scorer here is differentiable through TensorCore autograd in its inputs and in its parameters. The
/// learnable ones (``BilinearScore``, ``AdditiveScore``, ``MLPScore``) are `Module`s holding `Parameter`s, so
/// optimisers, state dicts and gradient checks reach their tensors as they reach any layer's. The protocol does not
/// require `Sendable`, because modules are not (see `Module`); the parameter-free scorers are.
public protocol AttentionScoring {
    /// Scores e[..., i, j] = score(query[..., i, :], key[..., j, :]): query [..., L, Eq], key [..., S, Ek] →
    /// [..., L, S].
    func scores(query: Tensor, key: Tensor) -> Tensor
}

// MARK: - Shared checks

/// Checks the common scorer contract: ranks ≥ 2, matching dtypes, broadcastable leading dimensions.
@inline(__always)
func checkScoringOperands(_ name: String, query: Tensor, key: Tensor) {
    precondition(query.rank >= 2 && key.rank >= 2,
                 "\(name): query must be [..., L, Eq] and key [..., S, Ek]; got query \(query.shape), key \(key.shape)")
    precondition(query.dtype == key.dtype,
                 "\(name): query \(query.shape) is \(query.dtype) but key \(key.shape) is \(key.dtype)")
    precondition(Shape.broadcast(Array(query.shape.dropLast(2)), Array(key.shape.dropLast(2))) != nil,
                 "\(name): leading dimensions of query \(query.shape) and key \(key.shape) cannot be broadcast together")
}

/// PyTorch `nn.Linear`-style initialisation: uniform in [−1/√fanIn, 1/√fanIn), drawn from the seeded generator.
func uniformInit(_ shape: [Int], fanIn: Int, dtype: DType, rng: inout RandomGenerator) -> Tensor {
    let bound = 1 / Double(max(fanIn, 1)).squareRoot()
    return Tensor.randomUniform(shape, low: -bound, high: bound, dtype: dtype, using: &rng)
}

// MARK: - Dot products

/// Dot-product score e = qᵀk (Luong "dot"). Needs Eq = Ek = E.
///
/// Shapes: query [..., L, E], key [..., S, E] → [..., L, S]. One batched matrix product q·kᵀ.
public struct DotScore: AttentionScoring, Sendable {
    /// The dot-product scorer; it has no parameters.
    public init() {}

    public func scores(query: Tensor, key: Tensor) -> Tensor {
        checkScoringOperands("DotScore", query: query, key: key)
        precondition(query.shape.last == key.shape.last,
                     "DotScore: query \(query.shape) and key \(key.shape) need the same last dimension E")
        return query.matmul(key.transposed())
    }
}

/// Scaled dot-product score e = qᵀk · scale, with scale = 1/√E by default (Vaswani et al.).
///
/// For large E the raw dot products have variance ∝ E, which saturates the softmax and shrinks its gradient;
/// dividing by √E keeps the variance near 1. Shapes: query [..., L, E], key [..., S, E] → [..., L, S].
public struct ScaledDotScore: AttentionScoring, Sendable {
    /// Multiplier of qᵀk; nil means 1/√E with E the last dimension of the query.
    public var scale: Double?

    /// A scorer multiplying qᵀk by `scale`, or by 1/√E (E = the query's last dimension) when `scale` is nil.
    /// The scale is a `Double` applied in the operands' dtype, so Float32 scores round it to Float32.
    public init(scale: Double? = nil) { self.scale = scale }

    public func scores(query: Tensor, key: Tensor) -> Tensor {
        checkScoringOperands("ScaledDotScore", query: query, key: key)
        precondition(query.shape.last == key.shape.last,
                     "ScaledDotScore: query \(query.shape) and key \(key.shape) need the same last dimension E")
        let e = query.shape[query.rank - 1]
        let s = scale ?? 1 / Double(max(e, 1)).squareRoot()
        return query.matmul(key.transposed()) * s
    }
}

/// Bilinear ("general", Luong) score e = qᵀ W k with a learned W [Eq, Ek].
///
/// A generalised dot product: W = I gives ``DotScore``. Computed as (q·W)·kᵀ: query [..., L, Eq],
/// key [..., S, Ek] → [..., L, S]. A `Module`; its one parameter is `"weight"` [Eq, Ek].
public final class BilinearScore: Module, AttentionScoring {
    /// W [Eq, Ek].
    public let weight: Parameter

    /// W drawn uniform in ±1/√Eq (as `torch.nn.Bilinear`).
    public init(queryDim: Int, keyDim: Int, dtype: DType = .float32, rng: inout RandomGenerator) {
        weight = Parameter(uniformInit([queryDim, keyDim], fanIn: queryDim, dtype: dtype, rng: &rng))
    }

    /// W [Eq, Ek] starts at `weight` (a copy that is a fresh leaf, as `Linear(weight:bias:)`).
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "BilinearScore: weight must be [Eq, Ek], got \(weight.shape)")
        self.weight = Parameter(weight)
    }

    /// `"weight"`.
    override public var ownParameters: [(String, Parameter)] { [("weight", weight)] }

    public func scores(query: Tensor, key: Tensor) -> Tensor {
        checkScoringOperands("BilinearScore", query: query, key: key)
        let w = weight.value
        precondition(query.shape.last == w.shape[0] && key.shape.last == w.shape[1],
                     "BilinearScore: weight \(w.shape) needs query [..., L, \(w.shape[0])] and key [..., S, \(w.shape[1])]; got \(query.shape) and \(key.shape)")
        return query.matmul(w).matmul(key.transposed())
    }
}

/// Cosine-similarity score e = cos(q, k) / τ, safe for zero vectors.
///
/// cos(q, k) = qᵀk / (‖q‖_ε ‖k‖_ε) with ‖x‖_ε = √(‖x‖² + ε²), ε = 1e-8. The ε keeps the value and its
/// gradient finite at a zero vector (the score is then 0); for ‖x‖ ≫ ε it changes the result by a relative
/// ε²/‖x‖², far below Float32 resolution. The temperature τ sharpens (τ < 1) or flattens (τ > 1) the
/// distribution, since |cos| ≤ 1 would otherwise give a nearly uniform softmax.
///
/// Shapes: query [..., L, E], key [..., S, E] → [..., L, S].
public struct CosineScore: AttentionScoring, Sendable {
    /// τ > 0: scores are divided by it.
    public var temperature: Double
    /// The ε in the norms.
    public static let epsilon = 1e-8

    /// A cosine scorer dividing by `temperature` τ, which must be > 0 (a precondition).
    public init(temperature: Double = 1) {
        precondition(temperature > 0, "CosineScore: temperature must be positive, got \(temperature)")
        self.temperature = temperature
    }

    public func scores(query: Tensor, key: Tensor) -> Tensor {
        checkScoringOperands("CosineScore", query: query, key: key)
        precondition(query.shape.last == key.shape.last,
                     "CosineScore: query \(query.shape) and key \(key.shape) need the same last dimension E")
        let eps2 = CosineScore.epsilon * CosineScore.epsilon
        let qn = query / (query.squared().sum(axis: -1, keepingDimensions: true) + eps2).sqrt()
        let kn = key / (key.squared().sum(axis: -1, keepingDimensions: true) + eps2).sqrt()
        return qn.matmul(kn.transposed()) / temperature
    }
}
