/// Hard attention: pick keys instead of averaging over all of them — the non-differentiable contrast to soft
/// attention.
///
/// Both forms are soft attention with a weight matrix that the selection fixes: argmax puts weight 1 on one
/// key, top-k spreads weight over k keys. The *selection* (which keys) is a step function of the scores and has
/// no gradient; what flows is:
/// - `argmax`: gradient reaches the selected values only (output = the selected value row); none reaches
///   the scores.
/// - `topK` with `.uniform`: gradient reaches the k selected values (each with weight 1/k); none reaches the
///   scores.
/// - `topK` with `.softmax`: the weights are a softmax over the k selected scores, so gradient reaches the
///   selected scores and values (unselected scores get 0).
///
/// Shapes: scores [..., L, S], values [..., S, Ev] → output [..., L, Ev], weights [..., L, S]. With a mask the
/// scores must be [L, S], [B, L, S] or [B, H, L, S] (see ``attentionWeights(scores:mask:)``); masked keys are
/// never selected. A fully-masked row selects nothing: weights 0, output 0. Indices are listed per row,
/// row-major over the leading dimensions and L.
public enum HardAttention {
    /// How top-k attention weights its k selected keys.
    public enum TopKWeighting: Sendable, CaseIterable {
        /// Each selected key gets 1/k (the plain average of their values).
        case uniform
        /// softmax over the selected scores only (renormalised attention on the k best keys).
        case softmax
    }

    /// Argmax attention: output[..., i, :] = values[..., j*, :] with j* = argmax_j (e_ij + bias_ij), the first
    /// one on ties. `indices[r]` is j* for row r, nil for a fully-masked row.
    ///
    /// Numerically exact (a copy of a value row, not a near-one-hot softmax).
    public static func argmax(scores: Tensor, values: Tensor, mask: AttentionMask = .none)
        -> (output: Tensor, weights: Tensor, indices: [Int?]) {
        let (rows, s) = checkOperands("HardAttention.argmax", scores: scores, values: values)
        let masked = withoutGradients { maskedScores(scores, mask: mask, op: "HardAttention.argmax") }.doubles
        var indices: [Int?] = []
        var weights = [Double](repeating: 0, count: rows * s)
        for r in 0..<rows {
            var best: Int? = nil
            for j in 0..<s where masked[r * s + j] != -.infinity {
                if best == nil || masked[r * s + j] > masked[r * s + best!] { best = j }
            }
            if let best { weights[r * s + best] = 1 }
            indices.append(best)
        }
        let w = Tensor(shape: scores.shape, doubles: weights).cast(to: scores.dtype)
        return (softAttention(weights: w, values: values), w, indices)
    }

    /// Top-k attention: the k best keys of each row (by e + bias; ties go to the lower index), weighted by
    /// `weighting`. A row with fewer than k allowed keys uses the ones it has. `indices[r]` lists row r's keys,
    /// best first.
    ///
    /// `.uniform`: α_ij = 1/k' for the k' selected keys. `.softmax`: α_ij = exp(e_ij) / Σ_{selected} exp(e_ik)
    /// (with the mask bias), computed like ``attentionWeights(scores:mask:)``. k = S with `.softmax` is ordinary
    /// soft attention.
    public static func topK(_ k: Int, scores: Tensor, values: Tensor, mask: AttentionMask = .none,
                            weighting: TopKWeighting = .softmax) -> (output: Tensor, weights: Tensor, indices: [[Int]]) {
        let (rows, s) = checkOperands("HardAttention.topK", scores: scores, values: values)
        precondition(k >= 1 && k <= s, "HardAttention.topK: k = \(k) must be in 1...S = 1...\(s) (scores \(scores.shape))")
        let masked = maskedScores(scores, mask: mask, op: "HardAttention.topK")
        let m = masked.doubles
        var indices: [[Int]] = []
        var selected = [Bool](repeating: false, count: rows * s)
        for r in 0..<rows {
            let allowed = (0..<s).filter { m[r * s + $0] != -.infinity }
            let best = allowed.sorted { a, b in
                let x = m[r * s + a], y = m[r * s + b]
                return x > y || (x == y && a < b)
            }.prefix(k)
            for j in best { selected[r * s + j] = true }
            indices.append(Array(best))
        }
        let weights: Tensor
        switch weighting {
        case .uniform:
            var w = [Double](repeating: 0, count: rows * s)
            for r in 0..<rows where !indices[r].isEmpty {
                for j in indices[r] { w[r * s + j] = 1 / Double(indices[r].count) }
            }
            weights = Tensor(shape: scores.shape, doubles: w).cast(to: scores.dtype)
        case .softmax:
            let keep = BoolTensor(shape: scores.shape, values: selected)
            weights = Tensor.where(keep, masked, masked.scalarNegativeInfinity()).softmax(axis: -1)
        }
        return (softAttention(weights: weights, values: values), weights, indices)
    }

    /// (rows, S) of scores [..., L, S] against values [..., S, Ev]; the scores' leading dimensions must cover the
    /// output's, so one row of weights is one output row.
    static func checkOperands(_ op: String, scores: Tensor, values: Tensor) -> (rows: Int, keys: Int) {
        precondition(scores.rank >= 2 && values.rank >= 2,
                     "\(op): scores must be [..., L, S] and values [..., S, Ev]; got \(scores.shape) and \(values.shape)")
        let s = scores.shape[scores.rank - 1]
        precondition(values.shape[values.rank - 2] == s,
                     "\(op): scores \(scores.shape) have S = \(s) keys but values \(values.shape) have \(values.shape[values.rank - 2])")
        return (s == 0 ? 0 : scores.count / s, s)
    }
}

extension Tensor {
    /// A rank-0 −∞ of this tensor's dtype.
    func scalarNegativeInfinity() -> Tensor { Tensor(repeating: -.infinity, shape: [], dtype: dtype) }
}
