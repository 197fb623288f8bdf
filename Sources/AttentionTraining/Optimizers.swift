import Foundation
import AttentionLayers
import AttentionTensorCore

/// An optimiser: walks its parameters and applies one per-parameter update rule to each that has a gradient.
///
/// Updates are computed in Float64 from the parameter and its gradient and rounded once into the parameter's
/// dtype; per-parameter state (momentum, moments) is kept in Float64. Each rule follows the PyTorch optimiser of
/// the same name step for step (fixtures: `Scripts/make_training_fixtures.py`).
///
/// ```swift
/// let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
/// optimizer.zeroGradients()
/// Loss.crossEntropy(logits: model(x), targets: y).backward()
/// optimizer.step()
/// ```
public class Optimizer {
    /// The parameters this optimiser updates, in order (its per-parameter state follows this order).
    public let parameters: [Parameter]
    /// The step size the next `step()` uses (a schedule sets it before each step).
    public var learningRate: Double
    /// Steps taken so far (Adam's bias correction counts from 1).
    public private(set) var stepCount = 0
    private var states: [ObjectIdentifier: [String: [Double]]] = [:]

    init(parameters: [Parameter], learningRate: Double) {
        precondition(learningRate >= 0 && learningRate.isFinite, "Optimizer: learning rate \(learningRate) must be finite and ≥ 0")
        self.parameters = distinct(parameters)   // a shared parameter once
        self.learningRate = learningRate
    }

    /// Forgets every parameter's accumulated gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// One update of every parameter that has a gradient; parameters without one are left as they are.
    public func step() {
        stepCount += 1
        for p in parameters {
            guard let g = p.gradient else { continue }
            let value = p.value
            // Taken out of the table so that the rule's buffers are uniquely referenced and updated in place
            // (a shared copy made every step copy each moment buffer: a tenth of a translator's step).
            var state = states.removeValue(forKey: ObjectIdentifier(p)) ?? [:]
            if let updated = updateFloat32(value, g, &state) {
                p.value = updated
            } else {
                var w = value.doubles
                let grad = g.doubles
                precondition(grad.count == w.count, "Optimizer: gradient \(g.shape) does not match parameter \(value.shape)")
                update(&w, grad, &state)
                p.value = Tensor(shape: value.shape, doubles: w).cast(to: value.dtype)
            }
            states[ObjectIdentifier(p)] = state
        }
    }

    /// The rule applied straight to a Float32 parameter's buffers, giving the same bits as `update` on its Double
    /// copy; nil (state untouched) where a rule has no such form, and `update` runs instead.
    func updateFloat32(_ value: Tensor, _ gradient: Tensor, _ state: inout [String: [Double]]) -> Tensor? { nil }

    /// The rule: change `w` in place from `g`, keeping per-parameter buffers in `state` (empty at first).
    func update(_ w: inout [Double], _ g: [Double], _ state: inout [String: [Double]]) {
        preconditionFailure("Optimizer.update must be overridden")
    }
}

/// Stochastic gradient descent with optional momentum, as `torch.optim.SGD`:
/// g ← g + λw; b ← μb + (1 − τ)g (b = g on the first step); g ← g + μb (Nesterov) or b; w ← w − ηg.
public final class SGD: Optimizer {
    /// μ, τ, λ and whether the step uses Nesterov momentum (see the update above).
    public let momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool

    /// SGD over `parameters` with step size η = `learningRate`.
    /// Pitfall: Nesterov needs momentum > 0 and no dampening (a precondition says so), as in PyTorch.
    public init(parameters: [Parameter], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(momentum >= 0 && weightDecay >= 0, "SGD: momentum \(momentum) and weight decay \(weightDecay) must be ≥ 0")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.momentum = momentum; self.dampening = dampening; self.weightDecay = weightDecay; self.nesterov = nesterov
        super.init(parameters: parameters, learningRate: learningRate)
    }

    override func update(_ w: inout [Double], _ g: [Double], _ state: inout [String: [Double]]) {
        var d = g
        if weightDecay != 0 { for i in d.indices { d[i] += weightDecay * w[i] } }
        if momentum != 0 {
            var b: [Double]
            if let old = state["momentum"] {
                b = old
                for i in b.indices { b[i] = momentum * b[i] + (1 - dampening) * d[i] }
            } else {
                b = d
            }
            state["momentum"] = b
            if nesterov { for i in d.indices { d[i] += momentum * b[i] } } else { d = b }
        }
        for i in w.indices { w[i] -= learningRate * d[i] }
    }
}

/// Adam (Kingma & Ba), as `torch.optim.Adam` / `torch.optim.AdamW`:
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², w ← w − η·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
/// Weight decay λ is added to the gradient (Adam, L2) or, with `decoupled`, applied as w ← w(1 − ηλ) before the
/// step (AdamW, Loshchilov & Hutter). `amsgrad` uses the running maximum of v.
public class Adam: Optimizer {
    /// β₁, β₂, ε, λ, whether the decay is decoupled (AdamW) and whether AMSGrad's running maximum of v is used.
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool, amsgrad: Bool

    /// Adam over `parameters` with PyTorch's defaults; `decoupledWeightDecay` turns the L2 term into AdamW's decay.
    /// Pitfall: with Adam (not AdamW) the decay λ is scaled by the adaptive step like any gradient, so it regularises less where gradients are large.
    public init(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false, amsgrad: Bool = false) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas (\(beta1), \(beta2)) must be in [0, 1)")
        precondition(epsilon >= 0 && weightDecay >= 0, "Adam: epsilon \(epsilon) and weight decay \(weightDecay) must be ≥ 0")
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        decoupled = decoupledWeightDecay; self.amsgrad = amsgrad
        super.init(parameters: parameters, learningRate: learningRate)
    }

    override func update(_ w: inout [Double], _ g: [Double], _ state: inout [String: [Double]]) {
        let t = Double(stepCount)
        if !amsgrad { return fusedUpdate(&w, g, &state, step: t) }
        var d = g
        if weightDecay != 0 {
            if decoupled { for i in w.indices { w[i] *= 1 - learningRate * weightDecay } } else {
                for i in d.indices { d[i] += weightDecay * w[i] }
            }
        }
        var m = state.removeValue(forKey: "m") ?? [Double](repeating: 0, count: w.count)
        var v = state.removeValue(forKey: "v") ?? [Double](repeating: 0, count: w.count)
        for i in w.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * d[i]
            v[i] = beta2 * v[i] + (1 - beta2) * d[i] * d[i]
        }
        var second = v
        if amsgrad {
            var vMax = state.removeValue(forKey: "vMax") ?? [Double](repeating: 0, count: w.count)
            for i in vMax.indices { vMax[i] = Swift.max(vMax[i], v[i]) }
            state["vMax"] = vMax
            second = vMax
        }
        let c1 = 1 - Foundation.pow(beta1, t), c2 = 1 - Foundation.pow(beta2, t)
        for i in w.indices { w[i] -= learningRate * (m[i] / c1) / ((second[i] / c2).squareRoot() + epsilon) }
        state["m"] = m
        state["v"] = v
    }

    /// Float32 parameters (without amsgrad) go through the C kernel (`FusedAdam`), which reads and writes their
    /// buffers directly, vectorises the divisions and square roots and splits the work over the threads: the Double
    /// copies and the scalar divisions of the rule below were 9 % of a translator's training step. Same bits as
    /// `fusedUpdate` on the Double copy (test `float32PathEqualsTheDoubleRule`).
    override func updateFloat32(_ value: Tensor, _ gradient: Tensor, _ state: inout [String: [Double]]) -> Tensor? {
        guard !amsgrad, value.dtype == .float32, gradient.dtype == .float32, gradient.count == value.count else { return nil }
        let n = value.count
        var m = state.removeValue(forKey: "m") ?? [Double](repeating: 0, count: n)
        var v = state.removeValue(forKey: "v") ?? [Double](repeating: 0, count: n)
        defer { state["m"] = m; state["v"] = v }
        let t = Double(stepCount)
        let step = FusedAdam.Step(learningRate: learningRate, weightDecay: weightDecay, beta1: beta1, beta2: beta2,
                                  epsilon: epsilon, bias1: 1 - Foundation.pow(beta1, t), bias2: 1 - Foundation.pow(beta2, t),
                                  decoupled: decoupled)
        return FusedAdam.update(value, gradient: gradient, m: &m, v: &v, step)
    }

    /// The same rule (without amsgrad) in one pass over raw buffers, the same operations in the same order: the
    /// per-array loops above, with their bounds and uniqueness checks, were 5 % of a translator's training step.
    func fusedUpdate(_ w: inout [Double], _ g: [Double], _ state: inout [String: [Double]], step t: Double) {
        let n = w.count
        var m = state.removeValue(forKey: "m") ?? [Double](repeating: 0, count: n)
        var v = state.removeValue(forKey: "v") ?? [Double](repeating: 0, count: n)
        let (lr, wd, b1, b2, eps, decoupled) = (learningRate, weightDecay, beta1, beta2, epsilon, decoupled)
        let c1 = 1 - Foundation.pow(b1, t), c2 = 1 - Foundation.pow(b2, t)
        w.withUnsafeMutableBufferPointer { W in
            m.withUnsafeMutableBufferPointer { M in
                v.withUnsafeMutableBufferPointer { V in
                    g.withUnsafeBufferPointer { G in
                        for i in 0..<n {
                            var wi = W[i], di = G[i]
                            if wd != 0 { if decoupled { wi *= 1 - lr * wd } else { di += wd * wi } }
                            let mi = b1 * M[i] + (1 - b1) * di, vi = b2 * V[i] + (1 - b2) * di * di
                            M[i] = mi
                            V[i] = vi
                            W[i] = wi - lr * (mi / c1) / ((vi / c2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
        state["m"] = m
        state["v"] = v
    }
}

/// AdamW: Adam with decoupled weight decay (PyTorch's default λ = 0.01).
public final class AdamW: Adam {
    /// AdamW over `parameters` with PyTorch's defaults (λ = 0.01, decoupled).
    public init(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0.01, amsgrad: Bool = false) {
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   weightDecay: weightDecay, decoupledWeightDecay: true, amsgrad: amsgrad)
    }
}

/// Gradient clipping by the global norm, as `torch.nn.utils.clip_grad_norm_`: with N = √(Σ‖g‖²) over all
/// gradients, every gradient is multiplied by min(1, maxNorm / (N + 1e-6)). Returns N (before clipping).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Double) -> Double {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm \(maxNorm) must be positive")
    let parameters = distinct(parameters)
    let norm = globalGradientNorm(parameters)
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 { for p in parameters { p.scaleGradient(by: factor) } }
    return norm
}

/// √(Σ‖g‖²) over the gradients of the distinct parameters (one listed twice counts once).
public func globalGradientNorm(_ parameters: [Parameter]) -> Double {
    var total = 0.0
    for p in distinct(parameters) {
        guard let g = p.gradient else { continue }
        // Float32 read in place (no Double copy); the same sums in the same order as over `g.doubles`.
        total += g.dtype == .float32
            ? g.withScalars(Float.self) { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
            : g.doubles.reduce(0) { $0 + $1 * $1 }
    }
    return total.squareRoot()
}

/// `parameters` without repeats, in first-seen order.
func distinct(_ parameters: [Parameter]) -> [Parameter] {
    var seen = Set<ObjectIdentifier>()
    return parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
}
