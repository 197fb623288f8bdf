import Foundation
import Testing
@testable import AttentionLayers
import AttentionTensorCore

/// Layers against PyTorch float64 outputs and gradients (Scripts/make_layer_fixtures.py).
struct PyTorchLayerTests {
    struct Array: Decodable, Sendable { let shape: [Int]; let data: [Double] }
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let inputs: [Array]
        let input_grads: [Array]
        let params: [String: Array]
        let param_grads: [String: Array]
        let output: Array
        let cotangent: Array
        let eps: Double?
        var testDescription: String { name }
    }
    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "layers", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    static func tensor(_ a: Array, _ dtype: DType) -> Tensor { Tensor(shape: a.shape, doubles: a.data).cast(to: dtype) }

    /// Builds the Swift layer for a case, with PyTorch's parameters under our names; returns the forward function
    /// and the map from PyTorch parameter names to ours.
    static func build(_ c: Case, _ dtype: DType) -> (Module?, ([Tensor]) -> Tensor, [String: String]) {
        var rng = RandomGenerator(seed: 0)
        let p = { (name: String) in tensor(c.params[name]!, dtype) }
        switch c.name {
        case "linear", "linear_nobias":
            let l = Linear(weight: p("weight"), bias: c.params["bias"].map { tensor($0, dtype) })
            return (l, { l($0[0]) }, ["weight": "weight", "bias": "bias"])
        case "layernorm", "layernorm_eps1e-12":
            let l = LayerNorm([c.params["weight"]!.shape[0]], eps: c.eps!)
            l.convert(to: dtype)
            try! l.load(stateDict: ["weight": p("weight"), "bias": p("bias")])
            return (l, { l($0[0]) }, ["weight": "weight", "bias": "bias"])
        case "relu": return (nil, { Activation.relu($0[0]) }, [:])
        case "gelu": return (nil, { Activation.gelu($0[0]) }, [:])
        case "gelu_tanh": return (nil, { Activation.geluTanh($0[0]) }, [:])
        case "silu": return (nil, { Activation.silu($0[0]) }, [:])
        case "gru_cell":
            let g = GRUCell(inputSize: c.inputs[0].shape[1], hiddenSize: c.inputs[1].shape[1], rng: &rng)
            g.convert(to: dtype)
            let names = ["weight_ih": "inputProjection.weight", "bias_ih": "inputProjection.bias",
                         "weight_hh": "hiddenProjection.weight", "bias_hh": "hiddenProjection.bias"]
            try! g.load(stateDict: Dictionary(uniqueKeysWithValues: names.map { ($0.value, p($0.key)) }))
            return (g, { g($0[0], hidden: $0[1]) }, names)
        default: fatalError("unknown case \(c.name)")
        }
    }

    @Test("Forward and gradients match PyTorch", arguments: cases, [DType.float32, .float64])
    func matchesPyTorch(_ c: Case, _ dtype: DType) {
        let (module, forward, names) = Self.build(c, dtype)
        let tol = dtype == .float64 ? 1e-10 : 2e-5
        let inputs = c.inputs.map { Self.tensor($0, dtype).requiringGradient() }
        let y = forward(inputs)
        #expect(y.shape == c.output.shape)
        for (got, want) in zip(y.doubles, c.output.data) { #expect(Swift.abs(got - want) <= tol * (1 + Swift.abs(want)), "\(c.name) output") }
        (y * Self.tensor(c.cotangent, dtype)).sum().backward()
        for (x, g) in zip(inputs, c.input_grads) {
            for (got, want) in zip(x.gradient!.doubles, g.data) { #expect(Swift.abs(got - want) <= tol * (1 + Swift.abs(want)), "\(c.name) input grad") }
        }
        let ours = Dictionary(uniqueKeysWithValues: (module?.namedParameters() ?? []).map { ($0.0, $0.1) })
        for (torchName, grad) in c.param_grads {
            let got = ours[names[torchName]!]!.gradient!.doubles
            for (a, b) in zip(got, grad.data) { #expect(Swift.abs(a - b) <= tol * (1 + Swift.abs(b)), "\(c.name) grad of \(torchName)") }
        }
    }
}
