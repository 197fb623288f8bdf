import AttentionLayers
import AttentionTensorCore

/// An exponential moving average of a model's parameters (Polyak averaging of the training trajectory, the "model EMA"
/// of DeiT and timm), bias-corrected as Adam corrects its moments:
///
///     m₀ = 0,    mₜ = β·mₜ₋₁ + (1 − β)·θₜ      after optimiser step t
///     θ̄ₜ = mₜ / (1 − βᵗ)                    = Σₛ βᵗ⁻ˢ·θₛ / Σₛ βᵗ⁻ˢ  over the steps s = 1…t
///
/// so θ̄ is a weighted mean of the iterates alone — the random initial weights θ₀ never enter it — with a horizon
/// of about 1/(1 − β) steps from the first step on (β = 0.999: the last ~1,000 steps). On small data sets the
/// average is often worth a point of held-out accuracy over the last iterate. The sums sit in Float64 beside the
/// parameters and touch them only when `assign()` copies θ̄ in.
///
/// ```swift
/// let average = ParameterAverage(model.parameters, decay: 0.999)
/// for batch in batches { try trainer.step(loss(batch)); average.update() }
/// average.assign()      // the model now holds θ̄
/// ```
public final class ParameterAverage {
    /// β, the decay of the average (in [0, 1)).
    public let decay: Double
    /// The parameters averaged, in order.
    public let parameters: [Parameter]
    /// mₜ of each parameter, flattened, in `parameters` order.
    private var sums: [[Double]]
    /// How many times `update()` has folded the parameters in.
    public private(set) var updates = 0
    /// βᵗ, kept as a product (no `pow` drift).
    private var decayPower = 1.0

    /// An average of `parameters` with decay `decay`; nothing is averaged until the first `update()`.
    public init(_ parameters: [Parameter], decay: Double) {
        precondition((0..<1).contains(decay), "ParameterAverage: decay \(decay) must be in [0, 1)")
        self.decay = decay
        self.parameters = distinct(parameters)
        sums = self.parameters.map { [Double](repeating: 0, count: $0.value.count) }
    }

    /// θ̄ of each parameter (flattened): mₜ / (1 − βᵗ); before any update, the parameters' current values.
    public var averages: [[Double]] {
        guard updates > 0 else { return parameters.map { $0.value.cast(to: .float64).doubles } }
        let correction = 1 - decayPower
        return sums.map { $0.map { $0 / correction } }
    }

    /// mₜ ← β·mₜ₋₁ + (1 − β)·θ with the parameters' current values.
    public func update() {
        updates += 1
        decayPower *= decay
        for (k, p) in parameters.enumerated() {
            let now = p.value.cast(to: .float64).doubles
            precondition(now.count == sums[k].count, "ParameterAverage: parameter \(k) changed shape to \(p.value.shape)")
            sums[k].withUnsafeMutableBufferPointer { m in
                for i in m.indices { m[i] = decay * m[i] + (1 - decay) * now[i] }
            }
        }
    }

    /// Replaces every parameter's value by its average (in the parameter's own dtype).
    public func assign() {
        for (p, average) in zip(parameters, averages) {
            let value = p.value
            p.value = Tensor(shape: value.shape, doubles: average).cast(to: value.dtype)
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
