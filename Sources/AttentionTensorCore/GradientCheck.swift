/// Checks analytic gradients against Float64 central differences.
///
/// For a function f of tensors, picks a random cotangent w (seeded) and compares ∂(Σ w ∘ f)/∂xᵢ from `backward`
/// with (L(x + h·eⱼ) − L(x − h·eⱼ)) / 2h for every element j of every input, all in Float64. Relative error per
/// input: ‖analytic − numeric‖∞ / max(‖numeric‖∞, 1e-3). Use it on any differentiable code:
///
/// ```swift
/// let r = GradientCheck.run([Tensor.randomNormal([3, 4], using: &rng)]) { x in x[0].softmax(axis: -1) }
/// assert(r.maxRelativeError < 1e-3)
/// ```
public enum GradientCheck {
    /// What a check measured: the worst relative error between analytic and numeric gradients.
    public struct Result: Sendable, CustomStringConvertible {
        /// Worst relative error over all inputs.
        public let maxRelativeError: Double
        /// Relative error per input.
        public let relativeErrors: [Double]
        /// The errors, for a failing test's message.
        public var description: String { "GradientCheck(max relative error \(maxRelativeError), per input \(relativeErrors))" }
    }

    /// Compares the gradient of `function` at `inputs` (reverse mode) with central differences in Float64.
    /// - Parameters:
    ///   - inputs: the points to differentiate at (converted to Float64).
    ///   - step: central-difference step h.
    ///   - seed: seed of the random cotangent.
    ///   - function: the function under test; it must be deterministic (no fresh randomness per call).
    public static func run(_ inputs: [Tensor], step: Double = 1e-6, seed: UInt64 = 0x5EED,
                           _ function: ([Tensor]) -> Tensor) -> Result {
        let points = inputs.map { $0.detached().cast(to: .float64) }
        let probe = withoutGradients { function(points) }
        var rng = RandomGenerator(seed: seed)
        let cotangent = Tensor.randomNormal(probe.shape, dtype: .float64, using: &rng)
        func loss(_ xs: [Tensor]) -> Double { withoutGradients { (function(xs) * cotangent).sum().item } }

        let leaves = points.map { $0.requiringGradient() }
        let output = function(leaves)
        precondition(output.dtype == .float64, "GradientCheck: the function returned \(output.dtype); it must keep Float64 inputs in Float64")
        let analytic = Autograd.gradients(of: (output * cotangent).sum(), withRespectTo: leaves)

        var errors: [Double] = []
        for (i, x) in points.enumerated() {
            let base = x.doubles
            var numeric = [Double](repeating: 0, count: base.count)
            for j in 0..<base.count {
                var plus = base, minus = base
                plus[j] += step
                minus[j] -= step
                var xsPlus = points, xsMinus = points
                xsPlus[i] = Tensor(shape: x.shape, doubles: plus)
                xsMinus[i] = Tensor(shape: x.shape, doubles: minus)
                numeric[j] = (loss(xsPlus) - loss(xsMinus)) / (2 * step)
            }
            let a = analytic[i].doubles
            let diff = zip(a, numeric).map { Swift.abs($0 - $1) }.max() ?? 0
            let scale = Swift.max(numeric.map(Swift.abs).max() ?? 0, 1e-3)
            errors.append(diff / scale)
        }
        return Result(maxRelativeError: errors.max() ?? 0, relativeErrors: errors)
    }
}
