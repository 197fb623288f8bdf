import Foundation
import Testing
@testable import AttentionTransformers

/// Cached (incremental) decoding against full recomputation of the whole prefix.
struct KVCacheTests {
    struct AttentionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let config: MultiHeadAttention.Configuration
        var testDescription: String { name }
        static let all = [
            AttentionCase(name: "MHA", config: .init(embedDim: 8, numHeads: 2)),
            AttentionCase(name: "GQA 4/2 + RoPE", config: .init(embedDim: 8, numHeads: 4, kvHeads: 2, rotary: RotaryEmbedding(dimension: 2))),
            AttentionCase(name: "MQA + bias kv + zero attention + gate", config: .init(embedDim: 6, numHeads: 3, kvHeads: 1, addBiasKV: true,
                                                                                    addZeroAttention: true, outputGate: true)),
        ]
    }

    static let chunkings: [[Int]] = [[1, 1, 1, 1, 1, 1], [2, 1, 3], [6]]

    @Test("Causal self-attention: chunks through the cache equal the full sequence at once",
          arguments: AttentionCase.all, [DType.float64, .float32])
    func attentionCache(_ c: AttentionCase, _ dtype: DType) {
        var rng = RandomGenerator(seed: 1)
        let m = MultiHeadAttention(c.config, rng: &rng)
        randomize(m, seed: 100, dtype: dtype)
        let x = randomTensor([2, 6, c.config.embedDim], seed: 101, dtype: dtype)
        let full = m.causalSelfAttention(x, weights: .perHead)
        for chunks in Self.chunkings {
            let cache = KeyValueCache()
            var outputs: [Tensor] = [], start = 0
            for n in chunks {
                let (o, w) = m.causalSelfAttention(x.slice(axis: 1, start..<(start + n)), weights: .perHead, cache: cache)
                // The chunk's weights are the matching rows of the full weights, over the keys seen so far.
                let fullRows = full.weights!.slice(axis: 2, start..<(start + n))
                let seen = start + n, extra = c.config.extraKeys
                var expectedW = fullRows.slice(axis: 3, 0..<seen)
                if extra > 0 { expectedW = Tensor.concatenate([expectedW, fullRows.slice(axis: 3, 6..<(6 + extra))], axis: 3) }
                expectClose(w!.doubles, expectedW.doubles, atol: dtype == .float64 ? 1e-12 : 1e-6, "weights, chunks \(chunks)")
                outputs.append(o)
                start += n
            }
            #expect(cache.length == 6)
            let diff = maxAbsDifference(Tensor.concatenate(outputs, axis: 1).doubles, full.output.doubles)
            #expect(diff <= 1e-6, "chunks \(chunks): max |cached − full| = \(diff)")
        }
    }

    @Test("Decoder stack: one token at a time through the caches equals recomputing the prefix",
          arguments: [NormPlacement.pre, .post], [DType.float64, .float32])
    func decoderCache(_ placement: NormPlacement, _ dtype: DType) {
        var rng = RandomGenerator(seed: 2)
        let decoder = TransformerDecoder(smallLayer(placement, .swiGLU, d: 8, heads: 4, kvHeads: 2, ff: 12,
                                                    rotary: RotaryEmbedding(dimension: 2, pairing: .interleaved)),
                                         layerCount: 2, finalNorm: placement == .pre, rng: &rng)
        randomize(decoder, seed: 200, dtype: dtype)
        let x = randomTensor([2, 5, 8], seed: 201, dtype: dtype), memory = randomTensor([2, 4, 8], seed: 202, dtype: dtype)
        let memoryMask = TransformerMasks.padding(lengths: [4, 2])
        let cache = decoder.makeCache()
        var worst = 0.0
        for t in 0..<5 {
            let step = decoder(x.slice(axis: 1, t..<(t + 1)), memory: memory, selfAttentionMask: TransformerMasks.causal,
                               memoryMask: memoryMask, cache: cache)
            let full = decoder(x.slice(axis: 1, 0..<(t + 1)), memory: memory, selfAttentionMask: TransformerMasks.causal,
                               memoryMask: memoryMask)
            worst = max(worst, maxAbsDifference(step.doubles, full.slice(axis: 1, t..<(t + 1)).doubles))
        }
        #expect(cache.length == 5)
        #expect(worst <= 1e-6, "max |cached − full| = \(worst)")
    }

    @Test("Seq2Seq logits: cached decoding equals full recomputation at every step", arguments: [DType.float64, .float32])
    func seq2seqCache(_ dtype: DType) {
        var rng = RandomGenerator(seed: 3)
        let model = Seq2SeqTransformer(sourceVocabulary: 11, targetVocabulary: 9, layer: smallLayer(.post, d: 8, heads: 2, ff: 16),
                                       encoderLayers: 2, decoderLayers: 2, rng: &rng)
        model.convert(to: dtype)
        model.eval()
        let source = model.encode([[3, 4, 5, 6], [7, 8]])
        let targets = [[1, 5, 2, 7], [1, 3, 3, 8]]
        let cache = model.transformer.decoder.makeCache()
        let full = model.decode(targets, source: source)
        var worst = 0.0
        for t in 0..<4 {
            let step = model.decode(targets.map { [$0[t]] }, source: source, cache: cache)
            worst = max(worst, maxAbsDifference(step.doubles, full.slice(axis: 1, t..<(t + 1)).doubles))
        }
        #expect(worst <= 1e-6, "max |cached − full| = \(worst)")
    }

    @Test("Reordering a cache follows the chosen batch rows (beam search)")
    func reorder() {
        let cache = KeyValueCache()
        let k = randomTensor([3, 1, 2, 2], seed: 4), v = randomTensor([3, 1, 2, 2], seed: 5)
        _ = cache.update(keys: k, values: v)
        cache.reorder(batch: [2, 2, 0])
        #expect(cache.keys!.slice(axis: 0, 0..<1).doubles == k.slice(axis: 0, 2..<3).doubles)
        #expect(cache.values!.slice(axis: 0, 2..<3).doubles == v.slice(axis: 0, 0..<1).doubles)
        let cross = KeyValueCache(kind: .crossAttention)
        _ = cross.update(keys: k, values: v)
        _ = cross.update(keys: v, values: k)
        #expect(cross.length == 2 && cross.keys!.doubles == v.doubles)
    }
}
