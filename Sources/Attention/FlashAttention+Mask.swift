import AttentionTensorCore

/// An ``AttentionMask`` in the form the fused kernels read, built from ``ResolvedAttentionMask`` (the one definition
/// of every mask), for scores [B, H, L, S]:
///
/// - **Key bounds** `lo[b·L + i] ..< hi[b·L + i]`: the causal, sliding-window and padding-length bands. Kernels
///   skip whole K/V blocks outside them and test elements only on blocks that straddle a bound; nil when no band.
/// - **Bias**: the boolean masks (−∞ where false) and the sum of the additive masks, in Float32 over the smallest
///   dense shape [Bb, Hb, Lb, S] the masks vary on (Bb ∈ {1, B}, Hb ∈ {1, H}, Lb ∈ {1, L}), so a [B, 1, 1, S]
///   key-padding mask stays one row per batch element (the kernels read it with row stride 0). nil when there
///   is no tensor mask.
/// - **Additive inputs**: the `.additive` tensors that require gradients; each receives dS summed to its shape.
struct FlashMask: @unchecked Sendable {
    let lo: [Int32]?
    let hi: [Int32]?
    let bias: [Float]?
    /// Element strides of the bias over (b, h, i); 0 along a dimension it does not vary on.
    let biasStrides: (batch: Int, head: Int, row: Int)
    let additiveInputs: [Tensor]

    init(_ mask: AttentionMask, batch: Int, heads: Int, queryLength: Int, keyLength: Int) {
        precondition(keyLength < Int(Int32.max),
                     "FlashAttention: S = \(keyLength) keys exceed the kernels' 32-bit key indices")
        let resolved = mask.resolved(batch: batch, heads: heads, queryLength: queryLength, keyLength: keyLength)
        additiveInputs = mask.leaves.compactMap { leaf in
            if case .additive(let t) = leaf, t.requiresGradient { return t }
            return nil
        }
        if resolved.bands.isEmpty {
            lo = nil
            hi = nil
        } else {
            var lo = [Int32](repeating: 0, count: batch * queryLength), hi = lo
            for b in 0..<batch {
                for i in 0..<queryLength {
                    let r = resolved.keyRange(batch: b, query: i)
                    lo[b * queryLength + i] = Int32(r.lowerBound)
                    hi[b * queryLength + i] = Int32(r.upperBound)
                }
            }
            self.lo = lo
            self.hi = hi
        }
        guard resolved.selection != nil || resolved.additive != nil else {
            bias = nil
            biasStrides = (0, 0, 0)
            return
        }
        // Dense extent of each of (b, h, i): full where a selecting or additive mask varies, else 1.
        let sel = resolved.selectionStrides, add = resolved.additiveStrides
        let full = [batch, heads, queryLength]
        let dims = (0..<3).map { sel[$0] != 0 || add[$0] != 0 ? full[$0] : 1 }
        let s = keyLength
        var values = [Float](repeating: 0, count: dims[0] * dims[1] * dims[2] * s)
        var k = 0
        for b in 0..<dims[0] { for h in 0..<dims[1] { for i in 0..<dims[2] {
            let selBase = b * sel[0] + h * sel[1] + i * sel[2], addBase = b * add[0] + h * add[1] + i * add[2]
            for j in 0..<s {
                if let selection = resolved.selection, !selection[selBase + j * sel[3]] {
                    values[k] = -.infinity
                } else if let additive = resolved.additive {
                    values[k] = Float(additive[addBase + j * add[3]])
                }
                k += 1
            }
        } } }
        bias = values
        biasStrides = (dims[0] > 1 ? dims[1] * dims[2] * s : 0, dims[1] > 1 ? dims[2] * s : 0, dims[2] > 1 ? s : 0)
    }

    /// Calls `body` with the raw arrays (nil pointers where absent), valid for the duration of the call.
    func withPointers<R>(_ body: (_ lo: UnsafePointer<Int32>?, _ hi: UnsafePointer<Int32>?, _ bias: UnsafePointer<Float>?) -> R) -> R {
        func withOptional<T, U>(_ a: [T]?, _ f: (UnsafePointer<T>?) -> U) -> U {
            guard let a else { return f(nil) }
            return a.withUnsafeBufferPointer { f($0.baseAddress) }
        }
        return withOptional(lo) { l in withOptional(hi) { h in withOptional(bias) { b in body(l, h, b) } } }
    }
}
