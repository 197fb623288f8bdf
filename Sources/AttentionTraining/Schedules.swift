import Foundation

/// A learning rate as a function of the step (1-based: the rate for the first update is `rate(at: 1)`).
public protocol LearningRateSchedule: Sendable {
    /// The learning rate of update `step` (1-based).
    func rate(at step: Int) -> Double
}

/// The same rate at every step.
public struct ConstantRate: LearningRateSchedule {
    /// The rate.
    public let value: Double
    /// A constant rate of `value`.
    public init(_ value: Double) { self.value = value }
    /// `value`, whatever the step.
    public func rate(at step: Int) -> Double { value }
}

/// Linear warm-up from 0 to `peak` over `warmupSteps`, then cosine decay to `minimum` at `totalSteps`
/// (and `minimum` after): the usual schedule for fine-tuning Transformers.
public struct WarmupCosineRate: LearningRateSchedule {
    /// The peak rate, the final rate, the warm-up length and the step where the decay ends.
    public let peak: Double, minimum: Double, warmupSteps: Int, totalSteps: Int

    /// The schedule; needs 0 ≤ `warmupSteps` < `totalSteps`.
    public init(peak: Double, warmupSteps: Int, totalSteps: Int, minimum: Double = 0) {
        precondition(warmupSteps >= 0 && totalSteps > warmupSteps, "WarmupCosineRate: need 0 ≤ warmup (\(warmupSteps)) < total (\(totalSteps))")
        self.peak = peak; self.minimum = minimum; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// `peak · step / warmup` during the warm-up, then `minimum + (peak − minimum) · (1 + cos(π·progress)) / 2`.
    public func rate(at step: Int) -> Double {
        if step <= warmupSteps { return peak * Double(step) / Double(Swift.max(warmupSteps, 1)) }
        if step >= totalSteps { return minimum }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
    }
}

/// The schedule of "Attention Is All You Need" (§5.3): factor · d_model^(−1/2) · min(step^(−1/2), step · warmup^(−3/2)),
/// linear warm-up then decay with the inverse square root of the step.
public struct InverseSquareRootRate: LearningRateSchedule {
    /// d_model, the warm-up length and the overall factor.
    public let modelDim: Int, warmupSteps: Int, factor: Double

    /// The schedule for a model of width `modelDim`.
    public init(modelDim: Int, warmupSteps: Int = 4000, factor: Double = 1) {
        precondition(modelDim > 0 && warmupSteps > 0, "InverseSquareRootRate: modelDim \(modelDim) and warmupSteps \(warmupSteps) must be positive")
        self.modelDim = modelDim; self.warmupSteps = warmupSteps; self.factor = factor
    }

    /// factor · d_model^(−1/2) · min(step^(−1/2), step · warmup^(−3/2)) (step 0 is read as step 1).
    public func rate(at step: Int) -> Double {
        let s = Double(Swift.max(step, 1))
        return factor / Double(modelDim).squareRoot() * Swift.min(1 / s.squareRoot(), s * pow(Double(warmupSteps), -1.5))
    }
}

/// `initial` multiplied by `gamma` every `every` steps (PyTorch's StepLR, counted in updates).
public struct StepDecayRate: LearningRateSchedule {
    /// The first rate, the steps between decays and the factor γ of each decay.
    public let initial: Double, every: Int, gamma: Double

    /// The schedule; `every` must be positive.
    public init(initial: Double, every: Int, gamma: Double = 0.1) {
        precondition(every > 0, "StepDecayRate: every \(every) must be positive")
        self.initial = initial; self.every = every; self.gamma = gamma
    }

    /// initial · γ^⌊(step − 1) / every⌋.
    public func rate(at step: Int) -> Double { initial * pow(gamma, Double(Swift.max(step - 1, 0) / every)) }
}
