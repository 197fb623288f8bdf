/// Saliency-based ("bottom-up") attention: forms driven by the input itself rather than by a query. The seeds
/// name two that networks already contain: max pooling over a sequence and gating.

/// Max pooling as attention: each feature attends to the one position where it is largest.
public enum Saliency {
    /// out[b, e] = max_{j < length_b} x[b, j, e].
    ///
    /// Shapes: x [B, S, E] → [B, E], or x [S, E] → [E] (B = 1). `lengths` (one per batch element, each in
    /// 0...S) excludes padding positions j ≥ length; a sequence of length 0 gives 0. `positions[b·E + e]` is the
    /// position that won for feature e (the first on ties), nil for an empty sequence — the hard "attention" of
    /// this form.
    ///
    /// Differentiable in x: the gradient goes to the winning position of each feature (padding and empty
    /// sequences get 0).
    public static func maxPooling(_ x: Tensor, lengths: [Int]? = nil) -> (output: Tensor, positions: [Int?]) {
        precondition(x.rank == 2 || x.rank == 3, "Saliency.maxPooling: x must be [B, S, E] or [S, E], got \(x.shape)")
        let input = x.rank == 3 ? x : x.unsqueezed(0)
        let (b, s, e) = (input.shape[0], input.shape[1], input.shape[2])
        let lens = lengths ?? Array(repeating: s, count: b)
        precondition(lens.count == b, "Saliency.maxPooling: expected \(b) lengths (one per batch element), found \(lens.count)")
        for (i, n) in lens.enumerated() {
            precondition(n >= 0 && n <= s, "Saliency.maxPooling: length \(n) of batch element \(i) is outside 0...S = 0...\(s)")
        }
        var keep = [Bool](repeating: false, count: b * s)
        for i in 0..<b { for j in 0..<lens[i] { keep[i * s + j] = true } }
        let positionsMask = BoolTensor(shape: [b, s, 1], values: keep)
        let nonEmpty = BoolTensor(shape: [b, 1], values: lens.map { $0 > 0 })
        var output: Tensor
        var positions = [Int?](repeating: nil, count: b * e)
        if s == 0 {
            output = Tensor.zeros([b, e], dtype: x.dtype)
        } else {
            let masked = Tensor.where(positionsMask, input, input.scalarNegativeInfinity())
            let pooled = masked.max(axis: 1)                                   // [B, E]; −∞ for empty sequences
            output = Tensor.where(nonEmpty, pooled, Tensor.zeros([], dtype: x.dtype))
            let winners = withoutGradients { masked.argmax(axis: 1) }         // row-major over [B, E]
            for i in 0..<b where lens[i] > 0 { for f in 0..<e { positions[i * e + f] = winners[i * e + f] } }
        }
        return (x.rank == 3 ? output : output.squeezed(0), positions)
    }
}

/// Gating as attention: a learned sigmoid gate decides, per feature, how much of the input passes.
///
/// g = σ(x·Wᵀ + b), out = g ∘ x, with W [E, E] and b [E]. Shapes: x [..., E] → [..., E]; the gate has the
/// same shape. Differentiable in x, W and b. A `Module`; parameters `"weight"`, `"bias"`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 3)
/// let gate = SaliencyGate(dim: 4, rng: &rng)
/// let y = gate(Tensor.ones([2, 5, 4]))     // [2, 5, 4], each entry in (0, 1)
/// ```
public final class SaliencyGate: Module {
    /// W [E, E].
    public let weight: Parameter
    /// b [E].
    public let bias: Parameter

    /// W and b uniform in ±1/√E (as `nn.Linear(E, E)`).
    public init(dim: Int, dtype: DType = .float32, rng: inout RandomGenerator) {
        weight = Parameter(uniformInit([dim, dim], fanIn: dim, dtype: dtype, rng: &rng))
        bias = Parameter(uniformInit([dim], fanIn: dim, dtype: dtype, rng: &rng))
    }

    /// Starts from W [E, E] and b [E] (copies that are fresh leaves, as `Linear(weight:bias:)`).
    public init(weight: Tensor, bias: Tensor) {
        precondition(weight.rank == 2 && weight.shape[0] == weight.shape[1] && bias.shape == [weight.shape[0]],
                     "SaliencyGate: need weight [E, E] and bias [E], got \(weight.shape) and \(bias.shape)")
        self.weight = Parameter(weight)
        self.bias = Parameter(bias)
    }

    /// `"weight"` W [E, E] and `"bias"` b [E].
    override public var ownParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }

    /// g = σ(x·Wᵀ + b): x [..., E] → [..., E], each entry in (0, 1).
    public func gate(_ x: Tensor) -> Tensor {
        let w = weight.value, e = w.shape[0]
        precondition(x.rank >= 1 && x.shape.last == e, "SaliencyGate: input must be [..., \(e)], got \(x.shape)")
        let flat = x.reshaped([-1, e])
        return (flat.matmul(w.transposed()) + bias.value).sigmoid().reshaped(x.shape)
    }

    /// g ∘ x.
    public func callAsFunction(_ x: Tensor) -> Tensor { gate(x) * x }
}
