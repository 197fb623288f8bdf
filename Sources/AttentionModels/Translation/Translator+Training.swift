import Attention
import Foundation
import AttentionText
import AttentionTraining

/// The two models `attention translate train --architecture` offers.
public enum TranslationArchitecture: String, Sendable, Codable, CaseIterable {
    /// Bahdanau's GRU encoder–decoder with additive attention, or the encoder–decoder Transformer.
    case bahdanau, transformer
}

/// How to train a translator: AdamW with linear warm-up and cosine decay over mini-batches bucketed by length
/// (``LengthBatches``), gradient clipping, a validation split whose exact match is reported as training goes.
/// Defaults that are `nil` depend on the architecture (``resolved``).
public struct TranslationTrainingOptions: Sendable, Equatable {
    /// Bahdanau's GRU translator (the default) or the Transformer.
    public var architecture: TranslationArchitecture = .bahdanau
    /// Mini-batch steps; nil: `epochs` passes over the training pairs, or the architecture's default.
    public var steps: Int?
    /// Passes over the training pairs (used when `steps` is nil).
    public var epochs: Int?
    /// Pairs per mini-batch (batched by similar length).
    public var batchSize = 32
    /// Peak AdamW learning rate; nil: 3e-3 (Bahdanau) or 1e-3 (Transformer).
    public var learningRate: Double?
    /// Linear warm-up steps before the cosine decay; nil: 100 (Bahdanau) or 200 (Transformer), at most steps − 1.
    public var warmupSteps: Int?
    /// AdamW's decoupled weight decay.
    public var weightDecay = 0.01
    /// The global gradient norm is clipped to this before each step.
    public var clipNorm = 1.0
    /// Label smoothing of the cross-entropy; nil: 0 (Bahdanau) or 0.1 (Transformer).
    public var labelSmoothing: Double?
    /// Share of the training file kept aside for the validation exact match (none under 20 pairs).
    public var validationFraction = 0.05
    /// At most this many validation pairs are decoded at each report (the first ones of the split).
    public var validationLimit = 200
    /// Steps between validation reports (and one at the end).
    public var validationEvery = 250
    /// Seeds the weights, the batches, dropout and the split: same seed, bit-identical model.
    public var seed: UInt64 = 1
    /// Bahdanau sizes: embedding E, hidden H per direction.
    public var embedding = 32
    /// Bahdanau: H, the hidden width per direction.
    public var hidden = 64
    /// The Transformer's shape (used when `architecture` is `.transformer`).
    public var transformer = TransformerTranslator.Configuration()
    /// The defaults of `attention translate train`.
    public init() {}

    /// Steps, learning rate, warm-up and label smoothing with the architecture's defaults filled in.
    public func resolved(trainingPairs: Int) -> (steps: Int, learningRate: Double, warmup: Int, labelSmoothing: Double) {
        let perEpoch = LengthBatches(lengths: [Int](repeating: 1, count: max(trainingPairs, 1)), batchSize: batchSize, seed: 0).batchesPerEpoch
        let steps = self.steps ?? epochs.map { $0 * perEpoch } ?? 2000
        let rate = learningRate ?? (architecture == .bahdanau ? 3e-3 : 1e-3)
        let warmup = min(warmupSteps ?? (architecture == .bahdanau ? 100 : 200), max(steps - 1, 0))
        return (steps, rate, warmup, labelSmoothing ?? (architecture == .bahdanau ? 0 : 0.1))
    }
}

/// One pair of a parallel corpus.
public struct TranslationPair: Sendable, Equatable {
    /// The source (French) and target (English) sentences.
    public let source: String, target: String
    /// A pair of sentences.
    public init(source: String, target: String) { self.source = source; self.target = target }
}

/// Training either translator on sentence pairs (the vocabularies are built from the training pairs).
public enum TranslationTraining {
    /// Trains a translator of `options.architecture` on `pairs` (vocabularies from the training part).
    /// `progress` is called after every step; it carries the validation exact match every `validationEvery` steps.
    public static func train(on pairs: [TranslationPair], options: TranslationTrainingOptions = TranslationTrainingOptions(),
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> any Translator {
        guard !pairs.isEmpty else { throw TranslationError.corpus("no sentence pairs to train on") }
        guard options.batchSize > 0, options.steps.map({ $0 > 0 }) ?? true, options.epochs.map({ $0 > 0 }) ?? true else {
            throw TranslationError.configuration("steps, epochs and batch size must be positive")
        }
        let split = trainValidationSplit(count: pairs.count, validationFraction: pairs.count >= 20 ? options.validationFraction : 0,
                                         seed: options.seed)
        let training = split.train.map { pairs[$0] }, validation = Array(split.validation.prefix(options.validationLimit).map { pairs[$0] })
        let source = WordVocabulary(building: training.map(\.source)), target = WordVocabulary(building: training.map(\.target))
        var rng = RandomGenerator(seed: options.seed)
        let model: any Translator
        switch options.architecture {
        case .bahdanau:
            model = BahdanauTranslator(sourceVocabulary: source, targetVocabulary: target, embedding: options.embedding,
                                       hidden: options.hidden, rng: &rng)
        case .transformer:
            model = try TransformerTranslator(configuration: options.transformer, sourceVocabulary: source, targetVocabulary: target,
                                              seed: options.seed &+ 3, rng: &rng)
        }
        let sources = training.map { source.encode($0.source) }, targets = training.map { target.encode($0.target) }
        let r = options.resolved(trainingPairs: training.count)
        var batches = LengthBatches(lengths: zip(sources, targets).map { $0.count + $1.count }, batchSize: options.batchSize,
                                    seed: options.seed &+ 1)
        let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: r.learningRate, weightDecay: options.weightDecay),
                              schedule: WarmupCosineRate(peak: r.learningRate, warmupSteps: r.warmup, totalSteps: max(r.steps, r.warmup + 1),
                                                         minimum: r.learningRate / 20),
                              clipNorm: options.clipNorm)
        model.train()
        try runTraining(trainer, steps: r.steps, validateEvery: options.validationEvery, validationName: "validation exact match",
                        validate: validation.isEmpty ? nil : {
                            model.eval()
                            defer { model.train() }
                            return TranslationEvaluation.exactMatch(model, pairs: validation)
                        }, progress: progress) { _ in
            let batch = batches.next()
            let s = batch.map { sources[$0] }, t = batch.map { targets[$0] }
            let tokens = s.reduce(0) { $0 + $1.count } + t.reduce(0) { $0 + $1.count + 1 }
            return (tokens, { model.loss(sources: s, targets: t, labelSmoothing: r.labelSmoothing) })
        }
        model.eval()
        return model
    }
}
