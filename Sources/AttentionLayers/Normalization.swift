import AttentionTensorCore

/// Layer normalisation over the last `normalizedShape.count` dimensions:
/// y = (x − μ) / √(σ² + ε) · γ + β, with the biased variance σ² (as PyTorch).
public final class LayerNorm: Module {
    /// γ, the scale over the normalised shape; initialised to ones.
    public let weight: Parameter
    /// β, the shift over the normalised shape, initialised to zeros; nil without a bias.
    public let bias: Parameter?
    /// ε, added to the variance (PyTorch's default 1e-5; BERT uses 1e-12).
    public let eps: Double
    /// The trailing dimensions normalised over.
    public let normalizedShape: [Int]

    /// A LayerNorm over `normalizedShape`, γ = 1 and β = 0; without `elementwiseAffine` or `bias` there is no β.
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = Parameter(Tensor.ones(normalizedShape))
        self.bias = elementwiseAffine && bias ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    /// A LayerNorm over a last axis of `size`.
    public convenience init(_ size: Int, eps: Double = 1e-5) { self.init([size], eps: eps) }

    /// `weight` and `bias` when present.
    override public var ownParameters: [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// The normalised x, same shape.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, residual: nil) }

    /// LayerNorm(x + residual): the residual connection of a post-norm block, fused into the same row pass when
    /// nothing is differentiated (`Tensor.layerNorm`).
    public func callAsFunction(_ x: Tensor, residual: Tensor?) -> Tensor {
        precondition(Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
                     "LayerNorm: input \(x.shape) does not end with normalized shape \(normalizedShape)")
        // The normalised dimensions are one row of `d` elements.
        let d = normalizedShape.reduce(1, *)
        let rows = x.reshaped(Array(x.shape.dropLast(normalizedShape.count)) + [d])
        let y = rows.layerNorm(residual: residual?.reshaped(rows.shape), weight: weight.value.reshaped([d]),
                               bias: bias?.value.reshaped([d]), eps: eps)
        return y.reshaped(x.shape)
    }
}
