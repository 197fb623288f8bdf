/// Scorers built from small neural networks: additive (Bahdanau) and an MLP on the concatenation [q; k].
///
/// Both avoid a Swift loop over L × S: the query and key are each projected once ([..., L, hidden] and
/// [..., S, hidden]), then broadcast-added to [..., L, S, hidden] (the only L·S·hidden intermediate), so the
/// work is two matrix products plus one elementwise pass.

/// Additive (Bahdanau) score e = vaᵀ tanh(Wa·q + Ua·k).
///
/// Wa [hidden, Eq], Ua [hidden, Ek], va [hidden]. Shapes: query [..., L, Eq], key [..., S, Ek] → [..., L, S].
/// Computed as tanh((q·Waᵀ)[..., L, 1, hidden] + (k·Uaᵀ)[..., 1, S, hidden]) · va. Unlike the dot family, the
/// query and key may have different sizes. A `Module`; parameters `"keyWeight"`, `"queryWeight"`, `"vector"`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let score = AdditiveScore(queryDim: 4, keyDim: 6, hiddenDim: 8, rng: &rng)
/// let e = score.scores(query: Tensor.zeros([2, 3, 4]), key: Tensor.zeros([2, 5, 6]))   // [2, 3, 5]
/// let optimizer = Adam(parameters: score.parameters, learningRate: 1e-2)              // import AttentionTraining
/// ```
public final class AdditiveScore: Module, AttentionScoring {
    /// Wa [hidden, Eq].
    public let queryWeight: Parameter
    /// Ua [hidden, Ek].
    public let keyWeight: Parameter
    /// va [hidden].
    public let vector: Parameter

    /// Wa uniform in ±1/√Eq, Ua in ±1/√Ek, va in ±1/√hidden (as `nn.Linear` of those fan-ins).
    public init(queryDim: Int, keyDim: Int, hiddenDim: Int, dtype: DType = .float32, rng: inout RandomGenerator) {
        queryWeight = Parameter(uniformInit([hiddenDim, queryDim], fanIn: queryDim, dtype: dtype, rng: &rng))
        keyWeight = Parameter(uniformInit([hiddenDim, keyDim], fanIn: keyDim, dtype: dtype, rng: &rng))
        vector = Parameter(uniformInit([hiddenDim], fanIn: hiddenDim, dtype: dtype, rng: &rng))
    }

    /// Starts from the given tensors (copies that are fresh leaves): Wa [hidden, Eq], Ua [hidden, Ek], va [hidden].
    public init(queryWeight: Tensor, keyWeight: Tensor, vector: Tensor) {
        precondition(queryWeight.rank == 2 && keyWeight.rank == 2 && vector.rank == 1
                        && queryWeight.shape[0] == keyWeight.shape[0] && vector.shape[0] == queryWeight.shape[0],
                     "AdditiveScore: need queryWeight [hidden, Eq], keyWeight [hidden, Ek], vector [hidden]; got \(queryWeight.shape), \(keyWeight.shape), \(vector.shape)")
        self.queryWeight = Parameter(queryWeight)
        self.keyWeight = Parameter(keyWeight)
        self.vector = Parameter(vector)
    }

    /// Sorted by name, the order these parameters have had since they first took part in training.
    override public var ownParameters: [(String, Parameter)] {
        [("keyWeight", keyWeight), ("queryWeight", queryWeight), ("vector", vector)]
    }

    public func scores(query: Tensor, key: Tensor) -> Tensor {
        checkScoringOperands("AdditiveScore", query: query, key: key)
        let wa = queryWeight.value, ua = keyWeight.value, va = vector.value
        let hidden = va.shape[0]
        precondition(query.shape.last == wa.shape[1] && key.shape.last == ua.shape[1],
                     "AdditiveScore: queryWeight \(wa.shape) and keyWeight \(ua.shape) need query [..., L, \(wa.shape[1])] and key [..., S, \(ua.shape[1])]; got \(query.shape) and \(key.shape)")
        let q = query.matmul(wa.transposed()).unsqueezed(-2)   // [..., L, 1, hidden]
        let k = key.matmul(ua.transposed()).unsqueezed(-3)     // [..., 1, S, hidden]
        let features = (q + k).tanh()                          // [..., L, S, hidden]
        return features.matmul(va.reshaped([hidden, 1])).squeezed(-1)
    }
}

/// MLP score e = w₂ᵀ ReLU(W₁ [q; k] + b₁) + b₂: a two-layer perceptron on the concatenation of query and key.
///
/// W₁ [hidden, Eq + Ek] (columns 0..<Eq act on q, the rest on k), b₁ [hidden], w₂ [1, hidden], b₂ [1] — the
/// layouts of `nn.Linear(Eq + Ek, hidden)` and `nn.Linear(hidden, 1)`. Because W₁[q; k] = W₁q·q + W₁k·k, the
/// concatenation is never built: q and k are projected once and broadcast-added, as in ``AdditiveScore``.
/// Shapes: query [..., L, Eq], key [..., S, Ek] → [..., L, S].
/// A `Module`; parameters `"hiddenBias"`, `"hiddenWeight"`, `"outputBias"`, `"outputWeight"`.
public final class MLPScore: Module, AttentionScoring {
    /// W₁ [hidden, Eq + Ek].
    public let hiddenWeight: Parameter
    /// b₁ [hidden].
    public let hiddenBias: Parameter
    /// w₂ [1, hidden].
    public let outputWeight: Parameter
    /// b₂ [1].
    public let outputBias: Parameter
    /// Eq: how many columns of W₁ act on the query.
    public let queryDim: Int

    /// Each layer uniform in ±1/√fanIn (W₁, b₁: fanIn = Eq + Ek; w₂, b₂: fanIn = hidden), as `nn.Linear`.
    public init(queryDim: Int, keyDim: Int, hiddenDim: Int, dtype: DType = .float32, rng: inout RandomGenerator) {
        let fanIn = queryDim + keyDim
        self.queryDim = queryDim
        hiddenWeight = Parameter(uniformInit([hiddenDim, fanIn], fanIn: fanIn, dtype: dtype, rng: &rng))
        hiddenBias = Parameter(uniformInit([hiddenDim], fanIn: fanIn, dtype: dtype, rng: &rng))
        outputWeight = Parameter(uniformInit([1, hiddenDim], fanIn: hiddenDim, dtype: dtype, rng: &rng))
        outputBias = Parameter(uniformInit([1], fanIn: hiddenDim, dtype: dtype, rng: &rng))
    }

    /// Starts from the given tensors (copies that are fresh leaves); `queryDim` says how many columns of
    /// `hiddenWeight` act on the query.
    public init(hiddenWeight: Tensor, hiddenBias: Tensor, outputWeight: Tensor, outputBias: Tensor, queryDim: Int) {
        precondition(hiddenWeight.rank == 2 && hiddenBias.shape == [hiddenWeight.shape[0]]
                        && outputWeight.shape == [1, hiddenWeight.shape[0]] && outputBias.shape == [1]
                        && queryDim > 0 && queryDim < hiddenWeight.shape[1],
                     "MLPScore: need hiddenWeight [hidden, Eq + Ek] with 0 < Eq = \(queryDim) < Eq + Ek, hiddenBias [hidden], outputWeight [1, hidden], outputBias [1]; got \(hiddenWeight.shape), \(hiddenBias.shape), \(outputWeight.shape), \(outputBias.shape)")
        self.hiddenWeight = Parameter(hiddenWeight)
        self.hiddenBias = Parameter(hiddenBias)
        self.outputWeight = Parameter(outputWeight)
        self.outputBias = Parameter(outputBias)
        self.queryDim = queryDim
    }

    /// Sorted by name, the order these parameters have had since they first took part in training.
    override public var ownParameters: [(String, Parameter)] {
        [("hiddenBias", hiddenBias), ("hiddenWeight", hiddenWeight), ("outputBias", outputBias), ("outputWeight", outputWeight)]
    }

    public func scores(query: Tensor, key: Tensor) -> Tensor {
        checkScoringOperands("MLPScore", query: query, key: key)
        let w1 = hiddenWeight.value
        let total = w1.shape[1]
        precondition(query.shape.last == queryDim && key.shape.last == total - queryDim,
                     "MLPScore: hiddenWeight \(w1.shape) with queryDim \(queryDim) needs query [..., L, \(queryDim)] and key [..., S, \(total - queryDim)]; got \(query.shape) and \(key.shape)")
        let wq = w1.slice(axis: 1, 0..<queryDim)                    // [hidden, Eq]
        let wk = w1.slice(axis: 1, queryDim..<total)                // [hidden, Ek]
        let q = query.matmul(wq.transposed()).unsqueezed(-2)        // [..., L, 1, hidden]
        let k = key.matmul(wk.transposed()).unsqueezed(-3)          // [..., 1, S, hidden]
        let h = (q + k + hiddenBias.value).relu()                   // [..., L, S, hidden]
        return h.matmul(outputWeight.value.transposed()).squeezed(-1) + outputBias.value
    }
}
