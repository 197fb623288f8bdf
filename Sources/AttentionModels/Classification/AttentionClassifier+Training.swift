import Foundation
import Attention
import AttentionSafeTensors
import AttentionText
import AttentionTraining

extension AttentionClassifier {
    /// How to train: AdamW with warm-up and cosine decay over `steps` mini-batches bucketed by length, gradient
    /// clipping, and word dropout (each training word is left out with probability `wordDropout`, so the model
    /// learns to cope with the words it will skip because it has never seen them).
    public struct TrainingOptions: Sendable, Equatable {
        /// Optimiser steps (mini-batches).
        public var steps = 600
        /// Texts per mini-batch.
        public var batchSize = 32
        /// Peak AdamW learning rate, reached after the warm-up.
        public var learningRate = 3e-3
        /// AdamW's decoupled weight decay.
        public var weightDecay = 0.01
        /// Probability that a training word is left out of its text for a step.
        public var wordDropout = 0.1
        /// The global gradient norm is clipped to this before each step.
        public var clipNorm = 1.0
        /// Share of the training file kept aside to report a validation accuracy as training goes.
        public var validationFraction = 0.1
        /// How often (in steps) the validation accuracy is measured and reported.
        public var validationEvery = 100
        /// Seeds the weights, the batches, the word dropout and the split: same seed, bit-identical model.
        public var seed: UInt64 = 1
        /// The defaults of `attention classify train`.
        public init() {}
    }

    /// Trains a classifier on `examples` (labels in order of first appearance). `progress` is called after every step.
    public static func train(on examples: [LabelledText], configuration: Configuration = Configuration(),
                             options: TrainingOptions = TrainingOptions(),
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> AttentionClassifier {
        guard options.steps > 0, options.batchSize > 0 else {
            throw ClassifierError.configuration("steps \(options.steps) and batch size \(options.batchSize) must be positive")
        }
        var labels: [String] = []
        for e in examples where !labels.contains(e.label) { labels.append(e.label) }
        guard labels.count >= 2 else {
            throw ClassifierError.corpus("the corpus has \(labels.count) label\(labels.count == 1 ? "" : "s") (\(labels.joined(separator: ", "))); a classifier needs at least 2")
        }
        let split = trainValidationSplit(count: examples.count, validationFraction: examples.count >= 20 ? options.validationFraction : 0,
                                         seed: options.seed)
        let training = split.train.map { examples[$0] }, validation = split.validation.map { examples[$0] }
        let vocabulary = WordVocabulary(building: training.map(\.text))
        var rng = RandomGenerator(seed: options.seed)
        let model = try AttentionClassifier(configuration: configuration, vocabulary: vocabulary, labels: labels, rng: &rng)
        let ids = training.map { model.ids(for: $0.text).ids }
        let targets = training.map { labels.firstIndex(of: $0.label)! }
        var batches = LengthBatches(lengths: ids.map(\.count), batchSize: options.batchSize, seed: options.seed &+ 1)
        var dropoutRNG = RandomGenerator(seed: options.seed &+ 2)
        let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: options.learningRate,
                                               weightDecay: options.weightDecay),
                              schedule: WarmupCosineRate(peak: options.learningRate, warmupSteps: min(50, options.steps / 10),
                                                         totalSteps: options.steps, minimum: options.learningRate / 20),
                              clipNorm: options.clipNorm)
        try runTraining(trainer, steps: options.steps, validateEvery: options.validationEvery,
                        validate: validation.isEmpty ? nil : { model.evaluate(validation).accuracy }, progress: progress) { _ in
            let batch = batches.next()
            let inputs = batch.map { i in
                let kept = ids[i].filter { _ in dropoutRNG.uniform() >= options.wordDropout }
                return kept.isEmpty ? [ids[i][0]] : kept
            }
            return (inputs.reduce(0) { $0 + $1.count },
                    { Loss.crossEntropy(logits: model(inputs).logits, targets: batch.map { targets[$0] }) })
        }
        return model
    }

    /// Held-out figures: accuracy over all examples and per label (labels the model does not know count as errors).
    public struct Evaluation: Sendable, Equatable {
        /// The number of examples scored.
        public let examples: Int
        /// Share of all examples classified correctly.
        public let accuracy: Double
        /// Accuracy per label of the evaluated examples, in the model's label order then new labels.
        public let perLabel: [(label: String, examples: Int, accuracy: Double)]
        /// Examples whose label the model was never trained on.
        public let unknownLabels: Int

        /// Equal counts, accuracies and per-label figures (tuples are not `Equatable`, so this is written out).
        public static func == (a: Evaluation, b: Evaluation) -> Bool {
            a.examples == b.examples && a.accuracy == b.accuracy && a.unknownLabels == b.unknownLabels
                && a.perLabel.map(\.label) == b.perLabel.map(\.label) && a.perLabel.map(\.accuracy) == b.perLabel.map(\.accuracy)
        }
    }

    /// Classifies `examples` and scores the labels predicted against theirs (see `Evaluation`).
    public func evaluate(_ examples: [LabelledText]) -> Evaluation {
        let results = classify(examples.map(\.text))
        var order = labels
        for e in examples where !order.contains(e.label) { order.append(e.label) }
        var total = [String: Int](), right = [String: Int]()
        for (e, r) in zip(examples, results) {
            total[e.label, default: 0] += 1
            if r.label == e.label { right[e.label, default: 0] += 1 }
        }
        let correct = right.values.reduce(0, +)
        let perLabel = order.compactMap { l in total[l].map { (l, $0, Double(right[l] ?? 0) / Double($0)) } }
        return Evaluation(examples: examples.count, accuracy: examples.isEmpty ? 0 : Double(correct) / Double(examples.count),
                          perLabel: perLabel, unknownLabels: examples.filter { !labels.contains($0.label) }.count)
    }

    /// The mean attention mass on the words that decide each generated example (``SentimentCorpus/Example/keyPositions``).
    public func keyWordAttention(_ examples: [SentimentCorpus.Example]) -> Double {
        guard !examples.isEmpty else { return 0 }
        let results = classify(examples.map(\.text))
        let mass = zip(examples, results).map { e, r in e.keyPositions.filter { $0 < r.attention.count }.map { r.attention[$0] }.reduce(0, +) }
        return mass.reduce(0, +) / Double(examples.count)
    }

    // MARK: Checkpoints

    /// The task name a classifier checkpoint carries in its metadata; `load(from:)` refuses other tasks.
    public static let checkpointTask = "classify"

    /// Writes the model to one safetensors file (weights + configuration, labels and vocabulary), atomically.
    public func save(to path: String) throws(CheckpointError) {
        try Checkpoint.write(self, task: Self.checkpointTask, metadata: [
            "config": Checkpoint.encode(configuration), "labels": Checkpoint.encode(labels),
            "vocabulary": Checkpoint.encode(vocabulary.words),
        ], to: path)
    }

    /// A model saved by ``save(to:)``; it classifies exactly as the saved one did.
    public static func load(from path: String) throws(CheckpointError) -> AttentionClassifier {
        let file = try Checkpoint.open(path: path, task: checkpointTask)
        let configuration = try Checkpoint.decode(Configuration.self, "config", in: file, path: path)
        let labels = try Checkpoint.decode([String].self, "labels", in: file, path: path)
        let words = try Checkpoint.decode([String].self, "vocabulary", in: file, path: path)
        let model: AttentionClassifier
        do {
            var rng = RandomGenerator(seed: 0)
            model = try AttentionClassifier(configuration: configuration, vocabulary: try WordVocabulary(words: words),
                                            labels: labels, rng: &rng)
        } catch {
            throw .badMetadata(path: path, key: "config", reason: "\(error)")
        }
        try Checkpoint.load(model, from: file, path: path)
        model.eval()
        return model
    }
}
