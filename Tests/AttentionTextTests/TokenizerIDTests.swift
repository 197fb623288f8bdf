import Foundation
import Testing
@testable import AttentionText

/// Token ids of all-MiniLM-L6-v2's tokenizer against Hugging Face (Tests/AttentionTextTests/Fixtures/tokenizer_ids.json, from
/// Scripts/make_minilm_fixtures.py). Needs the model folder (see ``MiniLM``).
struct TokenizerIDTests {
    struct Sentence: Sendable, CustomStringConvertible {
        let text: String
        let fast: [Int]
        let python: [Int]
        let truncated: [Int: [Int]]
        var description: String {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "\"\(shown.unicodeScalars.map { $0.properties.isWhitespace || $0.value < 0x20 ? "·" : String($0) }.joined())\""
        }
    }

    static let fixture: (sentences: [Sentence], batchTexts: [String], batchIDs: [[Int]], batchMask: [[Int]]) = {
        let json = try! JSONSerialization.jsonObject(with: Fixtures.data("tokenizer_ids.json")) as! [String: Any]
        let sentences = (json["sentences"] as! [[String: Any]]).map { s -> Sentence in
            let fast = s["input_ids"] as! [Int]
            var truncated: [Int: [Int]] = [:]
            for n in [256, 512] { truncated[n] = s["input_ids_\(n)"] as? [Int] }
            return Sentence(text: s["text"] as! String, fast: fast, python: s["python_input_ids"] as? [Int] ?? fast, truncated: truncated)
        }
        let batch = json["batch"] as! [String: Any]
        return (sentences, batch["texts"] as! [String], batch["input_ids"] as! [[Int]], batch["attention_mask"] as! [[Int]])
    }()

    static let modelDirectory: String? = try? MiniLM.directory.get()
    static let fast: BertTokenizer? = modelDirectory.flatMap { try? BertTokenizer(modelDirectory: $0) }
    static let python: BertTokenizer? = modelDirectory.flatMap { try? BertTokenizer(modelDirectory: $0, compatibility: .python311) }

    @Test func theModelFolderIsAvailable() throws {
        let dir = try MiniLM.directory.get()
        let tokenizer = try BertTokenizer(modelDirectory: dir)
        #expect(tokenizer.vocabulary.count == 30522)
        #expect(tokenizer.maxLength == 256)  // sentence_bert_config.json's max_seq_length
        #expect(tokenizer.vocabulary.id(for: "[CLS]") == 101 && tokenizer.vocabulary.id(for: "[SEP]") == 102)
    }

    @Test func theFixtureCoversTheCasesTheIssueNames() {
        let texts = Self.fixture.sentences.map(\.text)
        #expect(texts.count >= 60)
        #expect(texts.contains("") && texts.contains("Café naïve résumé") && texts.contains("我爱北京天安门"))
        #expect(Self.fixture.sentences.contains { $0.fast.count > 512 })
        #expect(Self.fixture.sentences.contains { $0.fast != $0.python })
    }

    @Test("ids equal the fast tokenizer's (sentence-transformers)", arguments: fixture.sentences)
    func fastIDs(_ s: Sentence) throws {
        let tokenizer = try #require(Self.fast, "model folder: \(MiniLM.directory)")
        #expect(tokenizer.encode(s.text, maxLength: 100_000) == s.fast)
    }

    @Test("ids equal the Python BertTokenizer's", arguments: fixture.sentences)
    func pythonIDs(_ s: Sentence) throws {
        let tokenizer = try #require(Self.python, "model folder: \(MiniLM.directory)")
        #expect(tokenizer.encode(s.text, maxLength: 100_000) == s.python)
    }

    @Test func truncationKeepsTheFirstTokensAndTheSeparator() throws {
        let tokenizer = try #require(Self.fast)
        var checked = 0
        for s in Self.fixture.sentences {
            for (n, want) in s.truncated {
                #expect(tokenizer.encode(s.text, maxLength: n) == want, "\(s) at \(n)")
                checked += 1
            }
            // The default is the model's 256.
            #expect(tokenizer.encode(s.text) == (s.truncated[256] ?? s.fast))
        }
        #expect(checked >= 3)
    }

    @Test func batchEncodingPadsToTheLongestWithAMask() throws {
        let tokenizer = try #require(Self.fast)
        let batch = tokenizer.encode(batch: Self.fixture.batchTexts, maxLength: 256)
        #expect(batch.inputIDs == Self.fixture.batchIDs)
        #expect(batch.attentionMask == Self.fixture.batchMask)
        #expect(batch.tokenTypeIDs.allSatisfy { $0.allSatisfy { $0 == 0 } && $0.count == batch.inputIDs[0].count })
        #expect(batch.lengths == Self.fixture.batchMask.map { $0.reduce(0, +) })
        let fixed = tokenizer.encode(batch: ["hello world", "a b c d e f"], padding: .fixed(5))
        #expect(fixed.inputIDs == [[101, 7592, 2088, 102, 0], [101, 1037, 1038, 1039, 102]])
        #expect(fixed.attentionMask == [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]])
        let ragged = tokenizer.encode(batch: ["hello", ""], padding: .none)
        #expect(ragged.inputIDs == [[101, 7592, 102], [101, 102]])
    }

    @Test func vocabTxtAndTokenizerJSONGiveTheSameTokenizer() throws {
        let dir = try MiniLM.directory.get()
        let fromJSON = try BertTokenizer(modelDirectory: dir, compatibility: .fast)
        let fromTxt = try BertTokenizer(modelDirectory: dir, compatibility: .python311)
        #expect(fromJSON.vocabulary == fromTxt.vocabulary)
        #expect(fromJSON.basic.lowercase && fromTxt.basic.lowercase)
        #expect(fromJSON.basic.tokenizeChineseCharacters && fromJSON.basic.stripAccents == nil)
        #expect(fromJSON.wordPiece.maxInputCharsPerWord == 100 && fromJSON.wordPiece.continuingSubwordPrefix == "##")
        #expect(fromJSON.specialTokens == fromTxt.specialTokens)
    }

    @Test func tokensAndWordPieces() throws {
        let tokenizer = try #require(Self.fast)
        #expect(tokenizer.tokenize("unaffable playing") == ["una", "##ffa", "##ble", "playing"])
        #expect(tokenizer.tokenize("Hello, [MASK]!") == ["hello", ",", "[MASK]", "!"])
        #expect(tokenizer.tokens(for: [101, 7592, 102]) == ["[CLS]", "hello", "[SEP]"])
        #expect(tokenizer.encode("", maxLength: 2) == [101, 102])
    }
}
