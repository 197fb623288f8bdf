import Foundation
import AttentionTensorCore

/// The activation functions of the Transformer family.
public enum Activation: String, Sendable, CaseIterable {
    case relu
    /// GELU with the exact Gauss error function: x·Φ(x) = x/2·(1 + erf(x/√2)) (BERT, PyTorch's default).
    case gelu
    /// GELU's tanh approximation: x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))) (GPT-2, `approximate="tanh"`).
    case geluTanh
    /// SiLU / swish: x·σ(x).
    case silu

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return x.relu()
        case .gelu: return x.geluExact()
        case .geluTanh: return x * 0.5 * (1 + ((x + 0.044715 * x * x * x) * (2 / Double.pi).squareRoot()).tanh())
        case .silu: return x * x.sigmoid()
        }
    }
}
