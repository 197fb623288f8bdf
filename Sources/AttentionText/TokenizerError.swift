/// What can go wrong loading a tokenizer. Every message names the file and what was expected.
///
/// ```swift
/// do {
///     _ = try BertTokenizer(modelDirectory: "/models/missing")
/// } catch {
///     print(error)   // /models/missing: file not found
/// }
/// ```
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tokenizer file does not exist.
    case fileNotFound(file: String)
    /// The tokenizer file could not be read.
    case unreadable(file: String, reason: String)
    /// A model directory with neither vocab.txt nor tokenizer.json.
    case noVocabulary(directory: String)
    /// The vocabulary file holds no tokens.
    case emptyVocabulary(file: String)
    /// The file is not UTF-8; `line` is 1-based.
    case notUTF8(file: String, line: Int)
    /// A Git LFS pointer instead of the real file.
    case gitLFSPointer(file: String)
    /// A JSON file (tokenizer.json, tokenizer_config.json) with a syntax error.
    case malformedJSON(file: String, byteOffset: Int, reason: String)
    /// A JSON field that is missing or has the wrong type, named by its path (e.g. `model.vocab`).
    case invalidField(file: String, field: String, expected: String)
    /// tokenizer.json describes something other than a BERT WordPiece tokenizer.
    case unsupported(file: String, what: String)
    /// Two tokens share an id, or an id is negative.
    case malformedVocabulary(file: String, reason: String)
    /// A special token the tokenizer needs is not in the vocabulary.
    case missingSpecialToken(file: String, token: String)

    /// The message, naming the file or input and what was wrong.
    public var description: String {
        switch self {
        case let .fileNotFound(file): return "\(file): file not found"
        case let .unreadable(file, reason): return "\(file): cannot read: \(reason)"
        case let .noVocabulary(directory): return "\(directory): no \(ModelFolder.vocabularyName) or \(ModelFolder.tokenizerName) in this directory"
        case let .emptyVocabulary(file): return "\(file): the vocabulary is empty"
        case let .notUTF8(file, line): return "\(file): not valid UTF-8 (line \(line))"
        case let .gitLFSPointer(file):
            return "\(file): a Git LFS pointer, not the real file (run 'git lfs pull' or Scripts/fetch-minilm.sh)"
        case let .malformedJSON(file, offset, reason): return "\(file): invalid JSON at byte \(offset): \(reason)"
        case let .invalidField(file, field, expected): return "\(file): field '\(field)' must be \(expected)"
        case let .unsupported(file, what): return "\(file): unsupported tokenizer: \(what)"
        case let .malformedVocabulary(file, reason): return "\(file): malformed vocabulary: \(reason)"
        case let .missingSpecialToken(file, token): return "\(file): the vocabulary has no \(token) token"
        }
    }
}
