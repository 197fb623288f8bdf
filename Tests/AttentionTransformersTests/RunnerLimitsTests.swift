import Foundation
import Testing
@testable import AttentionTransformers

/// The runner's numerics at the edges: NaN and infinity propagate as in PyTorch, rows with nothing to attend to
/// follow one rule, and inputs too large to compute are refused with a figure instead of trapping or running on.
struct RunnerLimitsTests {
    func run(_ op: String, _ f: (inputs: [String: InteropTensor], metadata: [String: String], weights: [String: InteropTensor]?)) throws -> [String: Tensor] {
        try PyTorchRunner.run(op: op, inputs: f.inputs, metadata: f.metadata, weights: f.weights)
    }

    func refusal(_ op: String, _ inputs: [String: InteropTensor], _ metadata: [String: String],
                 _ weights: [String: InteropTensor]? = nil) -> String {
        RunnerErrorTests().refusal(op, inputs, metadata, weights)
    }

    /// `float` with one element edited.
    func edited(_ t: InteropTensor?, _ index: Int, _ value: Double) -> InteropTensor {
        guard case .float(let x, _) = t! else { fatalError("not a float tensor") }
        var d = x.doubles
        d[index] = value
        return .float(Tensor(shape: x.shape, doubles: d).cast(to: .float32))
    }

    @Test("sdpa: a NaN in one query row makes that row NaN, output and weights")
    func sdpaNaNQuery() throws {
        var f = try RunnerErrorTests.fixture("sdpa_basic")   // query [2, 2, 3, 4], key [2, 2, 5, 4]
        f.inputs["query"] = edited(f.inputs["query"], 1 * 4 + 2, .nan)   // b 0, h 0, row 1
        let out = try run("sdpa", f)
        let o = out["output"]!.doubles, w = out["weights"]!.doubles
        for row in 0..<12 {
            let orow = o[(row * 3)..<(row * 3 + 3)], wrow = w[(row * 5)..<(row * 5 + 5)]
            #expect(row == 1 ? orow.allSatisfy { $0.isNaN } : !orow.contains { $0.isNaN }, "output row \(row)")
            #expect(row == 1 ? wrow.allSatisfy { $0.isNaN } : !wrow.contains { $0.isNaN }, "weights row \(row)")
        }
        #expect(out["grad_query"]!.doubles[4..<8].allSatisfy { $0.isNaN })
    }

    @Test("mha: a NaN in in_proj_weight reaches the output as well as the weights")
    func mhaNaNWeight() throws {
        var f = try RunnerErrorTests.fixture("mha_basic")
        f.weights!["in_proj_weight"] = edited(f.weights!["in_proj_weight"], 0, .nan)   // query projection, head 0
        let out = try run("mha", f)
        #expect(out["output"]!.doubles.allSatisfy { $0.isNaN })
        #expect(out["weights"]!.doubles.allSatisfy { $0.isNaN })
    }

    @Test("decoder-layer: all-infinite memory gives NaN, not plausible numbers")
    func decoderInfiniteMemory() throws {
        var f = try RunnerErrorTests.fixture("decoder_post_relu")   // memory [2, 5, 8]
        f.inputs["memory"] = .float(Tensor(repeating: .infinity, shape: [2, 5, 8], dtype: .float32))
        let out = try run("decoder-layer", f)
        #expect(out["output"]!.doubles.allSatisfy { $0.isNaN })
    }

    @Test("mha: no keys at all and all keys padded give the same output, 0")
    func mhaEmptyAttention() throws {
        let base = try RunnerErrorTests.fixture("mha_basic")   // query [2, 3, 8], key/value [2, 4, 8]
        guard case .float(let bias, _) = base.weights!["out_proj.bias"]! else { return }
        #expect(bias.doubles.contains { $0 != 0 })   // else the two rules could not be told apart
        var none = base
        none.inputs["key"] = .float(Tensor.zeros([2, 0, 8]))
        none.inputs["value"] = .float(Tensor.zeros([2, 0, 8]))
        none.inputs["grad_output"] = nil
        let empty = try run("mha", none)
        #expect(empty["output"]!.shape == [2, 3, 8] && empty["output"]!.doubles.allSatisfy { $0 == 0 })
        #expect(empty["weights"]!.shape == [2, 3, 0])
        var padded = base
        padded.inputs["key_padding_mask"] = .bool(BoolTensor(repeating: true, shape: [2, 4]))
        let masked = try run("mha", padded)
        #expect(masked["output"]!.doubles.allSatisfy { $0 == 0 })
        #expect(masked["weights"]!.doubles.allSatisfy { $0 == 0 })
    }

    @Test("sdpa: zero heads are refused as such")
    func zeroHeads() throws {
        var f = try RunnerErrorTests.fixture("sdpa_basic")
        f.inputs["query"] = .float(Tensor.zeros([2, 0, 3, 4]))
        f.inputs["grad_output"] = nil
        #expect(refusal("sdpa", f.inputs, f.metadata) == "input: tensor 'query' has shape [2, 0, 3, 4], expected [B, H, L, E] with H ≥ 1 heads")
    }

    /// ≥ 2³¹ keys declared by zero-sized tensors (no data): the empty result, never a trap.
    @Test("≥ 2³¹ keys with a zero-sized batch or head dim")
    func hugeKeyCountWithEmptyTensors() throws {
        let s = 3_000_000_000
        let sdpaHeadDim0: [String: InteropTensor] = ["query": .float(Tensor.zeros([1, 1, 2, 0])), "key": .float(Tensor.zeros([1, 1, s, 0])),
                                                     "value": .float(Tensor.zeros([1, 1, s, 0]))]
        #expect(try PyTorchRunner.run(op: "sdpa", inputs: sdpaHeadDim0, metadata: [:])["output"]!.shape == [1, 1, 2, 0])
        let sdpaBatch0: [String: InteropTensor] = ["query": .float(Tensor.zeros([0, 1, 2, 4])), "key": .float(Tensor.zeros([0, 1, s, 4])),
                                                   "value": .float(Tensor.zeros([0, 1, s, 4]))]
        #expect(try PyTorchRunner.run(op: "sdpa", inputs: sdpaBatch0, metadata: ["need_weights": "true"])["weights"]!.shape == [0, 1, 2, s])
        // Weights of 2 rows × 3·10⁹ keys are work the 32-bit kernels cannot do: refused, with the limit.
        #expect(refusal("sdpa", sdpaHeadDim0, ["need_weights": "true"])
                == "input: tensor 'key' declares S = 3000000000 keys; attention supports at most 2147483646 (32-bit key indices)")

        let m = try RunnerErrorTests.fixture("mha_basic")
        let mha: [String: InteropTensor] = ["query": .float(Tensor.zeros([0, 3, 8])), "key": .float(Tensor.zeros([0, s, 8])),
                                            "value": .float(Tensor.zeros([0, s, 8]))]
        #expect(try PyTorchRunner.run(op: "mha", inputs: mha, metadata: m.metadata, weights: m.weights)["output"]!.shape == [0, 3, 8])
        let e = try RunnerErrorTests.fixture("encoder_post_relu")
        let src: [String: InteropTensor] = ["src": .float(Tensor.zeros([0, s, 8]))]
        var meta = e.metadata
        meta["is_causal"] = "false"
        #expect(try PyTorchRunner.run(op: "encoder-layer", inputs: src, metadata: meta, weights: e.weights)["output"]!.shape == [0, s, 8])
    }

    @Test("sdpa: L = S = 10⁶ with weights is refused with the memory it would need")
    func memoryEstimate() throws {
        let n = 1_000_000
        let inputs: [String: InteropTensor] = ["query": .float(Tensor.zeros([1, 1, n, 1])), "key": .float(Tensor.zeros([1, 1, n, 1])),
                                               "value": .float(Tensor.zeros([1, 1, n, 1]))]
        let message = refusal("sdpa", inputs, ["need_weights": "true"])
        // 10¹² weights + 10⁶ outputs, 4 bytes each
        #expect(message.hasPrefix("sdpa: the result needs 4.0 TB (4000004000000 bytes) of Float32 tensors; the largest is 'weights' [1, 1, 1000000, 1000000]; the limit is this machine's physical memory"), "\(message)")
        let rc = RunContext(inputs: [:], metadata: [:], weights: nil)
        #expect(throws: RunnerError.self) { try rc.checkMemory(op: "x", [("t", [Int.max, 2])]) }
        #expect(throws: Never.self) { try rc.checkMemory(op: "x", [("t", [0, Int.max, Int.max])]) }
    }
}
