import Attention

/// A decoder-only (GPT-style) causal language model over a vocabulary of V tokens:
///
///     x = E_tok[t] + E_pos[0..<T]             (learned positions, `context` rows)
///     x = layer_i(x, causal mask)             (N ``TransformerEncoderLayer``s, pre- or post-norm)
///     logits = head(norm(x))                  (a final LayerNorm, then a linear map to V)
///
/// It is literally PyTorch's `tok_emb` (nn.Embedding) + `pos_emb` (nn.Embedding(context, d_model)) + `layers.N`
/// (nn.TransformerEncoderLayer, batch_first, causal `src_mask`) + `norm` (nn.LayerNorm) + `head` (nn.Linear):
/// ``pyTorchKeyMap`` translates the names. The final norm is applied for post-norm stacks too, as in that model.
///
/// Shapes: tokens [B][T] (equal lengths, T ≤ `context`) → logits [B, T, V]. With a ``Cache`` the tokens are the
/// positions after those already cached, and each generated token costs one position (no recomputation).
public final class CausalLanguageModel: Module {
    /// Everything that rebuilds the model (Codable: checkpoints store it as JSON).
    public struct Configuration: Sendable, Codable, Equatable {
        /// V.
        public var vocabularySize: Int
        /// Rows of the position table: the longest sequence the model reads.
        public var context: Int
        /// D [d_model].
        public var modelDim: Int
        /// H [nhead].
        public var numHeads: Int
        /// N [num_layers].
        public var numLayers: Int
        /// F [dim_feedforward].
        public var feedForwardDim: Int
        /// "relu" or "gelu" (exact erf GELU, PyTorch's "gelu").
        public var activation: String
        /// [norm_first]: pre-norm layers when true.
        public var normFirst: Bool
        /// [layer_norm_eps], of the layers and the final norm.
        public var layerNormEps: Double
        /// Dropout inside the layers while training (0 for the PyTorch parity runs).
        public var dropout: Double

        /// A configuration from its sizes (the defaults are `attention lm train`'s, pre-norm GELU blocks).
        public init(vocabularySize: Int, context: Int, modelDim: Int = 64, numHeads: Int = 4, numLayers: Int = 2,
                    feedForwardDim: Int = 256, activation: String = "gelu", normFirst: Bool = true,
                    layerNormEps: Double = 1e-5, dropout: Double = 0) {
            self.vocabularySize = vocabularySize; self.context = context; self.modelDim = modelDim
            self.numHeads = numHeads; self.numLayers = numLayers; self.feedForwardDim = feedForwardDim
            self.activation = activation; self.normFirst = normFirst; self.layerNormEps = layerNormEps
            self.dropout = dropout
        }

        /// Nil when valid, else what is wrong (for errors about checkpoints and options).
        public var problem: String? {
            if vocabularySize < 1 { return "vocabularySize \(vocabularySize) must be ≥ 1" }
            if context < 1 { return "context \(context) must be ≥ 1" }
            if modelDim < 1 || numHeads < 1 || modelDim % numHeads != 0 { return "numHeads \(numHeads) must divide modelDim \(modelDim)" }
            if numLayers < 0 { return "numLayers \(numLayers) must be ≥ 0" }
            if feedForwardDim < 1 { return "feedForwardDim \(feedForwardDim) must be ≥ 1" }
            if !["relu", "gelu"].contains(activation) { return "activation \"\(activation)\" must be relu or gelu" }
            if !(layerNormEps > 0) { return "layerNormEps \(layerNormEps) must be > 0" }
            if !(0..<1).contains(dropout) { return "dropout \(dropout) must be in [0, 1)" }
            return nil
        }

        var layer: TransformerLayerConfiguration {
            TransformerLayerConfiguration(modelDim: modelDim, numHeads: numHeads, feedForwardDim: feedForwardDim,
                                          feedForward: activation == "relu" ? .relu : .gelu, dropout: dropout,
                                          normPlacement: normFirst ? .pre : .post, layerNormEps: layerNormEps)
        }
    }

    /// One self-attention key–value cache per layer: the positions decoded so far.
    public final class Cache {
        /// One cache per layer, first to last.
        public let layers: [KeyValueCache]
        /// Empty caches for `layerCount` layers.
        public init(layerCount: Int) { layers = (0..<layerCount).map { _ in KeyValueCache(kind: .selfAttention) } }
        /// Positions cached (the next token's position).
        public var length: Int { layers.first?.length ?? storedLength }
        // A model without layers has nothing to cache, but positions still advance.
        var storedLength = 0
        /// Forgets every cached position (a new prompt starts at position 0).
        public func reset() { for l in layers { l.reset() }; storedLength = 0 }
    }

    /// The shape this model was built with.
    public let configuration: Configuration
    /// Token embeddings, [V, D] (PyTorch `tok_emb`).
    public let tokenEmbedding: Embedding
    /// Learnt positions, [context, D] (PyTorch `pos_emb`): positions past `context` do not exist.
    public let positionEmbedding: Embedding
    /// The decoder-only blocks, each run with the causal mask.
    public let layers: [TransformerEncoderLayer]
    /// The LayerNorm before the head.
    public let finalNorm: LayerNorm
    /// The next-token logits, D → V.
    public let head: Linear

    /// A freshly initialised model drawn from `rng`; an invalid configuration stops with its `Configuration/problem`.
    public init(_ c: Configuration, rng: inout RandomGenerator) {
        precondition(c.problem == nil, "CausalLanguageModel: \(c.problem ?? "")")
        configuration = c
        // N(0, 0.02²) embeddings (GPT-2): unit-variance rows, PyTorch's nn.Embedding default, swamp the residual stream.
        tokenEmbedding = Embedding(weight: Tensor.randomNormal([c.vocabularySize, c.modelDim], standardDeviation: 0.02, using: &rng))
        positionEmbedding = Embedding(weight: Tensor.randomNormal([c.context, c.modelDim], standardDeviation: 0.02, using: &rng))
        let layer = c.layer
        layers = (0..<c.numLayers).map { i in
            var ci = layer
            ci.seed = UInt64(i) &* 0x100
            return TransformerEncoderLayer(ci, rng: &rng)
        }
        finalNorm = LayerNorm([c.modelDim], eps: c.layerNormEps)
        head = Linear(inputSize: c.modelDim, outputSize: c.vocabularySize, rng: &rng)
    }

    /// The layers in checkpoint order.
    override public var children: [(String, Module)] {
        [("tokenEmbedding", tokenEmbedding), ("positionEmbedding", positionEmbedding)]
            + layers.enumerated().map { ("layers.\($0.offset)", $0.element as Module) }
            + [("finalNorm", finalNorm), ("head", head)]
    }

    /// A fresh cache for incremental decoding.
    public func makeCache() -> Cache { Cache(layerCount: layers.count) }

    /// Logits [B, T, V] for tokens [B][T]: causal, so position i depends on tokens 0…i only. With a `cache`, the
    /// tokens continue the cached positions and their keys and values are appended to it.
    public func callAsFunction(_ tokens: [[Int]], cache: Cache? = nil) -> Tensor {
        let b = tokens.count, t = tokens.first?.count ?? 0
        precondition(b > 0 && t > 0, "CausalLanguageModel: need at least one row of at least one token, got \(b) rows of \(t)")
        precondition(tokens.allSatisfy { $0.count == t }, "CausalLanguageModel: rows of the token batch must have equal lengths")
        let offset = cache?.length ?? 0
        precondition(offset + t <= configuration.context,
                     "CausalLanguageModel: positions \(offset)..<\(offset + t) exceed the context of \(configuration.context)")
        let v = configuration.vocabularySize
        for row in tokens { for id in row {
            precondition(id >= 0 && id < v, "CausalLanguageModel: token id \(id) is outside the vocabulary 0..<\(v)")
        } }
        let positions = Array((offset..<(offset + t))), flat = tokens.flatMap { $0 }
        var x = tokenEmbedding(flat, shape: [b, t]) + positionEmbedding(positions, shape: [1, t])   // [B, T, D]
        // Lower-right alignment: without a cache it is PyTorch's is_causal; with one, the new queries see the past.
        for (i, layer) in layers.enumerated() { x = layer(x, mask: TransformerMasks.causal, cache: cache?.layers[i]) }
        if let cache, layers.isEmpty { cache.storedLength += t }
        return head(finalNorm(x))
    }

    /// Our names ↔ the PyTorch model's (`tok_emb`, `pos_emb`, `layers.N.*`, `norm`, `head`).
    public var pyTorchKeyMap: PyTorchKeyMap {
        var map = PyTorchKeyMap(renames: [("tok_emb.weight", "tokenEmbedding.weight"), ("pos_emb.weight", "positionEmbedding.weight")])
        for (i, layer) in layers.enumerated() { map = map + layer.pyTorchKeyMap.prefixed(pyTorch: "layers.\(i)", swift: "layers.\(i)") }
        map = map + layerNormKeyMap(finalNorm, pyTorch: "norm", swift: "finalNorm")
        return map + PyTorchKeyMap(renames: [("head.weight", "head.weight")] + (head.bias != nil ? [("head.bias", "head.bias")] : []))
    }
}

extension TransformerEncoderLayer {
    /// The block with its self-attention keys and values appended to `cache` (x holds only the new positions; the
    /// mask is read against every cached key). Without a cache it is ``callAsFunction(_:mask:)``.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask, cache: KeyValueCache?) -> Tensor {
        let p = configuration.normPlacement
        let h = sublayer(x, p, norm: selfAttentionNorm, dropout: selfAttentionDropout) {
            selfAttention.selfAttention($0, mask: mask, cache: cache).output
        }
        return sublayer(h, p, norm: feedForwardNorm, dropout: feedForwardDropout) { feedForward($0) }
    }
}
