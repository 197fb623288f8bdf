/// WordPiece: splits one word into the longest vocabulary pieces, left to right.
///
/// Greedy longest-match-first: from the current position take the longest substring in the vocabulary (written with
/// the `##` prefix unless it starts the word), and go on after it. A word longer than `maxInputCharsPerWord` code
/// points, or one with a position where no piece matches, becomes the single unknown token.
///
/// ```swift
/// let vocab = Vocabulary(tokens: ["[UNK]", "un", "##aff", "##able"])
/// let wordPiece = WordPiece(vocabulary: vocab)
/// wordPiece.pieces(of: "unaffable")   // [1, 2, 3]
/// wordPiece.pieces(of: "xyz")         // [0]  ([UNK])
/// ```
public struct WordPiece: Sendable {
    /// The subword vocabulary (token ↔ id).
    public let vocabulary: Vocabulary
    /// The token a word becomes when it cannot be split into known pieces ("[UNK]").
    public let unknownToken: String
    /// The prefix of a piece that continues a word ("##").
    public let continuingSubwordPrefix: String
    /// Longer words (in characters) become the unknown token whole, as in Hugging Face (100).
    public let maxInputCharsPerWord: Int
    let unknownID: Int
    let prefixBytes: [UInt8]

    /// A greedy longest-match-first splitter over `vocabulary`, as BERT's WordPiece.
    /// - Precondition: `unknownToken` is in the vocabulary (``BertTokenizer`` checks this with a typed error first).
    public init(vocabulary: Vocabulary, unknownToken: String = "[UNK]", continuingSubwordPrefix: String = "##",
                maxInputCharsPerWord: Int = 100) {
        guard let unk = vocabulary.id(for: unknownToken) else {
            preconditionFailure("WordPiece: the unknown token \(unknownToken) is not in the vocabulary")
        }
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.unknownID = unk
        self.prefixBytes = Array(continuingSubwordPrefix.utf8)
    }

    /// The ids of the pieces of one word (a word from ``BasicTokenizer``: no whitespace inside).
    public func pieces(of word: String) -> [Int] { pieces(Array(word.unicodeScalars)) }

    func pieces(_ word: [Unicode.Scalar]) -> [Int] {
        if word.count > maxInputCharsPerWord { return [unknownID] }
        // UTF-8 of the word and where each scalar starts, so that candidate pieces are byte slices.
        var bytes: [UInt8] = []
        var starts: [Int] = []
        bytes.reserveCapacity(word.count)
        for s in word {
            starts.append(bytes.count)
            UTF8.encode(s) { bytes.append($0) }
        }
        starts.append(bytes.count)

        var ids: [Int] = []
        var start = 0
        var key: [UInt8] = []
        while start < word.count {
            var end = word.count
            var found: Int?
            while start < end {
                key.removeAll(keepingCapacity: true)
                if start > 0 { key.append(contentsOf: prefixBytes) }
                key.append(contentsOf: bytes[starts[start]..<starts[end]])
                if let id = vocabulary.id(utf8: key) { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            ids.append(id)
            start = end
        }
        return ids
    }
}
