import AttentionTensorCore

/// Keys and values already projected (and rotated) for one attention layer, so incremental decoding computes
/// each position once.
///
/// A self-attention cache grows by the new tokens' keys and values on every call; the layer then attends with
/// lower-right causal alignment (the L new queries are the last L of the S cached positions). A cross-attention
/// cache is filled on the first call from the encoder memory and reused unchanged afterwards.
///
/// Shapes: keys and values [B, Hkv, S, D].
public final class KeyValueCache {
    /// Whether `update(keys:values:)` appends (`selfAttention`) or replaces (`crossAttention`) what is cached.
    public enum Kind: Sendable { case selfAttention, crossAttention }
    /// How updates combine with what is cached.
    public let kind: Kind
    /// The cached keys [B, Hkv, S, D], nil while empty.
    public private(set) var keys: Tensor?
    /// The cached values [B, Hkv, S, D], nil while empty.
    public private(set) var values: Tensor?

    /// An empty cache of the given kind.
    public init(kind: Kind = .selfAttention) { self.kind = kind }

    /// Number of cached positions S.
    public var length: Int { keys?.shape[2] ?? 0 }

    /// Stores new keys and values (appended for self-attention, set for cross-attention) and returns everything
    /// cached.
    public func update(keys k: Tensor, values v: Tensor) -> (keys: Tensor, values: Tensor) {
        precondition(k.rank == 4 && v.rank == 4 && k.shape[2] == v.shape[2],
                     "KeyValueCache: keys and values must be [B, Hkv, S, D] with the same S, got \(k.shape) and \(v.shape)")
        if kind == .selfAttention, let oldK = keys, let oldV = values {
            precondition(oldK.shape[0] == k.shape[0] && oldK.shape[1] == k.shape[1] && oldK.shape[3] == k.shape[3],
                         "KeyValueCache: new keys \(k.shape) do not extend cached keys \(oldK.shape)")
            keys = Tensor.concatenate([oldK, k], axis: 2)
            values = Tensor.concatenate([oldV, v], axis: 2)
        } else {
            keys = k.contiguous()
            values = v.contiguous()
        }
        return (keys!, values!)
    }

    /// Keeps batch rows `indices` in that order (repeats allowed): beam search follows surviving hypotheses.
    public func reorder(batch indices: [Int]) {
        keys = keys?.indexSelect(axis: 0, indices)
        values = values?.indexSelect(axis: 0, indices)
    }

    /// Forgets everything cached.
    public func reset() {
        keys = nil
        values = nil
    }
}
