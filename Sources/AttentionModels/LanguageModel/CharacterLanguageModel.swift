import Foundation
import Attention
import AttentionSafeTensors
import AttentionTransformers

/// The text-generation application: a ``CausalLanguageModel`` over the characters of a corpus (Unicode
/// `Character`s, so Chinese, accented and emoji text are one token per character), with its vocabulary, the
/// held-out metric (bits per character) and generation (greedy, temperature, top-k, top-p) with a key–value cache.
///
/// ```swift
/// let lm = try CharacterLanguageModel.train(on: text, source: "book.txt")
/// print(try lm.bitsPerCharacter(heldOut, source: "held-out"))
/// print(try lm.complete("Once upon", maxTokens: 100, strategy: .sample(temperature: 0.8, seed: 1)))
/// ```
public final class CharacterLanguageModel {
    /// The decoder-only Transformer over character ids.
    public let model: CausalLanguageModel
    /// The characters, id ↔ character.
    public let vocabulary: CharacterVocabulary

    /// A model and its vocabulary; their sizes must agree (a precondition names both).
    public init(model: CausalLanguageModel, vocabulary: CharacterVocabulary) {
        precondition(model.configuration.vocabularySize == vocabulary.count,
                     "CharacterLanguageModel: the model has \(model.configuration.vocabularySize) tokens, the vocabulary \(vocabulary.count)")
        self.model = model
        self.vocabulary = vocabulary
    }

    /// The model's shape.
    public var configuration: CausalLanguageModel.Configuration { model.configuration }

    /// The text a corpus file holds, as the model reads it: its lines (LF, CRLF or CR ends), each followed by "\n".
    public static func text(lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    /// Bits per character of `text` (ln-likelihood / ln 2 per character): every character is predicted, the
    /// first one after a "\n" (the model's line start) when the vocabulary has it. Returns the figure and the
    /// number of characters predicted.
    public func bitsPerCharacter(_ text: String, source: String) throws(LanguageModelError) -> (bits: Double, characters: Int) {
        var ids = try vocabulary.encode(text, source: source)
        guard !ids.isEmpty else { throw .emptyCorpus(source: source) }
        if let newline = vocabulary.id(of: "\n") { ids.insert(newline, at: 0) }
        model.eval()
        let (nats, count) = model.negativeLogLikelihood(ids)
        guard count > 0 else { throw .corpusTooShort(source: source, characters: text.count, needed: 2) }
        return (nats / Double(count) / Foundation.log(2), count)
    }

    /// Continues `prompt` by up to `maxTokens` characters; with `stopAtNewline` it stops after the first "\n"
    /// (kept). `onText` receives each character as it is chosen. An empty prompt starts at a line start ("\n").
    public func complete(_ prompt: String, maxTokens: Int, strategy: SamplingStrategy = .greedy, stopAtNewline: Bool = false,
                         useCache: Bool = true, onText: ((String) -> Void)? = nil) throws(LanguageModelError) -> String {
        var ids = try vocabulary.encode(prompt, source: "the prompt")
        if ids.isEmpty {
            guard let newline = vocabulary.id(of: "\n") else {
                throw .configuration("the prompt is empty and the model's vocabulary has no newline to start from; give a prompt")
            }
            ids = [newline]
        }
        let newline = vocabulary.id(of: "\n")
        model.eval()
        let out = model.generate(prompt: ids, maxNewTokens: maxTokens, strategy: strategy, useCache: useCache,
                                 stop: stopAtNewline ? { $0 == newline } : nil,
                                 onToken: onText.map { f in { f(self.vocabulary.characters[$0]) } })
        return vocabulary.decode(out)
    }

    // MARK: Checkpoints

    /// The task name language-model checkpoints carry; `load(from:)` refuses other tasks.
    public static let checkpointTask = "lm"

    /// Writes the model to one safetensors file (weights + configuration and vocabulary in `__metadata__`),
    /// atomically: a failed write leaves any existing file as it was.
    public func save(to path: String, metadata extra: [String: String] = [:]) throws(CheckpointError) {
        try Checkpoint.write(model, task: Self.checkpointTask, metadata: extra.merging([
            "config": Checkpoint.encode(model.configuration), "vocabulary": Checkpoint.encode(vocabulary.characters),
        ]) { _, new in new }, to: path)
    }

    /// A model saved by ``save(to:metadata:)``; it generates exactly as the saved one did.
    public static func load(from path: String) throws(CheckpointError) -> CharacterLanguageModel {
        let file = try Checkpoint.open(path: path, task: checkpointTask)
        let configuration = try Checkpoint.decode(CausalLanguageModel.Configuration.self, "config", in: file, path: path)
        let characters = try Checkpoint.decode([String].self, "vocabulary", in: file, path: path)
        if let problem = configuration.problem { throw .badMetadata(path: path, key: "config", reason: problem) }
        let vocabulary: CharacterVocabulary
        do { vocabulary = try CharacterVocabulary(characters: characters) } catch {
            throw .badMetadata(path: path, key: "vocabulary", reason: error.description)
        }
        guard vocabulary.count == configuration.vocabularySize else {
            throw .badMetadata(path: path, key: "vocabulary", reason: "\(vocabulary.count) characters for a model of \(configuration.vocabularySize) tokens")
        }
        // The tensors' shapes must be the configuration's before anything is allocated from it.
        let shapes = Dictionary(file.tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        let d = configuration.modelDim
        for (name, shape) in [("tokenEmbedding.weight", [configuration.vocabularySize, d]), ("positionEmbedding.weight", [configuration.context, d]),
                              ("layers.0.feedForward.upProjection.weight", configuration.numLayers > 0 ? [configuration.feedForwardDim, d] : nil),
                              ("layers.\(configuration.numLayers - 1).feedForward.upProjection.weight",
                               configuration.numLayers > 0 ? [configuration.feedForwardDim, d] : nil)] {
            guard let shape else { continue }
            guard let found = shapes[name] else { throw .weights(path: path, reason: "missing tensor \(name)") }
            guard found == shape else { throw .weights(path: path, reason: "tensor \(name) has shape \(found), the configuration implies \(shape)") }
        }
        var c = configuration
        c.dropout = 0
        var rng = RandomGenerator(seed: 0)
        let model = CausalLanguageModel(c, rng: &rng)
        try Checkpoint.load(model, from: file, path: path)
        model.eval()
        return CharacterLanguageModel(model: model, vocabulary: vocabulary)
    }
}
