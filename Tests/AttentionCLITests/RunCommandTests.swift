import Foundation
import AttentionSafeTensors
import AttentionTensorCore
import Testing

/// `attention run` as the conformance checker calls it: the executable on PyTorch fixture files
/// (Tests/AttentionTransformersTests/Fixtures, written by Scripts/make_transformer_fixtures.py) and on bad input.
@Suite(.serialized) struct RunCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AttentionTransformersTests/Fixtures")

    static func fixture(_ name: String, _ kind: String) -> String { fixtures.appendingPathComponent("\(name).\(kind).safetensors").path }

    /// A fresh directory for outputs and hand-made inputs.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attention-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("mha and sdpa fixtures: exit 0, every expected output within fp32 atol 1e-5 / rtol 1e-4",
          arguments: ["mha_all_options", "mha_bool_mask_3d_dead_row", "sdpa_gqa_bool_mask_dead_row", "decoder_post_relu"])
    func fixtureRuns(_ name: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.safetensors").path
        let op = try SafeTensorsFile(contentsOf: Self.fixture(name, "in")).metadata["op"]!
        var args = ["run", op, "--input", Self.fixture(name, "in"), "--output", out]
        if FileManager.default.fileExists(atPath: Self.fixture(name, "weights")) { args += ["--weights", Self.fixture(name, "weights")] }
        let r = try CLI.run(args)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let got = try SafeTensorsFile(contentsOf: out), expected = try SafeTensorsFile(contentsOf: Self.fixture(name, "expected"))
        #expect(got.names.contains("output"))
        for info in got.tensors {
            #expect(info.dtype == .float32)
            let a = try got.tensor(info.name).doubles, b = try expected.tensor(info.name).doubles
            #expect(a.count == b.count)
            let bad = zip(a, b).first { !(Swift.abs($0 - $1) <= 1e-5 + 1e-4 * Swift.abs($1)) }
            #expect(bad == nil, "\(name): \(info.name) differs: \(String(describing: bad))")
        }
    }

    /// Runs `args` expecting a refusal: non-zero status, `message` on stderr, no output file.
    func expectRefusal(_ args: [String], output: String, message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args)
        #expect(r.status != 0, sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: output), "a failed run left \(output)", sourceLocation: sourceLocation)
    }

    @Test("Bad input: unknown op, missing tensor, wrong dtype, wrong shape, unreadable file")
    func refusals() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.safetensors").path
        let input = Self.fixture("sdpa_basic", "in")
        try expectRefusal(["run", "softmax", "--input", input, "--output", out], output: out, message: "unknown op 'softmax'")

        var writer = SafeTensorsWriter(metadata: ["is_causal": "false"])
        try writer.add("query", Tensor.zeros([1, 2, 3, 4]))
        try writer.add("key", Tensor.zeros([1, 2, 5, 4]))
        let missing = dir.appendingPathComponent("missing.safetensors").path
        try writer.write(to: missing)
        try expectRefusal(["run", "sdpa", "--input", missing, "--output", out], output: out, message: "missing tensor 'value'")

        try writer.add("value", int64s: Array(repeating: 1, count: 10), shape: [1, 2, 5, 1])
        let wrongType = dir.appendingPathComponent("dtype.safetensors").path
        try writer.write(to: wrongType)
        try expectRefusal(["run", "sdpa", "--input", wrongType, "--output", out], output: out,
                          message: "tensor 'value' has dtype I64, expected F32")

        var shaped = SafeTensorsWriter()
        try shaped.add("query", Tensor.zeros([1, 2, 3, 4]))
        try shaped.add("key", Tensor.zeros([1, 2, 5, 4]))
        try shaped.add("value", Tensor.zeros([1, 2, 6, 4]))
        let wrongShape = dir.appendingPathComponent("shape.safetensors").path
        try shaped.write(to: wrongShape)
        try expectRefusal(["run", "sdpa", "--input", wrongShape, "--output", out], output: out,
                          message: "tensor 'value' has shape [1, 2, 6, 4], expected [B, Hkv, S, Ev] with B = 1, Hkv = 2, S = 5")

        try expectRefusal(["run", "mha", "--input", Self.fixture("mha_basic", "in"), "--output", out], output: out, message: "--weights")
        try expectRefusal(["run", "sdpa", "--input", dir.appendingPathComponent("absent.safetensors").path, "--output", out],
                          output: out, message: "absent.safetensors")
    }

    @Test("--help documents the contract and the fully-masked-rows difference")
    func help() throws {
        let r = try CLI.run(["run", "--help"])
        #expect(r.status == 0)
        for text in ["sdpa", "mha", "encoder-layer", "decoder-layer", "__metadata__", "grad_output", "key_padding_mask",
                     "True = ignore", "Fully-masked rows", "NaN", "atomically"] {
            #expect(r.stdout.contains(text), "help lacks \(text)")
        }
    }
}

/// `attention run seq2seq-train` end to end on the committed PyTorch training runs.
@Suite(.serialized) struct Seq2SeqTrainCommandTests {
    static let fixtures = RunCommandTests.fixtures.appendingPathComponent("Seq2SeqTrain")
    static func fixture(_ name: String, _ kind: String) -> String { fixtures.appendingPathComponent("\(name).\(kind).safetensors").path }

    @Test("seq2seq-train: exit 0, F32 losses within 2e-5 relative of PyTorch float64, every parameter under its PyTorch name")
    func run() throws {
        let dir = try RunCommandTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.safetensors").path
        let name = "pre_gelu_clip_decay_smoothing"
        let r = try CLI.run(["run", "seq2seq-train", "--input", Self.fixture(name, "in"), "--weights", Self.fixture(name, "weights"), "--output", out])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let got = try SafeTensorsFile(contentsOf: out), expected = try SafeTensorsFile(contentsOf: Self.fixture(name, "expected"))
        #expect(Set(got.names) == Set(expected.names))
        #expect(got.tensors.allSatisfy { $0.dtype == .float32 })
        let losses = try got.tensor("losses").doubles, reference = try expected.tensor("losses").doubles
        #expect(losses.count == reference.count)
        for (a, b) in zip(losses, reference) { #expect(Swift.abs(a - b) <= 2e-5 * Swift.abs(b), "loss \(a) vs \(b)") }
    }

    @Test("seq2seq-train refuses a source row of padding only: exit 1, the row named, no output")
    func refusal() throws {
        let dir = try RunCommandTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.safetensors").path, input = dir.appendingPathComponent("in.safetensors").path
        let original = try SafeTensorsFile(contentsOf: Self.fixture("post_relu_padded", "in"))
        var writer = SafeTensorsWriter(metadata: original.metadata)
        var src = try original.int64s("src")
        for j in 6..<12 { src[j] = 0 }                                                   // row 1 all pad
        try writer.add("src", int64s: src, shape: [3, 6])
        try writer.add("tgt", int64s: try original.int64s("tgt"), shape: [3, 7])
        try writer.write(to: input)
        let r = try CLI.run(["run", "seq2seq-train", "--input", input, "--weights", Self.fixture("post_relu_padded", "weights"), "--output", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("'src' row 1 is all pad_id"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
