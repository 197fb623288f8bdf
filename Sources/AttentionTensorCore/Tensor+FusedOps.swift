/// Hooks for fused operations written outside TensorCore (flash attention in `Attention`): reading a tensor's
/// elements in place through its strides, and attaching a hand-written backward to a result.
extension Tensor {
    /// Calls `body` with a pointer to the first element and the strides of each dimension, without the contiguous
    /// copy ``withScalars(_:_:)`` makes for views: a kernel that accepts row strides reads a permuted or sliced
    /// view (e.g. heads of a [B, L, H, E] projection seen as [B, H, L, E]) where it lies. The pointer is valid
    /// only inside `body`, and only elements reachable through the strides may be read.
    @inlinable
    public func withUnsafeStridedScalars<T: TensorScalar, R>(_: T.Type,
                                                            _ body: (UnsafePointer<T>, _ strides: [Int]) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, "withUnsafeStridedScalars: tensor is \(dtype), read as \(T.dtype)")
        return try withExtendedLifetime(storage) {
            try body(UnsafePointer(storage.pointer(T.self) + offset), strides)
        }
    }

    /// This tensor's values with a node that differentiates it by `backward`, for an op whose forward ran outside
    /// the recorded ops (a fused kernel). `inputs` are the tensors the gradient flows to; `backward` maps the
    /// gradient of this result to one gradient per input (nil where none is needed). No node is attached when
    /// recording is off or no input requires gradients, exactly as for built-in ops.
    ///
    /// ```swift
    /// let y = fusedResult.recordingGradient(inputs: [x]) { g in [g * 2] }
    /// ```
    public func recordingGradient(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        var out = detached()
        out.node = Autograd.record(inputs: inputs, backward: backward)
        return out
    }
}
