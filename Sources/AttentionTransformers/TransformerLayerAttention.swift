import Attention

/// The attention weights of one Transformer layer, as PyTorch's `need_weights=True, average_attn_weights=False`
/// and Hugging Face's `output_attentions=True` give them: softmax(q·kᵀ/√D + mask) per head, from the same fused
/// attention call as the layer's output (asking for them never changes the output).
///
/// Shapes with ``MultiHeadAttention/WeightsOutput/perHead`` (``MultiHeadAttention/WeightsOutput/averaged``
/// drops the H axis, the mean over heads):
/// - `selfAttention` [B, H, L, L]; during cached decoding [B, H, L_new, S_so_far] (one new token: [B, H, 1, S_so_far],
///   S_so_far counting the new position).
/// - `crossAttention` [B, H, L, S] (decoder layers; nil for encoder layers).
///
/// Rows of a query that sees no key (every key masked) are 0, never NaN (PyTorch gives NaN there).
public struct TransformerLayerAttention: Sendable {
    /// [B, H, L, L] (or [B, L, L] averaged; during cached decoding [B, H, L_new, S_so_far]).
    public let selfAttention: Tensor
    /// [B, H, L, S] for decoder layers; nil for encoder layers.
    public let crossAttention: Tensor?

    /// One layer's weights.
    public init(selfAttention: Tensor, crossAttention: Tensor? = nil) {
        self.selfAttention = selfAttention
        self.crossAttention = crossAttention
    }
}

/// The attention weights of a whole encoder–decoder ``Transformer``, one entry per layer (Hugging Face's
/// `encoder_attentions`, `decoder_attentions` and `cross_attentions` are `encoder.map(\.selfAttention)`,
/// `decoder.map(\.selfAttention)` and `decoder.map { $0.crossAttention! }`).
public struct TransformerAttention: Sendable {
    /// Encoder layers: self-attention [B, H, S, S] each.
    public let encoder: [TransformerLayerAttention]
    /// Decoder layers: self-attention [B, H, L, L] and cross-attention [B, H, L, S] each.
    public let decoder: [TransformerLayerAttention]

    /// The weights of every layer of both stacks.
    public init(encoder: [TransformerLayerAttention], decoder: [TransformerLayerAttention]) {
        self.encoder = encoder
        self.decoder = decoder
    }
}
