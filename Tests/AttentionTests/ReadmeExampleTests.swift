import Testing
import Attention

/// The README's example, verbatim in substance: if it stops compiling or its printed shapes change, this fails.
struct ReadmeExampleTests {
    @Test func readmeExampleRunsAndMatchesTheReference() {
        var rng = RandomGenerator(seed: 42)
        let q = Tensor.randomNormal([1, 8, 128, 64], using: &rng).requiringGradient()
        let k = Tensor.randomNormal([1, 2, 128, 64], using: &rng)
        let v = Tensor.randomNormal([1, 2, 128, 64], using: &rng)
        let (out, weights) = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal(.upperLeft), needsWeights: true)
        #expect(out.shape == [1, 8, 128, 64])
        #expect(weights!.shape == [1, 8, 128, 128])
        out.squared().mean().backward()
        #expect(q.gradient!.shape == [1, 8, 128, 64])
        // Row 0 of a causal mask sees only key 0: its output is value row 0 of the shared head.
        let v0 = v.slice(axis: 2, 0..<1).slice(axis: 1, 0..<1).scalars
        #expect(out.slice(axis: 2, 0..<1).slice(axis: 1, 0..<1).scalars == v0)
    }
}
