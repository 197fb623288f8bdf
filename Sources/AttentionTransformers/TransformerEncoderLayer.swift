import Attention

/// Where layer normalisation sits around each sublayer of a Transformer block.
public enum NormPlacement: Sendable, Equatable {
    /// y = x + dropout(f(norm(x))) — PyTorch `norm_first=True` (GPT-2, most modern models).
    case pre
    /// y = norm(x + dropout(f(x))) — the original Transformer and PyTorch's default.
    case post
}

/// The options shared by encoder and decoder layers (PyTorch names in brackets).
public struct TransformerLayerConfiguration: Sendable {
    /// D [d_model].
    public var modelDim: Int
    /// H [nhead].
    public var numHeads: Int
    /// Key/value heads (grouped-query attention when < H).
    public var kvHeads: Int
    /// F [dim_feedforward].
    public var feedForwardDim: Int
    /// The feed-forward's kind (ReLU [activation="relu"], GELU, or a gated one such as SwiGLU).
    public var feedForward: FeedForward.Kind
    /// Dropout after attention, inside and after the feed-forward, and on attention weights [dropout].
    public var dropout: Double
    /// [norm_first]: `.pre` when true.
    public var normPlacement: NormPlacement
    /// [layer_norm_eps].
    public var layerNormEps: Double
    /// Biases in projections and layer norms [bias].
    public var bias: Bool
    /// Rotary positions in self-attention (its dimension must be D / H).
    public var rotary: RotaryEmbedding?
    /// Seed of every dropout in the layer (each gets its own stream derived from it).
    public var seed: UInt64

    /// A configuration with PyTorch's `nn.TransformerEncoderLayer` defaults (F = 2048, dropout 0.1, post-norm).
    public init(modelDim: Int, numHeads: Int, kvHeads: Int? = nil, feedForwardDim: Int = 2048,
                feedForward: FeedForward.Kind = .relu, dropout: Double = 0.1, normPlacement: NormPlacement = .post,
                layerNormEps: Double = 1e-5, bias: Bool = true, rotary: RotaryEmbedding? = nil, seed: UInt64 = 0) {
        self.modelDim = modelDim
        self.numHeads = numHeads
        self.kvHeads = kvHeads ?? numHeads
        self.feedForwardDim = feedForwardDim
        self.feedForward = feedForward
        self.dropout = dropout
        self.normPlacement = normPlacement
        self.layerNormEps = layerNormEps
        self.bias = bias
        self.rotary = rotary
        self.seed = seed
    }

    func attention(seed offset: UInt64, rotary: RotaryEmbedding?) -> MultiHeadAttention.Configuration {
        MultiHeadAttention.Configuration(embedDim: modelDim, numHeads: numHeads, kvHeads: kvHeads, dropout: dropout,
                                         bias: bias, rotary: rotary, dropoutSeed: seed &+ offset)
    }

    func norm() -> LayerNorm { LayerNorm([modelDim], eps: layerNormEps, bias: bias) }
    func dropoutLayer(_ offset: UInt64) -> Dropout { Dropout(probability: dropout, seed: seed &+ offset) }
}

/// One residual sublayer, the only place a Transformer block decides where its norm sits, so the placements
/// cannot drift between the attention, cross-attention and feed-forward branches:
///
///     .pre:   x + dropout(f(norm(x)))
///     .post:  norm(x + dropout(f(x)))
///
/// `f` receives the stream it should read: the normalised x (pre) or x itself (post). In a post-norm decoder, x is
/// already the output of the previous sublayer's norm, so cross-attention queries the normalised residual stream,
/// as in the paper and PyTorch.
func sublayer(_ x: Tensor, _ placement: NormPlacement, norm: LayerNorm, dropout: Dropout, _ f: (Tensor) -> Tensor) -> Tensor {
    switch placement {
    case .pre: return x + dropout(f(norm(x)))
    case .post: return norm(dropout(f(x)), residual: x)   // the residual add fused into the norm's row pass
    }
}

/// A Transformer encoder block: self-attention, then the feed-forward network, each a residual ``sublayer``.
///
/// x [B, L, D] → [B, L, D]. `mask` restricts self-attention (e.g. ``TransformerMasks/padding(lengths:)``).
/// Parameters: `selfAttention.*`, `feedForward.*`, `selfAttentionNorm.*`, `feedForwardNorm.*`
/// (PyTorch: `self_attn`, `linear1`/`linear2`, `norm1`, `norm2`; see ``pyTorchKeyMap``).
public final class TransformerEncoderLayer: Module {
    /// The layer's sizes and options.
    public let configuration: TransformerLayerConfiguration
    /// Self-attention over the positions (PyTorch `self_attn`).
    public let selfAttention: MultiHeadAttention
    /// The position-wise feed-forward network.
    public let feedForward: FeedForward
    /// The norm of the self-attention sublayer (`norm1`).
    public let selfAttentionNorm: LayerNorm
    /// The norm of the feed-forward sublayer (`norm2`).
    public let feedForwardNorm: LayerNorm
    let selfAttentionDropout: Dropout
    let feedForwardDropout: Dropout

    /// A freshly initialised layer drawn from `rng`.
    public init(_ c: TransformerLayerConfiguration, rng: inout RandomGenerator) {
        configuration = c
        selfAttention = MultiHeadAttention(c.attention(seed: 1, rotary: c.rotary), rng: &rng)
        feedForward = FeedForward(modelDim: c.modelDim, hiddenDim: c.feedForwardDim, kind: c.feedForward, bias: c.bias,
                                  dropout: c.dropout, dropoutSeed: c.seed &+ 2, rng: &rng)
        selfAttentionNorm = c.norm()
        feedForwardNorm = c.norm()
        selfAttentionDropout = c.dropoutLayer(3)
        feedForwardDropout = c.dropoutLayer(4)
    }

    /// The sublayers in checkpoint order.
    override public var children: [(String, Module)] {
        [("selfAttention", selfAttention), ("feedForward", feedForward), ("selfAttentionNorm", selfAttentionNorm),
         ("feedForwardNorm", feedForwardNorm), ("selfAttentionDropout", selfAttentionDropout),
         ("feedForwardDropout", feedForwardDropout)]
    }

    /// The block's output [B, L, D] for x [B, L, D]; `mask` applies to the self-attention.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        self(x, mask: mask, weights: .none).output
    }

    /// The block's output and its self-attention weights, [B, H, L, L] (`.perHead`) or [B, L, L] (`.averaged`), as
    /// PyTorch's `need_weights` and Hugging Face's `output_attentions` give them; the weights come from the same
    /// fused attention call as the output (recorded for gradients like it).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none,
                               weights: MultiHeadAttention.WeightsOutput) -> (output: Tensor, weights: Tensor?) {
        let p = configuration.normPlacement
        var attention: Tensor?
        let h = sublayer(x, p, norm: selfAttentionNorm, dropout: selfAttentionDropout) {
            let r = selfAttention.selfAttention($0, mask: mask, weights: weights)
            attention = r.weights
            return r.output
        }
        return (sublayer(h, p, norm: feedForwardNorm, dropout: feedForwardDropout) { feedForward($0) }, attention)
    }

    /// Our names ↔ `nn.TransformerEncoderLayer`'s.
    public var pyTorchKeyMap: PyTorchKeyMap {
        selfAttention.pyTorchKeyMap.prefixed(pyTorch: "self_attn", swift: "selfAttention")
            + feedForward.pyTorchKeyMap.prefixed(pyTorch: "", swift: "feedForward")
            + layerNormKeyMap(selfAttentionNorm, pyTorch: "norm1", swift: "selfAttentionNorm")
            + layerNormKeyMap(feedForwardNorm, pyTorch: "norm2", swift: "feedForwardNorm")
    }
}

/// `weight` (and `bias`) of a layer norm under the two prefixes.
func layerNormKeyMap(_ norm: LayerNorm, pyTorch: String, swift: String) -> PyTorchKeyMap {
    PyTorchKeyMap(renames: [("weight", "weight")] + (norm.bias != nil ? [("bias", "bias")] : []))
        .prefixed(pyTorch: pyTorch, swift: swift)
}
