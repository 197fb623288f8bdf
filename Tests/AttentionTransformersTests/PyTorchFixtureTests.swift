import Foundation
import AttentionSafeTensors
import Testing
@testable import AttentionTransformers

/// One PyTorch case of Scripts/make_transformer_fixtures.py: NAME.in / .weights / .expected.safetensors.
struct PyTorchFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let directory: URL
    var testDescription: String { name }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let all: [PyTorchFixture] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".in.safetensors") }.map { String($0.dropLast(".in.safetensors".count)) }.sorted()
            .map { PyTorchFixture(name: $0, directory: directory) }
    }()
    static func named(_ prefix: String) -> [PyTorchFixture] { all.filter { $0.name.hasPrefix(prefix) } }

    func file(_ kind: String) throws -> SafeTensorsFile? {
        let url = directory.appendingPathComponent("\(name).\(kind).safetensors")
        return FileManager.default.fileExists(atPath: url.path) ? try SafeTensorsFile(contentsOf: url.path) : nil
    }

    var input: SafeTensorsFile { get throws { try file("in")! } }
    var op: String { get throws { try input.metadata["op"]! } }
    var inputs: [String: InteropTensor] { get throws { try Self.interop(input) } }
    var weights: [String: InteropTensor]? { get throws { try file("weights").map(Self.interop) } }
    var expected: [String: Tensor] {
        get throws {
            let f = try file("expected")!
            return Dictionary(uniqueKeysWithValues: try f.names.map { ($0, try f.tensor($0, as: .float64)) })
        }
    }

    /// The same conversion as the CLI: BOOL → masks, floating types → tensors, integers as integers.
    static func interop(_ f: SafeTensorsFile) throws -> [String: InteropTensor] {
        var out: [String: InteropTensor] = [:]
        for info in f.tensors {
            if info.dtype == .bool {
                out[info.name] = .bool(BoolTensor(shape: info.shape, values: try f.bools(info.name)))
            } else if info.dtype.isFloatingPoint {
                out[info.name] = .float(try f.tensor(info.name), dtype: info.dtype.rawValue)
            } else {
                out[info.name] = .integer(shape: info.shape, values: try f.int64s(info.name), dtype: info.dtype.rawValue)
            }
        }
        return out
    }

    func context() throws -> RunContext {
        RunContext(inputs: try inputs, metadata: try input.metadata, weights: try weights)
    }
}

/// Values and gradients against PyTorch (float64 on the float32 inputs): fp32 atol 1e-5 / rtol 1e-4.
struct PyTorchFixtureTests {
    @Test("Fixtures are present (regenerate with Scripts/make_transformer_fixtures.py)")
    func present() {
        #expect(PyTorchFixture.named("sdpa").count >= 4 && PyTorchFixture.named("mha").count >= 10)
        #expect(PyTorchFixture.named("encoder").count >= 4 && PyTorchFixture.named("decoder").count >= 4)
    }

    @Test("The runner reproduces PyTorch: outputs, weights and input gradients", arguments: PyTorchFixture.all)
    func runner(_ f: PyTorchFixture) throws {
        let out = try PyTorchRunner.run(op: try f.op, inputs: try f.inputs, metadata: try f.input.metadata, weights: try f.weights)
        let expected = try f.expected
        let wanted = Set(expected.keys.filter { !$0.hasPrefix("param_grad.") && !$0.hasPrefix("layer_weights.") })
        #expect(Set(out.keys) == wanted)
        for (name, value) in out.sorted(by: { $0.key < $1.key }) {
            guard let e = expected[name] else { continue }
            #expect(value.shape == e.shape, "\(name)")
            #expect(value.dtype == .float32, "\(name)")
            expectClose(value.doubles, e.doubles, atol: 1e-5, rtol: 1e-4, "\(f.name): \(name)")
        }
    }

    @Test("Parameter gradients of MultiHeadAttention match PyTorch's", arguments: PyTorchFixture.named("mha"))
    func mhaParameterGradients(_ f: PyTorchFixture) throws {
        let run = try f.context()
        let checkpoint = try run.stateDict()
        let heads = try run.int("num_heads")
        let config = try MultiHeadAttention.pyTorchConfiguration(checkpoint, numHeads: heads, addZeroAttention: try run.bool("add_zero_attn", default: false))
        var rng = RandomGenerator(seed: 0)
        let m = MultiHeadAttention(config, rng: &rng)
        m.eval()
        try m.pyTorchKeyMap.load(checkpoint, into: m)
        let q = try run.float("query", ranks: [3], expected: ""), k = try run.float("key", ranks: [3], expected: "")
        let v = try run.float("value", ranks: [3], expected: "")
        let needWeights = try run.bool("need_weights", default: true)
        let (mask, covers) = try run.multiheadMask(attnMask: "attn_mask", keyPaddingMask: "key_padding_mask",
                                                   isCausal: try run.bool("is_causal", default: false), needWeights: needWeights,
                                                   batch: q.shape[0], heads: heads, queryLength: q.shape[1], keyLength: k.shape[1])
        let y = m(query: q, key: k, value: v, mask: mask, maskCoversExtraKeys: covers).output
        y.backward(seed: try run.float("grad_output", ranks: [3], expected: ""))
        try expectParameterGradients(m, m.pyTorchKeyMap, f)
    }

    @Test("Parameter gradients of the encoder and decoder layers match PyTorch's",
          arguments: PyTorchFixture.named("encoder") + PyTorchFixture.named("decoder"))
    func layerParameterGradients(_ f: PyTorchFixture) throws {
        let run = try f.context()
        let checkpoint = try run.stateDict()
        let c = try run.layerConfiguration(checkpoint)
        var rng = RandomGenerator(seed: 0)
        if try f.op == "encoder-layer" {
            let layer = TransformerEncoderLayer(c, rng: &rng)
            layer.eval()
            try layer.pyTorchKeyMap.load(checkpoint, into: layer)
            let src = try run.sequence("src", modelDim: c.modelDim)
            let (mask, _) = try run.multiheadMask(attnMask: "src_mask", keyPaddingMask: "src_key_padding_mask",
                                                  isCausal: try run.bool("is_causal", default: false), needWeights: false,
                                                  batch: src.shape[0], heads: c.numHeads, queryLength: src.shape[1], keyLength: src.shape[1])
            layer(src, mask: mask).backward(seed: try run.sequence("grad_output", modelDim: c.modelDim))
            try expectParameterGradients(layer, layer.pyTorchKeyMap, f)
        } else {
            let layer = TransformerDecoderLayer(c, rng: &rng)
            layer.eval()
            try layer.pyTorchKeyMap.load(checkpoint, into: layer)
            let tgt = try run.sequence("tgt", modelDim: c.modelDim), memory = try run.sequence("memory", modelDim: c.modelDim)
            let (n, l, s) = (tgt.shape[0], tgt.shape[1], memory.shape[1])
            let (selfMask, _) = try run.multiheadMask(attnMask: "tgt_mask", keyPaddingMask: "tgt_key_padding_mask",
                                                      isCausal: try run.bool("tgt_is_causal", default: false), needWeights: false,
                                                      batch: n, heads: c.numHeads, queryLength: l, keyLength: l)
            let (memoryMask, _) = try run.multiheadMask(attnMask: "memory_mask", keyPaddingMask: "memory_key_padding_mask",
                                                        isCausal: false, needWeights: false, batch: n, heads: c.numHeads, queryLength: l, keyLength: s)
            layer(tgt, memory: memory, selfAttentionMask: selfMask, memoryMask: memoryMask)
                .backward(seed: try run.sequence("grad_output", modelDim: c.modelDim))
            try expectParameterGradients(layer, layer.pyTorchKeyMap, f)
        }
    }

    /// Our parameter gradients, translated to PyTorch names by the key map, against `param_grad.<name>`.
    func expectParameterGradients(_ module: Module, _ map: PyTorchKeyMap, _ f: PyTorchFixture) throws {
        let ours = Dictionary(uniqueKeysWithValues: module.namedParameters().map { ($0.0, $0.1.gradient ?? Tensor.zeros($0.1.value.shape)) })
        let grads = map.pyTorchStateDict(from: ours)
        let expected = try f.expected.filter { $0.key.hasPrefix("param_grad.") }
        #expect(grads.count == expected.count, "\(f.name): \(grads.count) parameter gradients, PyTorch has \(expected.count)")
        for (name, e) in expected.sorted(by: { $0.key < $1.key }) {
            let key = String(name.dropFirst("param_grad.".count))
            guard let g = grads[key] else { Issue.record("\(f.name): no gradient for \(key)"); continue }
            expectClose(g.doubles, e.doubles, atol: 1e-5, rtol: 1e-4, "\(f.name): \(key)")
        }
    }
}
