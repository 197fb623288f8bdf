import Foundation
import AttentionSafeTensors
import Testing
@testable import AttentionTransformers

/// `seq2seq-train` against PyTorch float64 training runs (Scripts/make_seq2seq_train_fixtures.py): 20 AdamW steps,
/// pre- and post-norm, ReLU and GELU, clipping and weight decay on and off, padded batches.
struct Seq2SeqTrainTests {
    static let directory = PyTorchFixture.directory.appendingPathComponent("Seq2SeqTrain")
    static let all: [PyTorchFixture] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".in.safetensors") }.map { String($0.dropLast(".in.safetensors".count)) }.sorted()
            .map { PyTorchFixture(name: $0, directory: directory) }
    }()

    @Test("Fixtures are present (regenerate with Scripts/make_seq2seq_train_fixtures.py)")
    func present() { #expect(Self.all.count >= 4) }

    @Test("Every step's loss within 2e-5 relative of PyTorch float64; whole-model update error ≤ 3e-2", arguments: Self.all)
    func parity(_ f: PyTorchFixture) throws {
        let weights = try f.weights!
        let out = try PyTorchRunner.run(op: "seq2seq-train", inputs: try f.inputs, metadata: try f.input.metadata, weights: weights)
        let expected = try f.expected
        #expect(Set(out.keys) == Set(expected.keys), "\(f.name): output names")
        let losses = out["losses"]!.doubles, reference = expected["losses"]!.doubles
        #expect(losses.count == 20 && reference.count == 20)
        let lossError = zip(losses, reference).map { Swift.abs($0 - $1) / Swift.abs($1) }.max() ?? .infinity
        #expect(lossError <= 2e-5, "\(f.name): loss relative error \(lossError)")
        // ‖W − W_ref‖ / ‖W_ref − W_0‖ over every parameter.
        var num = 0.0, den = 0.0
        for (name, ref) in expected where name != "losses" {
            guard let w = out[name], case .float(let w0, _)? = weights[name] else { Issue.record("\(f.name): no \(name)"); continue }
            #expect(w.shape == ref.shape, "\(f.name): \(name)")
            for (a, (r, s)) in zip(w.doubles, zip(ref.doubles, w0.doubles)) { num += (a - r) * (a - r); den += (r - s) * (r - s) }
        }
        let updateError = (num / den).squareRoot()
        let torch = try f.file("expected")!.metadata
        #expect(updateError <= 3e-2, "\(f.name): update error \(updateError) (PyTorch float32: \(torch["torch_f32_update_error"] ?? "?"))")
        print("seq2seq-train \(f.name): loss rel error \(lossError), update error \(updateError); PyTorch float32: \(torch["torch_f32_loss_rel_error"] ?? "?"), \(torch["torch_f32_update_error"] ?? "?")")
    }

    /// The first fixture with some tensors or options replaced.
    func run(_ change: (inout [String: InteropTensor], inout [String: String]) -> Void) throws -> [String: Tensor] {
        let f = Self.all.first { $0.name == "post_relu_padded" }!
        var inputs = try f.inputs, metadata = try f.input.metadata
        metadata["steps"] = "1"
        change(&inputs, &metadata)
        return try PyTorchRunner.run(op: "seq2seq-train", inputs: inputs, metadata: metadata, weights: try f.weights)
    }

    static func ids(_ rows: [[Int64]]) -> InteropTensor { .integer(shape: [rows.count, rows[0].count], values: rows.flatMap { $0 }) }

    @Test("Refusals name the tensor and what was wrong")
    func refusals() throws {
        func message(_ change: (inout [String: InteropTensor], inout [String: String]) -> Void) -> String {
            do { _ = try run(change); return "no error" } catch { return "\(error)" }
        }
        let srcPad = message { i, _ in i["src"] = Self.ids([[3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 0, 0], [12, 4, 4, 7, 0, 0]]) }
        #expect(srcPad.contains("'src' row 1 is all pad_id"), "\(srcPad)")
        let tgtPad = message { i, _ in i["tgt"] = Self.ids([[1, 2, 3], [0, 8, 9], [1, 3, 3]]) }
        #expect(tgtPad.contains("'tgt' row 1 starts with pad_id"), "\(tgtPad)")
        let noLabel = message { i, _ in i["tgt"] = Self.ids([[1, 0], [1, 0], [1, 0]]) }
        #expect(noLabel.contains("no label"), "\(noLabel)")
        let vocab = message { i, _ in i["tgt"] = Self.ids([[1, 2, 11], [1, 8, 9], [1, 3, 3]]) }
        #expect(vocab.contains("'tgt'[0, 2] = 11 is outside the vocabulary 0..<11"), "\(vocab)")
        let rows = message { i, _ in i["tgt"] = Self.ids([[1, 2, 3], [1, 8, 9]]) }
        #expect(rows.contains("'tgt' has shape [2, 3]"), "\(rows)")
        let dtype = message { i, _ in i["src"] = .float(Tensor.zeros([3, 6]), dtype: "F32") }
        #expect(dtype.contains("'src' has dtype F32, expected I64"), "\(dtype)")
        let width = message { _, m in m["dim_feedforward"] = "20" }
        #expect(width.contains("linear1.weight' has shape [16, 8]"), "\(width)")
        let betas = message { _, m in m["betas"] = "0.9" }
        #expect(betas.contains("option 'betas'"), "\(betas)")
        let layers = message { _, m in m["num_decoder_layers"] = "3" }
        #expect(layers.contains("decoder.layers.2"), "\(layers)")
    }

    @Test("One step by hand: the loss is the cross-entropy of the untrained model, and steps = 1 moves every trained weight")
    func oneStep() throws {
        let one = try run { _, _ in }
        let f = Self.all.first { $0.name == "post_relu_padded" }!
        // The first loss of the 20-step reference is the loss before any update.
        expectClose(one["losses"]!.doubles, [try f.expected["losses"]!.doubles[0]], atol: 0, rtol: 2e-5, "first loss")
        let w0 = try f.weights!
        guard case .float(let before, _)? = w0["generator.weight"] else { Issue.record("no generator.weight"); return }
        #expect(one["generator.weight"]!.doubles != before.doubles)
    }
}
