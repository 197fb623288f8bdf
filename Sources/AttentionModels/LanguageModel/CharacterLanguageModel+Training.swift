import Foundation
import Attention
import AttentionTraining
import AttentionTransformers

extension CharacterLanguageModel {
    /// How to train: AdamW with linear warm-up and cosine decay over `steps` batches of `batchSize` windows of
    /// `context + 1` characters, gradient clipping, and a held-out tail of the corpus (the last
    /// `validationFraction` of its lines) whose bits per character are reported every `validationEvery` steps.
    public struct TrainingOptions: Sendable, Equatable {
        /// Optimiser steps (mini-batches).
        public var steps = 2000
        /// Windows per mini-batch.
        public var batchSize = 32
        /// T: characters the model sees at once (its position table has this many rows; prompts are cut to it).
        public var context = 64
        /// D, the model width.
        public var modelDim = 64
        /// Attention heads per layer (`modelDim` must be a multiple).
        public var numHeads = 4
        /// Decoder-only layers (causal self-attention + feed-forward).
        public var numLayers = 2
        /// The hidden width of each layer's feed-forward network.
        public var feedForwardDim = 256
        /// Peak AdamW learning rate, reached after the warm-up.
        public var learningRate = 3e-3
        /// AdamW's decoupled weight decay.
        public var weightDecay = 0.01
        /// The global gradient norm is clipped to this before each step.
        public var clipNorm = 1.0
        /// Linear warm-up steps before the cosine decay.
        public var warmupSteps = 100
        /// Share of the corpus's lines (its tail) held out for the validation figure.
        public var validationFraction = 0.05
        /// Characters of the held-out tail scored at each report (the final figure uses all of it).
        public var validationCharacters = 2000
        /// How often, in steps, the held-out bits per character are measured.
        public var validationEvery = 250
        /// Seeds the weights and the windows: same seed, bit-identical model.
        public var seed: UInt64 = 1
        /// The defaults of `attention lm train`.
        public init() {}
    }

    /// Trains a model on `text` (one vocabulary entry per distinct character). `progress` follows each step.
    public static func train(on text: String, source: String, options o: TrainingOptions = TrainingOptions(),
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> (model: CharacterLanguageModel, validation: String) {
        guard !text.isEmpty else { throw LanguageModelError.emptyCorpus(source: source) }
        guard o.steps > 0, o.batchSize > 0, o.context > 0, o.warmupSteps >= 0 else {
            throw LanguageModelError.configuration("steps \(o.steps), batch size \(o.batchSize) and context \(o.context) must be positive")
        }
        let (trainText, heldText) = split(text, validationFraction: o.validationFraction)
        guard trainText.count >= 2 else { throw LanguageModelError.corpusTooShort(source: source, characters: text.count, needed: 2) }
        let vocabulary = CharacterVocabulary(building: text)
        let config = CausalLanguageModel.Configuration(vocabularySize: vocabulary.count, context: o.context, modelDim: o.modelDim,
                                                       numHeads: o.numHeads, numLayers: o.numLayers, feedForwardDim: o.feedForwardDim,
                                                       activation: "gelu", normFirst: true)
        if let problem = config.problem { throw LanguageModelError.configuration(problem) }
        var rng = RandomGenerator(seed: o.seed)
        let lm = CharacterLanguageModel(model: CausalLanguageModel(config, rng: &rng), vocabulary: vocabulary)
        let ids = try vocabulary.encode(trainText, source: source)
        let window = min(o.context + 1, ids.count)
        // Window starts: every position, and separately the line starts, so that half the windows begin where a
        // prompt does (at the start of a line, position 0).
        let lineStarts = [0] + ids.indices.dropLast().filter { ids[$0] == vocabulary.id(of: "\n") }.map { $0 + 1 }
            .filter { $0 + window <= ids.count }
        var batchRNG = RandomGenerator(seed: o.seed &+ 1)
        let trainer = Trainer(optimizer: AdamW(parameters: lm.model.parameters, learningRate: o.learningRate, weightDecay: o.weightDecay),
                              schedule: WarmupCosineRate(peak: o.learningRate, warmupSteps: min(o.warmupSteps, o.steps - 1),
                                                         totalSteps: o.steps, minimum: o.learningRate / 20),
                              clipNorm: o.clipNorm)
        let probe = String(heldText.prefix(o.validationCharacters))
        lm.model.train()
        try runTraining(trainer, steps: o.steps, validateEvery: o.validationEvery, validationName: "held-out bits/char",
                        validate: heldText.isEmpty ? nil : {
                            defer { lm.model.train() }
                            return (try? lm.bitsPerCharacter(probe, source: source).bits) ?? .nan
                        }, progress: progress) { _ in
            var inputs: [[Int]] = [], targets: [Int] = []
            for k in 0..<o.batchSize {
                let start = k % 2 == 1 && !lineStarts.isEmpty ? lineStarts[batchRNG.integer(below: lineStarts.count)]
                    : batchRNG.integer(below: ids.count - window + 1)
                inputs.append(Array(ids[start..<(start + window - 1)]))
                targets += ids[(start + 1)..<(start + window)]
            }
            return (inputs.count * (window - 1), {
                Loss.crossEntropy(logits: lm.model(inputs).reshaped([targets.count, vocabulary.count]), targets: targets)
            })
        }
        lm.model.eval()
        return (lm, heldText)
    }

    /// The corpus cut into a training head and a held-out tail at a line boundary: the last `validationFraction`
    /// of the lines (at least one line when there are two or more; none for a one-line corpus).
    public static func split(_ text: String, validationFraction: Double) -> (train: String, heldOut: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count >= 2, validationFraction > 0 else { return (text, "") }
        let held = min(max(Int((Double(lines.count) * validationFraction).rounded()), 1), lines.count - 1)
        return (Self.text(lines: Array(lines.dropLast(held))), Self.text(lines: Array(lines.suffix(held))))
    }
}
