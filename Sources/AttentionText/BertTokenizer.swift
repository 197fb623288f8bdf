import AttentionSupport
/// BERT's tokenizer (basic tokenizer + WordPiece + `[CLS]`/`[SEP]`), reproducing Hugging Face's token ids.
///
/// Special tokens written in the text (`[MASK]`, `[SEP]`...) are recognised first, exactly as written, and keep their
/// ids; the rest goes through ``BasicTokenizer`` and ``WordPiece``. Encoding adds `[CLS]` … `[SEP]` and truncates to a
/// maximum length that counts them (the content keeps its first `maxLength − 2` tokens, as Hugging Face's
/// `truncation=True` does for one sentence).
///
/// ```swift
/// let tokenizer = try BertTokenizer(modelDirectory: "~/.cache/attention/all-MiniLM-L6-v2")
/// tokenizer.encode("Hello, world!")          // [101, 7592, 1010, 2088, 999, 102]
/// let batch = tokenizer.encode(batch: ["Hi", "A longer sentence."])
/// print(batch.inputIDs, batch.attentionMask)  // padded to the longest, mask 1 = real token
/// ```
public struct BertTokenizer: Sendable {
    /// The tokens with special roles.
    public struct SpecialTokens: Sendable, Equatable {
        /// The token of words the vocabulary cannot split.
        public var unknown = "[UNK]"
        /// The token that starts every sequence.
        public var classifier = "[CLS]"
        /// The token that ends each text.
        public var separator = "[SEP]"
        /// The token that pads a batch's shorter rows.
        public var padding = "[PAD]"
        /// The masked-language-model token.
        public var mask = "[MASK]"
        /// BERT's special tokens.
        public init() {}
        var all: [String] { [unknown, classifier, separator, padding, mask] }
    }

    /// How to pad a batch.
    public enum Padding: Sendable, Equatable {
        /// To the longest sequence of the batch (sentence-transformers' `padding=True`).
        case longest
        /// To a fixed length (sequences are truncated to it first).
        case fixed(Int)
        /// No padding: rows keep their own lengths.
        case none
    }

    /// Splits text into words (cleaning, lower-casing, accents, punctuation, CJK).
    public let basic: BasicTokenizer
    /// Splits each word into vocabulary pieces.
    public let wordPiece: WordPiece
    /// The tokens with special roles.
    public let specialTokens: SpecialTokens
    /// The default maximum length of ``encode(_:maxLength:addSpecialTokens:)``, special tokens included: the model
    /// folder's sentence-transformers `max_seq_length` (256 for all-MiniLM-L6-v2) when present, else the tokenizer's
    /// `model_max_length` (512), else 512.
    public let maxLength: Int
    /// Strings matched verbatim in the input and mapped straight to their ids (Hugging Face's "added tokens").
    let addedTokens: [(scalars: [Unicode.Scalar], id: Int)]
    let classifierID: Int, separatorID: Int, paddingID: Int

    /// The WordPiece vocabulary.
    public var vocabulary: Vocabulary { wordPiece.vocabulary }
    /// Which Unicode tables the basic tokenizer follows (Hugging Face's fast tokenizer or a Python version).
    public var compatibility: Compatibility { basic.compatibility }

    /// A tokenizer over `vocabulary`. Throws when a special token is missing from it (`source` names the file).
    public init(vocabulary: Vocabulary, basic: BasicTokenizer = BasicTokenizer(), specialTokens: SpecialTokens = SpecialTokens(),
                addedTokens: [String]? = nil, maxInputCharsPerWord: Int = 100, continuingSubwordPrefix: String = "##",
                maxLength: Int = 512, source: String = "<vocabulary>") throws(TokenizerError) {
        func id(_ token: String) throws(TokenizerError) -> Int {
            guard let id = vocabulary.id(for: token) else { throw .missingSpecialToken(file: source, token: token) }
            return id
        }
        classifierID = try id(specialTokens.classifier)
        separatorID = try id(specialTokens.separator)
        paddingID = try id(specialTokens.padding)
        _ = try id(specialTokens.unknown)
        self.basic = basic
        self.specialTokens = specialTokens
        self.maxLength = maxLength
        self.wordPiece = WordPiece(vocabulary: vocabulary, unknownToken: specialTokens.unknown,
                                   continuingSubwordPrefix: continuingSubwordPrefix, maxInputCharsPerWord: maxInputCharsPerWord)
        var added: [(scalars: [Unicode.Scalar], id: Int)] = []
        for token in addedTokens ?? specialTokens.all where !token.isEmpty {
            if let id = vocabulary.id(for: token) { added.append((Array(token.unicodeScalars), id)) }
        }
        self.addedTokens = added
    }

    // MARK: Tokenizing

    /// The token strings of `text`, without `[CLS]` / `[SEP]`.
    public func tokenize(_ text: String) -> [String] {
        ids(Array(text.unicodeScalars)).map { vocabulary.token(for: $0) ?? specialTokens.unknown }
    }

    /// The ids of `text`: `[CLS]`, the tokens, `[SEP]` (unless `addSpecialTokens` is false), at most `maxLength` in all
    /// (nil: ``maxLength``). A limit is the caller's choice, so one below 2 (no room for `[CLS]` and `[SEP]`) or
    /// below 0 is a programming error: it stops with a message naming the limit, in every build.
    public func encode(_ text: String, maxLength: Int? = nil, addSpecialTokens: Bool = true) -> [Int] {
        let limit = maxLength ?? self.maxLength
        precondition(limit >= (addSpecialTokens ? 2 : 0),
                     "BertTokenizer.encode: maxLength \(limit) leaves no room for " + (addSpecialTokens ? "[CLS] and [SEP] (needs ≥ 2)" : "tokens (needs ≥ 0)"))
        var content = ids(Array(text.unicodeScalars))
        guard addSpecialTokens else { return Array(content.prefix(limit)) }
        if content.count > limit - 2 { content.removeLast(content.count - (limit - 2)) }
        return [classifierID] + content + [separatorID]
    }

    /// Encodes several texts for one forward pass: each as ``encode(_:maxLength:addSpecialTokens:)``, then padded with
    /// `[PAD]`; the attention mask is 1 on real tokens and 0 on padding; token type ids are all 0 (one segment).
    /// Limits below 2 (`maxLength` or `.fixed(n)`) stop with a message, as in the single-text form.
    public func encode(batch texts: [String], maxLength: Int? = nil, padding: Padding = .longest) -> BatchEncoding {
        var limit = maxLength ?? self.maxLength
        if case .fixed(let n) = padding {
            precondition(n >= 2, "BertTokenizer.encode(batch:): padding .fixed(\(n)) leaves no room for [CLS] and [SEP] (needs ≥ 2)")
            limit = min(limit, n)
        }
        let rows = texts.map { encode($0, maxLength: limit) }
        let width: Int
        switch padding {
        case .longest: width = rows.map(\.count).max() ?? 0
        case .fixed(let n): width = n
        case .none: width = 0
        }
        var encoding = BatchEncoding()
        for row in rows {
            let pad = max(width - row.count, 0)
            encoding.inputIDs.append(row + Array(repeating: paddingID, count: pad))
            encoding.attentionMask.append(Array(repeating: 1, count: row.count) + Array(repeating: 0, count: pad))
            encoding.tokenTypeIDs.append(Array(repeating: 0, count: row.count + pad))
        }
        return encoding
    }

    /// The tokens of some ids (unknown ids give `[UNK]`).
    public func tokens(for ids: [Int]) -> [String] {
        ids.map { vocabulary.token(for: $0) ?? specialTokens.unknown }
    }

    /// Content ids: added tokens first, the text between them through the basic tokenizer and WordPiece.
    func ids(_ text: [Unicode.Scalar]) -> [Int] {
        var out: [Int] = []
        var segmentStart = 0
        var i = 0
        func flush(_ end: Int) {
            guard segmentStart < end else { return }
            for word in basic.words(Array(text[segmentStart..<end])) { out.append(contentsOf: wordPiece.pieces(word)) }
        }
        while i < text.count {
            // Leftmost-longest match, as tokenizers' Aho-Corasick and transformers' trie both find.
            var best: (length: Int, id: Int)?
            for (scalars, id) in addedTokens where scalars.count > (best?.length ?? 0) && i + scalars.count <= text.count {
                if text[i..<(i + scalars.count)].elementsEqual(scalars) { best = (scalars.count, id) }
            }
            if let best {
                flush(i)
                out.append(best.id)
                i += best.length
                segmentStart = i
            } else {
                i += 1
            }
        }
        flush(text.count)
        return out
    }
}

/// Token ids of a batch, padded to one width, with the attention mask a BERT model expects.
///
/// ```swift
/// let batch = tokenizer.encode(batch: ["a", "b c"])
/// batch.inputIDs       // [[101, 1037, 102, 0], [101, 1038, 1039, 102]]
/// batch.attentionMask  // [[1, 1, 1, 0], [1, 1, 1, 1]]
/// ```
public struct BatchEncoding: Sendable, Equatable {
    /// The ids of each row, padded as asked.
    public var inputIDs: [[Int]] = []
    /// 1 for a real token, 0 for padding.
    public var attentionMask: [[Int]] = []
    /// The segment ids of each row (0 for a single text).
    public var tokenTypeIDs: [[Int]] = []

    /// An empty batch.
    public init() {}

    /// Real tokens per row (special tokens included).
    public var lengths: [Int] { attentionMask.map { $0.reduce(0, +) } }
}

