import Foundation
import Testing
@testable import AttentionTransformers

/// The attention weights the layers, stacks and the seq2seq model return (``TransformerLayerAttention``): against
/// PyTorch's `self_attn` / `multihead_attn` called with need_weights=True, average_attn_weights=False
/// (Scripts/make_transformer_fixtures.py, `layer_weights.*`), and, for stacks and cached decoding, against the
/// layer-level weights those fixtures check.
struct LayerAttentionTests {
    /// The layer of a fixture, loaded, with the masks its inputs describe.
    struct LoadedLayer {
        let run: RunContext
        let c: TransformerLayerConfiguration
        let checkpoint: [String: Tensor]
    }

    func loaded(_ f: PyTorchFixture) throws -> LoadedLayer {
        let run = try f.context()
        let checkpoint = try run.stateDict()
        return LoadedLayer(run: run, c: try run.layerConfiguration(checkpoint), checkpoint: checkpoint)
    }

    @Test("Encoder layer: per-head self-attention weights match PyTorch; asking for them leaves the output alone",
          arguments: PyTorchFixture.named("encoder"))
    func encoderLayer(_ f: PyTorchFixture) throws {
        let (run, c, checkpoint) = try { let l = try loaded(f); return (l.run, l.c, l.checkpoint) }()
        var rng = RandomGenerator(seed: 0)
        let layer = TransformerEncoderLayer(c, rng: &rng)
        layer.eval()
        try layer.pyTorchKeyMap.load(checkpoint, into: layer)
        let src = try run.sequence("src", modelDim: c.modelDim)
        let (mask, _) = try run.multiheadMask(attnMask: "src_mask", keyPaddingMask: "src_key_padding_mask",
                                              isCausal: try run.bool("is_causal", default: false), needWeights: true,
                                              batch: src.shape[0], heads: c.numHeads, queryLength: src.shape[1], keyLength: src.shape[1])
        let (y, w) = withoutGradients { layer(src, mask: mask, weights: .perHead) }
        let expected = try f.expected["layer_weights.self_attn"]!
        #expect(w!.shape == expected.shape)
        expectClose(w!.doubles, expected.doubles, atol: 1e-5, rtol: 1e-4, "\(f.name): self-attention weights")
        #expect(y.doubles == withoutGradients { layer(src, mask: mask) }.doubles, "\(f.name): output changed by asking for weights")
    }

    @Test("Decoder layer: per-head self- and cross-attention weights match PyTorch; the output is unchanged",
          arguments: PyTorchFixture.named("decoder"))
    func decoderLayer(_ f: PyTorchFixture) throws {
        let (run, c, checkpoint) = try { let l = try loaded(f); return (l.run, l.c, l.checkpoint) }()
        var rng = RandomGenerator(seed: 0)
        let layer = TransformerDecoderLayer(c, rng: &rng)
        layer.eval()
        try layer.pyTorchKeyMap.load(checkpoint, into: layer)
        let tgt = try run.sequence("tgt", modelDim: c.modelDim), memory = try run.sequence("memory", modelDim: c.modelDim)
        let (n, l, s) = (tgt.shape[0], tgt.shape[1], memory.shape[1])
        let (selfMask, _) = try run.multiheadMask(attnMask: "tgt_mask", keyPaddingMask: "tgt_key_padding_mask",
                                                  isCausal: try run.bool("tgt_is_causal", default: false), needWeights: true,
                                                  batch: n, heads: c.numHeads, queryLength: l, keyLength: l)
        let (memoryMask, _) = try run.multiheadMask(attnMask: "memory_mask", keyPaddingMask: "memory_key_padding_mask",
                                                    isCausal: false, needWeights: true, batch: n, heads: c.numHeads, queryLength: l, keyLength: s)
        let (y, a) = withoutGradients { layer(tgt, memory: memory, selfAttentionMask: selfMask, memoryMask: memoryMask, weights: .perHead) }
        let expected = try f.expected
        #expect(a!.selfAttention.shape == [n, c.numHeads, l, l] && a!.crossAttention!.shape == [n, c.numHeads, l, s])
        expectClose(a!.selfAttention.doubles, expected["layer_weights.self_attn"]!.doubles, atol: 1e-5, rtol: 1e-4, "\(f.name): self")
        expectClose(a!.crossAttention!.doubles, expected["layer_weights.multihead_attn"]!.doubles, atol: 1e-5, rtol: 1e-4, "\(f.name): cross")
        let plain = withoutGradients { layer(tgt, memory: memory, selfAttentionMask: selfMask, memoryMask: memoryMask) }
        #expect(y.doubles == plain.doubles, "\(f.name): output changed by asking for weights")
        // Averaged: the mean over heads.
        let (_, avg) = withoutGradients { layer(tgt, memory: memory, selfAttentionMask: selfMask, memoryMask: memoryMask, weights: .averaged) }
        expectClose(avg!.crossAttention!.doubles, a!.crossAttention!.mean(axis: 1).doubles, atol: 1e-7, "\(f.name): averaged")
    }

    @Test("Stacks: each layer's weights are those of the layer run on its own input; a source row with every key masked gives 0",
          arguments: [NormPlacement.pre, .post])
    func stacks(_ placement: NormPlacement) {
        var rng = RandomGenerator(seed: 7)
        let model = Transformer(smallLayer(placement, .gelu, d: 8, heads: 2, ff: 12), encoderLayers: 2, decoderLayers: 2, rng: &rng)
        randomize(model, seed: 70)
        let src = randomTensor([2, 4, 8], seed: 71), tgt = randomTensor([2, 3, 8], seed: 72)
        let sourceMask = TransformerMasks.padding(lengths: [4, 2])
        let memoryMask = AttentionMask.keyPaddingMask(BoolTensor(shape: [2, 4], values: [true, true, false, true, false, false, false, false]))
        let (y, a) = model(source: src, target: tgt, sourceMask: sourceMask, memoryMask: memoryMask, weights: .perHead)
        #expect(y.doubles == model(source: src, target: tgt, sourceMask: sourceMask, memoryMask: memoryMask).doubles)
        #expect(a.encoder.count == 2 && a.decoder.count == 2)
        var h = src
        for (i, layer) in model.encoder.layers.enumerated() {
            let (next, w) = layer(h, mask: sourceMask, weights: .perHead)
            #expect(a.encoder[i].selfAttention.shape == [2, 2, 4, 4] && a.encoder[i].crossAttention == nil)
            #expect(a.encoder[i].selfAttention.doubles == w!.doubles, "encoder layer \(i)")
            h = next
        }
        let memory = model.encoder.finalNorm!(h)
        var x = tgt
        for (i, layer) in model.decoder.layers.enumerated() {
            let (next, w) = layer(x, memory: memory, selfAttentionMask: TransformerMasks.causal, memoryMask: memoryMask, weights: .perHead)
            #expect(a.decoder[i].selfAttention.doubles == w!.selfAttention.doubles, "decoder layer \(i) self")
            #expect(a.decoder[i].crossAttention!.doubles == w!.crossAttention!.doubles, "decoder layer \(i) cross")
            // Rows sum to 1 where a key is visible, and are exactly 0 in batch row 1 of cross-attention (no key).
            let cross = a.decoder[i].crossAttention!.doubles                     // [2, 2, 3, 4]
            for row in 0..<12 {
                let sum = cross[(row * 4)..<(row * 4 + 4)].reduce(0, +)
                if row < 6 { #expect(Swift.abs(sum - 1) < 1e-12) } else { #expect(cross[(row * 4)..<(row * 4 + 4)].allSatisfy { $0 == 0 }) }
            }
            // The causal mask: nothing above the diagonal.
            let selfW = a.decoder[i].selfAttention.doubles
            for b in 0..<4 { for q in 0..<3 { for k in (q + 1)..<3 { #expect(selfW[b * 9 + q * 3 + k] == 0) } } }
            x = next
        }
    }

    @Test("Cached decoding: each new token's weights [B, H, 1, t] are row t of the full teacher-forced weights",
          arguments: [NormPlacement.pre, .post], [DType.float64, .float32])
    func cachedDecoding(_ placement: NormPlacement, _ dtype: DType) {
        var rng = RandomGenerator(seed: 8)
        let model = Seq2SeqTransformer(sourceVocabulary: 9, targetVocabulary: 7, layer: smallLayer(placement, d: 8, heads: 2, ff: 8),
                                       encoderLayers: 1, decoderLayers: 2, rng: &rng)
        randomize(model, seed: 80, dtype: dtype)
        let sources = [[1, 4, 2, 8], [3, 5]], targets = [[1, 2, 3, 4, 5], [6, 5, 4, 3, 2]]
        let (_, full) = withoutGradients { model(sources: sources, targets: targets, weights: .perHead) }
        #expect(full.encoder.count == 1 && full.encoder[0].selfAttention.shape == [2, 2, 4, 4])
        let source = withoutGradients { model.encode(sources) }
        let cache = model.transformer.decoder.makeCache()
        let tol = dtype == .float64 ? 1e-12 : 1e-6
        for t in 0..<5 {
            let (_, step) = withoutGradients { model.decode(targets.map { [$0[t]] }, source: source, cache: cache, weights: .perHead) }
            for (i, layer) in step.enumerated() {
                #expect(layer.selfAttention.shape == [2, 2, 1, t + 1] && layer.crossAttention!.shape == [2, 2, 1, 4])
                let selfRow = full.decoder[i].selfAttention.slice(axis: 2, t..<(t + 1)).slice(axis: 3, 0..<(t + 1))
                expectClose(layer.selfAttention.doubles, selfRow.doubles, atol: tol, "step \(t) layer \(i) self")
                expectClose(layer.crossAttention!.doubles, full.decoder[i].crossAttention!.slice(axis: 2, t..<(t + 1)).doubles,
                            atol: tol, "step \(t) layer \(i) cross")
            }
        }
    }
}
