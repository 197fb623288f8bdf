import Foundation

/// A WordPiece vocabulary: token strings and their ids.
///
/// Tokens are looked up by their exact code points (as UTF-8 bytes), not by Swift `String` equality, which treats
/// canonically equivalent strings as equal: the Hangul syllable `가` and its two jamo `ᄀ` `ᅡ` are different tokens
/// with different ids, exactly as in Python.
///
/// ```swift
/// let vocab = try Vocabulary(contentsOf: "all-MiniLM-L6-v2/vocab.txt")
/// print(vocab.count, vocab.id(for: "hello") ?? -1, vocab.token(for: 101) ?? "?")   // 30522 7592 [CLS]
/// ```
public struct Vocabulary: Sendable, Equatable {
    /// Token of each id; ids with no token (gaps in a tokenizer.json vocab) hold nil.
    public private(set) var tokens: [String?]
    private var ids: [[UInt8]: Int]

    /// A vocabulary where token `k` has id `k`. A token listed twice keeps its last id, like transformers' `load_vocab`.
    public init(tokens: [String]) {
        self.tokens = tokens
        ids = Dictionary(tokens.enumerated().map { (Array($0.element.utf8), $0.offset) }, uniquingKeysWith: { $1 })
    }

    /// A vocabulary from explicit (token, id) pairs, e.g. tokenizer.json's `model.vocab`.
    init(pairs: [(String, Int)]) {
        let size = (pairs.map(\.1).max() ?? -1) + 1
        var tokens = [String?](repeating: nil, count: size)
        var ids: [[UInt8]: Int] = [:]
        for (token, id) in pairs {
            tokens[id] = token
            ids[Array(token.utf8)] = id
        }
        self.tokens = tokens
        self.ids = ids
    }

    /// Reads a `vocab.txt`: one token per line, the id is the line number (from 0).
    ///
    /// Lines end at `\n`, `\r\n` or `\r` (Python's universal newlines, which `load_vocab` relies on); a final newline
    /// does not start an extra token; the file must be UTF-8. A Git LFS pointer or an empty file is an error.
    public init(contentsOf path: String) throws(TokenizerError) {
        let data = try TokenizerFiles.read(path)
        guard !data.isEmpty else { throw .emptyVocabulary(file: path) }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .notUTF8(file: path, line: Self.firstBadLine(data))
        }
        if text.hasPrefix("version https://git-lfs.github.com/spec/") { throw .gitLFSPointer(file: path) }
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for s in text.unicodeScalars {
            if s == "\n" && previousWasCR { previousWasCR = false; continue }  // the \n of \r\n
            previousWasCR = s == "\r"
            if s == "\n" || s == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        self.init(tokens: lines)
    }

    /// Number of ids (the model's vocabulary size).
    public var count: Int { tokens.count }

    /// The id of a token (exact code points), or nil.
    public func id(for token: String) -> Int? { ids[Array(token.utf8)] }

    /// The id of a token given as UTF-8 bytes.
    func id(utf8 bytes: [UInt8]) -> Int? { ids[bytes] }

    /// The token of an id, or nil when out of range or unassigned.
    public func token(for id: Int) -> String? { tokens.indices.contains(id) ? tokens[id] : nil }

    /// Equal tokens in the same id order.
    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.tokens.count == b.tokens.count && zip(a.tokens, b.tokens).allSatisfy { x, y in
            switch (x, y) {
            case (nil, nil): return true
            case let (x?, y?): return x.utf8.elementsEqual(y.utf8)
            default: return false
            }
        }
    }

    private static func firstBadLine(_ data: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (i, b) in data.enumerated() where b == 0x0A {
            if String(validating: data[start..<i], as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return line
    }
}

/// File reading shared by the vocabulary and configuration loaders, with errors that name the file.
enum TokenizerFiles {
    static func read(_ path: String) throws(TokenizerError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .fileNotFound(file: path) }
        if isDirectory.boolValue { throw .unreadable(file: path, reason: "it is a directory") }
        do {
            return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }
}
