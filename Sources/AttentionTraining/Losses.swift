import AttentionTensorCore

/// How a loss combines its per-element terms (PyTorch's `reduction`).
public enum LossReduction: Sendable, Equatable {
    /// The mean over the counted elements (for cross-entropy: the targets that are not ignored, weighted).
    case mean
    /// The sum over the elements.
    case sum
    /// One term per element, unreduced.
    case none
}

/// Losses written as compositions of differentiable ops, so their gradients come from autograd and are
/// checked like every other op. Each matches the PyTorch function of the same name (fixtures from
/// `Scripts/make_training_fixtures.py`).
public enum Loss {
    /// Cross-entropy of class scores against class indices, as `torch.nn.functional.cross_entropy`.
    ///
    /// logits [N, C] (unnormalised), targets [N] in 0..<C. With `labelSmoothing` ε the target distribution is
    /// (1 − ε)·onehot + ε/C. Targets equal to `ignoreIndex` contribute nothing, and `.mean` divides by the count of
    /// the others (0 counted targets give 0 rather than PyTorch's NaN: a batch of pure padding must not poison
    /// training). loss_n = −Σ_c q_nc · log softmax(logits_n)_c.
    ///
    /// ```swift
    /// let loss = Loss.crossEntropy(logits: scores, targets: [2, 0, 1], labelSmoothing: 0.1)
    /// loss.backward()
    /// ```
    public static func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int? = nil, labelSmoothing: Double = 0,
                                    reduction: LossReduction = .mean) -> Tensor {
        precondition(logits.rank == 2, "crossEntropy: logits must be [N, C], got \(logits.shape)")
        let (n, c) = (logits.shape[0], logits.shape[1])
        precondition(targets.count == n, "crossEntropy: \(targets.count) targets for logits \(logits.shape)")
        precondition((0..<1).contains(labelSmoothing), "crossEntropy: labelSmoothing \(labelSmoothing) is not in [0, 1)")
        for t in targets where t != ignoreIndex {
            precondition(t >= 0 && t < c, "crossEntropy: target \(t) is out of range 0..<\(c)")
        }
        let counted = targets.map { $0 != ignoreIndex }
        let safeTargets = targets.map { $0 == ignoreIndex ? 0 : $0 }
        let logProbs = logits.logSoftmax(axis: -1)                                            // [N, C]
        let picked = logProbs.gather(axis: 1, indices: safeTargets, count: 1).reshaped([n])   // [N]
        var perRow = -picked * (1 - labelSmoothing)
        if labelSmoothing > 0 { perRow = perRow - logProbs.sum(axis: 1) * (labelSmoothing / Double(c)) }
        let keep = Tensor(shape: [n], doubles: counted.map { $0 ? 1 : 0 }).cast(to: logits.dtype)
        perRow = perRow * keep
        switch reduction {
        case .none: return perRow
        case .sum: return perRow.sum()
        case .mean:
            let count = counted.filter { $0 }.count
            return count == 0 ? perRow.sum() * 0 : perRow.sum() / Double(count)
        }
    }

    /// Mean squared error, as `torch.nn.functional.mse_loss`: (prediction − target)², reduced.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
        precondition(prediction.shape == target.shape, "meanSquaredError: shapes differ: \(prediction.shape) vs \(target.shape)")
        let d = prediction - target
        let terms = d * d
        switch reduction {
        case .none: return terms
        case .sum: return terms.sum()
        case .mean: return terms.mean()
        }
    }

    /// Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`:
    /// −(y·log σ(x) + (1 − y)·log σ(−x)). log σ(±x) is the log-softmax of the pair (0, x), stable for any |x| and
    /// with the exact gradient σ(x) − y everywhere (the max(x, 0) − xy + log(1 + e^(−|x|)) form has a kink at 0
    /// whose subgradient would give −y there). logits and targets (in [0, 1]) of one shape.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, reduction: LossReduction = .mean) -> Tensor {
        precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: shapes differ: \(logits.shape) vs \(targets.shape)")
        let x = logits.unsqueezed(logits.rank)
        let pair = Tensor.concatenate([Tensor.zeros(x.shape, dtype: x.dtype), x], axis: -1).logSoftmax(axis: -1)   // [..., 2]
        let logNegative = pair.indexSelect(axis: -1, [0]).reshaped(logits.shape)   // log σ(−x)
        let logPositive = pair.indexSelect(axis: -1, [1]).reshaped(logits.shape)   // log σ(x)
        let terms = -(targets * logPositive + (1 - targets) * logNegative)
        switch reduction {
        case .none: return terms
        case .sum: return terms.sum()
        case .mean: return terms.mean()
        }
    }
}
