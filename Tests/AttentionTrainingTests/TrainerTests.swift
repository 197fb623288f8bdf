import Foundation
import Testing
import AttentionLayers
import AttentionTensorCore
@testable import AttentionTraining

struct ScheduleTests {
    @Test("warm-up + cosine, inverse square root, step decay: values worked out by hand")
    func values() {
        let c = WarmupCosineRate(peak: 1, warmupSteps: 10, totalSteps: 110, minimum: 0.1)
        #expect(c.rate(at: 5) == 0.5 && c.rate(at: 10) == 1)
        #expect(abs(c.rate(at: 60) - 0.55) < 1e-12)   // halfway: min + (peak − min)/2
        #expect(c.rate(at: 110) == 0.1 && c.rate(at: 500) == 0.1)
        let n = InverseSquareRootRate(modelDim: 512, warmupSteps: 4000)
        #expect(abs(n.rate(at: 4000) - 1 / (512.0.squareRoot() * 4000.0.squareRoot())) < 1e-15)
        #expect(abs(n.rate(at: 1000) - 1000 / (512.0.squareRoot() * 4000 * 4000.0.squareRoot())) < 1e-15)   // warm-up: linear
        #expect(abs(n.rate(at: 16000) - 1 / (512.0.squareRoot() * 16000.0.squareRoot())) < 1e-15)
        let s = StepDecayRate(initial: 1, every: 3, gamma: 0.5)
        #expect([1, 2, 3, 4, 6, 7].map(s.rate(at:)) == [1, 1, 1, 0.5, 0.5, 0.25])
    }
}

struct TrainerTests {
    /// Two-layer perceptron on 2-D points labelled by which of three 120° sectors they fall in.
    final class Classifier: Module {
        let hidden: Linear, output: Linear
        init(rng: inout RandomGenerator) {
            hidden = Linear(inputSize: 2, outputSize: 32, rng: &rng)
            output = Linear(inputSize: 32, outputSize: 3, rng: &rng)
        }
        override var children: [(String, Module)] { [("hidden", hidden), ("output", output)] }
        func callAsFunction(_ x: Tensor) -> Tensor { output(hidden(x, activation: .relu)) }
    }

    static func sectors(_ n: Int, rng: inout RandomGenerator) -> (Tensor, [Int]) {
        let points = Tensor.randomNormal([n, 2], using: &rng)
        let values = points.doubles
        let labels = (0..<n).map { i -> Int in
            let angle = atan2(values[2 * i + 1], values[2 * i]) + .pi   // 0 ..< 2π
            return min(2, Int(angle / (2 * .pi / 3)))
        }
        return (points, labels)
    }

    @Test("AdamW + warm-up cosine + clipping learns a 3-class problem: loss falls 10×, held-out accuracy ≥ 90 %")
    func learns() throws {
        var rng = RandomGenerator(seed: 42)
        let model = Classifier(rng: &rng)
        let (train, labels) = Self.sectors(256, rng: &rng)
        let trainer = Trainer(optimizer: AdamW(parameters: model.parameters, learningRate: 0.02, weightDecay: 0.01),
                              schedule: WarmupCosineRate(peak: 0.02, warmupSteps: 20, totalSteps: 300), clipNorm: 5)
        var first = 0.0, last = 0.0
        for _ in 0..<300 {
            let report = try trainer.step { Loss.crossEntropy(logits: model(train), targets: labels) }
            if report.step == 1 { first = report.loss }
            last = report.loss
            #expect(report.gradientNorm.isFinite)
        }
        #expect(last < first / 10, "loss \(first) → \(last)")
        let (test, truth) = Self.sectors(500, rng: &rng)
        let predicted = withoutGradients { model(test) }.argmax(axis: 1)
        let accuracy = Double(zip(predicted, truth).filter { $0 == $1 }.count) / 500
        #expect(accuracy >= 0.9, "held-out accuracy \(accuracy)")
        #expect(trainer.stepsTaken == 300)
    }

    @Test("a NaN loss stops the step with a named error and leaves the parameters unchanged")
    func nonFiniteLoss() {
        var rng = RandomGenerator(seed: 1)
        let layer = Linear(inputSize: 2, outputSize: 2, rng: &rng)
        let before = layer.weight.value.scalars
        let trainer = Trainer(optimizer: SGD(parameters: layer.parameters, learningRate: 0.1))
        #expect(throws: TrainingError.nonFiniteLoss(step: 1, value: .infinity)) {
            try trainer.step { (layer(Tensor([[1, 2]])).sum() * 0) + .infinity }
        }
        #expect(layer.weight.value.scalars == before)
        #expect(trainer.stepsTaken == 0)
        #expect(TrainingError.nonFiniteLoss(step: 3, value: .nan).description.contains("step 3"))
    }
}

struct ParameterAverageTests {
    @Test("θ̄ₜ = mₜ/(1 − βᵗ), mₜ = β·mₜ₋₁ + (1 − β)·θₜ: worked by hand; θ₀ never enters; assign and withAverages")
    func movingAverage() {
        let p = Parameter(Tensor(shape: [2], doubles: [100, 200]).cast(to: .float32))
        let shared = [p, p]                                   // a parameter listed twice is averaged once
        let average = ParameterAverage(shared, decay: 0.5)
        #expect(average.parameters.count == 1 && average.averages == [[100, 200]])   // no update yet: θ itself
        p.value = Tensor(shape: [2], doubles: [4, 8]).cast(to: .float32)
        average.update()                                      // m₁ = ½·[4, 8]; θ̄₁ = m₁ / ½ = [4, 8]
        #expect(average.averages == [[4, 8]])
        p.value = Tensor(shape: [2], doubles: [10, 2]).cast(to: .float32)
        average.update()                                      // m₂ = ½·m₁ + ½·[10, 2] = [6, 3]; θ̄₂ = m₂ / ¾ = [8, 4]
        #expect(average.averages == [[8, 4]] && average.updates == 2)
        let seen = average.withAverages { p.value.doubles }
        #expect(seen == [8, 4])
        #expect(p.value.doubles == [10, 2] && p.value.dtype == .float32)
        average.assign()
        #expect(p.value.doubles == [8, 4] && p.value.dtype == .float32)
    }

    @Test("a step-by-step Adam run: the average equals Σ βᵗ⁻ˢ θₛ / Σ βᵗ⁻ˢ over the recorded iterates")
    func followsTraining() throws {
        var rng = RandomGenerator(seed: 5)
        let w = Parameter(Tensor.randomNormal([3], using: &rng).cast(to: .float64))
        let average = ParameterAverage([w], decay: 0.9)
        let trainer = Trainer(optimizer: Adam(parameters: [w], learningRate: 0.1))
        var iterates: [[Double]] = []
        for _ in 0..<40 {
            _ = try trainer.step { (w.value * w.value).sum() }
            average.update()
            iterates.append(w.value.doubles)
        }
        let t = iterates.count
        let weights = (1...t).map { s in pow(0.9, Double(t - s)) }, total = weights.reduce(0, +)
        let expected = (0..<3).map { i in zip(weights, iterates).reduce(0) { $0 + $1.0 * $1.1[i] } / total }
        #expect(zip(average.averages[0], expected).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(average.averages[0] != w.value.doubles)       // it lags the iterate
    }
}
