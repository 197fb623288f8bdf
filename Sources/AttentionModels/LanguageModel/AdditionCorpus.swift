import Attention
import AttentionTraining

/// The built-in corpus of the language model (`--corpus builtin:addition`): one line `a+b=c` for every pair of
/// two-digit numbers a, b in 10…99 (8,100 sums), of which a fixed 3 % (243 pairs, a seeded draw) is held out:
/// those pairs never appear in the training text, and the held-out prompts `a+b=` measure whether the model
/// learnt to add rather than to remember. The training lines are in a seeded shuffled order (so a held-out
/// validation tail of the text is not all one first operand).
public struct AdditionCorpus: Sendable {
    /// One sum a + b with two-digit operands.
    public struct Pair: Sendable, Equatable, Hashable {
        /// The operands, each in 10…99.
        public let a: Int, b: Int
        /// The corpus line "a+b=c".
        public var line: String { "\(a)+\(b)=\(a + b)" }
        /// The prompt "a+b=" the model completes.
        public var prompt: String { "\(a)+\(b)=" }
        /// The expected completion, the digits of a + b.
        public var answer: String { "\(a + b)" }
    }

    /// The name `--corpus` gives the built-in corpus.
    public static let name = "builtin:addition"
    /// The training sums, in a seeded shuffled order.
    public let train: [Pair]
    /// The held-out sums (never in the training text), sorted.
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
