import AttentionTensorCore

/// Lookup table: ids → rows of weight [count, dimension].
public final class Embedding: Module {
    /// The table, [count, dimension].
    public let weight: Parameter

    /// Rows drawn from N(0, 1), as PyTorch's `nn.Embedding`.
    public init(count: Int, dimension: Int, rng: inout RandomGenerator) {
        weight = Parameter(Tensor.randomNormal([count, dimension], using: &rng))
    }

    /// A table from an explicit [count, dimension] tensor.
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding: weight must be [count, dimension], got \(weight.shape)")
        self.weight = Parameter(weight)
    }

    /// `weight`.
    override public var ownParameters: [(String, Parameter)] { [("weight", weight)] }

    /// ids (row-major, of shape `shape`) → [shape..., dimension].
    public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
        weight.value.embeddingLookup(ids, shape: shape)
    }
}
