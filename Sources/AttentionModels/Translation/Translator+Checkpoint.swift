import Attention
import Foundation
import AttentionSafeTensors
import AttentionText

/// What rebuilds a translator's shape: the architecture and its sizes (a checkpoint's `config`).
public struct TranslatorConfiguration: Sendable, Equatable, Codable {
    /// Which translator the weights belong to.
    public var architecture: TranslationArchitecture
    /// Bahdanau: embedding E and hidden H (per direction).
    public var embedding: Int?
    /// H, the hidden width per direction (Bahdanau).
    public var hidden: Int?
    /// The Transformer's shape (Transformer only).
    public var transformer: TransformerTranslator.Configuration?
}

/// Checkpoints of `attention translate`: one safetensors file with the weights and, in `__metadata__`, the task
/// `translate`, `config` (``TranslatorConfiguration``) and both vocabularies (`source_vocabulary`,
/// `target_vocabulary`: the words in id order), written atomically.
public enum TranslatorCheckpoint {
    /// The task name translation checkpoints carry; loading refuses other tasks.
    public static let task = "translate"

    /// The configuration that rebuilds `model`'s shape (what a checkpoint stores as `config`).
    public static func configuration(of model: any Translator) -> TranslatorConfiguration {
        if let b = model as? BahdanauTranslator {
            return TranslatorConfiguration(architecture: .bahdanau, embedding: b.sourceEmbedding.weight.value.shape[1],
                                           hidden: b.hidden, transformer: nil)
        }
        let t = model as! TransformerTranslator
        return TranslatorConfiguration(architecture: .transformer, embedding: nil, hidden: nil, transformer: t.configuration)
    }

    /// Writes `model` to `path` atomically (an existing file is replaced only once the new one is complete).
    public static func save(_ model: any Translator, to path: String) throws(CheckpointError) {
        try Checkpoint.write(model, task: task, metadata: [
            "config": Checkpoint.encode(configuration(of: model)),
            "source_vocabulary": Checkpoint.encode(model.sourceVocabulary.words),
            "target_vocabulary": Checkpoint.encode(model.targetVocabulary.words),
        ], to: path)
    }

    /// A model saved by ``save(_:to:)``, in evaluation mode; it translates exactly as the saved one did.
    public static func load(from path: String) throws(CheckpointError) -> any Translator {
        let file = try Checkpoint.open(path: path, task: task)
        let config = try Checkpoint.decode(TranslatorConfiguration.self, "config", in: file, path: path)
        func vocabulary(_ key: String) throws(CheckpointError) -> WordVocabulary {
            let words = try Checkpoint.decode([String].self, key, in: file, path: path)
            do { return try WordVocabulary(words: words) } catch { throw .badMetadata(path: path, key: key, reason: error.description) }
        }
        let source = try vocabulary("source_vocabulary"), target = try vocabulary("target_vocabulary")
        var rng = RandomGenerator(seed: 0)
        let model: any Translator
        switch config.architecture {
        case .bahdanau:
            guard let e = config.embedding, let h = config.hidden, (1...4096).contains(e), (1...4096).contains(h) else {
                throw .badMetadata(path: path, key: "config", reason: "a bahdanau configuration needs embedding and hidden in 1...4096")
            }
            model = BahdanauTranslator(sourceVocabulary: source, targetVocabulary: target, embedding: e, hidden: h, rng: &rng)
        case .transformer:
            guard let c = config.transformer else {
                throw .badMetadata(path: path, key: "config", reason: "a transformer configuration needs its \"transformer\" sizes")
            }
            do { model = try TransformerTranslator(configuration: c, sourceVocabulary: source, targetVocabulary: target, seed: 0, rng: &rng) }
            catch { throw .badMetadata(path: path, key: "config", reason: error.description) }
        }
        do { try Checkpoint.load(model, from: file, path: path) } catch {
            if case let .weights(p, reason) = error {
                throw .weights(path: p, reason: "not the weights of the \(config.architecture.rawValue) translator its config describes: \(reason)")
            }
            throw error
        }
        model.eval()
        return model
    }
}
