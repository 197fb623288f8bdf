import Foundation
import Testing
import AttentionLayers
import AttentionTensorCore
@testable import AttentionTraining

/// Fixture values from Scripts/make_training_fixtures.py (PyTorch in float64).
struct TrainingFixture: Decodable {
    struct OptimizerCase: Decodable {
        let name: String
        let options: [String: OptionValue]
        let after: [[Double]]
    }
    enum OptionValue: Decodable {
        case number(Double), flag(Bool), pair([Double])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .flag(b) } else if let d = try? c.decode(Double.self) { self = .number(d) } else {
                self = .pair(try c.decode([Double].self))
            }
        }
        var number: Double? { if case .number(let d) = self { d } else { nil } }
        var flag: Bool? { if case .flag(let b) = self { b } else { nil } }
        var pair: [Double]? { if case .pair(let p) = self { p } else { nil } }
    }
    struct CrossEntropy: Decodable {
        struct Case: Decodable { let labelSmoothing: Double; let reduction: String; let loss: [Double]; let gradient: [Double] }
        let logits: [Double]; let targets: [Int]; let cases: [Case]
    }
    struct BCE: Decodable { let logits: [Double]; let targets: [Double]; let loss: Double; let gradient: [Double] }
    struct Losses: Decodable { let crossEntropy: CrossEntropy; let binaryCrossEntropyWithLogits: BCE }

    let initial: [Double]
    let gradients: [[Double]]
    let optimizers: [OptimizerCase]
    let losses: Losses

    static let shared: TrainingFixture = {
        let url = Bundle.module.url(forResource: "training", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(TrainingFixture.self, from: Data(contentsOf: url))
    }()
}

func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    #expect(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) / max(1e-3, abs($1)) }.max() ?? 0
}

struct OptimizerTests {
    static func make(_ c: TrainingFixture.OptimizerCase, _ p: Parameter) -> Optimizer {
        let o = c.options
        let lr = o["lr"]!.number!
        switch c.name {
        case "SGD":
            return SGD(parameters: [p], learningRate: lr, momentum: o["momentum"]?.number ?? 0, dampening: o["dampening"]?.number ?? 0,
                       weightDecay: o["weight_decay"]?.number ?? 0, nesterov: o["nesterov"]?.flag ?? false)
        case "Adam":
            let betas = o["betas"]?.pair ?? [0.9, 0.999]
            return Adam(parameters: [p], learningRate: lr, beta1: betas[0], beta2: betas[1], epsilon: o["eps"]?.number ?? 1e-8,
                        weightDecay: o["weight_decay"]?.number ?? 0, amsgrad: o["amsgrad"]?.flag ?? false)
        case "AdamW":
            return AdamW(parameters: [p], learningRate: lr, weightDecay: o["weight_decay"]?.number ?? 0.01, amsgrad: o["amsgrad"]?.flag ?? false)
        default: preconditionFailure("unknown optimizer \(c.name)")
        }
    }

    @Test("SGD / Adam / AdamW follow PyTorch step for step (3 steps, Float32 parameters)",
          arguments: TrainingFixture.shared.optimizers.indices)
    func matchesPyTorch(_ index: Int) {
        let f = TrainingFixture.shared, c = f.optimizers[index]
        let p = Parameter(Tensor(shape: [3, 4], doubles: f.initial).cast(to: .float32))
        let optimizer = Self.make(c, p)
        for (step, g) in f.gradients.enumerated() {
            optimizer.zeroGradients()
            // d/dw Σ w·g = g: the gradient arrives through autograd, as in training.
            (p.value * Tensor(shape: [3, 4], doubles: g).cast(to: .float32)).sum().backward()
            optimizer.step()
            let got = p.value.cast(to: .float64).doubles
            #expect(maxRelativeError(got, c.after[step]) < 2e-6, "\(c.name) \(c.options.keys.sorted()) step \(step + 1)")
        }
    }

    /// Float32 parameters take the C kernel (`FusedAdam`); Float64 ones the Double rule. Started from the same
    /// values, with the same gradients, a Float32 parameter must hold exactly the Float64 one rounded to Float after
    /// each step, since the Double rule rounds its result once. 70,001 elements: three parallel chunks and a tail.
    @Test("Adam / AdamW on Float32 parameters: the same bits as the Double rule, over parallel chunks",
          arguments: [(0.0, false), (0.02, false), (0.02, true)])
    func float32PathEqualsTheDoubleRule(_ decay: Double, _ decoupled: Bool) {
        let n = 70_001
        var rng = RandomGenerator(seed: 11)
        let start = Tensor.randomNormal([n], dtype: .float32, using: &rng)
        let single = Parameter(start), double = Parameter(start.cast(to: .float64))
        let a = Adam(parameters: [single], learningRate: 3e-3, weightDecay: decay, decoupledWeightDecay: decoupled)
        let b = Adam(parameters: [double], learningRate: 3e-3, weightDecay: decay, decoupledWeightDecay: decoupled)
        for step in 1...3 {
            let g = Tensor.randomNormal([n], dtype: .float32, using: &rng) * Double(step)
            for (p, o) in [(single, a), (double, b)] {
                o.zeroGradients()
                (p.value * g.cast(to: p.value.dtype)).sum().backward()
                o.step()
            }
            // The Float64 parameter keeps the unrounded Double result; round it as the Float32 path does at the end.
            let expected = double.value.doubles.map { Float($0) }
            let got = single.value.scalars
            let wrong = (0..<n).filter { got[$0].bitPattern != expected[$0].bitPattern }
            #expect(wrong.count == 0, "step \(step): \(wrong.count) of \(n) differ, first \(wrong.prefix(3).map { "\(got[$0]) vs \(expected[$0])" })")
            // From here on both start the next step from the same Float32 values.
            double.value = single.value.cast(to: .float64)
        }
    }

    @Test("clipGradientNorm scales every gradient by maxNorm / (‖g‖ + 1e-6) and returns ‖g‖")
    func clipping() {
        let a = Parameter(Tensor([0, 0])), b = Parameter(Tensor([0]))
        ((a.value * Tensor([3, 0])).sum() + (b.value * Tensor([4])).sum()).backward()
        let norm = clipGradientNorm([a, b, a], maxNorm: 1)   // a listed twice counts once
        #expect(abs(norm - 5) < 1e-12)
        let k = 1 / (5 + 1e-6)
        #expect(abs(Double(a.gradient!.scalars[0]) - 3 * k) < 1e-7 && abs(Double(b.gradient!.scalars[0]) - 4 * k) < 1e-7)
        #expect(clipGradientNorm([a, b], maxNorm: 10) < 1.0000001, "below the limit nothing changes")
    }
}

struct LossTests {
    @Test("cross-entropy = PyTorch: ignore_index, label smoothing, every reduction, values and gradients")
    func crossEntropy() {
        let f = TrainingFixture.shared.losses.crossEntropy
        for c in f.cases {
            let x = Tensor(shape: [6, 5], doubles: f.logits).requiringGradient()
            let reduction: LossReduction = c.reduction == "mean" ? .mean : c.reduction == "sum" ? .sum : .none
            let loss = Loss.crossEntropy(logits: x, targets: f.targets, ignoreIndex: -100, labelSmoothing: c.labelSmoothing,
                                         reduction: reduction)
            #expect(maxRelativeError(loss.doubles, c.loss) < 1e-12, "\(c.reduction) ε=\(c.labelSmoothing)")
            loss.sum().backward()
            #expect(maxRelativeError(x.gradient!.doubles, c.gradient) < 1e-12, "gradient \(c.reduction) ε=\(c.labelSmoothing)")
        }
    }

    @Test("cross-entropy of a batch whose targets are all ignored is 0, not NaN")
    func allIgnored() {
        let loss = Loss.crossEntropy(logits: Tensor([[1, 2], [3, 4]]), targets: [-1, -1], ignoreIndex: -1)
        #expect(loss.scalars == [0])
    }

    @Test("binary cross-entropy on logits = PyTorch, including x = 0 and |x| = 40 (gradient σ(x) − y exactly)")
    func binaryCrossEntropy() {
        let f = TrainingFixture.shared.losses.binaryCrossEntropyWithLogits
        let x = Tensor(shape: [6], doubles: f.logits).requiringGradient()
        let loss = Loss.binaryCrossEntropyWithLogits(x, Tensor(shape: [6], doubles: f.targets))
        #expect(abs(loss.doubles[0] - f.loss) < 1e-12)
        loss.backward()
        #expect(maxRelativeError(x.gradient!.doubles, f.gradient) < 1e-10)
    }

    @Test("gradients of the losses pass the Float64 central-difference check")
    func gradientCheck() {
        var rng = RandomGenerator(seed: 3)
        let logits = Tensor.randomNormal([4, 6], dtype: .float64, using: &rng)
        let r1 = GradientCheck.run([logits]) { Loss.crossEntropy(logits: $0[0], targets: [5, 0, 2, 3], ignoreIndex: 2, labelSmoothing: 0.1) }
        #expect(r1.maxRelativeError < 1e-3, "\(r1)")
        let target = Tensor.randomUniform([4, 6], low: 0, high: 1, dtype: .float64, using: &rng)
        let r2 = GradientCheck.run([logits]) { Loss.binaryCrossEntropyWithLogits($0[0], target, reduction: .sum) }
        #expect(r2.maxRelativeError < 1e-3, "\(r2)")
        let r3 = GradientCheck.run([logits, target]) { Loss.meanSquaredError($0[0], $0[1]) }
        #expect(r3.maxRelativeError < 1e-3, "\(r3)")
    }
}
