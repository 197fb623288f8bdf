/// An attention mask lowered to what the fused kernels read, for scores [B, H, L, S]. Built once per call by
/// `Attention`'s mask lowering (`FlashAttention+Mask.swift`, from the one definition of every mask,
/// `ResolvedAttentionMask`); the kernels never see the mask's cases.
///
/// - **Key bounds** `lo[b·L + i] ..< hi[b·L + i]`: the causal, sliding-window and padding-length bands. Kernels
///   skip whole K/V blocks outside them and test elements only on blocks that straddle a bound; nil when no band.
/// - **Bias**: the boolean masks (−∞ where false) and the sum of the additive masks, in Float32 over the smallest
///   dense shape [Bb, Hb, Lb, S] the masks vary on (Bb ∈ {1, B}, Hb ∈ {1, H}, Lb ∈ {1, L}), so a [B, 1, 1, S]
///   key-padding mask stays one row per batch element (the kernels read it with row stride 0). nil when there
///   is no tensor mask.
/// - **Additive inputs**: the `.additive` tensors that require gradients; each receives dS summed to its shape.
package struct LoweredAttentionMask: @unchecked Sendable {
    package let lo: [Int32]?
    package let hi: [Int32]?
    package let bias: [Float]?
    /// Element strides of the bias over (b, h, i); 0 along a dimension it does not vary on.
    package let biasStrides: (batch: Int, head: Int, row: Int)
    package let additiveInputs: [Tensor]

    package init(lo: [Int32]?, hi: [Int32]?, bias: [Float]?, biasStrides: (batch: Int, head: Int, row: Int),
                 additiveInputs: [Tensor]) {
        precondition((lo == nil) == (hi == nil), "LoweredAttentionMask: key bounds need both lo and hi")
        self.lo = lo
        self.hi = hi
        self.bias = bias
        self.biasStrides = biasStrides
        self.additiveInputs = additiveInputs
    }

    /// Calls `body` with the raw arrays (nil pointers where absent), valid for the duration of the call.
    package func withPointers<R>(_ body: (_ lo: UnsafePointer<Int32>?, _ hi: UnsafePointer<Int32>?, _ bias: UnsafePointer<Float>?) -> R) -> R {
        func withOptional<T, U>(_ a: [T]?, _ f: (UnsafePointer<T>?) -> U) -> U {
            guard let a else { return f(nil) }
            return a.withUnsafeBufferPointer { f($0.baseAddress) }
        }
        return withOptional(lo) { l in withOptional(hi) { h in withOptional(bias) { b in body(l, h, b) } } }
    }
}
