/// Nadaraya–Watson kernel regression as attention pooling (d2l.ai §11.2): the prediction at a query is an
/// average of the training targets, weighted by how close each training input (key) is to the query.
///
///     f(x) = Σ_i α(x, x_i) · y_i,   α(x, x_i) = K(u_i) / Σ_j K(u_j),   u_i = ‖x − x_i‖ · w
///
/// with a trainable width parameter w (larger w = narrower kernel = more local). Kernels:
/// - `.gaussian`: K(u) = exp(−u²/2). Then α = softmax_i(−‖x − x_i‖² w² / 2): the softmax form, computed with
///   ``attentionWeights(scores:mask:)`` (stable for any distance). Differentiable in w, x, x_i, y_i.
/// - `.boxcar`: K(u) = 1 if |u| ≤ 1 else 0: the average of the targets within distance 1/w. The weights are
///   piecewise constant: gradient 0 with respect to w, x and x_i (it still flows to y_i).
/// - `.constant`: K(u) = 1: every query predicts the mean target (the baseline without attention). Gradient
///   flows to y_i only.
/// - `.epanechnikov`: K(u) = max(0, 1 − u²) (the ¾ of the density cancels in the normalisation).
///   Differentiable except on |u| = 1 (where the gradient of the outside branch, 0, is used). d2l's
///   "Epanechikov" max(0, 1 − ‖x − x_i‖) is the triangular kernel, not this one.
///
/// A query with no key of positive weight (a boxcar or Epanechnikov kernel narrower than every distance, or a
/// fully-masked row) gets weights 0 and output 0, never NaN.
///
/// Shapes: queries [..., L, D], keys [..., S, D], values [..., S, Ev] → output [..., L, Ev], weights
/// [..., L, S] (scalar data, as in d2l, is D = 1 or Ev = 1). Leading dimensions broadcast. An optional
/// ``AttentionMask`` (e.g. a boolean one leaving out x_i = x while training, as d2l does) applies as a factor
/// e^bias on K: masked keys get weight 0, additive values scale K by e^value.
///
/// A `Module`: its one parameter is `"width"`, so optimisers and state dicts reach it as they reach any layer's.
public final class NadarayaWatson: Module {
    /// The kernel K.
    public enum Kernel: String, Sendable, CaseIterable {
        /// K(u) = exp(−u²/2): softmax weights, differentiable everywhere.
        case gaussian
        /// K(u) = 1 if |u| ≤ 1 else 0: the mean of the targets within distance 1/w; no gradient to w, x or x_i.
        case boxcar
        /// K(u) = 1: every query gets the mean target (no attention); gradient to y_i only.
        case constant
        /// K(u) = max(0, 1 − u²): compact support, so a query at distance ≥ 1/w from every key gets 0.
        case epanechnikov
    }

    /// The kernel K applied to the scaled distances u = ‖x − x_i‖ · w.
    public var kernel: Kernel
    /// w, rank 0: multiplies the distance.
    public let width: Parameter

    /// A pooling with width w = `width` (a learnable rank-0 tensor of `dtype`).
    public convenience init(kernel: Kernel = .gaussian, width: Double = 1, dtype: DType = .float32) {
        self.init(kernel: kernel, width: Tensor(repeating: width, shape: [], dtype: dtype))
    }

    /// A pooling whose width starts at the given one-element tensor (a copy that is a fresh leaf, reshaped to rank 0).
    public init(kernel: Kernel, width: Tensor) {
        precondition(width.count == 1, "NadarayaWatson: width must have one element, got shape \(width.shape)")
        self.kernel = kernel
        self.width = Parameter(width.rank == 0 ? width : width.reshaped([]))
    }

    /// The one learnable tensor, `"width"` (rank 0).
    override public var ownParameters: [(String, Parameter)] { [("width", width)] }

    /// α: queries [..., L, D], keys [..., S, D] → [..., L, S]; each row sums to 1 (or is 0, see above).
    public func weights(queries: Tensor, keys: Tensor, mask: AttentionMask = .none) -> Tensor {
        precondition(queries.rank >= 2 && keys.rank >= 2 && queries.shape.last == keys.shape.last,
                     "NadarayaWatson: queries must be [..., L, D] and keys [..., S, D]; got \(queries.shape) and \(keys.shape)")
        let w = width.value
        precondition(queries.dtype == keys.dtype && keys.dtype == w.dtype,
                     "NadarayaWatson: dtypes differ: queries \(queries.dtype), keys \(keys.dtype), width \(w.dtype)")
        // Differences, not ‖q‖² + ‖k‖² − 2qᵀk, which cancels catastrophically for nearby points.
        let d2 = (queries.unsqueezed(-2) - keys.unsqueezed(-3)).squared().sum(axis: -1)   // [..., L, S]
        let u2 = d2 * w.squared()
        switch kernel {
        case .gaussian:
            return attentionWeights(scores: u2 * -0.5, mask: mask)
        case .boxcar:
            let k = Tensor(shape: u2.shape, doubles: u2.doubles.map { $0 <= 1 ? 1 : 0 }).cast(to: u2.dtype)
            return normalised(k, mask: mask)
        case .constant:
            return normalised(Tensor.ones(u2.shape, dtype: u2.dtype), mask: mask)
        case .epanechnikov:
            return normalised((1 - u2).relu(), mask: mask)
        }
    }

    /// f(x) and α: queries [..., L, D], keys [..., S, D], values [..., S, Ev] → ([..., L, Ev], [..., L, S]).
    public func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor,
                               mask: AttentionMask = .none) -> (output: Tensor, weights: Tensor) {
        let w = weights(queries: queries, keys: keys, mask: mask)
        return (softAttention(weights: w, values: values), w)
    }

    /// K ∘ e^bias divided by its row sum, rows summing to 0 left at 0.
    private func normalised(_ k: Tensor, mask: AttentionMask) -> Tensor {
        var kernel = k
        if !mask.isNone {
            kernel = k * maskedScores(Tensor.zeros(k.shape, dtype: k.dtype), mask: mask, op: "NadarayaWatson").exp()
        }
        let total = kernel.sum(axis: -1, keepingDimensions: true)
        let safe = Tensor.where(total.isGreater(than: 0), total, Tensor.ones([], dtype: k.dtype))
        return kernel / safe
    }
}
