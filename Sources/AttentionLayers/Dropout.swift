import AttentionTensorCore

/// Inverted dropout: in training, zeroes each element with probability p and scales survivors by 1/(1−p);
/// the identity in evaluation. Seeded: the same seed gives the same masks in the same order.
public final class Dropout: Module {
    /// p, the probability of zeroing an element while training.
    public let probability: Double
    private var rng: RandomGenerator

    /// Dropout with probability `probability` in [0, 1) and its own seeded stream.
    public init(probability: Double, seed: UInt64 = 0) {
        precondition((0..<1).contains(probability), "Dropout: probability \(probability) is not in [0, 1)")
        self.probability = probability
        rng = RandomGenerator(seed: seed)
    }

    /// x with dropout applied in training mode; x itself in evaluation mode or when p = 0.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return x }
        let keep = Tensor.bernoulli(x.shape, probability: 1 - probability, dtype: x.dtype, using: &rng)
        return x * keep * (1 / (1 - probability))
    }
}
