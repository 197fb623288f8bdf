import AttentionTensorCore

/// y = x·Wᵀ + b. x [..., inputSize] → y [..., outputSize]; W [outputSize, inputSize] (PyTorch layout), b [outputSize].
///
/// Concurrency: a forward pass reads the parameters and writes only the packed-weight cache, which is locked, so one
/// layer (and every model built from layers, in evaluation mode) may run forwards from many threads at once with the
/// results of a single thread, bit for bit. Changing a parameter (`value =`, an optimiser step, `load(stateDict:)`,
/// `convert(to:)`) must not overlap any other use of the module.
public final class Linear: Module {
    /// W, [outputSize, inputSize].
    public let weight: Parameter
    /// b, [outputSize]; nil without a bias.
    public let bias: Parameter?

    /// Weights and bias uniform in ±1/√inputSize (PyTorch's default).
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, rng: inout RandomGenerator) {
        weight = Parameter(kaimingUniform([outputSize, inputSize], fanIn: inputSize, rng: &rng))
        self.bias = bias ? Parameter(kaimingUniform([outputSize], fanIn: inputSize, rng: &rng)) : nil
    }

    /// From explicit tensors: weight [out, in], bias [out].
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) does not match weight \(weight.shape)") }
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
    }

    /// The weight packed for the GEMM, with the parameter version it was made from. Behind a lock because one layer
    /// may serve concurrent forwards (see the type's concurrency note); `Locked` is a pthread mutex, which
    /// ThreadSanitizer understands.
    private let packedCache = Locked<(version: Int, packed: PackedWeight)?>(nil)

    /// The packed weight for the fused path, (re)built when the weight changed or the CPU path was forced.
    ///
    /// Packing runs with the lock held, so threads that arrive together wait for one packing instead of each
    /// making its own copy (a BERT layer's weight packs in well under a millisecond, once per version).
    private func packedWeight(for x: Tensor) -> PackedWeight? {
        guard Tensor.linearRunsFused(input: x, weight: weight.value, bias: bias?.value) else { return nil }
        let version = weight.version, value = weight.value
        return packedCache.withLock { cache in
            if let c = cache, c.version == version, c.packed.isCurrent { return c.packed }
            let packed = PackedWeight(weight: value)
            cache = (version, packed)
            return packed
        }
    }

    /// The width of x's last axis.
    public var inputSize: Int { weight.value.shape[1] }
    /// The width of y's last axis.
    public var outputSize: Int { weight.value.shape[0] }

    /// `weight` and, when present, `bias`.
    override public var ownParameters: [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// y = x·Wᵀ + b for x [..., inputSize]; a wrong last axis stops with a precondition naming both shapes.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inputSize, "Linear: input \(x.shape) has last dimension ≠ inputSize \(inputSize)")
        return x.linear(weight: weight.value, bias: bias?.value, packed: packedWeight(for: x))
    }

    /// activation(x·Wᵀ + b). ReLU and the exact GELU run in the GEMM's epilogue when nothing is differentiated
    /// (`Tensor.linear`); the other activations are applied after.
    public func callAsFunction(_ x: Tensor, activation: Activation) -> Tensor {
        precondition(x.shape.last == inputSize, "Linear: input \(x.shape) has last dimension ≠ inputSize \(inputSize)")
        return x.linear(weight: weight.value, bias: bias?.value, activation: activation, packed: packedWeight(for: x))
    }
}
