import Attention

/// The position-wise feed-forward network of a Transformer block, applied to every position independently.
///
///     plain(f):  y = W₂ · dropout(f(W₁x + b₁)) + b₂                  (PyTorch's linear1 → activation → linear2)
///     gated(f):  y = W₂ · dropout(f(W_g x + b_g) ∘ (W₁x + b₁)) + b₂   (GLU family; SwiGLU is gated(silu))
///
/// Shapes: x [..., D] → y [..., D]; W₁, W_g [F, D], W₂ [D, F] (F = `hiddenDim`, PyTorch's dim_feedforward).
/// Parameters: `upProjection` (W₁), `downProjection` (W₂), `gateProjection` (W_g, gated kinds only).
public final class FeedForward: Module {
    /// The activation and whether it gates (see the formulas above).
    public enum Kind: Sendable, Equatable {
        /// W₂ · f(W₁x + b₁) + b₂.
        case plain(Activation)
        /// W₂ · (f(W_g x + b_g) ∘ (W₁x + b₁)) + b₂ (the GLU family).
        case gated(Activation)

        /// PyTorch's default feed-forward, ReLU.
        public static let relu = Kind.plain(.relu)
        /// GELU (exact, erf form), as BERT and GPT-2.
        public static let gelu = Kind.plain(.gelu)
        /// Shazeer (2020): gated SiLU, as in PaLM and Llama.
        public static let swiGLU = Kind.gated(.silu)
    }

    /// The kind this network computes.
    public let kind: Kind
    /// W₁, b₁: D → F.
    public let upProjection: Linear
    /// W₂, b₂: F → D.
    public let downProjection: Linear
    /// W_g, b_g: D → F (gated kinds only).
    public let gateProjection: Linear?
    /// The dropout after the activation (identity when not training).
    public let dropout: Dropout

    /// A freshly initialised network D → F → D drawn from `rng`; `dropoutSeed` seeds its dropout.
    public init(modelDim: Int, hiddenDim: Int, kind: Kind = .relu, bias: Bool = true, dropout: Double = 0,
                dropoutSeed: UInt64 = 0, rng: inout RandomGenerator) {
        precondition(modelDim > 0 && hiddenDim > 0, "FeedForward: modelDim \(modelDim) and hiddenDim \(hiddenDim) must be positive")
        self.kind = kind
        upProjection = Linear(inputSize: modelDim, outputSize: hiddenDim, bias: bias, rng: &rng)
        downProjection = Linear(inputSize: hiddenDim, outputSize: modelDim, bias: bias, rng: &rng)
        if case .gated = kind {
            gateProjection = Linear(inputSize: modelDim, outputSize: hiddenDim, bias: bias, rng: &rng)
        } else {
            gateProjection = nil
        }
        self.dropout = Dropout(probability: dropout, seed: dropoutSeed)
    }

    /// The projections in checkpoint order.
    override public var children: [(String, Module)] {
        [("upProjection", upProjection), ("downProjection", downProjection)]
            + (gateProjection.map { [("gateProjection", $0)] } ?? []) + [("dropout", dropout)]
    }

    /// y [..., D] for x [..., D], position by position.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let hidden: Tensor
        switch kind {
        case .plain(let f): hidden = upProjection(x, activation: f)   // ReLU / GELU run in the GEMM's epilogue
        case .gated(let f): hidden = f(gateProjection!(x)) * upProjection(x)
        }
        return downProjection(dropout(hidden))
    }

    /// Our names ↔ PyTorch's (`linear1`, `linear2` as in `nn.TransformerEncoderLayer`; `linear_gate` for the gate,
    /// which PyTorch's layers do not have).
    public var pyTorchKeyMap: PyTorchKeyMap {
        var renames = [("linear1.weight", "upProjection.weight"), ("linear2.weight", "downProjection.weight")]
        if upProjection.bias != nil { renames += [("linear1.bias", "upProjection.bias"), ("linear2.bias", "downProjection.bias")] }
        if let gate = gateProjection {
            renames.append(("linear_gate.weight", "gateProjection.weight"))
            if gate.bias != nil { renames.append(("linear_gate.bias", "gateProjection.bias")) }
        }
        return PyTorchKeyMap(renames: renames)
    }
}
