import Attention

/// The key–value caches of one decoder layer: its self-attention keys grow by one entry per decoded token; its
/// cross-attention keys are the projected encoder memory, computed on the first step and reused.
public final class DecoderLayerCache {
    /// The self-attention keys and values, one position per decoded token.
    public let selfAttention = KeyValueCache(kind: .selfAttention)
    /// The cross-attention keys and values of the encoder memory, projected once.
    public let crossAttention = KeyValueCache(kind: .crossAttention)
    /// Empty caches.
    public init() {}

    /// Keeps batch rows `indices` (beam search).
    public func reorder(batch indices: [Int]) {
        selfAttention.reorder(batch: indices)
        crossAttention.reorder(batch: indices)
    }
}

/// A Transformer decoder block: masked self-attention, cross-attention over the encoder memory, feed-forward,
/// each a residual ``sublayer`` with the same norm placement.
///
/// x [B, L, D], memory [B, S, D] → [B, L, D]. `selfAttentionMask` is usually causal: ``TransformerMasks/causal``
/// (lower-right, which is also right for cached decoding). With a `cache`, x holds only the new positions and
/// their keys and values are appended to it.
/// Parameters: `selfAttention.*`, `crossAttention.*`, `feedForward.*`, `selfAttentionNorm.*`,
/// `crossAttentionNorm.*`, `feedForwardNorm.*` (PyTorch: `self_attn`, `multihead_attn`, `linear1`/`linear2`,
/// `norm1`, `norm2`, `norm3`).
public final class TransformerDecoderLayer: Module {
    /// The layer's sizes and options.
    public let configuration: TransformerLayerConfiguration
    /// Masked self-attention over the target positions (PyTorch `self_attn`).
    public let selfAttention: MultiHeadAttention
    /// Attention from the target positions to the encoder memory (PyTorch `multihead_attn`).
    public let crossAttention: MultiHeadAttention
    /// The position-wise feed-forward network.
    public let feedForward: FeedForward
    /// The norm of the self-attention sublayer (`norm1`).
    public let selfAttentionNorm: LayerNorm
    /// The norm of the cross-attention sublayer (`norm2`).
    public let crossAttentionNorm: LayerNorm
    /// The norm of the feed-forward sublayer (`norm3`).
    public let feedForwardNorm: LayerNorm
    let selfAttentionDropout: Dropout
    let crossAttentionDropout: Dropout
    let feedForwardDropout: Dropout

    /// A freshly initialised layer drawn from `rng`.
    public init(_ c: TransformerLayerConfiguration, rng: inout RandomGenerator) {
        configuration = c
        selfAttention = MultiHeadAttention(c.attention(seed: 1, rotary: c.rotary), rng: &rng)
        crossAttention = MultiHeadAttention(c.attention(seed: 5, rotary: nil), rng: &rng)
        feedForward = FeedForward(modelDim: c.modelDim, hiddenDim: c.feedForwardDim, kind: c.feedForward, bias: c.bias,
                                  dropout: c.dropout, dropoutSeed: c.seed &+ 2, rng: &rng)
        selfAttentionNorm = c.norm()
        crossAttentionNorm = c.norm()
        feedForwardNorm = c.norm()
        selfAttentionDropout = c.dropoutLayer(3)
        crossAttentionDropout = c.dropoutLayer(6)
        feedForwardDropout = c.dropoutLayer(4)
    }

    /// The sublayers in checkpoint order.
    override public var children: [(String, Module)] {
        [("selfAttention", selfAttention), ("crossAttention", crossAttention), ("feedForward", feedForward),
         ("selfAttentionNorm", selfAttentionNorm), ("crossAttentionNorm", crossAttentionNorm),
         ("feedForwardNorm", feedForwardNorm), ("selfAttentionDropout", selfAttentionDropout),
         ("crossAttentionDropout", crossAttentionDropout), ("feedForwardDropout", feedForwardDropout)]
    }

    /// The block's output [B, L, D] for x [B, L, D] over `memory` [B, S, D]; see the type's description for the cache.
    public func callAsFunction(_ x: Tensor, memory: Tensor, selfAttentionMask: AttentionMask = .none,
                               memoryMask: AttentionMask = .none, cache: DecoderLayerCache? = nil) -> Tensor {
        self(x, memory: memory, selfAttentionMask: selfAttentionMask, memoryMask: memoryMask, cache: cache, weights: .none).output
    }

    /// The block's output and, unless `weights` is `.none`, its self- and cross-attention weights (see
    /// ``TransformerLayerAttention``): self [B, H, L, L] and cross [B, H, L, S] per head, or averaged over heads.
    /// With a `cache` the self-attention weights cover every cached key: [B, H, L_new, S_so_far].
    public func callAsFunction(_ x: Tensor, memory: Tensor, selfAttentionMask: AttentionMask = .none,
                               memoryMask: AttentionMask = .none, cache: DecoderLayerCache? = nil,
                               weights: MultiHeadAttention.WeightsOutput) -> (output: Tensor, attention: TransformerLayerAttention?) {
        let p = configuration.normPlacement
        var selfWeights: Tensor?, crossWeights: Tensor?
        var h = sublayer(x, p, norm: selfAttentionNorm, dropout: selfAttentionDropout) {
            let r = selfAttention.selfAttention($0, mask: selfAttentionMask, weights: weights, cache: cache?.selfAttention)
            selfWeights = r.weights
            return r.output
        }
        h = sublayer(h, p, norm: crossAttentionNorm, dropout: crossAttentionDropout) {
            let r = crossAttention.crossAttention(query: $0, memory: memory, mask: memoryMask, weights: weights,
                                                  cache: cache?.crossAttention)
            crossWeights = r.weights
            return r.output
        }
        let y = sublayer(h, p, norm: feedForwardNorm, dropout: feedForwardDropout) { feedForward($0) }
        return (y, selfWeights.map { TransformerLayerAttention(selfAttention: $0, crossAttention: crossWeights) })
    }

    /// Our names ↔ `nn.TransformerDecoderLayer`'s.
    public var pyTorchKeyMap: PyTorchKeyMap {
        selfAttention.pyTorchKeyMap.prefixed(pyTorch: "self_attn", swift: "selfAttention")
            + crossAttention.pyTorchKeyMap.prefixed(pyTorch: "multihead_attn", swift: "crossAttention")
            + feedForward.pyTorchKeyMap.prefixed(pyTorch: "", swift: "feedForward")
            + layerNormKeyMap(selfAttentionNorm, pyTorch: "norm1", swift: "selfAttentionNorm")
            + layerNormKeyMap(crossAttentionNorm, pyTorch: "norm2", swift: "crossAttentionNorm")
            + layerNormKeyMap(feedForwardNorm, pyTorch: "norm3", swift: "feedForwardNorm")
    }
}
