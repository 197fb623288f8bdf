import Foundation
import Attention
import AttentionSafeTensors
import AttentionTraining

extension VisionTransformer {
    /// How to train on digit images: AdamW, warm-up + cosine decay, mini-batches, gradient clipping, and a random
    /// small affine change of each training image (a shift of up to `shift` pixels, a rotation of up to `rotation`
    /// degrees, a scale within 1 ± `scale`; bilinear resampling, zeros at the edges), so that the model learns the
    /// strokes of a digit rather than one writer's placement and slant. The model returned holds the exponential
    /// moving average of the weights over training (``ParameterAverage``, decay `averageDecay`; 0 keeps the last
    /// step's weights), and validation measures that average.
    public struct TrainingOptions: Sendable, Equatable {
        /// Optimiser steps (mini-batches); 5000 chosen by cross-validation on the training rows
        /// (`Scripts/digits_steps_cv.sh`).
        public var steps = 5000
        /// Images per mini-batch.
        public var batchSize = 64
        /// Peak AdamW learning rate, reached after the warm-up.
        public var learningRate = 2e-3
        /// AdamW's decoupled weight decay.
        public var weightDecay = 0.05
        /// Largest random shift of a training image, in pixels (0: none).
        public var shift = 1.0
        /// Largest random rotation of a training image, in degrees (0: none).
        public var rotation = 12.0
        /// Random scaling of a training image within 1 ± `scale` (0: none).
        public var scale = 0.1
        /// The global gradient norm is clipped to this before each step.
        public var clipNorm = 1.0
        /// Label smoothing of the cross-entropy (0: plain cross-entropy).
        public var labelSmoothing = 0.0
        /// Decay of the weights' exponential moving average; 0 returns the last step's weights, and it must be below 1.
        public var averageDecay = 0.999
        /// Share of the training images kept aside for the validation accuracy reported during training.
        public var validationFraction = 0.1
        /// How often, in steps, the validation accuracy is measured.
        public var validationEvery = 250
        /// Seeds the initial weights, the batches, the augmentation and the split: same seed, bit-identical model.
        public var seed: UInt64 = 1
        /// The defaults of `attention digits train`.
        public init() {}
    }

    /// Trains on labelled images (every image needs a label 0…classes−1).
    public static func train(on images: DigitImages, configuration: Configuration = Configuration(),
                             options: TrainingOptions = TrainingOptions(),
                             progress: ((TrainingProgress) -> Void)? = nil) throws -> VisionTransformer {
        var c = configuration
        c.imageHeight = images.height; c.imageWidth = images.width
        guard images.count >= 2 else { throw VisionError.data("need at least 2 training images, found \(images.count)") }
        if let i = images.labels.firstIndex(where: { $0 == nil || !(0..<c.classes).contains($0!) }) {
            throw VisionError.data("training image \(i) has no label in 0..<\(c.classes)")
        }
        guard (0..<1).contains(options.averageDecay) else {
            throw VisionError.configuration("the weight average's decay must be in [0, 1), found \(options.averageDecay)")
        }
        guard options.steps > 0, options.batchSize > 0, (0...4).contains(options.shift), (0...45).contains(options.rotation),
              (0..<0.5).contains(options.scale) else {
            throw VisionError.configuration("steps \(options.steps) and batch size \(options.batchSize) must be positive; shift in 0...4, rotation in 0...45, scale in 0..<0.5")
        }
        var rng = RandomGenerator(seed: options.seed)
        let model = try VisionTransformer(c, rng: &rng)
        let split = trainValidationSplit(count: images.count, validationFraction: images.count >= 20 ? options.validationFraction : 0,
                                         seed: options.seed &+ 1)
        let trainRows = split.train, validation = images.pick(split.validation)
        var batches = LengthBatches(lengths: [Int](repeating: 1, count: trainRows.count), batchSize: options.batchSize,
                                    seed: options.seed &+ 2)
        var shiftRNG = RandomGenerator(seed: options.seed &+ 3)
        let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: options.learningRate,
                                               weightDecay: options.weightDecay),
                              schedule: WarmupCosineRate(peak: options.learningRate, warmupSteps: min(100, options.steps / 10),
                                                         totalSteps: options.steps, minimum: options.learningRate / 50),
                              clipNorm: options.clipNorm)
        let average = options.averageDecay > 0 ? ParameterAverage(model.parameters, decay: options.averageDecay) : nil
        func measured() -> Double {
            model.eval()
            return average.map { a in a.withAverages { model.accuracy(on: validation) } } ?? model.accuracy(on: validation)
        }
        try runTraining(trainer, steps: options.steps, validateEvery: options.validationEvery,
                        validate: validation.count == 0 ? nil : measured, progress: progress,
                        afterStep: { _ in average?.update() }) { _ in
            let rows = batches.next().map { trainRows[$0] }
            let inputs = rows.map { i in
                let u = (0..<4).map { _ in 2 * shiftRNG.uniform() - 1 }
                return transformed(images.pixels[i], height: c.imageHeight, width: c.imageWidth,
                                   shift: (u[0] * options.shift, u[1] * options.shift),
                                   degrees: u[2] * options.rotation, scale: 1 + u[3] * options.scale)
            }
            let targets = rows.map { images.labels[$0]! }
            return (rows.count, {
                model.train()   // dropout on (validation switches it off)
                return Loss.crossEntropy(logits: model(inputs).logits, targets: targets, labelSmoothing: options.labelSmoothing)
            })
        }
        average?.assign()
        model.eval()
        return model
    }

    /// The image rotated by `degrees` and scaled by `scale` about its centre, then moved by `shift` = (dy, dx)
    /// pixels: each output pixel samples the input bilinearly at the inverse-mapped point (zeros outside).
    static func transformed(_ image: [Double], height: Int, width: Int, shift: (Double, Double), degrees: Double,
                            scale: Double) -> [Double] {
        let angle = degrees * Double.pi / 180, cosA = Foundation.cos(angle) / scale, sinA = Foundation.sin(angle) / scale
        let cy = Double(height - 1) / 2, cx = Double(width - 1) / 2
        func pixel(_ r: Int, _ c: Int) -> Double {
            (0..<height).contains(r) && (0..<width).contains(c) ? image[r * width + c] : 0
        }
        var out = [Double](repeating: 0, count: image.count)
        for r in 0..<height { for c in 0..<width {
            let y = Double(r) - cy - shift.0, x = Double(c) - cx - shift.1
            let sy = cosA * y - sinA * x + cy, sx = sinA * y + cosA * x + cx
            let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down)), fy = sy - Double(y0), fx = sx - Double(x0)
            out[r * width + c] = (1 - fy) * ((1 - fx) * pixel(y0, x0) + fx * pixel(y0, x0 + 1))
                + fy * ((1 - fx) * pixel(y0 + 1, x0) + fx * pixel(y0 + 1, x0 + 1))
        } }
        return out
    }

    /// One classified image: the digit, the probabilities, where [CLS] looked in each layer and head, and the rollout.
    public struct Result: Sendable, Equatable {
        /// The most probable class.
        public let label: Int
        /// The softmax over the classes, [C].
        public let probabilities: [Double]
        /// [layer][head][patch]: the [CLS] row of each attention matrix, without its weight on itself.
        public let classAttention: [[[Double]]]
        /// [Hi][Wi]: attention rollout from [CLS] to each patch, every pixel showing its patch's value.
        public let rollout: [[Double]]
    }

    /// Classifies images (row-major, values 0…16, `imageHeight · imageWidth` each) in batches of `batchSize`,
    /// returning each one's class, probabilities, per-head [CLS] attention and rollout. Runs without gradients.
    public func classify(_ images: [[Double]], batchSize: Int = 128) -> [Result] {
        let c = configuration, n = c.patchCount, t = n + 1
        var out: [Result] = []
        withoutGradients {
            for start in stride(from: 0, to: images.count, by: batchSize) {
                let chunk = Array(images[start..<min(start + batchSize, images.count)])
                let (logits, attention) = self(chunk, weights: true)
                let p = logits.softmax(axis: -1).cast(to: .float64).doubles
                let maps = attention.map { $0.cast(to: .float64).doubles }   // each [B, H, T, T]
                for b in 0..<chunk.count {
                    let probs = Array(p[b * c.classes..<(b + 1) * c.classes])
                    var perLayer: [[[Double]]] = [], rollout = identity(t)
                    for m in maps {
                        var mean = [Double](repeating: 0, count: t * t), heads: [[Double]] = []
                        for h in 0..<c.heads {
                            let base = ((b * c.heads) + h) * t * t
                            heads.append(Array(m[(base + 1)..<(base + t)]))
                            for i in 0..<(t * t) { mean[i] += m[base + i] / Double(c.heads) }
                        }
                        perLayer.append(heads)
                        // Abnar & Zuidema: half the attention plus half the residual, rows renormalised, multiplied up.
                        var a = (0..<(t * t)).map { 0.5 * mean[$0] + ($0 / t == $0 % t ? 0.5 : 0) }
                        for r in 0..<t {
                            let s = (0..<t).reduce(0.0) { $0 + a[r * t + $1] }
                            if s > 0 { for k in 0..<t { a[r * t + k] /= s } }
                        }
                        rollout = multiply(a, rollout, t)
                    }
                    let patchValues = Array(rollout[1..<t])
                    let pixels = (0..<c.imageHeight).map { r in (0..<c.imageWidth).map { col in
                        patchValues[(r / c.patch) * c.patchColumns + col / c.patch] } }
                    out.append(Result(label: probs.indices.max { probs[$0] < probs[$1] }!, probabilities: probs,
                                      classAttention: perLayer, rollout: pixels))
                }
            }
        }
        return out
    }

    func identity(_ t: Int) -> [Double] { (0..<(t * t)).map { $0 / t == $0 % t ? 1 : 0 } }

    func multiply(_ a: [Double], _ b: [Double], _ t: Int) -> [Double] {
        var out = [Double](repeating: 0, count: t * t)
        for i in 0..<t { for k in 0..<t where a[i * t + k] != 0 { for j in 0..<t { out[i * t + j] += a[i * t + k] * b[k * t + j] } } }
        return out
    }

    /// Share of labelled images classified correctly.
    public func accuracy(on images: DigitImages) -> Double {
        let results = classify(images.pixels)
        let right = zip(results, images.labels).filter { $0.label == $1 }.count
        return images.count == 0 ? 0 : Double(right) / Double(images.count)
    }

    // MARK: Checkpoints

    /// The task name a digits checkpoint carries in its metadata; `load(from:)` refuses other tasks.
    public static let checkpointTask = "digits"

    /// Writes the weights and the configuration as one safetensors file, atomically.
    public func save(to path: String) throws(CheckpointError) {
        try Checkpoint.write(self, task: Self.checkpointTask, metadata: ["config": Checkpoint.encode(configuration)], to: path)
    }

    /// Reads a model written by `save(to:)`.
    /// - Throws: `CheckpointError` naming the file: unreadable, another task, a bad configuration, or a missing or misshapen tensor.
    public static func load(from path: String) throws(CheckpointError) -> VisionTransformer {
        let file = try Checkpoint.open(path: path, task: checkpointTask)
        let configuration = try Checkpoint.decode(Configuration.self, "config", in: file, path: path)
        let model: VisionTransformer
        do {
            var rng = RandomGenerator(seed: 0)
            model = try VisionTransformer(configuration, rng: &rng)
        } catch { throw .badMetadata(path: path, key: "config", reason: error.description) }
        try Checkpoint.load(model, from: file, path: path)
        model.eval()
        return model
    }
}

extension DigitImages {
    func pick(_ rows: [Int]) -> DigitImages {
        DigitImages(height: height, width: width, pixels: rows.map { pixels[$0] }, labels: rows.map { labels[$0] })
    }
}
