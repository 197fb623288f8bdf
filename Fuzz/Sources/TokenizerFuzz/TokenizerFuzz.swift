import FuzzSupport
@testable import AttentionText

/// libFuzzer entry point for the BERT tokenizer (basic tokenizer + WordPiece + special and added tokens) on any text.
/// The first byte picks the options (lower-casing, accent stripping, CJK spacing, text cleaning, `.fast` or
/// `.python` compatibility, the length limit); the rest, decoded as UTF-8 with replacement, is the text.
///
/// Properties beyond "no crash":
/// - every id is in the vocabulary; `encode` starts with [CLS], ends with [SEP] and keeps to the limit;
/// - `encode` without special tokens or limit gives exactly the ids of `tokenize`'s tokens;
/// - words from the basic tokenizer are never empty and never hold a space;
/// - WordPiece round-trips: a word's pieces (the `##` prefix removed from all but the first) spell the word, unless
///   the word became [UNK];
/// - a batch pads every row to the longest with [PAD] and a 0 in the attention mask, its rows equal single `encode`s.
@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let options = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let tokenizer = Fixture.tokenizers[Int(options & 0x3F)]
    let limit = [2, 3, 16, 512][Int(options >> 6)]
    let vocabulary = tokenizer.vocabulary

    let ids = tokenizer.encode(text, maxLength: limit)
    FuzzSupport.check(ids.count >= 2 && ids.count <= limit, "encode gave \(ids.count) ids for limit \(limit)")
    FuzzSupport.check(ids.first == tokenizer.classifierID && ids.last == tokenizer.separatorID, "encode lost [CLS] or [SEP]")
    FuzzSupport.check(ids.allSatisfy { vocabulary.token(for: $0) != nil }, "an id outside the vocabulary")

    let content = tokenizer.encode(text, maxLength: .max, addSpecialTokens: false)
    let tokens = tokenizer.tokenize(text)
    FuzzSupport.check(content == tokens.map { vocabulary.id(for: $0) ?? -1 }, "tokenize and encode disagree")
    FuzzSupport.check(Array(ids.dropFirst().dropLast()) == Array(content.prefix(limit - 2)), "truncation is not a prefix")

    let unknown = tokenizer.wordPiece.unknownID
    let prefix = Array(tokenizer.wordPiece.continuingSubwordPrefix.utf8)
    for word in tokenizer.basic.words(Array(text.unicodeScalars)) {
        FuzzSupport.check(!word.isEmpty && !word.contains(" "), "the basic tokenizer gave the word \(word)")
        let pieces = tokenizer.wordPiece.pieces(word)
        FuzzSupport.check(!pieces.isEmpty, "WordPiece gave no piece for \(word)")
        if pieces == [unknown] { continue }
        var spelled: [UInt8] = []
        for (k, id) in pieces.enumerated() {
            var piece = Array(vocabulary.token(for: id)!.utf8)
            if k > 0 {
                FuzzSupport.check(piece.starts(with: prefix), "a continuing piece without the prefix")
                piece.removeFirst(prefix.count)
            }
            spelled += piece
        }
        FuzzSupport.check(spelled == Array(String(String.UnicodeScalarView(word)).utf8), "the pieces do not spell the word")
    }

    let batch = tokenizer.encode(batch: [text, ""], maxLength: limit)
    let width = max(ids.count, 2)
    FuzzSupport.check(batch.inputIDs.map(\.count) == [width, width], "batch rows are not padded to the longest")
    FuzzSupport.check(batch.inputIDs[0] == ids + Array(repeating: tokenizer.paddingID, count: width - ids.count), "batch row 0 differs")
    FuzzSupport.check(batch.lengths == [ids.count, 2], "attention mask lengths \(batch.lengths)")
    return 0
}

enum Fixture {
    /// A small vocabulary that still exercises every path: special tokens, each printable ASCII character alone and
    /// as a continuation, a few multi-character pieces, accented, Greek, CJK and emoji tokens.
    static let vocabulary: Vocabulary = {
        var tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let singles = (0x21...0x7E).map { String(Unicode.Scalar(UInt8($0))) }
            + ["é", "è", "ß", "σ", "ς", "ο", "δ", "中", "文", "字", "ı", "🙂", "\u{301}"]
        tokens += singles + singles.map { "##" + $0 }
        tokens += ["the", "##ing", "##ed", "hello", "world", "un", "##aff", "##able", "café", "##é", "über"]
        return Vocabulary(tokens: tokens)
    }()

    /// Every combination of the option bits: lower-case, strip accents (nil / true / false), CJK, clean, compatibility.
    static let tokenizers: [BertTokenizer] = (0..<64).map { bits in
        let strip: Bool? = [nil, true, false, nil][(bits >> 1) & 3]
        let basic = BasicTokenizer(lowercase: bits & 1 != 0, stripAccents: strip, tokenizeChineseCharacters: bits & 8 != 0,
                                   cleanText: bits & 16 != 0, compatibility: bits & 32 != 0 ? .python311 : .fast)
        return try! BertTokenizer(vocabulary: vocabulary, basic: basic, maxInputCharsPerWord: 20)
    }
}
