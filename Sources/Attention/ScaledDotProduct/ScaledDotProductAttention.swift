import AttentionTensorCore

/// Dropout on attention weights that every path reproduces exactly: whether weight (b, h, i, j) is kept depends only
/// on the seed and that index (a counter-based hash), not on the order in which a kernel visits the elements. So the
/// fused and reference paths drop the same weights, and a backward pass can recompute the forward's mask.
///
/// keep(b, h, i, j) ⇔ u ≥ p, with u = top 53 bits of SplitMix64(seed ⊕ SplitMix64(((b·H + h)·L + i)·S + j)) · 2⁻⁵³.
/// Kept weights are scaled by 1/(1 − p) (inverted dropout).
public struct AttentionDropout: Sendable, Equatable {
    /// The probability p ∈ [0, 1) that a weight is dropped.
    public let probability: Double
    /// The seed of the counter-based keep decisions.
    public let seed: UInt64

    /// Dropout with probability p ∈ [0, 1) (stops with a message otherwise) and a seed.
    public init(probability: Double, seed: UInt64) {
        precondition((0..<1).contains(probability), "AttentionDropout: probability \(probability) is not in [0, 1)")
        self.probability = probability
        self.seed = seed
    }

    @inlinable static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Whether the weight at flat index ((b·H + h)·L + i)·S + j survives.
    @inlinable public func keeps(flatIndex: Int) -> Bool {
        let u = Double(Self.mix(seed ^ Self.mix(UInt64(flatIndex))) >> 11) * 0x1p-53
        return u >= probability
    }

    /// The keep mask scaled by 1/(1 − p), [B, H, L, S].
    public func scaledMask(batch: Int, heads: Int, queryLength: Int, keyLength: Int, dtype: DType) -> Tensor {
        let n = batch * heads * queryLength * keyLength, scale = 1 / (1 - probability)
        return Tensor(shape: [batch, heads, queryLength, keyLength],
                      doubles: (0..<n).map { keeps(flatIndex: $0) ? scale : 0 }).cast(to: dtype)
    }
}

/// Which implementation computes attention.
public enum AttentionPath: String, Sendable, CaseIterable {
    /// The fastest path that supports the arguments: ``FlashAttention`` for Float32, ``ReferenceAttention`` for
    /// Float64 (the fused kernels are single precision).
    case automatic
    /// ``FlashAttention``: fused kernels, O(L + S) memory, Float32 only (stops with a message otherwise).
    case fused
    /// ``ReferenceAttention``: materialised scores, plain and readable.
    case reference
}

/// Scaled dot-product attention, the one entry point layers call: query [B, H, L, E], key [B, Hkv, S, E],
/// value [B, Hkv, S, Ev] → output [B, H, L, Ev], plus weights [B, H, L, S] when `needsWeights` (after dropout, as
/// PyTorch returns them). Fully-masked rows give output 0, weights 0 and gradient 0. Differentiable.
///
/// `.automatic` runs the fused ``FlashAttention`` kernels for Float32 operands, weights requested or not (the
/// weights then come from the saved row max and row sum in one more pass), and ``ReferenceAttention`` for Float64.
/// Both paths apply the same dropout decisions (``AttentionDropout`` is a counter-based hash of the weight's index).
///
/// ```swift
/// let (o, _) = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal(.upperLeft))
/// ```
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = .none,
                                      scale: Double? = nil, dropout: AttentionDropout? = nil,
                                      needsWeights: Bool = false,
                                      path: AttentionPath = .automatic) -> (output: Tensor, weights: Tensor?) {
    scaledDotProductAttention(query: query, key: key, value: value, mask: mask, resolved: nil, scale: scale,
                              dropout: dropout, needsWeights: needsWeights, path: path)
}

/// ``scaledDotProductAttention(query:key:value:mask:scale:dropout:needsWeights:path:)`` with the mask already
/// lowered for [B, H, L, S] (`resolved`, nil = each path lowers `mask` itself): multi-head attention resolves
/// once per call and reads the fully-masked rows from the same form.
func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask,
                               resolved: ResolvedAttentionMask?, scale: Double?, dropout: AttentionDropout?,
                               needsWeights: Bool, path: AttentionPath) -> (output: Tensor, weights: Tensor?) {
    switch path {
    case .fused:
        return FlashAttention.forward(query: query, key: key, value: value, mask: mask, resolved: resolved, scale: scale,
                                      dropout: dropout, needsWeights: needsWeights)
    case .automatic where FlashAttention.supports(query: query, key: key, value: value):
        return FlashAttention.forward(query: query, key: key, value: value, mask: mask, resolved: resolved, scale: scale,
                                      dropout: dropout, needsWeights: needsWeights)
    case .automatic, .reference:
        return ReferenceAttention.forward(query: query, key: key, value: value, mask: mask, resolved: resolved,
                                          scale: scale, dropout: dropout, needsWeights: needsWeights)
    }
}
