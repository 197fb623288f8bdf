import AttentionTensorCore

/// Fused scaled dot-product attention in the FlashAttention-2 style: the same function as ``ReferenceAttention``,
/// computed without ever materialising the [L, S] score matrix, in O(L + S) extra memory per head.
///
/// Forward (per query block of 64 rows, keys streamed in blocks; kernels in `AttentionCKernels/flash_*`):
///
///     s_ij = scale·(q_i·k_j) + bias_ij                        score tile; the scale is applied in its epilogue
///     m_i ← max(m_i, max_j s_ij),  α_i = e^(m_old − m_i)     running row max and rescale factor
///     l_i ← α_i·l_i + Σ_j e^(s_ij − m_i)                     running row sum
///     O_i ← α_i·O_i + Σ_j e^(s_ij − m_i)·v_j                 unnormalised output, kept in L1
///     o_i = O_i / l_i                                         normalised once, at the end; m_i and l_i saved
///
/// Numerical strategy: every exponent is ≤ 0 (the running max is subtracted), so nothing overflows; rows are
/// rescaled only when their max grows; masked entries are −∞ and give exactly 0. A row with no visible key keeps
/// m = −∞ and l = 0 and outputs exactly 0; it saves m = +∞ (and l = 1), which makes every recomputed weight of
/// that row exactly 0 in the backward and weight passes: never NaN. The backward recomputes the weights as
/// e^(s − m) / l from scores bitwise equal to the forward's (not from a rounded log-sum-exp, whose error would
/// scale whole rows), takes the softmax row term from the same rounded dP values it is subtracted from, and long
/// sums are accumulated block by block, so the errors stay at the level of a plain Float32 implementation.
///
/// **Non-finite values** (the rule of `ck_flash.h`, PyTorch's softmax semantics, on every CPU path and every
/// kernel — decode, short and long blocks, backward, weights): a −∞ score has weight 0, from the mask or from the
/// data; a row that sees no key or only −∞ scores is empty (output, weights and gradient 0); a NaN or +∞ score
/// makes its row NaN in the output, the weights and the gradients. So a NaN or Inf in the query, a key or a bias
/// stays visible in every row that sees it. Keys the mask hides are never read.
///
/// Supports everything the reference does: every ``AttentionMask`` (causal and sliding-window blocks are skipped
/// whole), GQA/MQA (query head h reads key/value head h / (H / Hkv) in place, never copied), a custom scale,
/// ``AttentionDropout`` (the same counter-based keep decisions as the reference path, in forward and backward),
/// L ≠ S, any head dims. Differentiable in query, key, value and `.additive` mask tensors; the backward recomputes
/// the weights block by block from the saved row statistics (see `AttentionTensorCore/FusedAttention/FusedAttention+Backward.swift`). Float32 only
/// (Float64 inputs use ``ReferenceAttention``). Deterministic: the same inputs give bitwise the same outputs and
/// gradients on any thread count (work splits depend only on the shape, and partial results are summed in a fixed
/// order).
///
/// Shapes: query [B, H, L, E], key [B, Hkv, S, E], value [B, Hkv, S, Ev] → output [B, H, L, Ev],
/// weights [B, H, L, S] when asked for (computed from the saved row statistics in one more pass, after dropout).
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let q = Tensor.randomNormal([1, 8, 1024, 64], using: &rng)
/// let k = Tensor.randomNormal([1, 2, 1024, 64], using: &rng)     // GQA: 4 query heads per kv head
/// let v = Tensor.randomNormal([1, 2, 1024, 64], using: &rng)
/// let (o, _) = FlashAttention.forward(query: q, key: k, value: v, mask: .causal(.upperLeft))
/// ```
public enum FlashAttention {
    /// The CPU path the fused kernels of this task use instead of the process-wide one:
    /// tests pin a path without touching global state that concurrently running tests read.
    @TaskLocal static var pinnedPath: CPUKernels.Path? = nil

    /// Name of the CPU path the fused kernels use now ("avx512", "avx2", "neon", "scalar").
    public static var activePath: String { FusedAttention.resolvedPath(nil).rawValue }

    /// Whether the fused kernels run these operands (all Float32).
    public static func supports(query: Tensor, key: Tensor, value: Tensor) -> Bool {
        query.dtype == .float32 && key.dtype == .float32 && value.dtype == .float32
    }

    /// Attention output, plus the weights when `needsWeights` is true. See ``FlashAttention``.
    public static func forward(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = .none,
                               scale: Double? = nil, dropout: AttentionDropout? = nil,
                               needsWeights: Bool = false) -> (output: Tensor, weights: Tensor?) {
        forward(query: query, key: key, value: value, mask: mask, resolved: nil, scale: scale, dropout: dropout,
                needsWeights: needsWeights)
    }

    /// ``forward(query:key:value:mask:scale:dropout:needsWeights:)`` with the mask already lowered for
    /// [B, H, L, S] (`resolved`, nil = lower `mask` here, after the empty-shape check): the caller resolves once
    /// and reads the same form after (multi-head attention's fully-masked rows).
    static func forward(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask, resolved: ResolvedAttentionMask?,
                        scale: Double?, dropout: AttentionDropout?,
                        needsWeights: Bool) -> (output: Tensor, weights: Tensor?) {
        precondition(query.rank == 4 && key.rank == 4 && value.rank == 4,
                     "FlashAttention: need query [B, H, L, E], key [B, Hkv, S, E], value [B, Hkv, S, Ev]; got \(query.shape), \(key.shape), \(value.shape)")
        let (b, h, l, e) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (hkv, s, ev) = (key.shape[1], key.shape[2], value.shape[3])
        precondition(key.shape[0] == b && value.shape[0] == b && key.shape[3] == e && value.shape[1] == hkv && value.shape[2] == s,
                     "FlashAttention: shapes disagree: query [B, H, L, E] = \(query.shape), key [B, Hkv, S, E] = \(key.shape), value [B, Hkv, S, Ev] = \(value.shape)")
        precondition(hkv > 0 && h % hkv == 0,
                     "FlashAttention: H = \(h) query heads must be a multiple of Hkv = \(hkv) key/value heads (query \(query.shape), key \(key.shape))")
        precondition(supports(query: query, key: key, value: value),
                     "FlashAttention: the fused kernels are Float32; got query \(query.dtype), key \(key.dtype), value \(value.dtype) (use ReferenceAttention for Float64)")
        let factor = scale ?? 1 / Double(max(e, 1)).squareRoot()
        // Nothing to compute: a zero-sized batch, head, query or value dim makes the output empty (and the weights,
        // unless only Ev is 0), whatever key count the inputs declare, so no kernel limit (32-bit key indices) applies.
        if Shape.checkedCount([b, h, l, ev]) == 0 && (!needsWeights || Shape.checkedCount([b, h, l, s]) == 0) {
            return emptyResult(query: query, key: key, value: value, mask: mask, outputShape: [b, h, l, ev],
                               weightsShape: needsWeights ? [b, h, l, s] : nil)
        }
        let dropout = dropout.flatMap { $0.probability > 0 ? $0 : nil }
        let p = FusedAttention.Problem(b: b, h: h, hkv: hkv, l: l, s: s, e: e, ev: ev, scale: Float(factor),
                                       dropProbability: dropout?.probability ?? 0, dropSeed: dropout?.seed ?? 0,
                                       path: pinnedPath)
        precondition(s < Int(Int32.max), "FlashAttention: S = \(s) keys exceed the kernels' 32-bit key indices")
        let flashMask = resolved ?? mask.resolved(batch: b, heads: h, queryLength: l, keyLength: s)
        precondition([flashMask.batch, flashMask.heads, flashMask.queryLength, flashMask.keyLength] == [b, h, l, s],
                     "FlashAttention: mask resolved for [B, H, L, S] = \([flashMask.batch, flashMask.heads, flashMask.queryLength, flashMask.keyLength]), scores are \([b, h, l, s])")
        let (q, k, v) = (query.detached(), key.detached(), value.detached())

        let (computed, stats) = FusedAttention.forward(p, query: q, key: k, value: v, mask: flashMask)
        let values = repairingOverflow(computed, stats: stats, p, query: q, key: k, value: v, mask: flashMask, dropout: dropout)
        let inputs = [query, key, value] + flashMask.additiveInputs
        let output = values.recordingGradient(inputs: inputs) { g in
            let grads = FusedAttention.backward(p, query: q, key: k, value: v, stats: stats, gradOutput: g,
                                       mask: flashMask, needsBias: !flashMask.additiveInputs.isEmpty)
            return [grads.dq, grads.dk, grads.dv] + flashMask.additiveInputs.map { t in
                let padded = Array(repeating: 1, count: 4 - t.rank) + t.shape
                return grads.dbias!.summed(toShape: padded).reshaped(t.shape).cast(to: t.dtype)
            }
        }
        guard needsWeights else { return (output, nil) }
        let weights = FusedAttention.weights(p, query: q, key: k, stats: stats, mask: flashMask)
        return (output, differentiableWeights(weights, inputs: inputs, mask: mask, resolved: flashMask, scale: factor,
                                             dropout: dropout))
    }

    /// An empty output (and weights) whose gradients are zeros: with no output element, nothing depends on the
    /// inputs.
    static func emptyResult(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask, outputShape: [Int],
                            weightsShape: [Int]?) -> (output: Tensor, weights: Tensor?) {
        let inputs = [query, key, value] + mask.leaves.compactMap { leaf in
            if case .additive(let t) = leaf, t.requiresGradient { return t }
            return nil
        }
        let output = Tensor.zeros(outputShape).recordingGradient(inputs: inputs) { _ in
            inputs.map { Tensor.zeros($0.shape, dtype: $0.dtype) }
        }
        return (output, weightsShape.map { Tensor.zeros($0) })
    }

    /// The weights, differentiable like the reference path's. Gradients that reach the weights themselves (rare:
    /// an attention-weight regulariser) are computed by re-running the materialising reference on the inputs,
    /// which costs O(L·S) memory, as the weights already do.
    static func differentiableWeights(_ weights: Tensor, inputs: [Tensor], mask: AttentionMask,
                                      resolved: ResolvedAttentionMask, scale: Double, dropout: AttentionDropout?) -> Tensor {
        weights.recordingGradient(inputs: inputs) { gW in
            Autograd.$isRecording.withValue(true) {
                let leaves = inputs.map { $0.detached().requiringGradient() }
                var additive = leaves.dropFirst(3).makeIterator()
                let rebuilt = AttentionMask.all(mask.leaves.map { leaf in
                    if case .additive(let t) = leaf, t.requiresGradient, let x = additive.next() { return .additive(x) }
                    return leaf
                })
                // Without differentiable mask terms the rebuilt mask is the forward's, so its lowered form is reused;
                // with them the bias must be rebuilt from the fresh leaves to carry their gradient.
                var (_, w) = ReferenceAttention.forward(query: leaves[0], key: leaves[1], value: leaves[2], mask: rebuilt,
                                                        resolved: inputs.count == 3 ? resolved : nil, scale: scale,
                                                        dropout: nil, needsWeights: true)
                if let dropout {
                    let shape = w!.shape
                    w = w! * dropout.scaledMask(batch: shape[0], heads: shape[1], queryLength: shape[2], keyLength: shape[3],
                                                dtype: w!.dtype)
                }
                return Autograd.gradients(of: (w! * gW).sum(), withRespectTo: leaves)
            }
        }
    }
}
