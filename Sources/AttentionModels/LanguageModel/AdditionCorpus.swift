import Attention
import AttentionTraining

/// The built-in corpus of the language model (`--corpus builtin:addition`): one line `a+b=c` for every pair of
/// two-digit numbers a, b in 10…99 (8,100 sums), of which a fixed 3 % (243 pairs, a seeded draw) is held out:
/// those pairs never appear in the training text, and the held-out prompts `a+b=` measure whether the model
/// learnt to add rather than to remember. The training lines are in a seeded shuffled order (so a held-out
/// validation tail of the text is not all one first operand).
public struct AdditionCorpus: Sendable {
    public struct Pair: Sendable, Equatable, Hashable {
        public let a: Int, b: Int
        public var line: String { "\(a)+\(b)=\(a + b)" }
        public var prompt: String { "\(a)+\(b)=" }
        public var answer: String { "\(a + b)" }
    }

    public static let name = "builtin:addition"
    public let train: [Pair]
    public let heldOut: [Pair]

    /// The corpus (seed 1 is the built-in one; the same seed gives the same split everywhere).
    public init(seed: UInt64 = 1, heldOutFraction: Double = 0.03) {
        var pairs: [Pair] = []
        for a in 10...99 { for b in 10...99 { pairs.append(Pair(a: a, b: b)) } }
        var rng = RandomGenerator(seed: seed)
        rng.shuffle(&pairs)
        let held = Int((Double(pairs.count) * heldOutFraction).rounded())
        heldOut = pairs[..<held].sorted { ($0.a, $0.b) < ($1.a, $1.b) }
        train = Array(pairs[held...])
    }

    /// The training text: one line per training pair, each ended by "\n".
    public var trainingText: String { train.map { $0.line + "\n" }.joined() }

    /// The held-out lines as a text (for bits per character on sums never seen).
    public var heldOutText: String { heldOut.map { $0.line + "\n" }.joined() }
}

extension CharacterLanguageModel {
    /// The share of `pairs` whose prompt `a+b=` the model completes, greedily, with exactly `a+b` followed by
    /// the end of the line (or by nothing more within the answer's length + 1 characters).
    public func completionAccuracy(_ pairs: [AdditionCorpus.Pair]) throws(LanguageModelError) -> Double {
        guard !pairs.isEmpty else { return 0 }
        var right = 0
        for p in pairs {
            let completion = try complete(p.prompt, maxTokens: p.answer.count + 1, strategy: .greedy, stopAtNewline: true)
            if completion == p.answer + "\n" { right += 1 }
        }
        return Double(right) / Double(pairs.count)
    }
}
