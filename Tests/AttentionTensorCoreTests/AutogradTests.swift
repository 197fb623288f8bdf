import Testing
@testable import AttentionTensorCore

struct AutogradTests {
    @Test func chainRuleByHand() {
        // y = sum((2x + 1)^2) → dy/dx = 4(2x + 1)
        let x = Tensor([1, -0.5, 2]).requiringGradient()
        let y = ((2 * x + 1).squared()).sum()
        y.backward()
        #expect(x.gradient?.scalars == [12, 0, 20])
    }

    @Test func sharedSubexpressionsAccumulate() {
        // z = x·x + x, used twice: dz/dx = 2x + 1
        let x = Tensor([3]).requiringGradient()
        let z = x * x + x
        z.sum().backward()
        #expect(x.gradient?.scalars == [7])
        // A second backward accumulates, zeroGradient forgets.
        z.sum().backward()
        #expect(x.gradient?.scalars == [14])
        x.zeroGradient()
        #expect(x.gradient == nil)
    }

    @Test func noGradientScopeRecordsNothing() {
        let x = Tensor([1, 2]).requiringGradient()
        let y = withoutGradients { x * 3 }
        #expect(!y.requiresGradient)
        #expect((x * 3).requiresGradient)
        #expect(!x.detached().requiresGradient)
    }

    @Test func gradientsOfUnusedInputsAreZero() {
        let x = Tensor([1, 2]).requiringGradient(), w = Tensor([5]).requiringGradient()
        let g = Autograd.gradients(of: (x * 2).sum(), withRespectTo: [x, w])
        #expect(g[0].scalars == [2, 2])
        #expect(g[1].scalars == [0])
    }

    @Test func deepChainsDoNotOverflowTheStack() {
        var y = Tensor([1]).requiringGradient()
        let x = y
        for _ in 0..<20_000 { y = y + 0 }
        y.sum().backward()
        #expect(x.gradient?.scalars == [1])
    }

    // Views, broadcasting, casts and composite ops, each against Float64 central differences.
    static let viewChecks: [(String, [[Int]], @Sendable ([Tensor]) -> Tensor)] = [
        ("reshape", [[2, 6]], { $0[0].reshaped([3, 4]) * Tensor.arange(12, dtype: .float64).reshaped([3, 4]) }),
        ("permute", [[2, 3, 4]], { $0[0].permuted([2, 0, 1]) }),
        ("transpose+matmul", [[3, 4], [3, 5]], { $0[0].transposed().matmul($0[1]) }),
        ("slice", [[4, 5]], { $0[0].slice(axis: 1, 1..<4) }),
        ("expand", [[3, 1]], { $0[0].expanded(to: [2, 3, 4]) }),
        ("broadcast mul", [[2, 1, 4], [3, 1]], { $0[0] * $0[1] }),
        ("broadcast div", [[2, 3], [3]], { $0[0] / ($0[1].squared() + 1) }),
        ("batched matmul broadcast", [[2, 1, 2, 3], [4, 3, 2]], { $0[0].matmul($0[1]) }),
        ("sum keep", [[2, 3, 4]], { $0[0].sum(axes: [0, 2], keepingDimensions: true) }),
        ("mean", [[2, 3]], { $0[0].mean(axis: 1) }),
        ("max", [[3, 4]], { $0[0].max(axis: 0) }),
        ("maximum", [[3, 4], [4]], { $0[0].maximum($0[1]) }),
        ("minimum", [[3, 4], [3, 1]], { $0[0].minimum($0[1]) }),
        ("softmax axis 0", [[4, 3]], { $0[0].softmax(axis: 0) }),
        ("log softmax", [[2, 5]], { $0[0].logSoftmax() }),
        ("concat", [[2, 3], [2, 1]], { Tensor.concatenate($0, axis: 1) }),
        ("index select", [[5, 2]], { $0[0].indexSelect(axis: 0, [4, 1, 4]) }),
        ("gather", [[2, 4]], { $0[0].gather(axis: 1, indices: [3, 0, 2, 2], count: 2) }),
        ("top-k values", [[2, 5]], { $0[0].topK(3).values }),
        ("where", [[2, 2], [2, 2]], { Tensor.where(BoolTensor(shape: [2, 2], values: [true, false, false, true]), $0[0], $0[1]) }),
        ("sin cos abs", [[6]], { $0[0].sin() * $0[0].cos() + $0[0].abs() }),
        ("erf", [[5]], { $0[0].erf() }),
        ("sigmoid tanh", [[5]], { $0[0].sigmoid() * $0[0].tanh() }),
        ("exp log sqrt pow", [[4]], { ($0[0].squared() + 1).log() + ($0[0].squared() + 0.5).sqrt() + $0[0].exp() + ($0[0].abs() + 1).pow(2.5) }),
        ("contiguous of view", [[3, 2]], { $0[0].transposed().contiguous() * Tensor.arange(6, dtype: .float64).reshaped([2, 3]) }),
        ("cast round trip", [[3]], { ($0[0] * $0[0]).cast(to: .float32).cast(to: .float64) }),
    ]

    @Test("Gradient checker passes", arguments: viewChecks.indices)
    func gradientCheck(_ i: Int) {
        let (name, shapes, f) = Self.viewChecks[i]
        var rng = RandomGenerator(seed: UInt64(100 + i))
        let inputs = shapes.map { Tensor.randomNormal($0, dtype: .float64, using: &rng) }
        let r = GradientCheck.run(inputs, f)
        // The float32 round trip loses precision by design; everything else is exact to ~1e-8.
        #expect(r.maxRelativeError <= (name == "cast round trip" ? 1e-2 : 1e-3), "\(name): \(r)")
    }

    @Test func gradientCheckerCatchesAWrongBackward() {
        // A deliberately wrong derivative (d/dx x² reported as x) must be flagged.
        func broken(_ x: Tensor) -> Tensor {
            var y = (x * x).detached()
            y.node = Autograd.record(inputs: [x]) { g in [g * x] }
            return y
        }
        var rng = RandomGenerator(seed: 7)
        let r = GradientCheck.run([Tensor.randomNormal([4], dtype: .float64, using: &rng)]) { broken($0[0]) }
        #expect(r.maxRelativeError > 0.1)
    }
}
