import AttentionCKernels
import Foundation

/// The activation functions of the Transformer family: the one activation type of the package (layers, feed-forward
/// blocks, and the fused GEMM epilogue of ``Tensor/linear(weight:bias:activation:packed:)``, which applies ReLU and the
/// exact GELU to each tile in L1 and the others after).
public enum Activation: String, Sendable, CaseIterable {
    /// max(x, 0).
    case relu
    /// GELU with the exact Gauss error function: x·Φ(x) = x/2·(1 + erf(x/√2)) (BERT, PyTorch's default).
    case gelu
    /// GELU's tanh approximation: x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))) (GPT-2, `approximate="tanh"`).
    case geluTanh
    /// SiLU / swish: x·σ(x).
    case silu

    /// The activation applied elementwise to `x` (differentiable).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return x.relu()
        case .gelu: return x.geluExact()
        case .geluTanh: return x * 0.5 * (1 + ((x + 0.044715 * x * x * x) * (2 / Double.pi).squareRoot()).tanh())
        case .silu: return x * x.sigmoid()
        }
    }
}

extension Activation? {
    /// The GEMM epilogue for this activation, nil when the kernel has none (then it is applied after the GEMM).
    var kernel: ck_activation? {
        switch self {
        case nil: return CK_ACT_NONE
        case .relu?: return CK_ACT_RELU
        case .gelu?: return CK_ACT_GELU_ERF
        case .geluTanh?, .silu?: return nil
        }
    }
}
