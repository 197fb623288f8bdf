import Foundation
import Testing
@testable import AttentionText

/// Reading vocabularies and tokenizer files, WordPiece on a toy vocabulary, and the errors. Needs no model.
struct VocabularyTests {
    static func write(_ bytes: [UInt8], _ name: String, in dir: String) -> String {
        let path = dir + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "could not write \(path)")
        return path
    }

    @Test func vocabTxtLinesAreIdsWithPythonsNewlineRules() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // \n, \r\n and \r all end a line; a final newline adds nothing; an empty line is a token ""; trailing spaces stay.
        let path = Self.write(Array("[PAD]\r\nhello\rworld\n\ntrail \n".utf8), "vocab.txt", in: dir)
        let vocab = try Vocabulary(contentsOf: path)
        #expect(vocab.tokens == ["[PAD]", "hello", "world", "", "trail "])
        #expect(vocab.id(for: "world") == 2 && vocab.id(for: "") == 3 && vocab.id(for: "trail") == nil)
        // A repeated token keeps its last line, like transformers' load_vocab.
        let dup = try Vocabulary(contentsOf: Self.write(Array("a\nb\na\n".utf8), "dup.txt", in: dir))
        #expect(dup.id(for: "a") == 2 && dup.count == 3)
    }

    @Test func tokensAreComparedByCodePoints() {
        let vocab = Vocabulary(tokens: ["[UNK]", "\u{AC00}", "\u{1100}", "##\u{1161}"])
        // The syllable and its jamo spelling are equal as Swift Strings but are different tokens.
        #expect(vocab.id(for: "\u{AC00}") == 1)
        #expect(vocab.id(for: "\u{1100}\u{1161}") == nil)
        let wp = WordPiece(vocabulary: vocab)
        #expect(wp.pieces(of: "\u{1100}\u{1161}") == [2, 3])
    }

    @Test func vocabularyErrorsNameTheFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: TokenizerError.fileNotFound(file: dir + "/none.txt")) { try Vocabulary(contentsOf: dir + "/none.txt") }
        let empty = Self.write([], "empty.txt", in: dir)
        #expect(throws: TokenizerError.emptyVocabulary(file: empty)) { try Vocabulary(contentsOf: empty) }
        let latin1 = Self.write([0x61, 0x0A, 0x63, 0x61, 0x66, 0xE9, 0x0A], "latin1.txt", in: dir)
        #expect(throws: TokenizerError.notUTF8(file: latin1, line: 2)) { try Vocabulary(contentsOf: latin1) }
        let lfs = Self.write(Array("version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 231508\n".utf8), "lfs.txt", in: dir)
        #expect(throws: TokenizerError.gitLFSPointer(file: lfs)) { try Vocabulary(contentsOf: lfs) }
        #expect(TokenizerError.notUTF8(file: latin1, line: 2).description == "\(latin1): not valid UTF-8 (line 2)")
    }

    @Test func wordPieceIsGreedyLongestMatchFirst() {
        let vocab = Vocabulary(tokens: ["[UNK]", "un", "##aff", "##able", "una", "##ff", "a", "##a"])
        let wp = WordPiece(vocabulary: vocab, maxInputCharsPerWord: 5)
        #expect(wp.pieces(of: "unaff") == [4, 5])          // "una" beats "un", then "##ff"
        #expect(wp.pieces(of: "aaaaa") == [6, 7, 7, 7, 7])
        #expect(wp.pieces(of: "aaaaaa") == [0])            // 6 code points > 5: one [UNK]
        #expect(wp.pieces(of: "unx") == [0])               // no piece matches "x": the whole word is [UNK]
    }

    @Test func aModelDirectoryNeedsAVocabularyAndItsSpecialTokens() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: TokenizerError.noVocabulary(directory: dir)) { try BertTokenizer(modelDirectory: dir) }
        #expect(throws: TokenizerError.fileNotFound(file: dir + "/missing")) { try BertTokenizer(modelDirectory: dir + "/missing") }
        let vocab = Self.write(Array("[PAD]\n[CLS]\n[SEP]\nhello\n".utf8), "vocab.txt", in: dir)
        #expect(throws: TokenizerError.missingSpecialToken(file: vocab, token: "[UNK]")) { try BertTokenizer(modelDirectory: dir) }
        _ = Self.write(Array("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##s\n,\n".utf8), "vocab.txt", in: dir)
        _ = Self.write(Array(#"{"do_lower_case": true, "model_max_length": 8, "unk_token": {"content": "[UNK]"}}"#.utf8), "tokenizer_config.json", in: dir)
        let tokenizer = try BertTokenizer(modelDirectory: dir)
        #expect(tokenizer.maxLength == 8)
        #expect(tokenizer.encode("Hellos, HELLO x") == [2, 5, 6, 7, 5, 1, 3])
        #expect(tokenizer.encode("hello hello hello hello hello hello hello") == [2] + Array(repeating: 5, count: 6) + [3])
    }

    @Test func tokenizerJSONIsReadAndCheckedStrictly() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func tokenizerJSON(_ vocab: String, model: String = "WordPiece", normalizer: String = #"{"type":"BertNormalizer","lowercase":false,"strip_accents":null,"handle_chinese_chars":true,"clean_text":true}"#) -> [UInt8] {
            Array(###"{"added_tokens":[{"id":4,"content":"[MASK]","special":true}],"normalizer":\###(normalizer),"pre_tokenizer":{"type":"BertPreTokenizer"},"model":{"type":"\###(model)","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":\###(vocab)}}"###.utf8)
        }
        let path = Self.write(tokenizerJSON(#"{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"[MASK]":4,"Hi":5,"\u00e9":6,"e\u0301":7}"#), "tokenizer.json", in: dir)
        let tokenizer = try BertTokenizer(modelDirectory: dir)
        #expect(!tokenizer.basic.lowercase)
        #expect(tokenizer.vocabulary.id(for: "\u{E9}") == 6 && tokenizer.vocabulary.id(for: "e\u{301}") == 7)
        #expect(tokenizer.encode("Hi [MASK] hi") == [2, 5, 4, 1, 3])

        _ = Self.write(tokenizerJSON(#"{"[UNK]":0,"a":0}"#), "tokenizer.json", in: dir)
        #expect(throws: TokenizerError.malformedVocabulary(file: path, reason: "id 0 is given to two tokens")) { try BertTokenizer(modelDirectory: dir) }
        _ = Self.write(tokenizerJSON(#"{"[UNK]":0}"#, model: "BPE"), "tokenizer.json", in: dir)
        #expect(throws: TokenizerError.unsupported(file: path, what: "model type BPE, expected WordPiece")) { try BertTokenizer(modelDirectory: dir) }
        _ = Self.write(tokenizerJSON(#"{"[UNK]":0}"#, normalizer: #"{"type":"NFKC"}"#), "tokenizer.json", in: dir)
        #expect(throws: TokenizerError.unsupported(file: path, what: "normalizer NFKC, expected BertNormalizer")) { try BertTokenizer(modelDirectory: dir) }
        _ = Self.write(tokenizerJSON("{}"), "tokenizer.json", in: dir)
        #expect(throws: TokenizerError.emptyVocabulary(file: path)) { try BertTokenizer(modelDirectory: dir) }
        _ = Self.write(Array(#"{"model": {"vocab": {"a": 1,}}}"#.utf8), "tokenizer.json", in: dir)
        let error = #expect(throws: TokenizerError.self) { try BertTokenizer(modelDirectory: dir) }
        #expect(error?.description.hasPrefix(path + ": invalid JSON at byte") == true)
    }
}
