import Foundation
import Attention
import AttentionTraining

extension CaptionModel {
    /// How to train on strips of digits: every step composes a fresh mini-batch of strips of one length k (drawn
    /// from `digits`) out of the training rows, each digit first changed by a random small affine map (a shift of up
    /// to `shift` pixels, a rotation of up to `rotation` degrees, a scale within 1 ± `scale`: the digits ViT's
    /// augmentation, `VisionTransformer.transformed`) and, with `intensity`, its ink made lighter or darker (see
    /// ``augmented(_:_:rng:)``), so the decoder sees new strips at every step and the encoder new versions of each
    /// digit. AdamW, warm-up + cosine decay, gradient clipping, optional label smoothing. A `validationFraction` of the
    /// training rows is held back; the validation figure is the exact match on `validationStrips` strips of 3 of
    /// those digits.
    public struct TrainingOptions: Sendable, Equatable {
        /// Optimiser steps; each composes a fresh mini-batch of strips.
        public var steps = 2500
        /// Strips per mini-batch.
        public var batchSize = 32
        /// Peak AdamW learning rate, reached after the warm-up.
        public var learningRate = 2e-3
        /// AdamW's decoupled weight decay.
        public var weightDecay = 0.05
        /// The strip lengths k drawn for training batches (each batch has one k).
        public var digits = DigitStrips.lengths
        /// Largest random shift of a digit, in pixels (0: none).
        public var shift = 1.0
        /// Largest random rotation of a digit, in degrees (0: none).
        public var rotation = 12.0
        /// Random scaling of a digit within 1 ± `scale` (0: none).
        public var scale = 0.1
        /// Random ink intensity: each digit's pixels are multiplied by a factor within 1 ± `intensity`, then clipped
        /// to 0…16 (0: none); writers press differently hard.
        public var intensity = 0.0
        /// Label smoothing of the word cross-entropy (0: none).
        public var labelSmoothing = 0.0
        /// The global gradient norm is clipped to this before each step.
        public var clipNorm = 1.0
        /// Share of the training rows held back for validation.
        public var validationFraction = 0.1
        /// Validation strips (of 3 held-back digits) scored by exact match.
        public var validationStrips = 300
        /// How often, in steps, the validation figure is measured.
        public var validationEvery = 250
        /// Seeds the weights, the strips, the augmentation and the split: same seed, bit-identical model.
        public var seed: UInt64 = 1
        /// The defaults of `attention caption train`.
        public init() {}
    }

    /// Trains on strips composed from the labelled 8 × 8 `images` at `rows` (default: the training rows, those
    /// before the test split). Test rows are never read unless passed here.
    public static func train(on images: DigitImages, rows: [Int]? = nil, configuration: Configuration = Configuration(),
                             options: TrainingOptions = TrainingOptions(),
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> CaptionModel {
        guard images.height == DigitStrips.cell, images.width == DigitStrips.cell else {
            throw CaptionError.data("captions are trained on 8 × 8 digit images, found \(images.height) × \(images.width)")
        }
        let pool = rows ?? DigitStrips.trainingRows(images)
        guard pool.count >= 2 else { throw CaptionError.data("need at least 2 training images, found \(pool.count)") }
        if let i = pool.first(where: { !images.labels.indices.contains($0) || images.labels[$0] == nil }) {
            throw CaptionError.data("training row \(i) has no label 0…9")
        }
        guard options.steps > 0, options.batchSize > 0, (0...4).contains(options.shift), (0...45).contains(options.rotation),
              (0..<0.5).contains(options.scale), (0..<1).contains(options.intensity), (0..<1).contains(options.labelSmoothing),
              options.digits.lowerBound >= 1,
              options.digits.upperBound <= configuration.maxDigits else {
            throw CaptionError.configuration("steps \(options.steps) and batch size \(options.batchSize) must be positive; shift in 0...4, rotation in 0...45, scale in 0..<0.5, intensity and label smoothing in 0..<1; digits \(options.digits) within 1...\(configuration.maxDigits)")
        }
        var rng = RandomGenerator(seed: options.seed)
        let model = try CaptionModel(configuration, rng: &rng)
        let split = trainValidationSplit(count: pool.count, validationFraction: pool.count >= 20 ? options.validationFraction : 0,
                                         seed: options.seed &+ 1)
        let trainRows = split.train.map { pool[$0] }, validationRows = split.validation.map { pool[$0] }
        let validation = validationRows.isEmpty ? [] : DigitStrips.compose(
            from: images, rows: validationRows, count: options.validationStrips, digits: 3...3, seed: options.seed &+ 4)
        var draw = RandomGenerator(seed: options.seed &+ 2), augment = RandomGenerator(seed: options.seed &+ 3)
        let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: options.learningRate,
                                               weightDecay: options.weightDecay),
                              schedule: WarmupCosineRate(peak: options.learningRate, warmupSteps: min(100, options.steps / 10),
                                                         totalSteps: options.steps, minimum: options.learningRate / 50),
                              clipNorm: options.clipNorm)
        try runTraining(trainer, steps: options.steps, validateEvery: options.validationEvery,
                        validationName: "validation exact match",
                        validate: validation.isEmpty ? nil : { model.eval(); return model.evaluate(validation).exactMatch },
                        progress: progress) { _ in
            let k = options.digits.lowerBound + draw.integer(below: options.digits.count)
            var strips: [[Double]] = [], targets: [[Int]] = []
            for _ in 0..<options.batchSize {
                let picked = (0..<k).map { _ in trainRows[draw.integer(below: trainRows.count)] }
                let cells = picked.map { augmented(images.pixels[$0], options, rng: &augment) }
                let digits = picked.map { images.labels[$0]! }
                strips.append(DigitStrips.strip(cells, digits: digits).pixels)
                targets.append(digits)
            }
            return (strips.count * k, {
                model.train()   // dropout on (validation switches it off)
                return model.loss(strips: strips, targets: targets, labelSmoothing: options.labelSmoothing)
            })
        }
        model.eval()
        return model
    }

    /// One training version of an 8 × 8 digit (values 0…16): a random shift, rotation and scale as `options` bound
    /// them (bilinear, so values stay in 0…16), then, when `options.intensity` > 0, every pixel times one random
    /// factor in 1 ± intensity, clipped to 0…16. Draws 4 numbers from `rng` (5 with intensity), so a seed fixes it.
    public static func augmented(_ image: [Double], _ options: TrainingOptions, rng: inout RandomGenerator) -> [Double] {
        let u = (0..<4).map { _ in 2 * rng.uniform() - 1 }
        let moved = VisionTransformer.transformed(image, height: DigitStrips.cell, width: DigitStrips.cell,
                                                  shift: (u[0] * options.shift, u[1] * options.shift),
                                                  degrees: u[2] * options.rotation, scale: 1 + u[3] * options.scale)
        guard options.intensity > 0 else { return moved }
        let factor = 1 + (2 * rng.uniform() - 1) * options.intensity
        return moved.map { min(DigitImages.maximumValue, max(0, $0 * factor)) }
    }
}
