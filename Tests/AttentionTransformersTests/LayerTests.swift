import Foundation
import Testing
@testable import AttentionTransformers

struct LayerTests {
    static let placements: [NormPlacement] = [.pre, .post]
    static let kinds: [FeedForward.Kind] = [.relu, .gelu, .swiGLU]

    @Test("Feed-forward gradients pass the Float64 checker", arguments: kinds)
    func feedForwardGradients(_ kind: FeedForward.Kind) {
        var rng = RandomGenerator(seed: 1)
        let f = FeedForward(modelDim: 3, hiddenDim: 5, kind: kind, rng: &rng)
        randomize(f, seed: 10)
        let r = GradientCheck.run(module: f, inputs: [randomTensor([2, 2, 3], seed: 11)]) { f($0[0]) }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("Feed-forward values: W₂·act(W₁x + b₁) + b₂, and SwiGLU W₂·(silu(W_g x) ∘ W₁x)")
    func feedForwardValues() {
        var rng = RandomGenerator(seed: 2)
        for kind in Self.kinds {
            let f = FeedForward(modelDim: 2, hiddenDim: 3, kind: kind, rng: &rng)
            randomize(f, seed: 20)
            let x = [0.3, -1.2]
            func lin(_ l: Linear, _ v: [Double]) -> [Double] {
                let w = l.weight.value.doubles, b = l.bias!.value.doubles, n = v.count
                var out = b
                for o in 0..<l.outputSize { for i in 0..<n { out[o] += w[o * n + i] * v[i] } }
                return out
            }
            let up = lin(f.upProjection, x)
            let hidden: [Double]
            switch kind {
            case .plain(.relu): hidden = up.map { max($0, 0) }
            case .plain(.gelu): hidden = up.map { $0 * 0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
            default: hidden = zip(lin(f.gateProjection!, x), up).map { g, u in g / (1 + Foundation.exp(-g)) * u }
            }
            expectClose(f(Tensor(shape: [1, 2], doubles: x)).doubles, lin(f.downProjection, hidden), atol: 1e-14, "\(kind)")
        }
    }

    @Test("Encoder layer gradients (inputs and every parameter) pass the Float64 checker",
          arguments: placements, [FeedForward.Kind.relu, .gelu])
    func encoderGradients(_ placement: NormPlacement, _ kind: FeedForward.Kind) {
        var rng = RandomGenerator(seed: 3)
        let layer = TransformerEncoderLayer(smallLayer(placement, kind), rng: &rng)
        randomize(layer, seed: 30)
        let r = GradientCheck.run(module: layer, inputs: [randomTensor([2, 3, 4], seed: 31)]) {
            layer($0[0], mask: .keyPadding(lengths: [3, 2]))
        }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("Decoder layer gradients (target, memory and every parameter) pass the Float64 checker", arguments: placements)
    func decoderGradients(_ placement: NormPlacement) {
        var rng = RandomGenerator(seed: 4)
        let layer = TransformerDecoderLayer(smallLayer(placement, .gelu, kvHeads: 1), rng: &rng)
        randomize(layer, seed: 40)
        let r = GradientCheck.run(module: layer, inputs: [randomTensor([1, 3, 4], seed: 41), randomTensor([1, 2, 4], seed: 42)]) {
            layer($0[0], memory: $0[1], selfAttentionMask: TransformerMasks.causal)
        }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("Full Transformer gradients pass the Float64 checker (pre-norm, one layer each, final norms)")
    func transformerGradients() {
        var rng = RandomGenerator(seed: 5)
        let t = Transformer(smallLayer(.pre, ff: 4), encoderLayers: 1, decoderLayers: 1, rng: &rng)
        randomize(t, seed: 50)
        let r = GradientCheck.run(module: t, inputs: [randomTensor([1, 2, 4], seed: 51), randomTensor([1, 2, 4], seed: 52)]) {
            t(source: $0[0], target: $0[1])
        }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("Seq2Seq model gradients (embeddings, every layer, output projection) pass the Float64 checker")
    func seq2seqGradients() {
        var rng = RandomGenerator(seed: 9)
        let m = Seq2SeqTransformer(sourceVocabulary: 4, targetVocabulary: 3, layer: smallLayer(.post, ff: 4),
                                   encoderLayers: 1, decoderLayers: 1, rng: &rng)
        randomize(m, seed: 90)
        let r = GradientCheck.run(module: m, inputs: []) { _ in m(sources: [[1, 2, 3], [3, 1]], targets: [[0, 2], [0, 1]]) }
        #expect(r.maxRelativeError < 1e-3, "\(r)")
    }

    @Test("One norm placement for every branch: the decoder equals its sublayers composed by hand", arguments: placements)
    func placementCannotDrift(_ placement: NormPlacement) {
        var rng = RandomGenerator(seed: 6)
        let layer = TransformerDecoderLayer(smallLayer(placement, .gelu), rng: &rng)
        randomize(layer, seed: 60)
        let x = randomTensor([2, 3, 4], seed: 61), memory = randomTensor([2, 4, 4], seed: 62)
        let mask = TransformerMasks.causal
        let sa = { (h: Tensor) in layer.selfAttention(query: h, key: h, value: h, mask: mask).output }
        let ca = { (h: Tensor) in layer.crossAttention(query: h, key: memory, value: memory).output }
        let expected: Tensor
        switch placement {
        case .pre:
            let h1 = x + sa(layer.selfAttentionNorm(x))
            let h2 = h1 + ca(layer.crossAttentionNorm(h1))
            expected = h2 + layer.feedForward(layer.feedForwardNorm(h2))
        case .post:
            // The cross-attention queries h1, the *normalised* stream (paper and PyTorch).
            let h1 = layer.selfAttentionNorm(x + sa(x))
            let h2 = layer.crossAttentionNorm(h1 + ca(h1))
            expected = layer.feedForwardNorm(h2 + layer.feedForward(h2))
        }
        expectClose(layer(x, memory: memory, selfAttentionMask: mask).doubles, expected.doubles, atol: 1e-14, "\(placement)")
    }

    @Test("Post-norm output rows are normalised (unit norms); pre-norm rows are not")
    func postNormNormalises() {
        var rng = RandomGenerator(seed: 7)
        for placement in Self.placements {
            let layer = TransformerEncoderLayer(smallLayer(placement), rng: &rng)
            layer.convert(to: .float64)
            layer.eval()
            let y = layer(randomTensor([1, 3, 4], seed: 70, scale: 3))
            for row in 0..<3 {
                let r = Array(y.doubles[(row * 4)..<(row * 4 + 4)])
                let mean = r.reduce(0, +) / 4, variance = r.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
                if placement == .post { #expect(Swift.abs(mean) < 1e-12 && Swift.abs(variance - 1) < 1e-4) }
                else { #expect(Swift.abs(variance - 1) > 1e-2) }
            }
        }
    }

    @Test("Stacks: parameter paths, final norm, PyTorch names for nn.Transformer")
    func stackNames() {
        var rng = RandomGenerator(seed: 8)
        let t = Transformer(smallLayer(.post), encoderLayers: 2, decoderLayers: 1, rng: &rng)
        let names = Set(t.namedParameters().map(\.0))
        #expect(names.contains("encoder.layers.1.selfAttention.inputProjection.weight"))
        #expect(names.contains("decoder.layers.0.crossAttention.outputProjection.bias"))
        #expect(names.contains("encoder.finalNorm.weight") && names.contains("decoder.finalNorm.bias"))
        let pt = Set(t.pyTorchKeyMap.pyTorchStateDict(from: t.stateDict()).keys)
        #expect(pt.contains("encoder.layers.1.self_attn.in_proj_weight") && pt.contains("decoder.layers.0.multihead_attn.out_proj.bias"))
        #expect(pt.contains("decoder.layers.0.norm3.weight") && pt.contains("encoder.norm.bias") && pt.contains("encoder.layers.0.linear2.weight"))
        #expect(pt.count == names.count)
        // 2 encoder layers × (MHA 4·12+12+16+4, FF 4·6+6+6·4+4, 2 norms × 8) + decoder layer (2 MHA, FF, 3 norms) + 2 final norms.
        #expect(t.parameterCount == 2 * (80 + 58 + 16) + (160 + 58 + 24) + 16)
    }

    @Test("Mask helpers: causal is lower-right, padding from lengths, PyTorch's square subsequent mask")
    func masks() {
        let bias = TransformerMasks.causalPadding(lengths: [2]).additiveBias(batch: 1, heads: 1, queryLength: 2, keyLength: 3)!.doubles
        #expect(bias == [0, 0, -.infinity, 0, 0, -.infinity])
        let pt = TransformerMasks.padding(pyTorchKeyPaddingMask: BoolTensor(shape: [1, 3], values: [false, true, false]))
        #expect(pt.additiveBias(batch: 1, heads: 1, queryLength: 1, keyLength: 3)!.doubles == [0, -.infinity, 0])
        #expect(TransformerMasks.squareSubsequentMask(3).doubles == [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0])
    }
}
