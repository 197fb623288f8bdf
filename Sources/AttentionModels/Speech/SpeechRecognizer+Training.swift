import Foundation
import Attention
import AttentionTraining

extension SpeechRecognizer {
    /// How to train: every step draws a word count k (uniformly from the counts the training set has) and a
    /// mini-batch of training utterances of k words, so the teacher-forced targets need no padding (the audio is
    /// padded, and masked). AdamW, warm-up + cosine decay, gradient clipping. A `validationFraction` of the training
    /// utterances is held back; the validation figure is 1 − WER on them.
    public struct TrainingOptions: Sendable, Equatable {
        /// Optimiser steps (mini-batches).
        public var steps = 1500
        /// Utterances per mini-batch.
        public var batchSize = 32
        /// Peak AdamW learning rate, reached after the warm-up.
        public var learningRate = 2e-3
        /// AdamW's decoupled weight decay.
        public var weightDecay = 0.01
        /// The global gradient norm is clipped to this before each step.
        public var clipNorm = 1.0
        /// Share of the training utterances held back for validation.
        public var validationFraction = 0.05
        /// How often, in steps, the validation figure is measured.
        public var validationEvery = 250
        /// Threads that compute the features before training.
        public var threads = 2
        /// Seeds the weights, the batches and the split: same seed, bit-identical model.
        public var seed: UInt64 = 1
        /// The defaults of `attention listen train`.
        public init() {}
    }

    /// Trains on the `train` split of `corpus` (the test splits are never read here).
    public static func train(on corpus: SpeechCorpus, configuration: Configuration = Configuration(),
                             options: TrainingOptions = TrainingOptions(),
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> SpeechRecognizer {
        let pool = corpus.utterances(in: "train")
        guard pool.count >= 2 else { throw SpeechError.data("\(corpus.directory): need at least 2 training utterances, found \(pool.count)") }
        guard options.steps > 0, options.batchSize > 0, options.learningRate > 0 else {
            throw SpeechError.configuration("steps \(options.steps), batch size \(options.batchSize) and learning rate \(options.learningRate) must be positive")
        }
        var rng = RandomGenerator(seed: options.seed)
        let model = try SpeechRecognizer(configuration, rng: &rng)
        let features = try corpus.features(pool, model: model, threads: options.threads)
        let split = trainValidationSplit(count: pool.count, validationFraction: pool.count >= 20 ? options.validationFraction : 0,
                                         seed: options.seed &+ 1)
        var byCount: [Int: [Int]] = [:]
        for i in split.train { byCount[pool[i].words.count, default: []].append(i) }
        let counts = byCount.keys.sorted()
        let validation = split.validation
        var draw = RandomGenerator(seed: options.seed &+ 2)
        let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: options.learningRate,
                                               weightDecay: options.weightDecay),
                              schedule: WarmupCosineRate(peak: options.learningRate, warmupSteps: min(100, options.steps / 10),
                                                         totalSteps: options.steps, minimum: options.learningRate / 50),
                              clipNorm: options.clipNorm)
        try runTraining(trainer, steps: options.steps, validateEvery: options.validationEvery,
                        validationName: "validation 1 − WER",
                        validate: validation.isEmpty ? nil : {
                            model.eval()
                            let out = model.recognise(validation.map { features[$0] })
                            return 1 - WordErrorRate.rate(hypotheses: out.map(\.words), references: validation.map { pool[$0].words })
                        },
                        progress: progress) { _ in
            let members = byCount[counts[draw.integer(below: counts.count)]]!
            let picked = (0..<options.batchSize).map { _ in members[draw.integer(below: members.count)] }
            let batch = picked.map { features[$0] }, targets = picked.map { pool[$0].words }
            return (batch.reduce(0) { $0 + $1.count }, {
                model.train()
                return model.loss(features: batch, targets: targets)
            })
        }
        model.eval()
        return model
    }
}
