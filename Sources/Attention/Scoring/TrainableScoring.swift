/// A learnable scorer (`BilinearScore`, `AdditiveScore`, `MLPScore`, …) as a `Module`, so optimisers, state dicts
/// and gradient checks see its tensors as parameters. The scorer stays a value; each call hands it the current
/// parameter values (one dictionary update, no copy of the tensors), so training a `ScoringLayer` trains the scorer.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let layer = ScoringLayer(AdditiveScore(queryDim: 4, keyDim: 4, hiddenDim: 8, rng: &rng))
/// let optimizer = Adam(parameters: layer.parameters, learningRate: 1e-2)   // import AttentionTraining
/// let scores = layer(query: q, key: k)                                      // [..., L, S], differentiable
/// ```
public final class ScoringLayer<Scorer: ParameterizedScoring>: Module {
    private let template: Scorer
    private let named: [(String, Parameter)]

    /// Wraps `scorer`: each of its named tensors becomes a `Parameter` (initialised to the scorer's current
    /// value, under the same name), in the order of the names.
    public init(_ scorer: Scorer) {
        template = scorer
        named = scorer.parameters.sorted { $0.key < $1.key }.map { ($0.key, Parameter($0.value)) }
    }

    /// The scorer's tensors as parameters, named as in its `parameters` dictionary, sorted by name.
    override public var ownParameters: [(String, Parameter)] { named }

    /// The scorer with the current parameter values.
    public var scorer: Scorer {
        var s = template
        s.parameters = Dictionary(uniqueKeysWithValues: named.map { ($0.0, $0.1.value) })
        return s
    }

    /// Scores as the scorer computes them: query [..., L, Eq], key [..., S, Ek] → [..., L, S].
    public func callAsFunction(query: Tensor, key: Tensor) -> Tensor { scorer.scores(query: query, key: key) }
}
