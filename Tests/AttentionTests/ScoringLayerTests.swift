import Testing
@testable import Attention

struct ScoringLayerTests {
    @Test("a ScoringLayer scores exactly as its scorer, exposes its tensors as parameters, and passes the module gradient check")
    func wrapsTheScorer() {
        var rng = RandomGenerator(seed: 8)
        var additive = AdditiveScore(queryDim: 3, keyDim: 5, hiddenDim: 4, rng: &rng)
        additive.parameters = additive.parameters.mapValues { $0.cast(to: .float64) }
        let layer = ScoringLayer(additive)
        #expect(layer.namedParameters().map(\.0) == additive.parameters.keys.sorted())
        let q = Tensor.randomNormal([2, 3, 3], dtype: .float64, using: &rng), k = Tensor.randomNormal([2, 6, 5], dtype: .float64, using: &rng)
        #expect(layer(query: q, key: k).doubles == additive.scores(query: q, key: k).doubles)
        let result = GradientCheck.run(module: layer, inputs: [q, k]) { x in layer(query: x[0], key: x[1]) }
        #expect(result.maxRelativeError < 1e-3, "\(result)")
        // A new parameter value changes the scores (the layer does not keep a stale copy of the scorer).
        let before = layer(query: q, key: k).doubles
        layer.namedParameters()[0].1.value = layer.namedParameters()[0].1.value * 2
        #expect(layer(query: q, key: k).doubles != before)
    }
}
