import Layers
import TensorCore

/// An exponential moving average of a model's parameters (Polyak averaging of the training trajectory, the "model EMA"
/// of DeiT and timm):
///
///     θ̄₀ = θ₀,    θ̄ₜ = βₜ·θ̄ₜ₋₁ + (1 − βₜ)·θₜ,    βₜ = min(β, (1 + t) / (10 + t))      after optimiser step t
///
/// The warm-up of βₜ (as in TensorFlow's `ExponentialMovingAverage` with `num_updates`) keeps the random initial
/// weights from lingering in the average: with a constant β = 0.999 they would still weigh 0.999²⁵⁰⁰ ≈ 8 % after
/// 2,500 steps. The average sits in Float64 beside the parameters and never touches them until `assign()` copies it in. With
/// β = 0.999 it is a mean over roughly the last 1/(1 − β) = 1,000 steps, which smooths the noise of the last
/// mini-batches; on small data sets it is often a point of held-out accuracy better than the last iterate.
///
/// ```swift
/// let average = ParameterAverage(model.parameters, decay: 0.999)
/// for batch in batches { try trainer.step(loss(batch)); average.update() }
/// average.assign()      // the model now holds θ̄
/// ```
public final class ParameterAverage {
    public let decay: Double
    public let parameters: [Parameter]
    /// θ̄ of each parameter, flattened, in `parameters` order.
    public private(set) var averages: [[Double]]
    public private(set) var updates = 0

    public init(_ parameters: [Parameter], decay: Double) {
        precondition((0..<1).contains(decay), "ParameterAverage: decay \(decay) must be in [0, 1)")
        self.decay = decay
        self.parameters = distinct(parameters)
        averages = self.parameters.map { $0.value.cast(to: .float64).doubles }
    }

    /// βₜ of update t (1-based).
    public func decay(at t: Int) -> Double { Swift.min(decay, Double(1 + t) / Double(10 + t)) }

    /// θ̄ ← βₜ·θ̄ + (1 − βₜ)·θ with the parameters' current values.
    public func update() {
        updates += 1
        let decay = decay(at: updates)
        for (k, p) in parameters.enumerated() {
            let now = p.value.cast(to: .float64).doubles
            precondition(now.count == averages[k].count, "ParameterAverage: parameter \(k) changed shape to \(p.value.shape)")
            averages[k].withUnsafeMutableBufferPointer { a in
                for i in a.indices { a[i] = decay * a[i] + (1 - decay) * now[i] }
            }
        }
    }

    /// Replaces every parameter's value by its average (in the parameter's own dtype).
    public func assign() {
        for (k, p) in parameters.enumerated() {
            let value = p.value
            p.value = Tensor(shape: value.shape, doubles: averages[k]).cast(to: value.dtype)
        }
    }

    /// Runs `body` with the averages in the parameters, then puts the training values back (validation of the
    /// averaged model while training goes on).
    public func withAverages<R>(_ body: () throws -> R) rethrows -> R {
        let saved = parameters.map(\.value)
        assign()
        defer { for (p, v) in zip(parameters, saved) { p.value = v } }
        return try body()
    }
}
