import Attention
import AttentionText

/// What one decoding of a source produced, in ids: the target ids without `<eos>`, one alignment row per step
/// (each row has one weight per source token; the `<eos>` step's row is included when it was reached) and
/// whether `<eos>` was reached within the length limit.
public struct DecodedTranslation: Sendable, Equatable {
    /// The target word ids produced, without `<sos>` and `<eos>`.
    public let ids: [Int]
    /// The alignment [T_out, S]: row t is where step t looked (the Transformer: the last layer's mean over heads).
    public let alignment: [[Double]]
    /// Whether the decoder emitted `<eos>` within the length limit.
    public let reachedEnd: Bool
    /// Per decoder layer and head, the cross-attention rows [layer][head][row][column] (the Transformer only).
    public var crossAttention: [[[[Double]]]]?

    /// A decoded sentence from its parts (the translators make these; `Translator/translations(of:maxLength:beam:)` turns them into words).
    public init(ids: [Int], alignment: [[Double]], reachedEnd: Bool, crossAttention: [[[[Double]]]]? = nil) {
        self.ids = ids; self.alignment = alignment; self.reachedEnd = reachedEnd; self.crossAttention = crossAttention
    }
}

/// A translation in words: the target words produced, the alignment [T_out, S] (row t: where step t looked;
/// columns are the source words of `WordVocabulary.words(in:)`), and whether the decoder ended it with `<eos>`.
///
/// When the decoder never emits `<eos>` within the length limit, `reachedEnd` is false and the alignment has one
/// row per word; otherwise it has one more row, for `<eos>`. ``rowLabels`` gives the labels in both cases.
public struct TranslationResult: Sendable, Equatable {
    /// The target words produced (`<unk>` for an id the target vocabulary cannot name).
    public let words: [String]
    /// The alignment [T_out, S]; see `rowLabels` for its rows and `sourceWords` for its columns.
    public let alignment: [[Double]]
    /// False when the output stopped at the length limit without `<eos>`.
    public let reachedEnd: Bool
    /// The source words the vocabulary does not know (translated as `<unk>`), in order.
    public let unknownWords: [String]
    /// The source tokens (the alignment's columns).
    public var sourceWords: [String] = []
    /// [layer][head][row][column] cross-attention of the Transformer, when it was asked for.
    public var crossAttention: [[[[Double]]]]?

    /// A translation from its parts; `sourceWords` and `crossAttention` are set afterwards.
    public init(words: [String], alignment: [[Double]], reachedEnd: Bool, unknownWords: [String]) {
        self.words = words; self.alignment = alignment; self.reachedEnd = reachedEnd; self.unknownWords = unknownWords
    }

    /// The alignment's row labels: the words, and `<eos>` when the decoder produced it.
    public var rowLabels: [String] { reachedEnd ? words + [WordVocabulary.specialTokens[WordVocabulary.end]] : words }
}

/// A French → English (any → any) translation model trained on word ids: both architectures of
/// `attention translate` (``BahdanauTranslator``, ``TransformerTranslator``) conform.
public protocol Translator: Module {
    /// The source (French) words, in id order.
    var sourceVocabulary: WordVocabulary { get }
    /// The target (English) words, in id order.
    var targetVocabulary: WordVocabulary { get }
    /// Teacher-forced mean cross-entropy over target words and `<eos>` (padding ignored). Ids without specials.
    func loss(sources: [[Int]], targets: [[Int]], labelSmoothing: Double) -> Tensor
    /// Greedy (`beam` ≤ 1) or beam-search decoding of every source (ids without specials, each non-empty).
    func decode(_ sources: [[Int]], maxLength: Int, beam: Int) -> [DecodedTranslation]
    /// The alignment rows [T + 1, S] while reading `target` under teacher forcing (last row: `<eos>`).
    func teacherForcedAlignment(source: [Int], target: [Int]) -> [[Double]]
}

extension Translator {
    /// Ids of `sentence`'s words and the words the source vocabulary does not know.
    public func sourceIDs(_ sentence: String) -> (words: [String], ids: [Int], unknown: [String]) {
        let words = WordVocabulary.words(in: sentence), ids = words.map(sourceVocabulary.id(for:))
        return (words, ids, zip(words, ids).filter { $0.1 == WordVocabulary.unknown }.map(\.0))
    }

    /// Translations of `sentences` with at most `maxLength` words each; see ``TranslationResult``.
    public func translations(of sentences: [String], maxLength: Int = 30, beam: Int = 1) -> [TranslationResult] {
        let read = sentences.map(sourceIDs)
        let nonEmpty = read.indices.filter { !read[$0].ids.isEmpty }
        let decoded = nonEmpty.isEmpty ? [] : decode(nonEmpty.map { read[$0].ids }, maxLength: maxLength, beam: beam)
        var out = read.map { r in
            var t = TranslationResult(words: [], alignment: [], reachedEnd: true, unknownWords: r.unknown)
            t.sourceWords = r.words
            return t
        }
        for (i, d) in zip(nonEmpty, decoded) {
            var t = TranslationResult(words: d.ids.map { targetVocabulary.word(for: $0) ?? WordVocabulary.specialTokens[WordVocabulary.unknown] },
                                      alignment: d.alignment, reachedEnd: d.reachedEnd, unknownWords: read[i].unknown)
            t.sourceWords = read[i].words
            t.crossAttention = d.crossAttention
            out[i] = t
        }
        return out
    }

    /// Greedy translation of `sentence` with at most `maxLength` words; see ``TranslationResult``.
    public func translation(of sentence: String, maxLength: Int = 30) -> TranslationResult {
        translations(of: [sentence], maxLength: maxLength)[0]
    }

    /// Greedy translation of `sentence`: the target words and the alignment [T_out, S]; the alignment has a last
    /// row for `<eos>` only when the decoder produced it (``translation(of:maxLength:)`` says which).
    public func translate(_ sentence: String, maxLength: Int = 30) -> (words: [String], alignment: [[Double]]) {
        let t = translation(of: sentence, maxLength: maxLength)
        return (t.words, t.alignment)
    }
}
