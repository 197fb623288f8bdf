import Testing
@testable import Attention

struct LearnedScorerModuleTests {
    @Test("a learnable scorer is a Module: its tensors are its parameters, it passes the module gradient check, and a new parameter value changes its scores")
    func aLearnedScorerIsAModule() {
        var rng = RandomGenerator(seed: 8)
        let additive = AdditiveScore(queryDim: 3, keyDim: 5, hiddenDim: 4, rng: &rng)
        additive.convert(to: .float64)
        #expect(additive.namedParameters().map(\.0) == additive.stateDict().keys.sorted())
        let q = Tensor.randomNormal([2, 3, 3], dtype: .float64, using: &rng), k = Tensor.randomNormal([2, 6, 5], dtype: .float64, using: &rng)
        // A scorer built from its state dict scores alike (the parameters are all there is to it).
        let state = additive.stateDict()
        let copy = AdditiveScore(queryWeight: state["queryWeight"]!, keyWeight: state["keyWeight"]!, vector: state["vector"]!)
        #expect(additive.scores(query: q, key: k).doubles == copy.scores(query: q, key: k).doubles)
        let result = GradientCheck.run(module: additive, inputs: [q, k]) { x in additive.scores(query: x[0], key: x[1]) }
        #expect(result.maxRelativeError < 1e-3, "\(result)")
        // A new parameter value changes the scores (nothing keeps a stale copy of the tensors).
        let before = additive.scores(query: q, key: k).doubles
        additive.namedParameters()[0].1.value = additive.namedParameters()[0].1.value * 2
        #expect(additive.scores(query: q, key: k).doubles != before)
    }
}
