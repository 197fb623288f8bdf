/// Additive (Bahdanau) attention as a trainable layer, the form of the seed tutorial's `BahdanauAttention`:
///
///     e_i = vaᵀ tanh(Wa·s + ba + Ua·h_i + bu)      s: decoder state [Dq], h_i: encoder output i [Dk]
///     α   = softmax(e)  (over the real, unpadded positions)
///     c   = Σ_i α_i · h_i                          (or over `values` when they differ from the keys)
///
/// Shapes: query [B, Dq], keys [B, S, Dk], values [B, S, Dv] → (context [B, Dv], weights [B, S]).
/// `Wa` and `Ua` are `Linear` layers with biases (the seed's `nn.Linear`), `va` a vector of `hiddenSize`.
/// The keys' projection Ua·h + bu does not depend on the decoder step: ``projectKeys(_:)`` computes it once per
/// source sentence and ``callAsFunction(query:projectedKeys:values:lengths:)`` reuses it at every step.
/// Padding positions (index ≥ `lengths[b]`) get weight 0; a sentence of length 0 gets weights 0 and context 0.
///
/// PyTorch names (`Wa.weight`, `Wa.bias`, `Ua.weight`, `Ua.bias`, `va`) map to `queryProjection.*`,
/// `keyProjection.*`, `vector` through ``pyTorchKeyMap``.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let attention = BahdanauAttention(queryDim: 16, keyDim: 16, hiddenSize: 16, rng: &rng)
/// let (context, weights) = attention(query: s, keys: encoderOutputs, lengths: [5, 3])
/// ```
public final class BahdanauAttention: Module {
    /// Wa with bias ba: decoder state [B, Dq] → [B, hiddenSize].
    public let queryProjection: Linear   // Wa
    /// Ua with bias bu: encoder outputs [B, S, Dk] → [B, S, hiddenSize].
    public let keyProjection: Linear     // Ua
    /// va [hiddenSize]: reduces tanh(…) to one score per position.
    public let vector: Parameter         // va [hidden]

    /// A layer for decoder states of `queryDim` features and encoder outputs of `keyDim`, scoring in a space of
    /// `hiddenSize`. Wa and Ua are initialised as `Linear` layers; va uniform in ±1/√hiddenSize. All sizes must be
    /// positive (a precondition). Parameters are Float32.
    public init(queryDim: Int, keyDim: Int, hiddenSize: Int, rng: inout RandomGenerator) {
        precondition(queryDim > 0 && keyDim > 0 && hiddenSize > 0,
                     "BahdanauAttention: sizes must be positive, got queryDim \(queryDim), keyDim \(keyDim), hiddenSize \(hiddenSize)")
        queryProjection = Linear(inputSize: queryDim, outputSize: hiddenSize, rng: &rng)
        keyProjection = Linear(inputSize: keyDim, outputSize: hiddenSize, rng: &rng)
        let bound = 1 / Double(hiddenSize).squareRoot()
        vector = Parameter(Tensor.randomUniform([hiddenSize], low: -bound, high: bound, using: &rng))
    }

    /// Wa and Ua, as `"queryProjection"` and `"keyProjection"`.
    override public var children: [(String, Module)] { [("queryProjection", queryProjection), ("keyProjection", keyProjection)] }
    /// va, as `"vector"`.
    override public var ownParameters: [(String, Parameter)] { [("vector", vector)] }

    /// The width of the scoring space, the length of va.
    public var hiddenSize: Int { vector.value.shape[0] }

    /// Ua·h + bu for every encoder output: keys [B, S, Dk] → [B, S, hidden].
    public func projectKeys(_ keys: Tensor) -> Tensor {
        precondition(keys.rank == 3, "BahdanauAttention: keys must be [B, S, Dk], got \(keys.shape)")
        return keyProjection(keys)
    }

    /// One decoder step with keys projected by ``projectKeys(_:)``. query [B, Dq], projectedKeys [B, S, hidden],
    /// values [B, S, Dv] → (context [B, Dv], weights [B, S]).
    public func callAsFunction(query: Tensor, projectedKeys: Tensor, values: Tensor, lengths: [Int]? = nil) -> (context: Tensor, weights: Tensor) {
        precondition(query.rank == 2 && projectedKeys.rank == 3 && values.rank == 3,
                     "BahdanauAttention: need query [B, Dq], projected keys [B, S, H], values [B, S, Dv]; got \(query.shape), \(projectedKeys.shape), \(values.shape)")
        let (b, s) = (projectedKeys.shape[0], projectedKeys.shape[1])
        precondition(query.shape[0] == b && values.shape[0] == b && values.shape[1] == s,
                     "BahdanauAttention: batch or length mismatch: query \(query.shape), keys \(projectedKeys.shape), values \(values.shape)")
        precondition(projectedKeys.shape[2] == hiddenSize, "BahdanauAttention: projected keys \(projectedKeys.shape) do not have hidden size \(hiddenSize)")
        if let lengths {
            precondition(lengths.count == b && lengths.allSatisfy { (0...s).contains($0) },
                         "BahdanauAttention: lengths \(lengths) do not fit batch \(b) and length \(s)")
        }
        let q = queryProjection(query).unsqueezed(1)                                   // [B, 1, hidden]
        let energy = (projectedKeys + q).tanh()                                        // [B, S, hidden]
        let scores = energy.matmul(vector.value.reshaped([hiddenSize, 1])).reshaped([b, 1, s])   // [B, 1, S]
        let mask: AttentionMask = lengths.map { .keyPadding(lengths: $0) } ?? .none
        let weights = attentionWeights(scores: scores, mask: mask)                      // [B, 1, S]
        let context = weights.matmul(values).reshaped([b, values.shape[2]])            // [B, Dv]
        return (context, weights.reshaped([b, s]))
    }

    /// One decoder step: query [B, Dq], keys [B, S, Dk], values (default: the keys) [B, S, Dv].
    public func callAsFunction(query: Tensor, keys: Tensor, values: Tensor? = nil, lengths: [Int]? = nil) -> (context: Tensor, weights: Tensor) {
        callAsFunction(query: query, projectedKeys: projectKeys(keys), values: values ?? keys, lengths: lengths)
    }

    /// The seed's PyTorch names ↔ ours.
    public var pyTorchKeyMap: PyTorchKeyMap {
        PyTorchKeyMap(renames: [("Wa.weight", "queryProjection.weight"), ("Wa.bias", "queryProjection.bias"),
                                ("Ua.weight", "keyProjection.weight"), ("Ua.bias", "keyProjection.bias"), ("va", "vector")])
    }
}
