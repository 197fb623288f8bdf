import Foundation
import AttentionTensorCore

/// QAMA, quantum-annealing multi-head attention (Du et al., arXiv 2504.11083), run classically: attention as the
/// minimum of a QUBO energy, found here by seeded simulated annealing (the authors' own training path) instead of
/// a coherent Ising machine. No quantum speed-up is claimed or possible here; the layer exists to study the
/// formulation and its sparse, head-specialised selections next to ordinary attention.
///
/// For query, key and value heads q, k, v [B, H, N, d] (self-attention: one token set):
///
///     J_tij = JS(softmax(q_ti) ‖ softmax(k_tj))   Jensen–Shannon divergence over the d features, in bits
///     v̂_tid = clamp(v_tid / (Σ_d v_tid + ε), ε, 1),  e_tid = −v̂ log₂ v̂,  h_ti = Σ_d e_tid   (value entropy)
///     J, h standardised per (sequence, head): off-diagonal J and h to mean 0, variance 1
///     w = argmin E(w) over the soft-selection QUBO (``QAMAProblem``), per sequence, all heads jointly
///     E_ti = −(a · w_ti Σ_j J_tij w_tj + c · h_ti w_ti)           each token's share of the energy
///     out_tid = E_ti · e_tid / Σ_d e_tid                            spread over the features by their entropy share
///
/// Gradients flow through J and h with the selection w held fixed (the paper's energy-based backpropagation: the
/// annealer is not differentiable, the energy is). Deviations from the authors' PyTorch module, each because the
/// original can divide by ~0 or needs state this layer does not keep: BatchNorm on J, h and the output is replaced
/// by parameter-free standardisation of J and h (no running statistics, no output normalisation), and the energy is
/// spread by the raw entropy shares (which sum to 1) rather than divided by the normalised h.
public enum QAMA {
    /// Settings of the QUBO and of the annealer.
    public struct Configuration: Sendable, Equatable {
        /// Bits per token and head: selection weights take 2^bits levels in [0, 1].
        public var bits = 4
        /// a and c: the weights of the pair term (J) and of the token term (h) in the energy.
        public var quadraticWeight = 1.0, linearWeight = 1.0
        /// Penalty on two heads selecting the same bit of the same token.
        public var headOverlapPenalty = 2.0
        /// The annealer's schedule; sequence s of a batch uses the seed `schedule.seed &+ s`.
        public var schedule = AnnealingSchedule()
        /// The defaults: 4 bits, a = c = 1, overlap penalty 2, the default `AnnealingSchedule`.
        public init() {}
    }

    static let epsilon = 1e-6

    /// J [B, H, N, N] (Jensen–Shannon divergence in bits between softmax(q_i) and softmax(k_j)), the per-feature
    /// entropy terms e [B, H, N, d] and h = Σ_d e [B, H, N]. Differentiable in query, key and value.
    public static func coefficients(query: Tensor, key: Tensor, value: Tensor) -> (quadratic: Tensor, entropyTerms: Tensor, linear: Tensor) {
        precondition(query.rank == 4 && query.shape == key.shape && key.shape == value.shape,
                     "QAMA: query, key and value must all be [B, H, N, d] (self-attention), got \(query.shape), \(key.shape), \(value.shape)")
        let ln2 = Foundation.log(2.0)
        let logP = query.logSoftmax(axis: -1).unsqueezed(3)          // [B, H, N, 1, d]
        let logR = key.logSoftmax(axis: -1).unsqueezed(2)            // [B, H, 1, N, d]
        let p = logP.exp(), r = logR.exp()
        // log m with m floored at 1e-30: where p (or r) underflowed to 0 its term is 0 · finite, never 0 · ∞.
        let logM = ((p + r) * 0.5).maximum(Tensor(repeating: 1e-30, shape: [], dtype: query.dtype)).log()
        let js = ((p * (logP - logM)).sum(axis: -1) + (r * (logR - logM)).sum(axis: -1)) * (0.5 / ln2)   // [B, H, N, N]
        let sums = value.sum(axis: -1, keepingDimensions: true) + epsilon
        let one = Tensor(repeating: 1, shape: [], dtype: value.dtype), floor = Tensor(repeating: epsilon, shape: [], dtype: value.dtype)
        let shares = (value / sums).maximum(floor).minimum(one)
        let terms = -(shares * shares.log()) / ln2                   // [B, H, N, d]
        return (js, terms, terms.sum(axis: -1))
    }

    /// J standardised over its off-diagonal entries (diagonal kept) and h over the tokens, per (sequence, head).
    static func standardized(_ j: Tensor, _ h: Tensor) -> (Tensor, Tensor) {
        let n = h.shape[2]
        var offMask = [Double](repeating: 1, count: n * n)
        for i in 0..<n { offMask[i * n + i] = 0 }
        let off = Tensor(shape: [n, n], doubles: offMask).cast(to: j.dtype), diag = 1 - off
        var jn = j
        if n > 1 {
            let count = Double(n * (n - 1))
            let mean = (j * off).sum(axes: [2, 3], keepingDimensions: true) / count
            let centred = (j - mean) * off
            let variance = (centred * centred).sum(axes: [2, 3], keepingDimensions: true) / count
            jn = centred / (variance + epsilon).sqrt() + j * diag
        }
        let hMean = h.mean(axis: -1, keepingDimensions: true)
        let hCentred = h - hMean
        let hn = hCentred / ((hCentred * hCentred).mean(axis: -1, keepingDimensions: true) + epsilon).sqrt()
        return (jn, hn)
    }

    /// The layer's core: q, k, v [B, H, N, d] → (output [B, H, N, d], selection weights w [B, H, N] in [0, 1]).
    public static func attention(query: Tensor, key: Tensor, value: Tensor, configuration c: Configuration = Configuration())
        -> (output: Tensor, selection: Tensor) {
        let (j, terms, h) = coefficients(query: query, key: key, value: value)
        let (jn, hn) = standardized(j, h)
        let (b, heads, n) = (query.shape[0], query.shape[1], query.shape[2])
        // One QUBO per sequence (the head-overlap penalty couples the heads); the annealer sees plain numbers.
        let jValues = jn.cast(to: .float64).doubles, hValues = hn.cast(to: .float64).doubles
        var selection = [Double](repeating: 0, count: b * heads * n)
        for s in 0..<b {
            let problem = QAMAProblem(
                quadratic: (0..<heads).map { t in Array(jValues[((s * heads + t) * n * n)..<((s * heads + t + 1) * n * n)]) },
                linear: (0..<heads).map { t in Array(hValues[((s * heads + t) * n)..<((s * heads + t + 1) * n)]) },
                bits: c.bits, quadraticWeight: c.quadraticWeight, linearWeight: c.linearWeight, headOverlapPenalty: c.headOverlapPenalty)
            var schedule = c.schedule
            schedule.seed = c.schedule.seed &+ UInt64(s)   // each sequence its own stream, still reproducible
            let w = problem.weights(problem.anneal(schedule).assignment)
            for t in 0..<heads { for i in 0..<n { selection[(s * heads + t) * n + i] = w[t][i] } }
        }
        let w = Tensor(shape: [b, heads, n], doubles: selection).cast(to: query.dtype)
        let energy = tokenEnergies(quadratic: jn, linear: hn, selection: w, configuration: c)   // [B, H, N]
        let output = energy.unsqueezed(3) * terms / (h.unsqueezed(3) + epsilon)
        return (output, w)
    }

    /// E_ti = −(a · w_ti Σ_j J_tij w_tj + c · h_ti w_ti): J [B, H, N, N], h and w [B, H, N] → [B, H, N].
    /// Differentiable in J and h (w is the annealer's constant); Σ_ti E_ti is the QUBO energy without the penalty.
    public static func tokenEnergies(quadratic j: Tensor, linear h: Tensor, selection w: Tensor, configuration c: Configuration) -> Tensor {
        let jw = j.matmul(w.unsqueezed(3)).squeezed(3)                 // [B, H, N]
        return -(w * jw * c.quadraticWeight + h * w * c.linearWeight)
    }
}

/// Multi-head self-attention with QAMA as the attention operator: x [B, N, D] → [B, N, D]. Query, key and value
/// projections split into `heads` heads of D / heads features, ``QAMA/attention(query:key:value:configuration:)``
/// per head, heads concatenated, output projection. `lastSelection` keeps the selection weights [B, H, N] of
/// the latest call (for pictures of which tokens each head picked).
public final class QAMAMultiHeadAttention: Module {
    /// The projections Wq, Wk, Wv (D → D, before the split into heads) and Wo (D → D, after the concatenation).
    public let queryProjection: Linear, keyProjection: Linear, valueProjection: Linear, outputProjection: Linear
    /// H, the number of heads; each has D / H features.
    public let heads: Int
    /// The QUBO weights and the annealing schedule used by every call.
    public var configuration: QAMA.Configuration
    /// The selection weights w [B, H, N] (in [0, 1]) of the latest call; nil before the first.
    public private(set) var lastSelection: Tensor?

    /// A layer for inputs of `modelDim` D features with `heads` H heads; D must be a positive multiple of H
    /// (a precondition). The four projections are `Linear` layers with biases (Float32).
    public init(modelDim: Int, heads: Int, configuration: QAMA.Configuration = QAMA.Configuration(), rng: inout RandomGenerator) {
        precondition(heads > 0 && modelDim % heads == 0, "QAMAMultiHeadAttention: modelDim \(modelDim) must be a positive multiple of heads \(heads)")
        queryProjection = Linear(inputSize: modelDim, outputSize: modelDim, rng: &rng)
        keyProjection = Linear(inputSize: modelDim, outputSize: modelDim, rng: &rng)
        valueProjection = Linear(inputSize: modelDim, outputSize: modelDim, rng: &rng)
        outputProjection = Linear(inputSize: modelDim, outputSize: modelDim, rng: &rng)
        self.heads = heads
        self.configuration = configuration
    }

    /// The four projections, under their property names.
    override public var children: [(String, Module)] {
        [("queryProjection", queryProjection), ("keyProjection", keyProjection), ("valueProjection", valueProjection),
         ("outputProjection", outputProjection)]
    }

    /// Self-attention of x [B, N, D] → [B, N, D]; also sets `lastSelection`. Runs one annealing per sequence on
    /// the CPU (slow for long N), deterministic for a given configuration. The selection w is a constant for the
    /// gradient (it flows through J, h and the entropy terms).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3, "QAMAMultiHeadAttention: input must be [B, N, D], got \(x.shape)")
        let (b, n, d) = (x.shape[0], x.shape[1], x.shape[2]), e = d / heads
        func split(_ t: Tensor) -> Tensor { t.reshaped([b, n, heads, e]).permuted([0, 2, 1, 3]) }   // [B, H, N, e]
        let (out, selection) = QAMA.attention(query: split(queryProjection(x)), key: split(keyProjection(x)),
                                              value: split(valueProjection(x)), configuration: configuration)
        lastSelection = selection
        return outputProjection(out.permuted([0, 2, 1, 3]).reshaped([b, n, d]))
    }
}
