import Foundation

/// Character-level token ids: one id per Unicode `Character` (an extended grapheme cluster, so "é", "中" and a
/// flag emoji are each one token; "\r\n" never appears because corpora are read line by line and joined with
/// "\n"). Ids follow the order of the characters' Unicode scalars, so the same text always gives the same ids.
public struct CharacterVocabulary: Sendable, Equatable {
    /// Id → character (as a one-character string, the checkpoint form).
    public let characters: [String]
    private let ids: [String: Int]

    /// The characters of `text`, sorted by their scalars.
    public init(building text: String) {
        let unique = Set(text.map { String($0) })
        self.init(validated: unique.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
    }

    /// A vocabulary read back from a checkpoint: each entry exactly one character, none repeated.
    public init(characters: [String]) throws(LanguageModelError) {
        var seen = Set<String>()
        for (i, c) in characters.enumerated() {
            guard c.count == 1 else { throw .vocabulary("entry \(i) is \(c.debugDescription), not one character") }
            guard seen.insert(c).inserted else { throw .vocabulary("entry \(i) \(c.debugDescription) is repeated") }
        }
        guard !characters.isEmpty else { throw .vocabulary("the vocabulary is empty") }
        self.init(validated: characters)
    }

    private init(validated characters: [String]) {
        self.characters = characters
        ids = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0) })
    }

    /// The number of characters, V.
    public var count: Int { characters.count }

    /// The id of `c`, or nil when the vocabulary does not know it.
    public func id(of c: Character) -> Int? { ids[String(c)] }

    /// The ids of `text`; a character the vocabulary lacks throws with its position (line and column, 1-based,
    /// in characters) in `source`.
    public func encode(_ text: String, source: String) throws(LanguageModelError) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(text.count)
        var line = 1, column = 1
        for c in text {
            guard let id = ids[String(c)] else {
                throw .unknownCharacter(source: source, character: String(c), line: line, column: column, vocabularySize: count)
            }
            out.append(id)
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return out
    }

    /// The text of `ids`; every id must be in `0..<count` (ids come from the model, so a wrong one is a bug).
    public func decode(_ ids: [Int]) -> String { ids.map { characters[$0] }.joined() }
}

/// What a language-model corpus, prompt, checkpoint or option got wrong.
public enum LanguageModelError: Error, CustomStringConvertible, Equatable {
    /// The corpus has no characters.
    case emptyCorpus(source: String)
    /// The corpus is shorter than one training window (`needed` characters).
    case corpusTooShort(source: String, characters: Int, needed: Int)
    /// A character the model's vocabulary does not have, and where it is.
    case unknownCharacter(source: String, character: String, line: Int, column: Int, vocabularySize: Int)
    /// A vocabulary read from a checkpoint is malformed (an entry of several characters, a repeat).
    case vocabulary(String)
    /// A configuration that cannot build a model (the message names the field).
    case configuration(String)

    /// The message: the source, line and column of the character, and what was expected.
    public var description: String {
        switch self {
        case .emptyCorpus(let s): return "\(s): the corpus has no text (a language model needs characters to learn from)"
        case let .corpusTooShort(s, n, needed): return "\(s): the corpus has \(n) characters; training needs at least \(needed)"
        case let .unknownCharacter(s, c, l, col, v):
            let scalars = c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(s): line \(l), column \(col): the character \(c.debugDescription) (\(scalars)) is not in the model's vocabulary of \(v) characters"
        case .vocabulary(let m): return "vocabulary: \(m)"
        case .configuration(let m): return m
        }
    }
}
