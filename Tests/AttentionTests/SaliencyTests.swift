import Foundation
import Testing
@testable import Attention

struct SaliencyTests {
    @Test func maxPoolingPicksEachFeaturesLargestRealPosition() {
        let x = randomTensor([3, 4, 2], seed: 91)
        let lengths = [3, 0, 1]
        let (out, positions) = Saliency.maxPooling(x, lengths: lengths)
        #expect(out.shape == [3, 2])
        let xr = rows(x)
        var expected: [Double] = [], expectedPositions: [Int?] = []
        for b in 0..<3 { for e in 0..<2 {
            let candidates = (0..<lengths[b]).map { xr[b * 4 + $0][e] }
            let best = candidates.indices.max { candidates[$0] < candidates[$1] }
            expected.append(best.map { candidates[$0] } ?? 0)
            expectedPositions.append(best)
        } }
        #expect(out.doubles == expected)
        #expect(positions == expectedPositions)
        // Rank 2 is one sequence; no lengths means all of it.
        let single = Saliency.maxPooling(Tensor(shape: [3, 2], doubles: [1, 5, 4, -1, 2, 0]))
        #expect(single.output.shape == [2] && single.output.doubles == [4, 5] && single.positions == [1, 0])
    }

    @Test func maxPoolingGradientGoesToTheWinners() {
        let x = randomTensor([2, 4, 3], seed: 92)
        let lengths = [2, 0]
        let leaf = x.requiringGradient()
        let (out, positions) = Saliency.maxPooling(leaf, lengths: lengths)
        let cot = randomTensor([2, 3], seed: 93)
        let g = Autograd.gradients(of: (out * cot).sum(), withRespectTo: [leaf])[0]
        var expected = [Double](repeating: 0, count: 24)
        let c = cot.doubles
        for b in 0..<2 { for e in 0..<3 { if let j = positions[b * 3 + e] { expected[(b * 4 + j) * 3 + e] = c[b * 3 + e] } } }
        #expect(g.doubles == expected)
        let check = GradientCheck.run([x]) { xs in Saliency.maxPooling(xs[0], lengths: lengths).output }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    @Test func gateMultipliesTheInputBySigmoidOfALinearMap() {
        let w = randomTensor([3, 3], seed: 94), bias = randomTensor([3], seed: 95), x = randomTensor([2, 2, 3], seed: 96)
        let gate = SaliencyGate(weight: w, bias: bias)
        let out = gate(x)
        #expect(out.shape == [2, 2, 3])
        let wr = rows(w), bd = bias.doubles
        var expectedGate: [Double] = [], expected: [Double] = []
        for row in rows(x) {
            let pre = zip(Naive.linear(wr, row), bd).map { $0 + $1 }
            let g = pre.map { 1 / (1 + Foundation.exp(-$0)) }
            expectedGate += g
            expected += zip(g, row).map { $0 * $1 }
        }
        expectClose(gate.gate(x).doubles, expectedGate, atol: 1e-14)
        expectClose(out.doubles, expected, atol: 1e-14)
        // The gate is a Module: the module form of the check perturbs W and b as well as x.
        let check = GradientCheck.run(module: gate, inputs: [x]) { xs in gate(xs[0]) }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    @Test func gateInitialisationIsSeededAndBounded() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        let g1 = SaliencyGate(dim: 9, rng: &a), g2 = SaliencyGate(dim: 9, rng: &b)
        #expect(g1.weight.value.doubles == g2.weight.value.doubles && g1.bias.value.doubles == g2.bias.value.doubles)
        #expect((g1.weight.value.doubles + g1.bias.value.doubles).allSatisfy { abs($0) <= 1 / 3 })
        #expect(Set(g1.weight.value.doubles).count == 81)
        #expect(Set(g1.namedParameters().map(\.0)) == ["weight", "bias"])
    }
}
