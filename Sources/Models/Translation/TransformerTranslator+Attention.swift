import Attention
import Text
import Transformers

extension TransformerTranslator {
    /// Every decoder layer's cross-attention, per head, while reading `<sos>` + `target` under teacher forcing:
    /// [layer][head][row][column], rows = target words (+ the `<eos>` step when `withEnd`), columns = source words.
    func crossAttention(source: [Int], target: [Int], withEnd: Bool) -> [[[[Double]]]] {
        withoutGradients {
            let encoded = model.encode([source])
            let perLayer = model.decoderCrossAttention([[WordVocabulary.start] + target], source: encoded)   // [1, H, T+1, S] each
            let rows = target.count + (withEnd ? 1 : 0), s = source.count
            return perLayer.map { w in
                let h = w.shape[1], t = w.shape[2], values = w.cast(to: .float64).doubles
                return (0..<h).map { head in (0..<rows).map { r in
                    Array(values[((head * t) + r) * s ..< ((head * t) + r + 1) * s])
                } }
            }
        }
    }
}

extension Seq2SeqTransformer {
    /// Cross-attention weights [B, H, T, S] of every decoder layer for target prefixes `targets` (evaluation mode:
    /// no dropout), by walking the layers' public sublayers in the order the decoder layer applies them.
    func decoderCrossAttention(_ targets: [[Int]], source: EncodedSource) -> [Tensor] {
        let b = targets.count, t = targets.first?.count ?? 0, d = modelDim
        var h = targetEmbedding(targets.flatMap { $0 }, shape: [b, t]) * Double(d).squareRoot()
        h = h + PositionalEncoding.sinusoidal(length: t, dimension: d, dtype: h.dtype)
        var weights: [Tensor] = []
        for layer in transformer.decoder.layers {
            let pre = layer.configuration.normPlacement == .pre
            func residual(_ x: Tensor, _ norm: LayerNorm, _ f: (Tensor) -> Tensor) -> Tensor {
                pre ? x + f(norm(x)) : norm(f(x), residual: x)
            }
            h = residual(h, layer.selfAttentionNorm) { layer.selfAttention.selfAttention($0, mask: TransformerMasks.causal).output }
            h = residual(h, layer.crossAttentionNorm) {
                let (out, w) = layer.crossAttention.crossAttention(query: $0, memory: source.memory, mask: source.mask, weights: .perHead)
                weights.append(w!)
                return out
            }
            h = residual(h, layer.feedForwardNorm) { layer.feedForward($0) }
        }
        return weights
    }
}
