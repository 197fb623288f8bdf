import Foundation
import AttentionLayers
import AttentionTensorCore

/// Multi-head attention with every option of PyTorch's `nn.MultiheadAttention`, plus grouped-query attention,
/// rotary positions, an output gate and a key–value cache.
///
/// For query x_q [B, L, E], key x_k [B, S, Ek] and value x_v [B, S, Ev]:
///
///     q = x_q·W_qᵀ + b_q  → [B, H, L, D]          (D = E / H, the head dimension)
///     k = x_k·W_kᵀ + b_k  → [B, Hkv, S, D]        (Hkv key/value heads; Hkv = H is plain MHA)
///     v = x_v·W_vᵀ + b_v  → [B, Hkv, S, D]
///     k, v ← [k; bias_k], [v; bias_v]               (`addBiasKV`: one learned key/value slot appended)
///     k, v ← [k; 0], [v; 0]                         (`addZeroAttention`: one zero slot appended)
///     o_h = softmax(q_h k_{g(h)}ᵀ / √D + mask) v_{g(h)}   (``scaledDotProductAttention``, g(h) = h / (H / Hkv))
///     o = concat_h o_h                              [B, L, E]
///     o ← σ(x_q·W_gᵀ + b_g) ∘ o                     (optional output gate, see below)
///     y = o·W_oᵀ + b_o                              [B, L, E]
///
/// **Masks** are one ``AttentionMask``, read against the scores [B, H, L, S] of the keys you pass (true = may
/// attend). The appended bias/zero slots are always visible (as PyTorch, which pads its masks with "allowed"),
/// unless `maskCoversExtraKeys` says the mask already describes all S + extra keys.
///
/// **Query rows with nothing to attend to** — no keys at all (S = 0 and no appended slot) or every key masked in
/// every head — give output 0 (after the output projection: not the output bias) and gradient 0, with weights
/// requested or not; their weights are 0. One rule for both cases, on every path. PyTorch gives NaN there when it
/// computes weights and the output bias otherwise. A row that does see keys but whose scores are NaN (a NaN
/// input or weight) is NaN, output and weights alike: the rule is about the mask, never about the values.
///
/// **Weights** come from the same computation as the output, per head [B, H, L, S′] or averaged over heads
/// [B, L, S′] (S′ counts the appended slots), whenever asked: asking never changes the output.
///
/// **Output gate** (gated attention, Qiu et al. 2025): with `outputGate`, the concatenated head outputs are
/// multiplied elementwise by σ(x_q·W_gᵀ + b_g) before the output projection, which lets a head switch itself off
/// for a token instead of dumping weight on a sink key.
///
/// **Parameters** (Swift names; ``pyTorchKeyMap`` translates PyTorch's): `inputProjection.{weight,bias}` packed
/// [E + 2·Hkv·D, E] when Ek = Ev = E, otherwise `queryProjection`, `keyProjection`, `valueProjection`;
/// `outputProjection.{weight,bias}`; `biasKey`, `biasValue` [1, 1, Hkv·D]; `gateProjection.{weight,bias}`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let mha = MultiHeadAttention(.init(embedDim: 16, numHeads: 4), rng: &rng)
/// let x = Tensor.randomNormal([2, 5, 16], using: &rng)
/// let (y, w) = mha.selfAttention(x, mask: .causal(.upperLeft), weights: .averaged)   // y [2, 5, 16], w [2, 5, 5]
/// ```
public final class MultiHeadAttention: Module {
    /// The options of the layer (PyTorch names in brackets).
    public struct Configuration: Sendable {
        /// E [embed_dim]: width of the query input and of the output.
        public var embedDim: Int
        /// H [num_heads].
        public var numHeads: Int
        /// Hkv: key/value heads; must divide H. H = Hkv is MHA, 1 < Hkv < H grouped-query, 1 multi-query.
        public var kvHeads: Int
        /// Ek [kdim]: width of the key input.
        public var keyDim: Int
        /// Ev [vdim]: width of the value input.
        public var valueDim: Int
        /// Dropout probability on the attention weights in training [dropout].
        public var dropout: Double
        /// Biases on the input and output projections [bias].
        public var bias: Bool
        /// Append a learned key and value slot [add_bias_kv].
        public var addBiasKV: Bool
        /// Append a zero key and value slot [add_zero_attn].
        public var addZeroAttention: Bool
        /// Gate the head outputs with σ(W_g x_q + b_g) before the output projection.
        public var outputGate: Bool
        /// Rotary position embedding applied to q and k of every head (its dimension must be D).
        public var rotary: RotaryEmbedding?
        /// Score scale; nil means 1/√D.
        public var scale: Double?
        /// Seed of the attention dropout; it advances on every training call.
        public var dropoutSeed: UInt64

        /// A configuration; `kvHeads` nil = `numHeads` (plain multi-head), `keyDim` / `valueDim` nil = `embedDim`.
        /// `numHeads` must divide `embedDim` and be a multiple of `kvHeads` (checked when the layer is built).
        public init(embedDim: Int, numHeads: Int, kvHeads: Int? = nil, keyDim: Int? = nil, valueDim: Int? = nil,
                    dropout: Double = 0, bias: Bool = true, addBiasKV: Bool = false, addZeroAttention: Bool = false,
                    outputGate: Bool = false, rotary: RotaryEmbedding? = nil, scale: Double? = nil,
                    dropoutSeed: UInt64 = 0) {
            self.embedDim = embedDim
            self.numHeads = numHeads
            self.kvHeads = kvHeads ?? numHeads
            self.keyDim = keyDim ?? embedDim
            self.valueDim = valueDim ?? embedDim
            self.dropout = dropout
            self.bias = bias
            self.addBiasKV = addBiasKV
            self.addZeroAttention = addZeroAttention
            self.outputGate = outputGate
            self.rotary = rotary
            self.scale = scale
            self.dropoutSeed = dropoutSeed
        }

        /// D = E / H.
        public var headDim: Int { embedDim / numHeads }
        /// Width of the projected keys and values, Hkv·D.
        public var kvDim: Int { kvHeads * headDim }
        /// Whether q, k and v share one packed projection (PyTorch: kdim = vdim = embed_dim).
        public var isPacked: Bool { keyDim == embedDim && valueDim == embedDim }
        /// Key slots appended after the given keys (bias and zero slots).
        public var extraKeys: Int { (addBiasKV ? 1 : 0) + (addZeroAttention ? 1 : 0) }
    }

    /// What to return besides the output.
    public enum WeightsOutput: Sendable, Equatable {
        /// Only the output; the weights come back nil (and the automatic kernel choice need not form them).
        case none
        /// [B, H, L, S′].
        case perHead
        /// Mean over heads, [B, L, S′] (PyTorch's `average_attn_weights=True`).
        case averaged
    }

    /// The sizes and options this layer was built with.
    public let configuration: Configuration
    /// Packed q/k/v projection [E + 2·Hkv·D, E] (rows: q, then k, then v), when Ek = Ev = E.
    public let inputProjection: Linear?
    /// Separate projections, when Ek or Ev differ from E.
    public let queryProjection: Linear?
    /// Key projection [Hkv·D, Ek], when the projections are separate.
    public let keyProjection: Linear?
    /// Value projection [Hkv·D, Ev], when the projections are separate.
    public let valueProjection: Linear?
    /// Output projection [E, H·D] applied to the concatenated heads.
    public let outputProjection: Linear
    /// The learned key slot appended after the keys (`addBiasKV`, PyTorch's `bias_k`), [1, 1, Hkv·D].
    public let biasKey: Parameter?
    /// The learned value slot appended after the values (`addBiasKV`, PyTorch's `bias_v`), [1, 1, Hkv·D].
    public let biasValue: Parameter?
    /// The output gate's projection [E, E] (`outputGate`): the output is multiplied by sigmoid(gate(query)).
    public let gateProjection: Linear?
    private var dropoutCalls: UInt64 = 0

    /// Initialised as PyTorch does: Xavier-uniform input projections (the packed matrix as one), zero input and
    /// output biases, Kaiming-uniform output weight, Xavier-normal bias slots.
    public init(_ configuration: Configuration, rng: inout RandomGenerator) {
        let c = configuration
        precondition(c.embedDim > 0 && c.numHeads > 0 && c.embedDim % c.numHeads == 0,
                     "MultiHeadAttention: embedDim \(c.embedDim) must be a positive multiple of numHeads \(c.numHeads)")
        precondition(c.kvHeads > 0 && c.numHeads % c.kvHeads == 0,
                     "MultiHeadAttention: numHeads \(c.numHeads) must be a multiple of kvHeads \(c.kvHeads)")
        precondition(c.keyDim > 0 && c.valueDim > 0, "MultiHeadAttention: keyDim \(c.keyDim) and valueDim \(c.valueDim) must be positive")
        if let r = c.rotary {
            precondition(r.dimension == c.headDim, "MultiHeadAttention: rotary dimension \(r.dimension) ≠ head dimension \(c.headDim)")
        }
        self.configuration = c
        let e = c.embedDim, ekv = c.kvDim
        func xavier(_ rows: Int, _ cols: Int, rng: inout RandomGenerator) -> Tensor {
            let bound = (6 / Double(rows + cols)).squareRoot()
            return Tensor.randomUniform([rows, cols], low: -bound, high: bound, using: &rng)
        }
        func zeros(_ n: Int) -> Tensor? { c.bias ? Tensor.zeros([n]) : nil }
        if c.isPacked {
            inputProjection = Linear(weight: xavier(e + 2 * ekv, e, rng: &rng), bias: zeros(e + 2 * ekv))
            (queryProjection, keyProjection, valueProjection) = (nil, nil, nil)
        } else {
            inputProjection = nil
            queryProjection = Linear(weight: xavier(e, e, rng: &rng), bias: zeros(e))
            keyProjection = Linear(weight: xavier(ekv, c.keyDim, rng: &rng), bias: zeros(ekv))
            valueProjection = Linear(weight: xavier(ekv, c.valueDim, rng: &rng), bias: zeros(ekv))
        }
        let out = Linear(inputSize: e, outputSize: e, bias: c.bias, rng: &rng)
        if let b = out.bias { b.value = Tensor.zeros([e]) }
        outputProjection = out
        if c.addBiasKV {
            let std = (2 / Double(2 * ekv)).squareRoot()
            biasKey = Parameter(Tensor.randomNormal([1, 1, ekv], standardDeviation: std, using: &rng))
            biasValue = Parameter(Tensor.randomNormal([1, 1, ekv], standardDeviation: std, using: &rng))
        } else {
            (biasKey, biasValue) = (nil, nil)
        }
        gateProjection = c.outputGate ? Linear(inputSize: e, outputSize: e, rng: &rng) : nil
    }

    /// The bias slots `"biasKey"` and `"biasValue"`, when `addBiasKV` is set.
    override public var ownParameters: [(String, Parameter)] {
        (biasKey.map { [("biasKey", $0)] } ?? []) + (biasValue.map { [("biasValue", $0)] } ?? [])
    }

    /// The projections that exist in this configuration, under their property names (`inputProjection` when
    /// packed, else `queryProjection`, `keyProjection`, `valueProjection`; then `outputProjection` and `gateProjection`).
    override public var children: [(String, Module)] {
        var out: [(String, Module)] = []
        if let p = inputProjection { out.append(("inputProjection", p)) }
        if let p = queryProjection { out.append(("queryProjection", p)) }
        if let p = keyProjection { out.append(("keyProjection", p)) }
        if let p = valueProjection { out.append(("valueProjection", p)) }
        out.append(("outputProjection", outputProjection))
        if let p = gateProjection { out.append(("gateProjection", p)) }
        return out
    }

    // MARK: Entry points

    /// Attention of `query` [B, L, E] over `key` [B, S, Ek] / `value` [B, S, Ev] → output [B, L, E] and the
    /// requested weights. With a `cache`, the projected keys and values are appended to it (self-attention) or
    /// taken from it once filled (cross-attention), and the mask is read against all cached keys.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask = .none,
                               weights: WeightsOutput = .none, cache: KeyValueCache? = nil,
                               maskCoversExtraKeys: Bool = false) -> (output: Tensor, weights: Tensor?) {
        let c = configuration
        precondition(query.rank == 3 && query.shape[2] == c.embedDim,
                     "MultiHeadAttention: query must be [B, L, E = \(c.embedDim)], got \(query.shape)")
        let q = project(query, rows: 0..<c.embedDim, separate: queryProjection)
        if let cache, cache.kind == .crossAttention, let k = cache.keys, let v = cache.values {
            return attend(query: query, q: q, k: k, v: v, past: 0, cache: nil, mask: mask, weights: weights,
                          maskCoversExtraKeys: maskCoversExtraKeys)
        }
        precondition(key.rank == 3 && value.rank == 3 && key.shape[0] == query.shape[0] && value.shape[0] == query.shape[0]
                        && key.shape[1] == value.shape[1] && key.shape[2] == c.keyDim && value.shape[2] == c.valueDim,
                     "MultiHeadAttention: need key [B, S, Ek = \(c.keyDim)] and value [B, S, Ev = \(c.valueDim)] with B = \(query.shape[0]); got key \(key.shape), value \(value.shape)")
        let e = c.embedDim, ekv = c.kvDim
        let k = project(key, rows: e..<(e + ekv), separate: keyProjection)
        let v = project(value, rows: (e + ekv)..<(e + 2 * ekv), separate: valueProjection)
        return attend(query: query, q: q, k: k, v: v, past: cache?.length ?? 0, cache: cache, mask: mask,
                      weights: weights, maskCoversExtraKeys: maskCoversExtraKeys)
    }

    /// Self-attention: q, k and v all from x [B, L, E] (one matrix product with the packed projection).
    public func selfAttention(_ x: Tensor, mask: AttentionMask = .none, weights: WeightsOutput = .none,
                              cache: KeyValueCache? = nil) -> (output: Tensor, weights: Tensor?) {
        let c = configuration
        guard let packed = inputProjection else { return self(query: x, key: x, value: x, mask: mask, weights: weights, cache: cache) }
        precondition(x.rank == 3 && x.shape[2] == c.embedDim, "MultiHeadAttention.selfAttention: x must be [B, L, E = \(c.embedDim)], got \(x.shape)")
        let qkv = packed(x)                                         // [B, L, E + 2·Ekv]
        let e = c.embedDim, ekv = c.kvDim
        return attend(query: x, q: qkv.slice(axis: 2, 0..<e), k: qkv.slice(axis: 2, e..<(e + ekv)),
                      v: qkv.slice(axis: 2, (e + ekv)..<(e + 2 * ekv)), past: cache?.length ?? 0, cache: cache,
                      mask: mask, weights: weights, maskCoversExtraKeys: false)
    }

    /// Causal self-attention: query i sees keys 0…i of its own sequence, and with a cache every cached key
    /// before it (lower-right alignment, so one new token sees the whole past). `mask` adds further restrictions.
    public func causalSelfAttention(_ x: Tensor, mask: AttentionMask = .none, weights: WeightsOutput = .none,
                                    cache: KeyValueCache? = nil) -> (output: Tensor, weights: Tensor?) {
        selfAttention(x, mask: .causal(.lowerRight) && mask, weights: weights, cache: cache)
    }

    /// Cross-attention of `query` [B, L, E] over `memory` [B, S, Ek = Ev]. With a cross-attention cache the
    /// memory is projected once and reused on later calls.
    public func crossAttention(query: Tensor, memory: Tensor, mask: AttentionMask = .none,
                               weights: WeightsOutput = .none, cache: KeyValueCache? = nil) -> (output: Tensor, weights: Tensor?) {
        precondition(cache == nil || cache!.kind == .crossAttention,
                     "MultiHeadAttention.crossAttention: the cache must be a cross-attention cache")
        let c = configuration, e = c.embedDim, ekv = c.kvDim
        let filled = cache?.keys != nil && cache?.values != nil
        guard inputProjection != nil, keyProjection == nil, valueProjection == nil, c.keyDim == c.valueDim, !filled,
              query.rank == 3, query.shape[2] == e, memory.rank == 3, memory.shape[0] == query.shape[0], memory.shape[2] == c.keyDim
        else { return self(query: query, key: memory, value: memory, mask: mask, weights: weights, cache: cache) }
        // Keys and values of the same memory from one product with their rows of the packed projection.
        let q = project(query, rows: 0..<e, separate: nil)
        let kv = project(memory, rows: e..<(e + 2 * ekv), separate: nil)        // [B, S, 2·Ekv]
        return attend(query: query, q: q, k: kv.slice(axis: 2, 0..<ekv), v: kv.slice(axis: 2, ekv..<(2 * ekv)),
                      past: cache?.length ?? 0, cache: cache, mask: mask, weights: weights, maskCoversExtraKeys: false)
    }

    // MARK: Steps

    /// x·W[rows]ᵀ + b[rows] from the packed projection, or the separate one.
    private func project(_ x: Tensor, rows: Range<Int>, separate: Linear?) -> Tensor {
        if let separate { return separate(x) }
        // One recorded linear op on the rows' views (a slice's gradient lands in its rows of the packed
        // weight's gradient); the same bits as the matrix product plus the bias.
        let packed = inputProjection!
        return x.linear(weight: packed.weight.value.slice(axis: 0, rows), bias: packed.bias?.value.slice(axis: 0, rows))
    }

    /// [B, T, heads·D] → [B, heads, T, D].
    private func splitHeads(_ x: Tensor, heads: Int) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        return x.reshaped([b, t, heads, configuration.headDim]).permuted([0, 2, 1, 3])
    }

    /// The attention proper, from projected q [B, L, E], k and v [B, S, Hkv·D] (or, from a filled cross-attention
    /// cache, already split [B, Hkv, S, D]).
    private func attend(query: Tensor, q qFlat: Tensor, k kIn: Tensor, v vIn: Tensor, past: Int, cache: KeyValueCache?,
                        mask: AttentionMask, weights: WeightsOutput, maskCoversExtraKeys: Bool) -> (output: Tensor, weights: Tensor?) {
        let c = configuration
        let (b, l) = (query.shape[0], query.shape[1])
        var q = splitHeads(qFlat, heads: c.numHeads)                                  // [B, H, L, D]
        let isSplit = kIn.rank == 4
        var k = isSplit ? kIn : splitHeads(kIn, heads: c.kvHeads)                     // [B, Hkv, S, D]
        var v = isSplit ? vIn : splitHeads(vIn, heads: c.kvHeads)
        if let rope = c.rotary {
            // Positions continue after the cached keys, so a decoded token gets the position it has in the sequence.
            q = rope(q, offset: past)
            if !isSplit { k = rope(k, offset: past) }
        }
        if let cache, !isSplit { (k, v) = cache.update(keys: k, values: v) }
        let s = k.shape[2]
        if c.addBiasKV, let bk = biasKey, let bv = biasValue {
            let slot = [b, c.kvHeads, 1, c.headDim]
            k = Tensor.concatenate([k, bk.value.reshaped([1, c.kvHeads, 1, c.headDim]).expanded(to: slot).cast(to: k.dtype)], axis: 2)
            v = Tensor.concatenate([v, bv.value.reshaped([1, c.kvHeads, 1, c.headDim]).expanded(to: slot).cast(to: v.dtype)], axis: 2)
        }
        if c.addZeroAttention {
            let zero = Tensor.zeros([b, c.kvHeads, 1, c.headDim], dtype: k.dtype)
            k = Tensor.concatenate([k, zero], axis: 2)
            v = Tensor.concatenate([v, zero], axis: 2)
        }
        let keys = k.shape[2]
        let fullMask = maskCoversExtraKeys ? mask
            : mask.appendingVisibleKeys(keys - s, batch: b, heads: c.numHeads, queryLength: l, keyLength: s)
        let dropout: AttentionDropout? = isTraining && c.dropout > 0 ? nextDropout() : nil
        // Lowered once: the kernels read it, and so does the zeroing of fully-masked rows below.
        let resolved = fullMask.resolved(batch: b, heads: c.numHeads, queryLength: l, keyLength: keys)
        let (o, w) = scaledDotProductAttention(query: q, key: k, value: v, mask: fullMask, resolved: resolved,
                                               scale: c.scale, dropout: dropout, needsWeights: weights != .none,
                                               path: .automatic)
        var out = o.permuted([0, 2, 1, 3]).reshaped([b, l, c.embedDim])                // [B, L, E]
        if let gate = gateProjection { out = out * gate(query).sigmoid() }
        out = outputProjection(out)
        if let rows = resolved.fullyMaskedQueryRows() {
            // Policy: a query that sees no key (S = 0 or all masked) has output 0, not the output bias.
            out = out.maskedFill(BoolTensor(shape: [b, l, 1], values: rows), with: 0)
        }
        switch weights {
        case .none: return (out, nil)
        case .perHead: return (out, w)
        case .averaged: return (out, w!.mean(axis: 1))
        }
    }

    /// A fresh dropout pattern per training call: the seed advances, so two steps never drop the same weights.
    private func nextDropout() -> AttentionDropout {
        defer { dropoutCalls &+= 1 }
        return AttentionDropout(probability: configuration.dropout,
                                seed: AttentionDropout.mix(configuration.dropoutSeed ^ AttentionDropout.mix(dropoutCalls)))
    }
}
