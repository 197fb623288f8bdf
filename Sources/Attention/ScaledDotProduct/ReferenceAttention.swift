/// Scaled dot-product attention, written plainly: the readable definition that every fused kernel is tested
/// against (run it in Float64 for the reference values).
///
/// For each batch element b, query head h and query i:
///
///     e[b, h, i, j] = scale · q[b, h, i, :] · k[b, g(h), j, :] + bias[b, h, i, j]
///     α[b, h, i, :] = softmax_j(e[b, h, i, :])            (a fully-masked row gives α = 0)
///     o[b, h, i, :] = Σ_j α[b, h, i, j] · v[b, g(h), j, :]
///
/// with scale = 1/√E by default, `bias` from the ``AttentionMask`` and g(h) = h / (H / Hkv) the key/value head
/// that query head h shares: H = Hkv is multi-head attention, 1 < Hkv < H grouped-query attention (GQA),
/// Hkv = 1 multi-query attention (MQA).
///
/// Shapes: query [B, H, L, E], key [B, Hkv, S, E], value [B, Hkv, S, Ev] → output [B, H, L, Ev],
/// weights [B, H, L, S]. Works in Float32 and Float64 (all three inputs must share the dtype).
///
/// Strategy: the G = H/Hkv query heads of a group are viewed as [B, Hkv, G, L, E] and multiplied against the
/// key broadcast over G (a stride-0 view, no copy), so K and V are never repeated in memory; the scores are
/// materialised in full ([B, H, L, S]), which is what fused kernels avoid. Differentiable in query, key, value
/// and any `.additive` mask; a fully-masked row has output 0 and passes gradient 0 to everything.
public enum ReferenceAttention {
    /// Attention output, plus the weights when `needsWeights` is true.
    ///
    /// ```swift
    /// var rng = RandomGenerator(seed: 7)
    /// let q = Tensor.randomNormal([1, 4, 3, 8], using: &rng)            // B 1, H 4, L 3, E 8
    /// let k = Tensor.randomNormal([1, 2, 5, 8], using: &rng)            // Hkv 2, S 5
    /// let v = Tensor.randomNormal([1, 2, 5, 6], using: &rng)            // Ev 6
    /// let (o, w) = ReferenceAttention.forward(query: q, key: k, value: v, mask: .causal(.lowerRight), needsWeights: true)
    /// // o: [1, 4, 3, 6], w: [1, 4, 3, 5]
    /// ```
    public static func forward(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = .none,
                               scale: Double? = nil, dropout: AttentionDropout? = nil,
                               needsWeights: Bool = false) -> (output: Tensor, weights: Tensor?) {
        forward(query: query, key: key, value: value, mask: mask, resolved: nil, scale: scale, dropout: dropout,
                needsWeights: needsWeights)
    }

    /// ``forward(query:key:value:mask:scale:dropout:needsWeights:)`` with the mask already lowered for
    /// [B, H, L, S] (`resolved`, nil = lower `mask` here): the caller resolves once and reads the same form after.
    static func forward(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask, resolved: ResolvedAttentionMask?,
                        scale: Double?, dropout: AttentionDropout?,
                        needsWeights: Bool) -> (output: Tensor, weights: Tensor?) {
        precondition(query.rank == 4 && key.rank == 4 && value.rank == 4,
                     "ReferenceAttention: need query [B, H, L, E], key [B, Hkv, S, E], value [B, Hkv, S, Ev]; got \(query.shape), \(key.shape), \(value.shape)")
        let (b, h, l, e) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (hkv, s, ev) = (key.shape[1], key.shape[2], value.shape[3])
        precondition(key.shape[0] == b && value.shape[0] == b && key.shape[3] == e
                        && value.shape[1] == hkv && value.shape[2] == s,
                     "ReferenceAttention: shapes disagree: query [B, H, L, E] = \(query.shape), key [B, Hkv, S, E] = \(key.shape), value [B, Hkv, S, Ev] = \(value.shape)")
        precondition(hkv > 0 && h % hkv == 0,
                     "ReferenceAttention: H = \(h) query heads must be a multiple of Hkv = \(hkv) key/value heads (query \(query.shape), key \(key.shape))")
        precondition(query.dtype == key.dtype && key.dtype == value.dtype,
                     "ReferenceAttention: dtypes differ: query \(query.dtype), key \(key.dtype), value \(value.dtype)")
        let g = h / hkv
        let factor = scale ?? 1 / Double(max(e, 1)).squareRoot()

        // [B, Hkv, G, L, E] · [B, Hkv, 1, E, S] → [B, Hkv, G, L, S]; head h = kv·G + group.
        let grouped = query.reshaped([b, hkv, g, l, e])
        let scores = (grouped.matmul(key.unsqueezed(2).transposed()) * factor).reshaped([b, h, l, s])
        var weights: Tensor
        if let resolved {
            precondition([resolved.batch, resolved.heads, resolved.queryLength, resolved.keyLength] == [b, h, l, s],
                         "ReferenceAttention: mask resolved for [B, H, L, S] = \([resolved.batch, resolved.heads, resolved.queryLength, resolved.keyLength]), scores are \([b, h, l, s])")
            weights = maskedScores(scores, resolved: resolved).softmax(axis: -1)
        } else {
            weights = attentionWeights(scores: scores, mask: mask)
        }
        // Dropout acts on the weights themselves, so the returned weights are the dropped ones (as PyTorch's).
        if let dropout, dropout.probability > 0 {
            weights = weights * dropout.scaledMask(batch: b, heads: h, queryLength: l, keyLength: s, dtype: query.dtype)
        }
        let output = weights.reshaped([b, hkv, g, l, s]).matmul(value.unsqueezed(2)).reshaped([b, h, l, ev])
        return (output, needsWeights ? weights : nil)
    }
}
