/// The two steps of attention: the attention distribution (masked softmax of scores) and soft attention
/// (the weighted average of values), plus the key–value entry point that chains a scorer with both.

/// The attention distribution: α = softmax(e + bias) over the last axis, with `bias` from the mask
/// (0 where a key may be attended, −∞ where not, plus any additive values).
///
/// α[..., i, j] = exp(e_ij + bias_ij − m_i) / Σ_k exp(e_ik + bias_ik − m_i), m_i = max_k (e_ik + bias_ik).
///
/// Shapes: scores [B, H, L, S], [B, L, S] (H = 1) or [L, S] (B = H = 1); the mask is read against [B, H, L, S]
/// (see ``AttentionMask``), so for [B, L, S] scores a per-batch tensor mask is shaped [B, 1, L, S] (a rank-3
/// mask means [H, L, S]). Without a mask any rank ≥ 1 is accepted. Returns the same shape as `scores`.
///
/// Numerical strategy: the row maximum is subtracted before exponentiating, so scores of ±1e4 neither overflow
/// nor lose the winner. A row whose entries are all −∞ (fully masked, by a boolean, padding or additive −∞) has
/// weights 0 and, since the softmax backward de = α ∘ (dα − Σ_j dα_j α_j) vanishes with α, gradient 0 — never NaN.
/// Differentiable in `scores` and in any `.additive` mask tensor.
///
/// ```swift
/// let e = Tensor([[0.95, 1.00, 0.61]])         // seed 001: s0 against h1, h2, h3
/// attentionWeights(scores: e).scalars          // ≈ [0.3619, 0.3805, 0.2576]
/// ```
public func attentionWeights(scores: Tensor, mask: AttentionMask = .none) -> Tensor {
    precondition(scores.rank >= 1, "attentionWeights: scores must be [..., S], got a scalar")
    return maskedScores(scores, mask: mask, op: "attentionWeights").softmax(axis: -1)
}

/// e + bias: the scores with the mask applied (−∞ where masked, additive values added), same shape as `scores`.
/// Shapes as in ``attentionWeights(scores:mask:)``; differentiable in `scores` and additive mask tensors.
func maskedScores(_ scores: Tensor, mask: AttentionMask, op: String) -> Tensor {
    if mask.isNone { return scores }
    let dims = scoreDimensions(scores.shape, op: op)
    return maskedScores(scores, resolved: mask.resolved(batch: dims[0], heads: dims[1], queryLength: dims[2], keyLength: dims[3]))
}

/// e + bias with a mask already lowered for these scores' [B, H, L, S] (rank 2, 3 or 4 as above).
func maskedScores(_ scores: Tensor, resolved: ResolvedAttentionMask) -> Tensor {
    guard let bias = resolved.biasTensor(dtype: scores.dtype) else { return scores }
    if scores.rank == 4 { return scores + bias }
    return (scores.reshaped([resolved.batch, resolved.heads, resolved.queryLength, resolved.keyLength]) + bias).reshaped(scores.shape)
}

/// [B, H, L, S] for scores of rank 2 ([L, S]), 3 ([B, L, S]) or 4, stopping with a message otherwise.
func scoreDimensions(_ shape: [Int], op: String) -> [Int] {
    switch shape.count {
    case 2: return [1, 1, shape[0], shape[1]]
    case 3: return [shape[0], 1, shape[1], shape[2]]
    case 4: return shape
    default:
        preconditionFailure("\(op): masked scores must be [L, S], [B, L, S] or [B, H, L, S], got \(shape)")
    }
}

/// Soft attention: the weighted average of the values, c[..., i, :] = Σ_j α[..., i, j] · v[..., j, :].
///
/// Shapes: weights [..., L, S], values [..., S, Ev] → [..., L, Ev] (leading dimensions broadcast). One batched
/// matrix product; a fully-masked row (all weights 0) gives output 0. Differentiable in both.
public func softAttention(weights: Tensor, values: Tensor) -> Tensor {
    precondition(weights.rank >= 2 && values.rank >= 2,
                 "softAttention: weights must be [..., L, S] and values [..., S, Ev]; got \(weights.shape) and \(values.shape)")
    precondition(weights.shape[weights.rank - 1] == values.shape[values.rank - 2],
                 "softAttention: weights \(weights.shape) have S = \(weights.shape[weights.rank - 1]) keys but values \(values.shape) have \(values.shape[values.rank - 2])")
    precondition(weights.dtype == values.dtype,
                 "softAttention: weights \(weights.shape) are \(weights.dtype) but values \(values.shape) are \(values.dtype)")
    return weights.matmul(values)
}

/// Key–value attention: scores e = score(q, k), weights α = masked softmax(e), output = Σ_j α_j v_j.
///
/// Shapes: query [..., L, Eq], key [..., S, Ek], value [..., S, Ev] → output [..., L, Ev], weights [..., L, S].
/// With a mask the scores must be [L, S], [B, L, S] or [B, H, L, S] (see ``attentionWeights(scores:mask:)``).
/// Differentiable in query, key, value, the scorer's parameters and any additive mask.
///
/// ```swift
/// let h = Tensor([[1.0, 0.5], [0.8, 1.2], [0.2, 1.5]])      // keys = values (seed 001)
/// let s0 = Tensor([[0.8, 0.3]])
/// let (c, a) = attend(query: s0, key: h, value: h, scorer: DotScore())
/// // a ≈ [[0.3619, 0.3805, 0.2576]], c ≈ [[0.7178, 1.0239]]
/// ```
public func attend(query: Tensor, key: Tensor, value: Tensor, scorer: any AttentionScoring = ScaledDotScore(),
                   mask: AttentionMask = .none) -> (output: Tensor, weights: Tensor) {
    precondition(key.rank >= 2 && value.rank >= 2 && key.shape[key.rank - 2] == value.shape[value.rank - 2],
                 "attend: key [..., S, Ek] and value [..., S, Ev] need the same S; got key \(key.shape), value \(value.shape)")
    let weights = attentionWeights(scores: scorer.scores(query: query, key: key), mask: mask)
    return (softAttention(weights: weights, values: value), weights)
}
