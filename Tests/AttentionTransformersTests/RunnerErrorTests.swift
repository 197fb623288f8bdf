import Foundation
import Testing
@testable import AttentionTransformers

/// Bad input to the runner: every refusal names the tensor or option, what was expected and what was found.
struct RunnerErrorTests {
    static func fixture(_ name: String) throws -> (inputs: [String: InteropTensor], metadata: [String: String], weights: [String: InteropTensor]?) {
        let f = PyTorchFixture.all.first { $0.name == name }!
        return (try f.inputs, try f.input.metadata, try f.weights)
    }

    func refusal(_ op: String, _ inputs: [String: InteropTensor], _ metadata: [String: String],
                 _ weights: [String: InteropTensor]? = nil) -> String {
        do {
            _ = try PyTorchRunner.run(op: op, inputs: inputs, metadata: metadata, weights: weights)
            return "(no error)"
        } catch let e as RunnerError { return e.message } catch { return "(other error: \(error))" }
    }

    @Test("Unknown op")
    func unknownOp() throws {
        let f = try Self.fixture("sdpa_basic")
        let message = refusal("attention", f.inputs, f.metadata)
        #expect(message.contains("unknown op 'attention'") && message.contains("sdpa, mha, encoder-layer, decoder-layer"))
    }

    @Test("Missing tensor: input and weights")
    func missing() throws {
        var f = try Self.fixture("sdpa_basic")
        f.inputs["key"] = nil
        #expect(refusal("sdpa", f.inputs, f.metadata) == "input: missing tensor 'key' (expected F32 [B, Hkv, S, E])")
        var m = try Self.fixture("mha_basic")
        m.weights!["out_proj.bias"] = nil
        #expect(refusal("mha", m.inputs, m.metadata, m.weights) == "weights: missing tensor out_proj.bias")
        #expect(refusal("mha", m.inputs, m.metadata, nil).contains("needs --weights"))
        var e = try Self.fixture("encoder_post_relu")
        e.weights!["linear1.weight"] = nil
        #expect(refusal("encoder-layer", e.inputs, e.metadata, e.weights).contains("missing tensor 'linear1.weight'"))
    }

    @Test("Wrong dtype")
    func wrongDType() throws {
        var f = try Self.fixture("sdpa_basic")
        f.inputs["query"] = .integer(shape: [2, 2, 3, 4], values: Array(repeating: 0, count: 48), dtype: "I64")
        #expect(refusal("sdpa", f.inputs, f.metadata) == "input: tensor 'query' has dtype I64, expected F32")
        f = try Self.fixture("sdpa_basic")
        f.inputs["attn_mask"] = .integer(shape: [3, 5], values: Array(repeating: 1, count: 15), dtype: "I64")
        #expect(refusal("sdpa", f.inputs, f.metadata) == "input: tensor 'attn_mask' has dtype I64, expected BOOL or F32")
        f = try Self.fixture("sdpa_basic")
        f.inputs["value"] = .float(Tensor.zeros([2, 2, 5, 3], dtype: .float64), dtype: "F64")
        #expect(refusal("sdpa", f.inputs, f.metadata) == "input: tensor 'value' has dtype F64, expected F32")
    }

    @Test("Wrong shape")
    func wrongShape() throws {
        var f = try Self.fixture("sdpa_basic")
        f.inputs["key"] = .float(Tensor.zeros([2, 2, 5, 7]))
        #expect(refusal("sdpa", f.inputs, f.metadata) == "input: tensor 'key' has shape [2, 2, 5, 7], expected [B, Hkv, S, E] with B = 2, E = 4")
        f = try Self.fixture("sdpa_basic")
        f.inputs["attn_mask"] = .bool(BoolTensor(repeating: true, shape: [4, 5]))
        #expect(refusal("sdpa", f.inputs, f.metadata).contains("'attn_mask' has shape [4, 5], expected broadcastable to [B, H, L, S] = [2, 2, 3, 5]"))
        var m = try Self.fixture("mha_basic")
        m.inputs["key_padding_mask"] = .bool(BoolTensor(repeating: false, shape: [2, 3]))
        #expect(refusal("mha", m.inputs, m.metadata, m.weights) == "input: tensor 'key_padding_mask' has shape [2, 3], expected [N, S] = [2, 4]")
        m = try Self.fixture("mha_basic")
        m.inputs["query"] = .float(Tensor.zeros([2, 3, 6]))
        #expect(refusal("mha", m.inputs, m.metadata, m.weights).contains("'query' has shape [2, 3, 6], expected [N, L, E] with E = 8"))
        m = try Self.fixture("mha_basic")
        m.weights!["in_proj_weight"] = .float(Tensor.zeros([24, 7]))
        #expect(refusal("mha", m.inputs, m.metadata, m.weights) == "weights: tensor in_proj_weight: expected shape [24, 8], found [24, 7]")
    }

    @Test("Bad and missing options")
    func options() throws {
        var m = try Self.fixture("mha_basic")
        m.metadata["num_heads"] = nil
        #expect(refusal("mha", m.inputs, m.metadata, m.weights).contains("missing option 'num_heads'"))
        m.metadata["num_heads"] = "3"
        #expect(refusal("mha", m.inputs, m.metadata, m.weights) == "option 'num_heads': 3 does not divide embed_dim 8")
        m.metadata["num_heads"] = "2"
        m.metadata["need_weights"] = "yes"
        #expect(refusal("mha", m.inputs, m.metadata, m.weights) == "option 'need_weights': expected \"true\" or \"false\", found \"yes\"")
        var e = try Self.fixture("encoder_post_relu")
        e.metadata["activation"] = "tanh"
        #expect(refusal("encoder-layer", e.inputs, e.metadata, e.weights) == "option 'activation': expected \"relu\" or \"gelu\", found \"tanh\"")
    }
}
