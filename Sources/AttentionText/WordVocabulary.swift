/// A word-level vocabulary for small translation and classification corpora, built from the text itself.
///
/// Words are found by ``WordVocabulary/words(in:)``: lower-cased, split on whitespace, punctuation as words of its
/// own, and an elision kept with its apostrophe ("j'ai" → "j'", "ai"; "l'homme" → "l'", "homme"). Ids 0…3 are
/// the special tokens `<pad>`, `<sos>`, `<eos>`, `<unk>`; the rest follow in order of first appearance, so the
/// same corpus always gives the same ids.
///
/// ```swift
/// let vocab = WordVocabulary(building: ["je suis étudiant .", "il est grand ."])
/// vocab.encode("Je suis grand!")   // [4, 5, 10, 3]: "!" was never seen → <unk>
/// ```
public struct WordVocabulary: Sendable, Equatable {
    /// The ids of the special tokens: padding, start of sentence, end of sentence, unknown word.
    public static let pad = 0, start = 1, end = 2, unknown = 3
    /// The special tokens' words, in id order (ids 0–3).
    public static let specialTokens = ["<pad>", "<sos>", "<eos>", "<unk>"]

    /// The words in id order, the four special tokens first.
    public private(set) var words: [String]
    private var ids: [String: Int]

    /// The words of `sentences` (and the special tokens), in order of first appearance. Words seen fewer than
    /// `minimumCount` times map to `<unk>`.
    public init(building sentences: [String], minimumCount: Int = 1) {
        var counts: [String: Int] = [:], order: [String] = []
        for s in sentences {
            for w in Self.words(in: s) {
                if counts[w] == nil { order.append(w) }
                counts[w, default: 0] += 1
            }
        }
        words = Self.specialTokens + order.filter { counts[$0]! >= minimumCount && !Self.specialTokens.contains($0) }
        ids = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($0.element, $0.offset) })
    }

    /// A vocabulary saved earlier (e.g. in a checkpoint): `words` in id order, starting with the special tokens.
    public init(words: [String]) throws(VocabularyError) {
        guard Array(words.prefix(Self.specialTokens.count)) == Self.specialTokens else {
            throw .missingSpecialTokens(found: Array(words.prefix(Self.specialTokens.count)))
        }
        var ids: [String: Int] = [:]
        for (i, w) in words.enumerated() {
            if ids[w] != nil { throw .duplicate(word: w, id: i) }
            ids[w] = i
        }
        self.words = words
        self.ids = ids
    }

    /// Why a saved word list is not a vocabulary.
    public enum VocabularyError: Error, CustomStringConvertible, Equatable {
        /// A stored vocabulary does not start with the four special tokens.
        case missingSpecialTokens(found: [String])
        /// A stored vocabulary lists a word twice.
        case duplicate(word: String, id: Int)

        /// The message, naming what was wrong.
        public var description: String {
            switch self {
            case .missingSpecialTokens(let found):
                return "the vocabulary must start with \(WordVocabulary.specialTokens), found \(found)"
            case let .duplicate(word, id): return "the vocabulary lists \"\(word)\" twice (again at id \(id))"
            }
        }
    }

    /// The number of words, special tokens included.
    public var count: Int { words.count }

    /// The id of `word` (`<unk>` when absent).
    public func id(for word: String) -> Int { ids[word] ?? Self.unknown }

    /// The word of `id`, or nil when out of range.
    public func word(for id: Int) -> String? { words.indices.contains(id) ? words[id] : nil }

    /// Ids of the words of `sentence`, optionally between `<sos>` and `<eos>`.
    public func encode(_ sentence: String, addStart: Bool = false, addEnd: Bool = false) -> [Int] {
        (addStart ? [Self.start] : []) + Self.words(in: sentence).map(id(for:)) + (addEnd ? [Self.end] : [])
    }

    /// The words of `ids` joined by spaces, stopping at `<eos>` and skipping `<pad>` and `<sos>`.
    public func decode(_ ids: [Int]) -> String {
        var out: [String] = []
        for id in ids {
            if id == Self.end { break }
            if id == Self.pad || id == Self.start { continue }
            out.append(word(for: id) ?? Self.specialTokens[Self.unknown])
        }
        return out.joined(separator: " ")
    }

    /// Lower-cased words; punctuation characters are words of their own; an apostrophe ends a word (elision).
    public static func words(in sentence: String) -> [String] {
        var out: [String] = [], current = ""
        func flush() { if !current.isEmpty { out.append(current); current = "" } }
        for ch in sentence.lowercased() {
            if ch.isWhitespace {
                flush()
            } else if ch == "'" || ch == "’" {
                current.append("'")
                flush()
            } else if ch.isPunctuation || ch.isSymbol {
                flush()
                out.append(String(ch))
            } else {
                current.append(ch)
            }
        }
        flush()
        return out
    }

    /// Equal word lists (the id table follows from them).
    public static func == (a: WordVocabulary, b: WordVocabulary) -> Bool { a.words == b.words }
}
