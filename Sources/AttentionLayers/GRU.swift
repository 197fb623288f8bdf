import AttentionTensorCore

/// One GRU step, PyTorch's formulation and weight layout (gates stacked r, z, n):
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn))
///     h' = (1 − z) ∘ n + z ∘ h
///
/// x [B, inputSize], h [B, hiddenSize] → h' [B, hiddenSize]. weight_ih [3·hidden, input], weight_hh [3·hidden, hidden].
public final class GRUCell: Module {
    /// W_i (stacked r, z, n) and b_i: [3·hidden, input] (PyTorch `weight_ih`, `bias_ih`).
    public let inputProjection: Linear   // weight_ih, bias_ih
    /// W_h (stacked r, z, n) and b_h: [3·hidden, hidden] (PyTorch `weight_hh`, `bias_hh`).
    public let hiddenProjection: Linear  // weight_hh, bias_hh
    /// The state width.
    public let hiddenSize: Int

    /// Weights uniform in ±1/√hiddenSize (PyTorch's default), drawn from `rng`.
    public init(inputSize: Int, hiddenSize: Int, rng: inout RandomGenerator) {
        self.hiddenSize = hiddenSize
        // PyTorch initialises every GRU weight uniform in ±1/√hidden.
        inputProjection = Linear(inputSize: inputSize, outputSize: 3 * hiddenSize, rng: &rng)
        hiddenProjection = Linear(inputSize: hiddenSize, outputSize: 3 * hiddenSize, rng: &rng)
        let bound = 1 / Double(hiddenSize).squareRoot()
        for p in inputProjection.parameters + hiddenProjection.parameters {
            p.value = Tensor.randomUniform(p.value.shape, low: -bound, high: bound, using: &rng)
        }
    }

    /// The two projections.
    override public var children: [(String, Module)] { [("inputProjection", inputProjection), ("hiddenProjection", hiddenProjection)] }

    /// h' [B, hidden] from x [B, input] and h [B, hidden] (the formulas above).
    public func callAsFunction(_ x: Tensor, hidden h: Tensor) -> Tensor {
        let gi = inputProjection(x), gh = hiddenProjection(h)   // [B, 3H]
        let H = hiddenSize
        let r = (gi.slice(axis: -1, 0..<H) + gh.slice(axis: -1, 0..<H)).sigmoid()
        let z = (gi.slice(axis: -1, H..<(2 * H)) + gh.slice(axis: -1, H..<(2 * H))).sigmoid()
        let n = (gi.slice(axis: -1, (2 * H)..<(3 * H)) + r * gh.slice(axis: -1, (2 * H)..<(3 * H))).tanh()
        return (1 - z) * n + z * h
    }
}

/// A single-layer GRU over a batch-first sequence: x [B, T, inputSize] → (outputs [B, T, hidden], last [B, hidden]).
public final class GRU: Module {
    /// The step run at every position.
    public let cell: GRUCell

    /// A GRU whose cell is drawn from `rng` as `GRUCell/init(inputSize:hiddenSize:rng:)`.
    public init(inputSize: Int, hiddenSize: Int, rng: inout RandomGenerator) {
        cell = GRUCell(inputSize: inputSize, hiddenSize: hiddenSize, rng: &rng)
    }

    /// `cell`.
    override public var children: [(String, Module)] { [("cell", cell)] }

    /// Runs the cell over t = 0 … T − 1 from `initial` (zeros when nil); outputs [B, T, hidden] and the last state [B, hidden].
    /// Pitfall: padded rows run through their padding too; to stop at each row's length, read the state at its last real step.
    public func callAsFunction(_ x: Tensor, initial: Tensor? = nil) -> (outputs: Tensor, last: Tensor) {
        precondition(x.rank == 3, "GRU: input must be [B, T, inputSize], got \(x.shape)")
        let b = x.shape[0], steps = x.shape[1]
        var h = initial ?? Tensor.zeros([b, cell.hiddenSize], dtype: x.dtype)
        var outs: [Tensor] = []
        for t in 0..<steps {
            h = cell(x.slice(axis: 1, t..<(t + 1)).squeezed(1), hidden: h)
            outs.append(h.unsqueezed(1))
        }
        let outputs = steps == 0 ? Tensor.zeros([b, 0, cell.hiddenSize], dtype: x.dtype) : Tensor.concatenate(outs, axis: 1)
        return (outputs, h)
    }
}
