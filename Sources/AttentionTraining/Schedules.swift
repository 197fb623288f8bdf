import Foundation

/// A learning rate as a function of the step (1-based: the rate for the first update is `rate(at: 1)`).
public protocol LearningRateSchedule: Sendable {
    func rate(at step: Int) -> Double
}

/// The same rate at every step.
public struct ConstantRate: LearningRateSchedule {
    public let value: Double
    public init(_ value: Double) { self.value = value }
    public func rate(at step: Int) -> Double { value }
}

/// Linear warm-up from 0 to `peak` over `warmupSteps`, then cosine decay to `minimum` at `totalSteps`
/// (and `minimum` after): the usual schedule for fine-tuning Transformers.
public struct WarmupCosineRate: LearningRateSchedule {
    public let peak: Double, minimum: Double, warmupSteps: Int, totalSteps: Int

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, minimum: Double = 0) {
        precondition(warmupSteps >= 0 && totalSteps > warmupSteps, "WarmupCosineRate: need 0 ≤ warmup (\(warmupSteps)) < total (\(totalSteps))")
        self.peak = peak; self.minimum = minimum; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

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
    public let modelDim: Int, warmupSteps: Int, factor: Double

    public init(modelDim: Int, warmupSteps: Int = 4000, factor: Double = 1) {
        precondition(modelDim > 0 && warmupSteps > 0, "InverseSquareRootRate: modelDim \(modelDim) and warmupSteps \(warmupSteps) must be positive")
        self.modelDim = modelDim; self.warmupSteps = warmupSteps; self.factor = factor
    }

    public func rate(at step: Int) -> Double {
        let s = Double(Swift.max(step, 1))
        return factor / Double(modelDim).squareRoot() * Swift.min(1 / s.squareRoot(), s * pow(Double(warmupSteps), -1.5))
    }
}

/// `initial` multiplied by `gamma` every `every` steps (PyTorch's StepLR, counted in updates).
public struct StepDecayRate: LearningRateSchedule {
    public let initial: Double, every: Int, gamma: Double

    public init(initial: Double, every: Int, gamma: Double = 0.1) {
        precondition(every > 0, "StepDecayRate: every \(every) must be positive")
        self.initial = initial; self.every = every; self.gamma = gamma
    }

    public func rate(at step: Int) -> Double { initial * pow(gamma, Double(Swift.max(step - 1, 0) / every)) }
}
