import AttentionTensorCore

/// Layer normalisation over the last `normalizedShape.count` dimensions:
/// y = (x − μ) / √(σ² + ε) · γ + β, with the biased variance σ² (as PyTorch).
public final class LayerNorm: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let eps: Double
    public let normalizedShape: [Int]

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = Parameter(Tensor.ones(normalizedShape))
        self.bias = elementwiseAffine && bias ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    public convenience init(_ size: Int, eps: Double = 1e-5) { self.init([size], eps: eps) }

    override public var ownParameters: [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

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
