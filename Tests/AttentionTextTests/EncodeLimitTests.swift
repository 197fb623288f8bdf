import Foundation
import Testing
@testable import AttentionText

/// Limits too small for `[CLS]` and `[SEP]`: a message naming the limit (every build), not a bare trap.
struct EncodeLimitTests {
    static func tokenizer() throws -> BertTokenizer {
        try BertTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hi"]))
    }

    @Test func limitsOfTwoStillWork() throws {
        let t = try Self.tokenizer()
        #expect(t.encode("hi hi", maxLength: 2) == [2, 3])
        #expect(t.encode(batch: ["hi"], padding: .fixed(2)).inputIDs == [[2, 3]])
        #expect(t.encode("hi hi", maxLength: 0, addSpecialTokens: false) == [])
    }

    @Test func fixedPaddingOfOneStopsWithAMessage() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try EncodeLimitTests.tokenizer().encode(batch: ["hi"], padding: .fixed(1))
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("padding .fixed(1) leaves no room for [CLS] and [SEP]"), "\(text)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try EncodeLimitTests.tokenizer().encode("hi", maxLength: 1)
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("maxLength 1 leaves no room for [CLS] and [SEP] (needs ≥ 2)"), "\(text)")
        }
    }

    @Test func aModelFolderWithTooSmallALimitIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhi\n".write(toFile: dir + "/vocab.txt", atomically: true, encoding: .utf8)
        try "{\"max_seq_length\": 1}".write(toFile: dir + "/sentence_bert_config.json", atomically: true, encoding: .utf8)
        #expect(throws: TokenizerError.invalidField(file: dir + "/sentence_bert_config.json", field: "max_seq_length",
                                                    expected: "an integer ≥ 2 (room for [CLS] and [SEP]), found 1")) {
            try BertTokenizer(modelDirectory: dir)
        }
    }
}
