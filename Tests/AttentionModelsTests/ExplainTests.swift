import Foundation
import Testing
@testable import AttentionModels
import Attention
import AttentionText

/// Issue 11 items 2–3: all-MiniLM-L6-v2's attention weights against Hugging Face transformers'
/// `output_attentions=True` (Scripts/make_explain_fixtures.py), pair tokenisation, rollout and truncation.
struct ExplainTests {
    struct Tokenization: Decodable, Sendable {
        let text: String; let text_pair: String?; let max_length: Int; let input_ids: [Int]; let token_type_ids: [Int]
    }
    struct Case: Decodable, Sendable {
        let name: String; let text: String; let text_pair: String?
        let input_ids: [Int]; let token_type_ids: [Int]; let tokens: [String]
        let rows: [Int]
        /// [layer][head][row of `rows`][key]
        let attentions: [[[[Double]]]]
    }
    struct File: Decodable { let tokenization: [Tokenization]; let cases: [Case] }

    static let fixture: File = {
        let url = Bundle.module.url(forResource: "explain_attentions", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }()

    nonisolated(unsafe) static let explainer: Result<AttentionExplainer, Error> = Result {
        try AttentionExplainer(directory: URL(fileURLWithPath: try ModelLocator.directory()))
    }

    @Test("weights equal transformers' output_attentions within 1e-5, every layer and head",
          arguments: ["accents", "cjk", "pair", "long120"])
    func weightsMatchHuggingFace(_ name: String) throws {
        let c = try #require(Self.fixture.cases.first { $0.name == name })
        let e = try Self.explainer.get().explain(c.text, c.text_pair)
        #expect(e.inputIDs == c.input_ids)
        #expect(e.tokenTypeIDs == c.token_type_ids)
        #expect(e.tokens == c.tokens)
        #expect(e.attentions.count == c.attentions.count)
        var worst = 0.0
        for (layer, (ours, theirs)) in zip(e.attentions, c.attentions).enumerated() {
            #expect(ours.count == theirs.count)
            for (head, (oh, th)) in zip(ours, theirs).enumerated() {
                var headWorst = 0.0
                for (row, q) in c.rows.enumerated() {
                    #expect(oh[q].count == th[row].count)
                    for (a, b) in zip(oh[q], th[row]) { headWorst = max(headWorst, abs(Double(a) - b)) }
                }
                #expect(headWorst <= 1e-5, "\(name) layer \(layer) head \(head): max |diff| \(headWorst)")
                worst = max(worst, headWorst)
            }
        }
        print("explain \(name): \(c.input_ids.count) tokens, max |diff| vs transformers \(worst)")
    }

    @Test("pairs and truncation give transformers' ids and token types")
    func pairTokenizationMatchesHuggingFace() throws {
        let tokenizer = try Self.explainer.get().tokenizer
        for t in Self.fixture.tokenization {
            let e = tokenizer.encode(pair: t.text, t.text_pair, maxLength: t.max_length)
            #expect(e.inputIDs == t.input_ids, "\(t.text) | \(t.text_pair ?? "-") max \(t.max_length)")
            #expect(e.tokenTypeIDs == t.token_type_ids, "\(t.text) | \(t.text_pair ?? "-") max \(t.max_length)")
        }
    }

    @Test("longest-first keeps the split of the tokenizers library")
    func longestFirstArithmetic() {
        func split(_ a: Int, _ b: Int, _ budget: Int) -> [Int] { let r = BertTokenizer.longestFirst(a, b, budget: budget); return [r.0, r.1] }
        #expect(split(6, 8, 6) == [3, 3])
        #expect(split(8, 6, 7) == [4, 3])
        #expect(split(6, 8, 7) == [3, 4])
        #expect(split(2, 8, 6) == [2, 4])
        #expect(split(2, 3, 9) == [2, 3])
        #expect(split(0, 5, 2) == [0, 2])
    }

    /// Two layers of one head over two tokens, worked by hand:
    /// A₁ = [[1, 0], [0.5, 0.5]] → 0.5·A₁ + 0.5·I = [[1, 0], [0.25, 0.75]] (rows already sum to 1);
    /// A₂ = [[0, 1], [1, 0]] → [[0.5, 0.5], [0.5, 0.5]];
    /// R₂ = Â₂ · Â₁ = [[0.625, 0.375], [0.625, 0.375]].
    @Test("rollout equals a hand-worked two-layer product")
    func rolloutByHand() {
        let a: [[[[Float]]]] = [[[[1, 0], [0.5, 0.5]]], [[[0, 1], [1, 0]]]]
        let r = AttentionExplanation.rollout(a)
        #expect(r.count == 2)
        #expect(r[0] == [[1, 0], [0.25, 0.75]])
        #expect(r[1] == [[0.625, 0.375], [0.625, 0.375]])
        // Two heads are averaged first: heads [[1,0],[0,1]] and [[0,1],[1,0]] average to 0.5 everywhere, and
        // 0.5·0.5 + 0.5·I = [[0.75, 0.25], [0.25, 0.75]].
        let twoHeads: [[[[Float]]]] = [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]]
        #expect(AttentionExplanation.rollout(twoHeads)[0] == [[0.75, 0.25], [0.25, 0.75]])
    }

    @Test("a text over the model's 512 positions is cut as transformers' truncation=True, and says so")
    func truncation() throws {
        let explainer = try Self.explainer.get()
        let text = Array(repeating: "the ferry captain counted gulls.", count: 120).joined(separator: " ")
        let e = try explainer.explain(text)
        #expect(e.tokens.count == 512)
        #expect(e.wasTruncated)
        #expect(e.untruncatedLength == 2 + 120 * 7)
        #expect(e.tokens.last == "[SEP]")
        #expect(e.attentions.allSatisfy { $0.allSatisfy { $0.count == 512 } })
        let short = try explainer.explain("The ferry left.", maxLength: 4)
        #expect(short.tokens == ["[CLS]", "the", "ferry", "[SEP]"])
        #expect(short.untruncatedLength == 6)
        #expect(!(try explainer.explain("The ferry left.")).wasTruncated)
    }

    @Test("empty texts are named errors")
    func emptyText() throws {
        let explainer = try Self.explainer.get()
        #expect(throws: ExplainError.emptyText(which: "TEXT")) { try explainer.explain("") }
        #expect(throws: ExplainError.emptyText(which: "TEXT")) { try explainer.explain("  \t ") }
        #expect(throws: ExplainError.emptyText(which: "SECOND_TEXT")) { try explainer.explain("hello", "") }
    }

    @Test("weights do not change the hidden states, and the plain forward returns none")
    func weightsAreASideOutput() throws {
        let model = try Self.explainer.get().model
        let ids = [101, 7592, 2088, 102]
        let plain = model.forward(ids: ids, batch: 1, length: 4, lengths: [4], outputAttentions: false)
        let with = model.forward(ids: ids, batch: 1, length: 4, lengths: [4], outputAttentions: true)
        #expect(plain.attentions.isEmpty)
        #expect(with.attentions.count == 6)
        #expect(with.attentions[0].shape == [1, 12, 4, 4])
        #expect(plain.hidden.scalars == with.hidden.scalars)
    }

    @Test("the last layer's top tokens come from the head average, heaviest first")
    func topAttended() {
        let e = AttentionExplanation(tokens: ["a", "b", "c"], inputIDs: [1, 2, 3], tokenTypeIDs: [0, 0, 0],
                                     attentions: [[[[0.2, 0.3, 0.5], [1, 0, 0], [0, 0, 1]], [[0.4, 0.5, 0.1], [0, 1, 0], [0, 0, 1]]]],
                                     untruncatedLength: 3)
        let top = e.topAttended(count: 2)
        #expect(top[0].map(\.key) == [1, 0])
        #expect(abs(top[0][0].weight - 0.4) < 1e-7)
        #expect(top[1].map(\.key) == [0, 1])     // a tie (0.5, 0.5): the earlier key first
        #expect(top[2].map(\.key) == [2, 0])
    }
}
