import AttentionTensorCore

extension RandomGenerator {
    /// Fisher–Yates shuffle driven by this generator (the same seed gives the same order on every platform).
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, integer(below: i + 1))
        }
    }
}

/// Mini-batches of example indices, bucketed by length so that a batch pads little: each epoch shuffles the
/// examples, sorts windows of `batchSize × window` of them by length, cuts the windows into batches and shuffles
/// the batches. Seeded, so a run is reproducible bit for bit.
///
/// ```swift
/// var batches = LengthBatches(lengths: sentences.map(\.count), batchSize: 32, seed: 1)
/// for _ in 0..<steps { let indices = batches.next(); … }
/// ```
public struct LengthBatches: Sendable {
    /// The length of each example (what the batches are bucketed by).
    public let lengths: [Int]
    /// Examples per batch (the last batch of an epoch may hold fewer).
    public let batchSize: Int
    /// Batches per sorting window: larger windows pad less and shuffle less.
    public let window: Int
    private var rng: RandomGenerator
    private var queue: [[Int]] = []
    /// Completed passes over the examples.
    public private(set) var epoch = 0

    /// Batches over `lengths.count` examples; the same seed gives the same batches.
    public init(lengths: [Int], batchSize: Int, window: Int = 50, seed: UInt64) {
        precondition(!lengths.isEmpty, "LengthBatches: no examples")
        precondition(batchSize > 0 && window > 0, "LengthBatches: batchSize \(batchSize) and window \(window) must be positive")
        self.lengths = lengths; self.batchSize = batchSize; self.window = window
        rng = RandomGenerator(seed: seed)
    }

    /// Batches in one epoch: ⌈examples / batchSize⌉ (each window is a whole number of batches but the last), so
    /// `epochs × batchesPerEpoch` steps make `epochs` passes over the examples (`--epochs`).
    public var batchesPerEpoch: Int { (lengths.count + batchSize - 1) / batchSize }

    /// The next batch (a new epoch starts when the last one is used up).
    public mutating func next() -> [Int] {
        if queue.isEmpty { refill() }
        return queue.removeLast()
    }

    private mutating func refill() {
        epoch += 1
        var order = Array(lengths.indices)
        rng.shuffle(&order)
        var batches: [[Int]] = []
        let span = batchSize * window
        for start in stride(from: 0, to: order.count, by: span) {
            // Stable: equal lengths keep their shuffled order.
            let chunk = order[start..<min(start + span, order.count)].enumerated()
                .sorted { (lengths[$0.element], $0.offset) < (lengths[$1.element], $1.offset) }.map(\.element)
            for b in stride(from: 0, to: chunk.count, by: batchSize) { batches.append(Array(chunk[b..<min(b + batchSize, chunk.count)])) }
        }
        rng.shuffle(&batches)
        queue = batches.reversed()
    }
}

/// Splits `count` examples into training and validation indices (a seeded shuffle; at least one of each when
/// `count ≥ 2` and the fraction is positive).
public func trainValidationSplit(count: Int, validationFraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
    precondition((0..<1).contains(validationFraction), "trainValidationSplit: fraction \(validationFraction) must be in [0, 1)")
    var order = Array(0..<count)
    var rng = RandomGenerator(seed: seed)
    rng.shuffle(&order)
    var held = Int((Double(count) * validationFraction).rounded())
    if validationFraction > 0 && count >= 2 { held = min(max(held, 1), count - 1) }
    return (Array(order[held...]).sorted(), Array(order[..<held]).sorted())
}
