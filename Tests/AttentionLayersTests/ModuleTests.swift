import Testing
@testable import AttentionLayers
import AttentionTensorCore

struct ModuleTests {
    final class Block: Module {
        let first: Linear, second: Linear, norm = LayerNorm(3)
        init(rng: inout RandomGenerator) {
            first = Linear(inputSize: 2, outputSize: 3, rng: &rng)
            second = Linear(inputSize: 3, outputSize: 3, bias: false, rng: &rng)
        }
        override var children: [(String, Module)] { [("layers.0", first), ("layers.1", second), ("norm", norm)] }
    }

    @Test func namesCountsAndModes() {
        var rng = RandomGenerator(seed: 1)
        let b = Block(rng: &rng)
        #expect(b.namedParameters().map(\.0) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "norm.weight", "norm.bias"])
        #expect(b.parameterCount == 6 + 3 + 9 + 3 + 3)
        b.eval()
        #expect(!b.norm.isTraining && !b.first.isTraining)
        b.train()
        #expect(b.second.isTraining)
    }

    @Test func stateDictRoundTripAndErrors() throws {
        var rng = RandomGenerator(seed: 2)
        let a = Block(rng: &rng), b = Block(rng: &rng)
        #expect(a.first.weight.value.scalars != b.first.weight.value.scalars)
        try b.load(stateDict: a.stateDict())
        #expect(a.first.weight.value.scalars == b.first.weight.value.scalars)
        var bad = a.stateDict()
        bad["layers.1.weight"] = Tensor.zeros([2, 2])
        #expect(throws: ModuleLoadError.shapeMismatch(name: "layers.1.weight", expected: [3, 3], found: [2, 2])) { try b.load(stateDict: bad) }
        bad = a.stateDict()
        bad.removeValue(forKey: "norm.bias")
        #expect(throws: ModuleLoadError.missing(["norm.bias"])) { try b.load(stateDict: bad) }
        bad = a.stateDict()
        bad["extra"] = Tensor.zeros([1])
        #expect(throws: ModuleLoadError.unexpected(["extra"])) { try b.load(stateDict: bad) }
        // A failed load changes nothing.
        let before = b.norm.weight.value.scalars
        var partial = a.stateDict()
        partial["norm.weight"] = Tensor.ones([3]) * 7
        partial["layers.1.weight"] = Tensor.zeros([1])
        #expect(throws: ModuleLoadError.self) { try b.load(stateDict: partial) }
        #expect(b.norm.weight.value.scalars == before)
    }

    @Test func parametersCollectGradients() {
        var rng = RandomGenerator(seed: 3)
        let l = Linear(inputSize: 2, outputSize: 1, rng: &rng)
        l(Tensor([[1, 2]])).sum().backward()
        #expect(l.weight.gradient?.scalars == [1, 2])
        #expect(l.bias?.gradient?.scalars == [1])
        l.zeroGradients()
        #expect(l.weight.gradient == nil)
    }

    @Test func dropoutIsSeededScaledAndOffInEval() {
        let d = Dropout(probability: 0.25, seed: 9), e = Dropout(probability: 0.25, seed: 9)
        let x = Tensor.ones([10_000])
        let y = d(x).scalars
        #expect(y == e(x).scalars)
        #expect(Set(y) == [0, Float(1 / 0.75)])
        let dropped = Double(y.filter { $0 == 0 }.count) / 10_000
        #expect(Swift.abs(dropped - 0.25) < 0.02)
        d.eval()
        #expect(d(x).scalars == x.scalars)
    }

    @Test("Layers pass the gradient checker (inputs and parameters)",
          arguments: ["linear", "layernorm", "gru", "gelu", "geluTanh", "silu", "embedding"])
    func gradientChecks(_ which: String) {
        var rng = RandomGenerator(seed: 11)
        let x = Tensor.randomNormal([2, 3, 4], dtype: .float64, using: &rng)
        let r: GradientCheck.Result
        switch which {
        case "linear":
            let l = Linear(inputSize: 4, outputSize: 5, rng: &rng)
            r = GradientCheck.run(module: l, inputs: [x]) { l($0[0]) }
        case "layernorm":
            let l = LayerNorm(4)
            l.weight.value = Tensor.randomNormal([4], using: &rng)
            l.bias!.value = Tensor.randomNormal([4], using: &rng)
            r = GradientCheck.run(module: l, inputs: [x * 3]) { l($0[0]) }
        case "gru":
            let cell = GRUCell(inputSize: 4, hiddenSize: 3, rng: &rng)
            let h = Tensor.randomNormal([2, 3], dtype: .float64, using: &rng)
            r = GradientCheck.run(module: cell, inputs: [x.slice(axis: 1, 0..<1).squeezed(1), h]) { cell($0[0], hidden: $0[1]) }
        case "gelu": r = GradientCheck.run([x]) { Activation.gelu($0[0]) }
        case "geluTanh": r = GradientCheck.run([x]) { Activation.geluTanh($0[0]) }
        case "silu": r = GradientCheck.run([x]) { Activation.silu($0[0]) }
        default:
            let e = Embedding(count: 6, dimension: 3, rng: &rng)
            r = GradientCheck.run(module: e, inputs: []) { _ in e([5, 0, 5, 2], shape: [2, 2]) }
        }
        #expect(r.maxRelativeError <= 1e-3, "\(which): \(r)")
    }

    @Test func gradientCheckerSeesParameterGradients() {
        // A module whose backward ignores its parameter must fail the module-aware check.
        final class Broken: Module {
            let w = Parameter(Tensor([2]))
            override var ownParameters: [(String, Parameter)] { [("w", w)] }
            func callAsFunction(_ x: Tensor) -> Tensor { x * w.value.detached() + w.value * 0 }
        }
        let b = Broken()
        let r = GradientCheck.run(module: b, inputs: [Tensor(shape: [3], doubles: [1, 2, 3])]) { b($0[0]) }
        #expect(r.maxRelativeError > 0.1)
    }
}
