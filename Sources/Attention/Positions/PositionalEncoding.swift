import Foundation
import AttentionLayers
import AttentionTensorCore

/// Positional information for attention, which by itself is order-blind.
public enum PositionalEncoding {
    /// The sinusoidal table of "Attention Is All You Need": for position p and i < ⌈d/2⌉,
    /// PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)). Shape [length, dimension];
    /// computed in Float64, then rounded to `dtype`. Positions start at `offset` (for decoding).
    public static func sinusoidal(length: Int, dimension d: Int, offset: Int = 0, base: Double = 10_000,
                                  dtype: DType = .float32) -> Tensor {
        var values = [Double](repeating: 0, count: length * d)
        for p in 0..<length {
            for j in 0..<d {
                let angle = Double(p + offset) / Foundation.pow(base, Double(2 * (j / 2)) / Double(d))
                values[p * d + j] = j % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle)
            }
        }
        return Tensor(shape: [length, d], doubles: values).cast(to: dtype)
    }

    /// ALiBi head slopes (Press et al.): for H a power of two, m_h = 2^(−8h/H), h = 1…H. Otherwise the slopes of the
    /// nearest lower power of two, followed by every other slope of the next power of two (the paper's recipe).
    public static func alibiSlopes(heads: Int) -> [Double] {
        func powerOfTwo(_ n: Int) -> [Double] { (1...n).map { Foundation.pow(2, -8 * Double($0) / Double(n)) } }
        let lower = 1 << Int(Foundation.log2(Double(heads)).rounded(.down))
        if lower == heads { return powerOfTwo(heads) }
        let extra = powerOfTwo(2 * lower).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        return powerOfTwo(lower) + extra.prefix(heads - lower)
    }

    /// ALiBi bias −m_h·|i′ − j| as an additive mask [1, H, L, S], where i′ = i + (S − L) aligns the last query with
    /// the last key (decoding with a cache). Combine with `.causal(.lowerRight)` for the causal model of the paper.
    public static func alibiBias(heads: Int, queryLength l: Int, keyLength s: Int, dtype: DType = .float32) -> Tensor {
        let slopes = alibiSlopes(heads: heads)
        var values = [Double](repeating: 0, count: heads * l * s)
        for h in 0..<heads { for i in 0..<l { for j in 0..<s {
            values[(h * l + i) * s + j] = -slopes[h] * Double(Swift.abs(i + s - l - j))
        } } }
        return Tensor(shape: [1, heads, l, s], doubles: values).cast(to: dtype)
    }
}

/// Rotary position embedding (RoPE, Su et al.): rotates each pair of features of q and k by an angle
/// proportional to the position, so qᵀk depends on the relative offset only.
///
/// For position p and pair i < E/2, θᵢ = base^(−2i/E); the pair (x₁, x₂) becomes (x₁cos pθᵢ − x₂sin pθᵢ,
/// x₂cos pθᵢ + x₁sin pθᵢ). `pairing` says which features form a pair: `.interleaved` (2i, 2i+1) as in the paper and
/// GPT-J; `.halves` (i, i + E/2) as in GPT-NeoX and Hugging Face Llama.
public struct RotaryEmbedding: Sendable {
    /// Which features form a rotated pair: `interleaved` (2i, 2i+1), `halves` (i, i + E/2).
    public enum Pairing: Sendable { case interleaved, halves }
    /// E, the last dimension of the tensors rotated (even).
    public let dimension: Int
    /// The base of the angle frequencies θᵢ = base^(−2i/E) (10 000 in the paper and most models).
    public let base: Double
    /// Which features are rotated together (see `Pairing`).
    public let pairing: Pairing

    /// A rotation for tensors whose last dimension is `dimension`, which must be even (a precondition).
    /// The default `.halves` pairing is Hugging Face Llama's; a checkpoint trained with `.interleaved` (GPT-J, the
    /// paper) gives wrong outputs, not an error, if loaded with the other pairing.
    public init(dimension: Int, base: Double = 10_000, pairing: Pairing = .halves) {
        precondition(dimension % 2 == 0, "RotaryEmbedding: dimension must be even, got \(dimension)")
        self.dimension = dimension
        self.base = base
        self.pairing = pairing
    }

    /// x [..., L, E] with positions offset, offset+1, … along L → the rotated tensor (same shape). Differentiable.
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        precondition(x.shape.last == dimension, "RotaryEmbedding: input \(x.shape) does not end with dimension \(dimension)")
        let l = x.shape[x.rank - 2], e = dimension, half = e / 2
        var cosValues = [Double](repeating: 0, count: l * e), sinValues = cosValues
        for p in 0..<l {
            for i in 0..<half {
                let angle = Double(p + offset) * Foundation.pow(base, -2 * Double(i) / Double(e))
                let (a, b) = pairing == .interleaved ? (2 * i, 2 * i + 1) : (i, i + half)
                cosValues[p * e + a] = Foundation.cos(angle); cosValues[p * e + b] = Foundation.cos(angle)
                // The rotated partner enters with −sin for the first element of a pair and +sin for the second.
                sinValues[p * e + a] = -Foundation.sin(angle); sinValues[p * e + b] = Foundation.sin(angle)
            }
        }
        let cosT = Tensor(shape: [l, e], doubles: cosValues).cast(to: x.dtype)
        let sinT = Tensor(shape: [l, e], doubles: sinValues).cast(to: x.dtype)
        return x * cosT + partner(x) * sinT
    }

    /// The tensor whose element a is the other member of a's pair.
    private func partner(_ x: Tensor) -> Tensor {
        let e = dimension
        switch pairing {
        case .halves:
            return Tensor.concatenate([x.slice(axis: -1, (e / 2)..<e), x.slice(axis: -1, 0..<(e / 2))], axis: -1)
        case .interleaved:
            let index = (0..<e).map { $0 ^ 1 }
            return x.indexSelect(axis: x.rank - 1, index)
        }
    }
}

/// Learned absolute positions: a [maxLength, dimension] table added to the input (BERT, GPT-2).
public final class LearnedPositionalEmbedding: Module {
    /// The learned table [maxLength, dimension]: row p is added at position p.
    public let table: Embedding

    /// A table of `maxLength` positions of `dimension` features, drawn from N(0, 1) (as `Embedding` does).
    /// Inputs longer than `maxLength` (with the offset) are a precondition failure.
    public init(maxLength: Int, dimension: Int, rng: inout RandomGenerator) {
        table = Embedding(count: maxLength, dimension: dimension, rng: &rng)
    }

    /// The table, under the name `"table"` (its weight is `table.weight`).
    override public var children: [(String, Module)] { [("table", table)] }

    /// x [B, L, D] → x + table[offset..<offset+L].
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        let l = x.shape[x.rank - 2], maxLength = table.weight.value.shape[0]
        precondition(offset + l <= maxLength, "LearnedPositionalEmbedding: positions up to \(offset + l) exceed maxLength \(maxLength)")
        return x + table(Array(offset..<(offset + l)), shape: [l])
    }
}
