import Attention

extension TransformerEncoderLayer {
    /// `count` layers of configuration `c`, initialised in order from `rng`; layer i's dropout seed is
    /// c.seed + i·`seedStride`, so every layer draws its own stream.
    public static func stack(_ c: TransformerLayerConfiguration, count: Int, seedStride: UInt64,
                             rng: inout RandomGenerator) -> [TransformerEncoderLayer] {
        (0..<count).map { i in
            var each = c
            each.seed = c.seed &+ UInt64(i) &* seedStride
            return TransformerEncoderLayer(each, rng: &rng)
        }
    }
}

/// N encoder layers and an optional final norm (pre-norm stacks need it: their last layer's output is not
/// normalised). x [B, L, D] → [B, L, D]. Parameters `layers.i.*`, `finalNorm.*` (PyTorch `layers.i.*`, `norm.*`).
public final class TransformerEncoder: Module {
    /// The layers, first to last.
    public let layers: [TransformerEncoderLayer]
    /// The norm after the last layer (nil: none).
    public let finalNorm: LayerNorm?

    /// `layerCount` freshly initialised layers (layer i's dropout seed is offset by i) and, with `finalNorm`, a final norm.
    public init(_ c: TransformerLayerConfiguration, layerCount: Int, finalNorm: Bool, rng: inout RandomGenerator) {
        precondition(layerCount >= 0, "TransformerEncoder: layerCount \(layerCount) must be ≥ 0")
        layers = TransformerEncoderLayer.stack(c, count: layerCount, seedStride: 0x100, rng: &rng)
        self.finalNorm = finalNorm ? c.norm() : nil
    }

    /// The layers in checkpoint order: `layers.i`, then `finalNorm`.
    override public var children: [(String, Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element as Module) } + (finalNorm.map { [("finalNorm", $0)] } ?? [])
    }

    /// The stack's output [B, L, D]; `mask` applies to every layer's self-attention.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        self(x, mask: mask, weights: .none).output
    }

    /// The output and, unless `weights` is `.none`, every layer's self-attention weights in layer order,
    /// [B, H, L, L] each (``TransformerLayerAttention``; `crossAttention` is nil). Empty for `.none`.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none,
                               weights: MultiHeadAttention.WeightsOutput) -> (output: Tensor, attention: [TransformerLayerAttention]) {
        var h = x
        var attention: [TransformerLayerAttention] = []
        for layer in layers {
            let (y, w) = layer(h, mask: mask, weights: weights)
            h = y
            if let w { attention.append(TransformerLayerAttention(selfAttention: w)) }
        }
        return (finalNorm.map { $0(h) } ?? h, attention)
    }

    /// Our names ↔ `nn.TransformerEncoder`'s (`layers.i.*`, `norm.*`).
    public var pyTorchKeyMap: PyTorchKeyMap {
        layers.enumerated().reduce(PyTorchKeyMap()) { $0 + $1.element.pyTorchKeyMap.prefixed(pyTorch: "layers.\($1.offset)", swift: "layers.\($1.offset)") }
            + (finalNorm.map { layerNormKeyMap($0, pyTorch: "norm", swift: "finalNorm") } ?? PyTorchKeyMap())
    }
}

/// The caches of a decoder stack, one per layer, for incremental decoding.
public final class TransformerDecoderCache {
    /// One cache per layer, first to last.
    public let layers: [DecoderLayerCache]
    /// Empty caches for `layerCount` layers.
    public init(layerCount: Int) { layers = (0..<layerCount).map { _ in DecoderLayerCache() } }

    /// Positions decoded so far.
    public var length: Int { layers.first?.selfAttention.length ?? 0 }

    /// Keeps batch rows `indices` in every layer (beam search).
    public func reorder(batch indices: [Int]) { for l in layers { l.reorder(batch: indices) } }
}

/// N decoder layers and an optional final norm. x [B, L, D], memory [B, S, D] → [B, L, D].
public final class TransformerDecoder: Module {
    /// The layers, first to last.
    public let layers: [TransformerDecoderLayer]
    /// The norm after the last layer (nil: none).
    public let finalNorm: LayerNorm?

    /// `layerCount` freshly initialised layers (layer i's dropout seed is offset by i) and, with `finalNorm`, a final norm.
    public init(_ c: TransformerLayerConfiguration, layerCount: Int, finalNorm: Bool, rng: inout RandomGenerator) {
        precondition(layerCount >= 0, "TransformerDecoder: layerCount \(layerCount) must be ≥ 0")
        layers = (0..<layerCount).map { i in
            var ci = c
            ci.seed = c.seed &+ 0x8000 &+ UInt64(i) &* 0x100
            return TransformerDecoderLayer(ci, rng: &rng)
        }
        self.finalNorm = finalNorm ? c.norm() : nil
    }

    /// The layers in checkpoint order: `layers.i`, then `finalNorm`.
    override public var children: [(String, Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element as Module) } + (finalNorm.map { [("finalNorm", $0)] } ?? [])
    }

    /// A fresh cache for this stack.
    public func makeCache() -> TransformerDecoderCache { TransformerDecoderCache(layerCount: layers.count) }

    /// The stack's output [B, L, D]; with a `cache`, x holds only the new positions.
    public func callAsFunction(_ x: Tensor, memory: Tensor, selfAttentionMask: AttentionMask = .none,
                               memoryMask: AttentionMask = .none, cache: TransformerDecoderCache? = nil) -> Tensor {
        self(x, memory: memory, selfAttentionMask: selfAttentionMask, memoryMask: memoryMask, cache: cache, weights: .none).output
    }

    /// The output and, unless `weights` is `.none`, every layer's self-attention [B, H, L, L] and cross-attention
    /// [B, H, L, S] weights in layer order (with a cache: self [B, H, L_new, S_so_far]). Empty for `.none`.
    public func callAsFunction(_ x: Tensor, memory: Tensor, selfAttentionMask: AttentionMask = .none,
                               memoryMask: AttentionMask = .none, cache: TransformerDecoderCache? = nil,
                               weights: MultiHeadAttention.WeightsOutput) -> (output: Tensor, attention: [TransformerLayerAttention]) {
        precondition(cache == nil || cache!.layers.count == layers.count,
                     "TransformerDecoder: cache has \(cache!.layers.count) layers, the decoder \(layers.count)")
        var h = x
        var attention: [TransformerLayerAttention] = []
        for (i, layer) in layers.enumerated() {
            let (y, w) = layer(h, memory: memory, selfAttentionMask: selfAttentionMask, memoryMask: memoryMask,
                               cache: cache?.layers[i], weights: weights)
            h = y
            if let w { attention.append(w) }
        }
        return (finalNorm.map { $0(h) } ?? h, attention)
    }

    /// Our names ↔ `nn.TransformerDecoder`'s (`layers.i.*`, `norm.*`).
    public var pyTorchKeyMap: PyTorchKeyMap {
        layers.enumerated().reduce(PyTorchKeyMap()) { $0 + $1.element.pyTorchKeyMap.prefixed(pyTorch: "layers.\($1.offset)", swift: "layers.\($1.offset)") }
            + (finalNorm.map { layerNormKeyMap($0, pyTorch: "norm", swift: "finalNorm") } ?? PyTorchKeyMap())
    }
}

/// The encoder–decoder Transformer of "Attention Is All You Need" (PyTorch `nn.Transformer`, which always has
/// both final norms): source [B, S, D], target [B, L, D] → [B, L, D]. Embeddings and the output projection live
/// in ``Seq2SeqTransformer``.
public final class Transformer: Module {
    /// The encoder stack (with its final norm).
    public let encoder: TransformerEncoder
    /// The decoder stack (with its final norm).
    public let decoder: TransformerDecoder

    /// A freshly initialised encoder–decoder with PyTorch's default depth (6 + 6).
    public init(_ c: TransformerLayerConfiguration, encoderLayers: Int = 6, decoderLayers: Int = 6,
                finalNorms: Bool = true, rng: inout RandomGenerator) {
        encoder = TransformerEncoder(c, layerCount: encoderLayers, finalNorm: finalNorms, rng: &rng)
        decoder = TransformerDecoder(c, layerCount: decoderLayers, finalNorm: finalNorms, rng: &rng)
    }

    /// The stacks in checkpoint order.
    override public var children: [(String, Module)] { [("encoder", encoder), ("decoder", decoder)] }

    /// The decoder output [B, L, D] for `source` [B, S, D] and `target` [B, L, D] embeddings.
    /// - Parameters:
    ///   - sourceMask: encoder self-attention (e.g. padding of the source).
    ///   - targetMask: decoder self-attention; usually ``TransformerMasks/causal``.
    ///   - memoryMask: decoder cross-attention (e.g. the same source padding).
    public func callAsFunction(source: Tensor, target: Tensor, sourceMask: AttentionMask = .none,
                               targetMask: AttentionMask = TransformerMasks.causal,
                               memoryMask: AttentionMask = .none) -> Tensor {
        self(source: source, target: target, sourceMask: sourceMask, targetMask: targetMask, memoryMask: memoryMask,
             weights: .none).output
    }

    /// The output and, unless `weights` is `.none`, every layer's attention weights (``TransformerAttention``:
    /// encoder self [B, H, S, S], decoder self [B, H, L, L] and cross [B, H, L, S] per layer).
    public func callAsFunction(source: Tensor, target: Tensor, sourceMask: AttentionMask = .none,
                               targetMask: AttentionMask = TransformerMasks.causal, memoryMask: AttentionMask = .none,
                               weights: MultiHeadAttention.WeightsOutput) -> (output: Tensor, attention: TransformerAttention) {
        let (memory, encoderWeights) = encoder(source, mask: sourceMask, weights: weights)
        let (y, decoderWeights) = decoder(target, memory: memory, selfAttentionMask: targetMask, memoryMask: memoryMask,
                                          weights: weights)
        return (y, TransformerAttention(encoder: encoderWeights, decoder: decoderWeights))
    }

    /// Our names ↔ `nn.Transformer`'s.
    public var pyTorchKeyMap: PyTorchKeyMap {
        encoder.pyTorchKeyMap.prefixed(pyTorch: "encoder", swift: "encoder")
            + decoder.pyTorchKeyMap.prefixed(pyTorch: "decoder", swift: "decoder")
    }
}

/// Mask helpers for Transformer inputs, all in the one ``AttentionMask`` convention (true = may attend).
public enum TransformerMasks {
    /// Causal self-attention, lower-right aligned: position i sees positions ≤ i of the full sequence, which is the
    /// same as upper-left without a cache and the right thing with one (L new queries after S − L cached keys).
    public static let causal: AttentionMask = .causal(.lowerRight)

    /// Keys at or past each sequence's length are padding: lengths [B].
    public static func padding(lengths: [Int]) -> AttentionMask { .keyPadding(lengths: lengths) }

    /// Causal and padded at once.
    public static func causalPadding(lengths: [Int]) -> AttentionMask { causal && .keyPadding(lengths: lengths) }

    /// A padding mask from PyTorch's `key_padding_mask` [B, S] (true = ignore), translated to ours.
    public static func padding(pyTorchKeyPaddingMask m: BoolTensor) -> AttentionMask { .keyPaddingMask(!m) }

    /// PyTorch's `generate_square_subsequent_mask(n)`: [n, n], 0 on and below the diagonal, −∞ above — for
    /// code that wants the float form; as an ``AttentionMask`` use `.additive` of it or ``causal``.
    public static func squareSubsequentMask(_ n: Int, dtype: DType = .float32) -> Tensor {
        var values = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { values[i * n + j] = -.infinity } }
        return Tensor(shape: [n, n], doubles: values).cast(to: dtype)
    }
}
