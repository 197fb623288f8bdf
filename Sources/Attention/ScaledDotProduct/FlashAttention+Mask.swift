import AttentionTensorCore

/// Lowering an ``AttentionMask`` to the form the fused kernels read (``LoweredAttentionMask`` in the tensor core),
/// from ``ResolvedAttentionMask``, the one definition of every mask.
extension LoweredAttentionMask {
    init(_ mask: AttentionMask, batch: Int, heads: Int, queryLength: Int, keyLength: Int) {
        precondition(keyLength < Int(Int32.max),
                     "FlashAttention: S = \(keyLength) keys exceed the kernels' 32-bit key indices")
        let resolved = mask.resolved(batch: batch, heads: heads, queryLength: queryLength, keyLength: keyLength)
        let additiveInputs = mask.leaves.compactMap { leaf -> Tensor? in
            if case .additive(let t) = leaf, t.requiresGradient { return t }
            return nil
        }
        var lo: [Int32]? = nil, hi: [Int32]? = nil
        if !resolved.bands.isEmpty {
            var l = [Int32](repeating: 0, count: batch * queryLength), h = l
            for b in 0..<batch {
                for i in 0..<queryLength {
                    let r = resolved.keyRange(batch: b, query: i)
                    l[b * queryLength + i] = Int32(r.lowerBound)
                    h[b * queryLength + i] = Int32(r.upperBound)
                }
            }
            (lo, hi) = (l, h)
        }
        guard resolved.selection != nil || resolved.additive != nil else {
            self.init(lo: lo, hi: hi, bias: nil, biasStrides: (0, 0, 0), additiveInputs: additiveInputs)
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
        let strides = (dims[0] > 1 ? dims[1] * dims[2] * s : 0, dims[1] > 1 ? dims[2] * s : 0, dims[2] > 1 ? s : 0)
        self.init(lo: lo, hi: hi, bias: values, biasStrides: strides, additiveInputs: additiveInputs)
    }
}
