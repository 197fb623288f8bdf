import Attention
import AttentionText

/// Held-out figures of a translator: exact match over whole sentences, corpus BLEU, and — on the grammar corpus —
/// how often the alignment crosses where the word order flips.
public struct TranslationEvaluation: Sendable, Equatable {
    /// The number of pairs scored.
    public let pairs: Int
    /// Fraction of pairs whose translation equals the reference token for token (``WordVocabulary/words(in:)``).
    public let exactMatch: Double
    /// sacrebleu's corpus BLEU (0–100, 13a tokenisation) of the hypotheses (target words joined by spaces, no
    /// `<eos>`) against the reference lines.
    public let bleu: Double
    /// The hypotheses, in the order of the pairs.
    public let hypotheses: [String]

    /// Decodes every source (batches of `batchSize`, greedy or beam `beam`) and scores the result.
    public static func evaluate(_ model: any Translator, pairs: [TranslationPair], beam: Int = 1, maxLength: Int = 30) -> TranslationEvaluation {
        let hypotheses = translate(model, pairs.map(\.source), beam: beam, maxLength: maxLength)
        let exact = zip(hypotheses, pairs).filter { $0 == WordVocabulary.words(in: $1.target).joined(separator: " ") }.count
        let bleu = pairs.isEmpty ? 0 : BLEU.corpus(hypotheses: hypotheses, references: pairs.map(\.target)).score
        return TranslationEvaluation(pairs: pairs.count, exactMatch: pairs.isEmpty ? 0 : Double(exact) / Double(pairs.count),
                                     bleu: bleu, hypotheses: hypotheses)
    }

    /// The exact match alone (what training reports on its validation split).
    public static func exactMatch(_ model: any Translator, pairs: [TranslationPair]) -> Double {
        guard !pairs.isEmpty else { return 0 }
        let hypotheses = translate(model, pairs.map(\.source), beam: 1, maxLength: 30)
        return Double(zip(hypotheses, pairs).filter { $0 == WordVocabulary.words(in: $1.target).joined(separator: " ") }.count) / Double(pairs.count)
    }

    /// Target words joined by spaces, one string per source, decoded in batches of 64 (greedy) or one by one (beam),
    /// at most max(`maxLength`, 2 × the longest source + 5) words each.
    static func translate(_ model: any Translator, _ sources: [String], beam: Int, maxLength: Int) -> [String] {
        var out: [String] = []
        for start in stride(from: 0, to: sources.count, by: 64) {
            let chunk = Array(sources[start..<min(start + 64, sources.count)])
            // Long sentences of another corpus must not be cut by a limit meant for short ones.
            let limit = max(maxLength, 2 * (chunk.map { WordVocabulary.words(in: $0).count }.max() ?? 0) + 5)
            out += model.translations(of: chunk, maxLength: limit, beam: beam).map { $0.words.joined(separator: " ") }
        }
        return out
    }

    /// The alignment probes of the grammar corpus: for every noun–adjective crossing of `examples` (French noun then
    /// adjective, English adjective then noun), whether the model's alignment row for the English adjective has its
    /// maximum on the French adjective **and** the row for the English noun on the French noun. Rows come from a
    /// teacher-forced reading of the reference English, so every probe is scored even when the greedy output differs.
    /// Returns the fraction of probes that cross correctly and their number.
    public static func alignmentAccuracy(_ model: any Translator, examples: [GrammarCorpus.Example]) -> (accuracy: Double, probes: Int) {
        var probes = 0, right = 0
        for e in examples where !e.crossings.isEmpty {
            let source = model.sourceIDs(e.french).ids, target = e.english.isEmpty ? [] : model.targetVocabulary.encode(e.english)
            guard !source.isEmpty else { continue }
            let rows = model.teacherForcedAlignment(source: source, target: target)
            for c in e.crossings {
                probes += 1
                if argmax(rows[c.targetAdjective]) == c.sourceAdjective && argmax(rows[c.targetNoun]) == c.sourceNoun { right += 1 }
            }
        }
        return (probes == 0 ? 0 : Double(right) / Double(probes), probes)
    }

    static func argmax(_ row: [Double]) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }
}
