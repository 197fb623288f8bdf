import Foundation
import Attention
import AttentionModels
import AttentionSafeTensors
import Testing

/// End-to-end `attention embed` on a tiny BERT folder made here (random weights, a 12-word vocabulary), so these run
/// without the MiniLM download: a good folder embeds, and every broken weights file, config or vocabulary ends with
/// its own message on stderr, exit status 1 and nothing on stdout.
struct EmbedCommandTests {
    static let config = BertConfig(vocabSize: 12, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16,
                                   maxPositionEmbeddings: 16)

    /// A sentence-transformers folder: config.json, vocab.txt, modules.json (with Normalize), pooling config, weights.
    static func makeFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-embed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        let configJSON = """
            {"vocab_size": 12, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16,
             "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
            """
        try configJSON.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "attention", "is", "all", "you", "need"]
        try (vocab.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let modules = """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """
        try modules.write(to: dir.appendingPathComponent("modules.json"), atomically: true, encoding: .utf8)
        try #"{"word_embedding_dimension": 8, "pooling_mode_mean_tokens": true}"#
            .write(to: dir.appendingPathComponent("1_Pooling/config.json"), atomically: true, encoding: .utf8)
        var writer = SafeTensorsWriter()
        for (path, p) in BertModel(config: config, seed: 3).namedParameters() {
            try writer.add(BertKeyMap.huggingFaceName(for: path)!, p.value)
        }
        try writer.write(to: dir.appendingPathComponent("model.safetensors").path)
        return dir
    }

    static let badFiles: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AttentionSafeTensorsTests/Fixtures/bad")

    @Test("a good folder: one normalised vector per sentence, in input order, as the issue's JSON")
    func embeds() throws {
        let dir = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["embed", "--model", dir.path, "--json", "hello world", "attention is all you need", ""])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["dimension"] as? Int == 8)
        let vectors = object["embeddings"] as! [[Double]]
        #expect(vectors.count == 3)
        for v in vectors { #expect(abs(v.reduce(0) { $0 + $1 * $1 }.squareRoot() - 1) < 1e-5) }
        #expect(vectors[0] != vectors[1])
    }

    @Test("each broken or foreign weights file: its own message, exit 1, nothing on stdout",
          arguments: [
            ("empty.safetensors", "empty"), ("too_small.safetensors", "too small"), ("header_too_large.safetensors", "100 MB"),
            ("header_not_utf8.safetensors", "UTF-8"), ("header_syntax_error.safetensors", "not valid JSON"),
            ("duplicate_tensor_name.safetensors", "'w' twice"), ("unknown_dtype.safetensors", "dtype"),
            ("shape_overflow.safetensors", "overflows"), ("byte_size_mismatch.safetensors", "span 12 bytes"),
            ("data_gap.safetensors", "4..<8"), ("data_overlap.safetensors", "'b'"), ("data_truncated.safetensors", "truncated"),
            ("trailing_bytes.safetensors", "3 trailing bytes"), ("pytorch_pickle.bin", "pickle"), ("pytorch_zip.bin", "PyTorch checkpoint"),
            ("model.gguf", "GGUF"), ("lfs_pointer.safetensors", "git lfs pull"), ("error_page.safetensors", "HTML page"),
            ("weights.h5", "HDF5"),
          ])
    func badWeights(file: String, phrase: String) throws {
        let dir = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: weights)
        try FileManager.default.copyItem(at: Self.badFiles.appendingPathComponent(file), to: weights)
        let r = try CLI.run(["embed", "--model", dir.path, "hello world"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains(phrase), "stderr for \(file): \(r.stderr)")
        #expect(r.stderr.contains("model.safetensors"), "the message names the file: \(r.stderr)")
    }

    @Test("a folder with a wrong tensor shape, a missing tensor, no config or no vocabulary: named errors, exit 1")
    func badFolders() throws {
        let dir = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A weight of the wrong shape.
        var writer = SafeTensorsWriter()
        var names: [String] = []
        for (path, p) in BertModel(config: Self.config, seed: 3).namedParameters() {
            let name = BertKeyMap.huggingFaceName(for: path)!
            names.append(name)
            try writer.add(name, name.hasSuffix("query.weight") ? Tensor.zeros([8, 7]) : p.value)
        }
        try writer.write(to: dir.appendingPathComponent("model.safetensors").path)
        let shape = try CLI.run(["embed", "--model", dir.path, "hello"])
        #expect(shape.status == 1 && shape.stderr.contains("query.weight") && shape.stderr.contains("[8, 7]"), "\(shape.stderr)")
        // A missing tensor.
        writer = SafeTensorsWriter()
        for (path, p) in BertModel(config: Self.config, seed: 3).namedParameters() where !path.hasSuffix("outputNorm.bias") {
            try writer.add(BertKeyMap.huggingFaceName(for: path)!, p.value)
        }
        try writer.write(to: dir.appendingPathComponent("model.safetensors").path)
        let missing = try CLI.run(["embed", "--model", dir.path, "hello"])
        #expect(missing.status == 1 && missing.stderr.contains("is missing"), "\(missing.stderr)")
        // Good weights again, then no vocabulary.
        writer = SafeTensorsWriter()
        for (path, p) in BertModel(config: Self.config, seed: 3).namedParameters() { try writer.add(BertKeyMap.huggingFaceName(for: path)!, p.value) }
        try writer.write(to: dir.appendingPathComponent("model.safetensors").path)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("vocab.txt"))
        let vocab = try CLI.run(["embed", "--model", dir.path, "hello"])
        #expect(vocab.status == 1 && vocab.stderr.contains("no vocab.txt or tokenizer.json"), "\(vocab.stderr)")
        #expect(vocab.stderr.components(separatedBy: dir.path).count == 2, "the folder is named once: \(vocab.stderr)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("config.json"))
        let config = try CLI.run(["embed", "--model", dir.path, "hello"])
        #expect(config.status == 1 && config.stderr.contains("config.json"), "\(config.stderr)")
        #expect(config.stdout.isEmpty && vocab.stdout.isEmpty && missing.stdout.isEmpty && shape.stdout.isEmpty)
    }
}
