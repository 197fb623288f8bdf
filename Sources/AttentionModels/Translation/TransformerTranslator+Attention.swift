import Attention
import AttentionText
import AttentionTransformers

extension TransformerTranslator {
    /// Every decoder layer's cross-attention, per head, while reading `<sos>` + `target` under teacher forcing:
    /// [layer][head][row][column], rows = target words (+ the `<eos>` step when `withEnd`), columns = source words.
    /// The decoder is causal, so row t is what the cached decoding computed when it produced word t.
    func crossAttention(source: [Int], target: [Int], withEnd: Bool) -> [[[[Double]]]] {
        withoutGradients {
            let encoded = model.encode([source])
            let (_, layers) = model.decode([[WordVocabulary.start] + target], source: encoded, weights: .perHead)
            let rows = target.count + (withEnd ? 1 : 0), s = source.count
            return layers.map { layer in
                let w = layer.crossAttention!                                         // [1, H, T+1, S]
                let h = w.shape[1], t = w.shape[2], values = w.cast(to: .float64).doubles
                return (0..<h).map { head in (0..<rows).map { r in
                    Array(values[((head * t) + r) * s ..< ((head * t) + r + 1) * s])
                } }
            }
        }
    }
}
