import Foundation
import Testing
@testable import AttentionModels

/// `config.json` values that no model can be built from are refused with the file, the key and the limit (found by
/// Fuzz/ModelConfigFuzz: `layer_norm_eps: 0` was accepted, and nothing bounded `num_hidden_layers`).
struct BertConfigTests {
    /// all-MiniLM-L6-v2's values, as JSON literals.
    static let valid: [String: String] = ["vocab_size": "30522", "hidden_size": "384", "num_hidden_layers": "6",
                                          "num_attention_heads": "12", "intermediate_size": "1536", "max_position_embeddings": "512",
                                          "type_vocab_size": "2", "layer_norm_eps": "1e-12", "hidden_act": "\"gelu\""]

    static func read(_ changes: [String: String]) throws -> BertConfig {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bert-config-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let members = valid.merging(changes) { $1 }.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
        try Data(("{" + members.joined(separator: ", ") + "}").utf8).write(to: url)
        return try BertConfig(contentsOf: url)
    }

    @Test func theValidConfigurationLoads() throws {
        let config = try Self.read([:])
        #expect(config.numHiddenLayers == 6 && config.layerNormEps == 1e-12)
    }

    @Test("Bad values name the key and what was expected", arguments: [
        ("layer_norm_eps", "0", "layer_norm_eps is 0.0, expected a number in (0, 1]"),
        ("layer_norm_eps", "-1e-5", "layer_norm_eps is -1e-05, expected a number in (0, 1]"),
        ("num_hidden_layers", "1000000000", "num_hidden_layers is 1000000000, expected at most 1024"),
        ("vocab_size", "1099511627776", "vocab_size is 1099511627776, expected at most 16777216"),
        ("hidden_size", "1179648", "hidden_size is 1179648, expected at most 65536"),
    ])
    func refused(key: String, value: String, message: String) {
        do {
            _ = try Self.read([key: value])
            Issue.record("\(key) = \(value) was accepted")
        } catch let error as ModelLoadError {
            guard case .invalidConfig(let path, let reason) = error else { Issue.record("\(error)"); return }
            #expect(path.hasSuffix(".json"))
            #expect(reason == message)
        } catch {
            Issue.record("\(error)")
        }
    }
}
