import AttentionLayers
import AttentionTensorCore

/// What went wrong in a training step.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss was NaN or infinite; no parameter was changed by that step.
    case nonFiniteLoss(step: Int, value: Double)
    /// A gradient held NaN or infinity; no parameter was changed by that step.
    case nonFiniteGradient(step: Int, norm: Double)

    /// The message: the step and the value found.
    public var description: String {
        switch self {
        case let .nonFiniteLoss(step, value):
            return "training step \(step): the loss is \(value); parameters left unchanged (lower the learning rate or check the inputs)"
        case let .nonFiniteGradient(step, norm):
            return "training step \(step): the gradient norm is \(norm); parameters left unchanged"
        }
    }
}

/// One step's figures.
public struct TrainingStep: Sendable, Equatable {
    /// The step number, from 1.
    public let step: Int
    /// The loss before the update.
    public let loss: Double
    /// The learning rate the update used.
    public let learningRate: Double
    /// Global gradient norm before clipping.
    public let gradientNorm: Double
}

/// The training step every loop repeats: zero the gradients, compute the loss, check it, back-propagate, clip,
/// set the scheduled learning rate, update. A non-finite loss or gradient stops with a `TrainingError` and
/// leaves the parameters as they were (never a silent NaN model).
///
/// ```swift
/// let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: 3e-4),
///                       schedule: WarmupCosineRate(peak: 3e-4, warmupSteps: 100, totalSteps: 2000), clipNorm: 1)
/// for batch in batches {
///     let report = try trainer.step { Loss.crossEntropy(logits: model(batch.inputs), targets: batch.targets) }
///     print(report.step, report.loss)
/// }
/// ```
public final class Trainer {
    /// The optimiser that updates the parameters.
    public let optimizer: Optimizer
    /// Sets the optimiser's learning rate before each step; nil leaves it as it is.
    public let schedule: (any LearningRateSchedule)?
    /// The global gradient norm is clipped to this before each update; nil does not clip.
    public let clipNorm: Double?
    /// Steps completed (a step that threw is not counted: its number is used again).
    public private(set) var stepsTaken = 0

    /// A trainer; `clipNorm` must be positive.
    public init(optimizer: Optimizer, schedule: (any LearningRateSchedule)? = nil, clipNorm: Double? = nil) {
        precondition(clipNorm.map { $0 > 0 } ?? true, "Trainer: clipNorm must be positive")
        self.optimizer = optimizer; self.schedule = schedule; self.clipNorm = clipNorm
    }

    /// Runs one step with the loss `computeLoss` returns (a scalar tensor built from the parameters).
    @discardableResult
    public func step(_ computeLoss: () throws -> Tensor) throws -> TrainingStep {
        let number = stepsTaken + 1
        optimizer.zeroGradients()
        let loss = try computeLoss()
        precondition(loss.count == 1, "Trainer: the loss must be a scalar, got shape \(loss.shape)")
        let value = loss.cast(to: .float64).doubles[0]
        guard value.isFinite else { throw TrainingError.nonFiniteLoss(step: number, value: value) }
        loss.backward()
        let norm = clipNorm.map { clipGradientNorm(optimizer.parameters, maxNorm: $0) } ?? globalGradientNorm(optimizer.parameters)
        guard norm.isFinite else {
            optimizer.zeroGradients()
            throw TrainingError.nonFiniteGradient(step: number, norm: norm)
        }
        if let schedule { optimizer.learningRate = schedule.rate(at: number) }
        optimizer.step()
        stepsTaken = number
        return TrainingStep(step: number, loss: value, learningRate: optimizer.learningRate, gradientNorm: norm)
    }
}
