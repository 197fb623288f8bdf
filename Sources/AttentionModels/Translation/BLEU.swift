import Foundation

/// Corpus BLEU as sacrebleu computes it by default (`sacrebleu.corpus_bleu(hyps, [refs])`): the `13a` tokenisation of
/// mteval-v13a, case kept, n-grams of orders 1…4 clipped by the reference counts, the brevity penalty of the whole
/// corpus, and the `exp` smoothing of mteval (an order with no match counts as 1/2ᵏ of a match, k the number of such
/// orders so far).
///
///     BLEU = BP · exp(¼ Σₙ log pₙ) · 100,   pₙ = matched n-grams / hypothesis n-grams,
///     BP = 1 if c ≥ r else exp(1 − r/c)   (c, r: hypothesis and closest-reference lengths, summed over the corpus)
///
/// Scores are on sacrebleu's 0–100 scale. Texts are whole sentences (detokenised or not: 13a splits punctuation), so a
/// translator's output is scored as its tokens joined by spaces.
///
/// ```swift
/// let s = BLEU.corpus(hypotheses: ["the blue car ."], references: ["the blue car."])
/// s.score   // 100 (13a splits "car." into "car" ".")
/// ```
public enum BLEU {
    /// The sufficient statistics of a corpus and the score they give.
    public struct Score: Sendable, Equatable {
        /// BLEU on the 0–100 scale.
        public let score: Double
        /// Matched n-grams of orders 1…4, clipped by the reference counts.
        public let matches: [Int]
        /// Hypothesis n-grams of orders 1…4.
        public let totals: [Int]
        /// Smoothed n-gram precisions, in percent (sacrebleu's `precisions`).
        public let precisions: [Double]
        /// min(1, e^(1 − r/c)): the penalty for hypotheses shorter than the references.
        public let brevityPenalty: Double
        /// Tokens in the hypotheses (c) and in the closest references (r).
        public let hypothesisLength: Int, referenceLength: Int
    }

    /// BLEU's largest n-gram order (4, as sacrebleu).
    public static let maxOrder = 4

    /// Corpus BLEU of `hypotheses` against one reference each.
    public static func corpus(hypotheses: [String], references: [String], lowercase: Bool = false) -> Score {
        precondition(hypotheses.count == references.count,
                     "BLEU.corpus: \(hypotheses.count) hypotheses for \(references.count) references")
        return corpus(hypotheses: hypotheses, referenceSets: [references], lowercase: lowercase)
    }

    /// Corpus BLEU against several reference streams (`referenceSets[k][i]` is the k-th reference of sentence i), as
    /// sacrebleu's `corpus_bleu(hyps, [refs1, refs2, …])`: counts clipped by the maximum over the references, and
    /// the reference length closest to the hypothesis (the shorter one on a tie).
    public static func corpus(hypotheses: [String], referenceSets: [[String]], lowercase: Bool = false) -> Score {
        precondition(!referenceSets.isEmpty, "BLEU.corpus: no reference stream")
        for set in referenceSets {
            precondition(set.count == hypotheses.count,
                         "BLEU.corpus: a reference stream has \(set.count) sentences for \(hypotheses.count) hypotheses")
        }
        var matches = [Int](repeating: 0, count: maxOrder), totals = matches
        var hypothesisLength = 0, referenceLength = 0
        for (i, hypothesis) in hypotheses.enumerated() {
            let hyp = tokenize13a(prepare(hypothesis, lowercase: lowercase))
            var referenceCounts: [[String]: Int] = [:], lengths: [Int] = []
            for set in referenceSets {
                let ref = tokenize13a(prepare(set[i], lowercase: lowercase))
                lengths.append(ref.count)
                for (gram, count) in ngramCounts(ref) { referenceCounts[gram] = max(referenceCounts[gram] ?? 0, count) }
            }
            hypothesisLength += hyp.count
            referenceLength += closestLength(to: hyp.count, among: lengths)
            for (gram, count) in ngramCounts(hyp) {
                totals[gram.count - 1] += count
                matches[gram.count - 1] += min(count, referenceCounts[gram] ?? 0)
            }
        }
        return score(matches: matches, totals: totals, hypothesisLength: hypothesisLength, referenceLength: referenceLength)
    }

    /// The score of given statistics (sacrebleu's `compute_bleu` with `smooth_method='exp'`, no effective order).
    public static func score(matches: [Int], totals: [Int], hypothesisLength c: Int, referenceLength r: Int) -> Score {
        precondition(matches.count == maxOrder && totals.count == maxOrder, "BLEU.score: statistics of orders 1…\(maxOrder) expected")
        let bp = c < r ? (c > 0 ? exp(1 - Double(r) / Double(c)) : 0) : 1
        var precisions = [Double](repeating: 0, count: maxOrder)
        guard matches.contains(where: { $0 > 0 }) else {
            return Score(score: 0, matches: matches, totals: totals, precisions: precisions, brevityPenalty: bp,
                         hypothesisLength: c, referenceLength: r)
        }
        var smoothing = 1.0
        for n in 0..<maxOrder {
            // No hypothesis n-grams of this order (every sentence shorter than n): this and higher orders keep
            // precision 0, which makes the score 0, as in sacrebleu.
            if totals[n] == 0 { break }
            if matches[n] == 0 {
                smoothing *= 2
                precisions[n] = 100 / (smoothing * Double(totals[n]))
            } else {
                precisions[n] = 100 * Double(matches[n]) / Double(totals[n])
            }
        }
        // sacrebleu floors log 0 at −9999999999, so a zero precision zeroes the score without an −∞.
        let logSum = precisions.reduce(0.0) { $0 + ($1 == 0 ? -9_999_999_999 : log($1)) }
        return Score(score: bp * exp(logSum / Double(maxOrder)), matches: matches, totals: totals, precisions: precisions,
                     brevityPenalty: bp, hypothesisLength: c, referenceLength: r)
    }

    /// The closest reference length; on a tie the shorter one.
    static func closestLength(to length: Int, among lengths: [Int]) -> Int {
        var best = lengths[0]
        for l in lengths.dropFirst() {
            let d = abs(length - l), bestD = abs(length - best)
            if d < bestD || (d == bestD && l < best) { best = l }
        }
        return best
    }

    /// n-grams of orders 1…4 with their counts.
    static func ngramCounts(_ tokens: [String]) -> [[String]: Int] {
        var counts: [[String]: Int] = [:]
        for n in 1...maxOrder where tokens.count >= n {
            for start in 0...(tokens.count - n) { counts[Array(tokens[start..<start + n]), default: 0] += 1 }
        }
        return counts
    }

    /// sacrebleu lowercases (optionally) and strips trailing white space before tokenising.
    static func prepare(_ text: String, lowercase: Bool) -> String {
        let s = lowercase ? text.lowercased() : text
        var scalars = Array(s.unicodeScalars)
        while let last = scalars.last, isPythonSpace(last) { scalars.removeLast() }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}
