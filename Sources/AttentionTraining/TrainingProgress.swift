import Foundation
import AttentionTensorCore

/// What a training loop reports after a step: enough for a progress line (step, loss, tokens/s, ETA) and for a
/// held-out figure when one was just measured.
public struct TrainingProgress: Sendable, Equatable {
    /// The step just taken, from 1.
    public let step: Int
    /// The steps the run will take.
    public let totalSteps: Int
    /// The step's training loss.
    public let loss: Double
    /// The learning rate the step used.
    public let learningRate: Double
    /// Tokens (or examples) processed per second since training started.
    public let tokensPerSecond: Double
    /// Wall-clock seconds since training started.
    public let elapsedSeconds: Double
    /// A validation figure measured at this step, e.g. ("validation accuracy", 0.97).
    public let validation: (name: String, value: Double)?

    /// A report from its figures.
    public init(step: Int, totalSteps: Int, loss: Double, learningRate: Double, tokensPerSecond: Double,
                elapsedSeconds: Double, validation: (name: String, value: Double)? = nil) {
        self.step = step; self.totalSteps = totalSteps; self.loss = loss; self.learningRate = learningRate
        self.tokensPerSecond = tokensPerSecond; self.elapsedSeconds = elapsedSeconds; self.validation = validation
    }

    /// Equal figures (the validation tuple is compared by name and value).
    public static func == (a: TrainingProgress, b: TrainingProgress) -> Bool {
        a.step == b.step && a.totalSteps == b.totalSteps && a.loss == b.loss && a.learningRate == b.learningRate
            && a.tokensPerSecond == b.tokensPerSecond && a.elapsedSeconds == b.elapsedSeconds
            && a.validation?.name == b.validation?.name && a.validation?.value == b.validation?.value
    }

    /// Seconds left at the rate so far.
    public var etaSeconds: Double {
        step > 0 ? elapsedSeconds / Double(step) * Double(max(totalSteps - step, 0)) : 0
    }

    /// `step 120/400  loss 0.4132  1.9k tok/s  eta 0:12  validation accuracy 0.975`
    public var line: String {
        let eta = Int(etaSeconds.rounded())
        var s = "step \(step)/\(totalSteps)  loss \(String(format: "%.4f", loss))  "
            + "\(Self.compact(tokensPerSecond)) tok/s  eta \(eta / 60):\(String(format: "%02d", eta % 60))"
        if let v = validation { s += "  \(v.name) \(String(format: "%.3f", v.value))" }
        return s
    }

    static func compact(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.1fM", x / 1e6) : x >= 1e3 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }
}

/// Writes progress to standard error: one updating line on a terminal, nothing otherwise (or when quiet), so logs
/// and pipes stay clean. Validation figures, which are rarer, are kept as lines of their own on a terminal.
public final class ProgressPrinter: @unchecked Sendable {
    /// Whether anything is written: not quiet, and standard error is a terminal.
    public let enabled: Bool
    private var lastWidth = 0

    /// A printer; `isTerminal` is read from standard error unless given (tests pass it).
    public init(quiet: Bool, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        enabled = !quiet && isTerminal
    }

    /// Writes `p`'s `TrainingProgress/line` over the previous one (validation reports on a line of their own).
    public func report(_ p: TrainingProgress) {
        guard enabled else { return }
        let text = p.line
        let pad = String(repeating: " ", count: max(lastWidth - text.count, 0))
        lastWidth = text.count
        FileHandle.standardError.write(Data(("\r" + text + pad + (p.validation != nil || p.step == p.totalSteps ? "\n" : "")).utf8))
        if p.validation != nil { lastWidth = 0 }
    }
}

/// The loop every application's `train` runs: `steps` checked ``Trainer`` steps, each on the batch `batch(step)`
/// makes (its token count and its loss), `afterStep` (e.g. a ``ParameterAverage`` update), a validation figure every
/// `validateEvery` steps and at the end, and a ``TrainingProgress`` after each step.
///
/// ```swift
/// try runTraining(trainer, steps: 600, validateEvery: 100, validate: { model.evaluate(held).accuracy }, progress: report) { _ in
///     let batch = batches.next()
///     return (tokens: batch.count, loss: { Loss.crossEntropy(logits: model(batch), targets: labels(batch)) })
/// }
/// ```
public func runTraining(_ trainer: Trainer, steps: Int, validateEvery: Int, validationName: String = "validation accuracy",
                        validate: (() -> Double)?, progress: ((TrainingProgress) -> Void)?,
                        afterStep: ((Int) -> Void)? = nil,
                        batch: (Int) throws -> (tokens: Int, loss: () throws -> Tensor)) throws {
    precondition(steps > 0 && validateEvery > 0, "runTraining: steps \(steps) and validateEvery \(validateEvery) must be positive")
    let start = Date()
    var tokens = 0
    for step in 1...steps {
        let (count, loss) = try batch(step)
        tokens += count
        let report = try trainer.step(loss)
        afterStep?(step)
        guard let progress else { continue }
        let elapsed = Date().timeIntervalSince(start)
        var measured: (name: String, value: Double)?
        if let validate, step % validateEvery == 0 || step == steps { measured = (validationName, validate()) }
        progress(TrainingProgress(step: step, totalSteps: steps, loss: report.loss, learningRate: report.learningRate,
                                  tokensPerSecond: Double(tokens) / max(elapsed, 1e-9), elapsedSeconds: elapsed,
                                  validation: measured))
    }
}
