/// Which keys each query may attend to: the one mask type of the project, with the same meaning on every path
/// (reference, fused kernels, multi-head attention, hard attention).
///
/// A mask is always read against scores of shape [B, H, L, S] (batch, query heads, query length, key length).
/// Tensor-valued masks broadcast against that shape with trailing alignment (NumPy rules): [L, S] applies to
/// every batch and head, [B, 1, 1, S] is per batch, a rank-3 [H, L, S] is per head. Boolean masks mean
/// **true = may attend**. PyTorch's conventions (`attn_mask` polarity, `key_padding_mask` true = ignore,
/// `is_causal`) are translated only at the interop boundary, never here.
///
/// Semantics, for query row i and key column j, with the aligned position c(i) (see ``CausalAlignment``):
/// - `.none`: every key.
/// - `.causal(a)`: j ≤ c(i).
/// - `.keyPadding(lengths:)`: j < lengths[b] (keys past each sequence's length are padding).
/// - `.keyPaddingMask(m)`: m[b, j] (shape [B, S], true = real token).
/// - `.boolean(m)`: m[b, h, i, j] after broadcasting.
/// - `.additive(t)`: t[b, h, i, j] is added to the score; −∞ entries mask, finite ones bias (ALiBi, T5
///   relative positions). Differentiable in `t`. A large finite negative (PyTorch's −1e9 idiom) is *not* a mask:
///   a row of them gives uniform weights, as in PyTorch. +∞ entries are not allowed (they make the row NaN).
/// - `.slidingWindow(left:right:alignment:)`: c(i) − left ≤ j ≤ c(i) + right (local attention; `right: 0` is
///   causal local attention).
/// - `.all(masks)`: a key is allowed only if every mask allows it; additive terms add up.
///
/// A query row with no allowed key (fully masked) gives weights 0, output 0 and gradient 0 — never NaN.
/// Resolve a mask with ``additiveBias(batch:heads:queryLength:keyLength:dtype:)`` (a tensor for the reference
/// path) or ``resolved(batch:heads:queryLength:keyLength:)`` (the one lowered form: key bounds, bias, fully-masked rows).
///
/// ```swift
/// let mask: AttentionMask = .causal(.lowerRight) && .keyPadding(lengths: [5, 3])
/// let bias = mask.additiveBias(batch: 2, heads: 4, queryLength: 2, keyLength: 5)   // [2, 1, 2, 5]: 0 or −∞
/// ```
public enum AttentionMask: Sendable {
    /// Every key may be attended.
    case none
    /// Query i sees keys j ≤ c(i), with c from the alignment.
    case causal(CausalAlignment)
    /// Keys j < lengths[b] are real, the rest padding (B lengths, each in 0...S).
    case keyPadding(lengths: [Int])
    /// [B, S] booleans, true = real token (note: PyTorch's `key_padding_mask` has the opposite polarity).
    case keyPaddingMask(BoolTensor)
    /// Booleans broadcast to [B, H, L, S], true = may attend.
    case boolean(BoolTensor)
    /// Values added to the scores, broadcast to [B, H, L, S]; −∞ masks. Differentiable.
    case additive(Tensor)
    /// c(i) − left ≤ j ≤ c(i) + right (left, right ≥ 0).
    case slidingWindow(left: Int, right: Int, alignment: CausalAlignment)
    /// Every mask at once: allowed where all allow, additive terms summed.
    case all([AttentionMask])

    /// Both masks at once (`.all([a, b])`).
    public static func && (a: AttentionMask, b: AttentionMask) -> AttentionMask { .all([a, b]) }
}

/// How a causal (or sliding-window) mask lines up queries with keys when L ≠ S.
///
/// The aligned position of query i is c(i) = i (upper-left) or c(i) = i + (S − L) (lower-right).
/// - `upperLeft`: PyTorch `is_causal=True` / `torch.tril(ones(L, S))`: query i sees keys 0...i. With L > S the
///   last L − S queries see every key.
/// - `lowerRight`: the last query lines up with the last key, as in KV-cache decoding (L new queries after
///   S − L cached keys) and FlashAttention ≥ 2.1. With L > S the first L − S queries see no key: those rows
///   are fully masked and give 0.
/// For L = S both are the same mask.
public enum CausalAlignment: Sendable, Equatable, CaseIterable {
    /// c(i) = i: PyTorch's `is_causal`.
    case upperLeft
    /// c(i) = i + (S − L): the last query lines up with the last key (KV-cache decoding).
    case lowerRight

    /// c(i): the key position query `i` lines up with, for L queries and S keys (may lie outside 0..<S).
    @inlinable public func alignedPosition(query i: Int, queryLength: Int, keyLength: Int) -> Int {
        self == .upperLeft ? i : i + (keyLength - queryLength)
    }
}

extension AttentionMask {
    /// The masks this one combines, with `.all` flattened and `.none` dropped.
    var leaves: [AttentionMask] {
        switch self {
        case .none: return []
        case .all(let masks): return masks.flatMap(\.leaves)
        default: return [self]
        }
    }

    /// Whether the mask allows every key (`.none`, or `.all` of nothing but `.none`).
    public var isNone: Bool { leaves.isEmpty }

    /// Checks the mask against scores [B, H, L, S], stopping with a message naming the expected and found
    /// values: padding lengths (count B, each in 0...S), key-padding mask shape [B, S], tensor masks
    /// broadcastable to [B, H, L, S], window sizes ≥ 0.
    public func validate(batch: Int, heads: Int, queryLength: Int, keyLength: Int) {
        let target = [batch, heads, queryLength, keyLength]
        for leaf in leaves {
            switch leaf {
            case .keyPadding(let lengths):
                precondition(lengths.count == batch,
                             "AttentionMask.keyPadding: expected \(batch) lengths (one per batch element, B = \(batch)), found \(lengths.count): \(lengths)")
                for (b, n) in lengths.enumerated() {
                    precondition(n >= 0 && n <= keyLength,
                                 "AttentionMask.keyPadding: length \(n) of batch element \(b) is outside 0...S = 0...\(keyLength)")
                }
            case .keyPaddingMask(let m):
                precondition(m.shape == [batch, keyLength],
                             "AttentionMask.keyPaddingMask: expected shape [B, S] = \([batch, keyLength]), found \(m.shape)")
            case .boolean(let m):
                precondition(m.shape.count <= 4 && Shape.broadcast(m.shape, target) == target,
                             "AttentionMask.boolean: shape \(m.shape) does not broadcast to [B, H, L, S] = \(target)")
            case .additive(let t):
                precondition(t.rank <= 4 && Shape.broadcast(t.shape, target) == target,
                             "AttentionMask.additive: shape \(t.shape) does not broadcast to [B, H, L, S] = \(target)")
            case .slidingWindow(let left, let right, _):
                precondition(left >= 0 && right >= 0,
                             "AttentionMask.slidingWindow: left and right must be ≥ 0, found left \(left), right \(right)")
            case .none, .causal, .all:
                break
            }
        }
    }

    /// The mask as an additive bias for scores [B, H, L, S]: 0 where a key may be attended, −∞ where it may
    /// not, plus the values of any `.additive` terms. nil for a mask that allows everything and adds nothing.
    ///
    /// The result is rank 4 and broadcastable to [B, H, L, S], kept as small as the mask allows ([1, 1, L, S]
    /// for causal and window masks, [B, 1, 1, S] for key padding). It is differentiable in the `.additive`
    /// tensors (cast to `dtype` if needed); the boolean part is a constant. It is read from the one lowered form,
    /// ``resolved(batch:heads:queryLength:keyLength:)``, shared with the fused kernels.
    public func additiveBias(batch: Int, heads: Int, queryLength: Int, keyLength: Int,
                             dtype: DType = .float32) -> Tensor? {
        if isNone { return nil }
        return resolved(batch: batch, heads: heads, queryLength: queryLength, keyLength: keyLength).biasTensor(dtype: dtype)
    }
}
