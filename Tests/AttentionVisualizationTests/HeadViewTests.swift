import Foundation
import Testing
@testable import AttentionVisualization

/// Issue 11 item 3: the head / model / rollout page is one self-contained file that carries its data.
@Suite("Attention view (head view, model view, rollout)")
struct HeadViewTests {
    static func view(tokens: [String] = ["[CLS]", "caf\u{E9}", "</script><b>", "[SEP]"]) throws -> AttentionView {
        let n = tokens.count
        let head = (0..<n).map { q in (0..<n).map { k in Float(k == q ? 0.625 : 0.375 / Double(n - 1)) } }
        return try AttentionView(title: "Test & <view>", tokens: tokens, tokenTypes: [0, 0, 1, 1],
                                 attentions: [[head, head], [head, head]], rollout: [head.map { $0.map(Double.init) }, head.map { $0.map(Double.init) }])
    }

    @Test("the data is inline in declared key order, weights with 3 decimals, tokens escaped for a script element")
    func dataIsInline() throws {
        let page = try Self.view().html()
        let json = try Self.view().dataJSON
        let keys = ["\"title\":", "\"tokens\":", "\"types\":", "\"attentions\":", "\"rollout\":", "\"palette\":"]
        let positions = keys.map { json.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(json.contains("[0.625,0.125,0.125,0.125]"))
        #expect(json.contains("\"caf\u{E9}\""))
        #expect(json.contains("\\u003c/script\\u003e\\u003cb\\u003e"))
        #expect(!json.contains("</script>"))
        #expect(page.contains("<script type=\"application/json\" id=\"attention-data\">" + json + "</script>"))
        #expect(page.contains("Test &amp; &lt;view&gt;"))
        // Parsed back, the data is what was given.
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(object["tokens"] as? [String] == ["[CLS]", "caf\u{E9}", "</script><b>", "[SEP]"])
        #expect((object["attentions"] as? [[[[Double]]]])?.count == 2)
    }

    @Test("no external resource: no http(s) URL, no src or href to another file")
    func selfContained() throws {
        let page = try Self.view().html()
        #expect(!page.lowercased().contains("http://"))
        #expect(!page.lowercased().contains("https://"))
        #expect(!page.contains("src="))
        #expect(!page.contains("href="))
        #expect(!page.contains("@import"))
        for id in ["tab-head", "tab-model", "tab-rollout", "id=\"layer\"", "id=\"head-select\"", "id=\"rollout-layer\""] {
            #expect(page.contains(id))
        }
    }

    func expectError(_ expected: HeatmapError, _ body: () throws -> AttentionView, sourceLocation: SourceLocation = #_sourceLocation) {
        do { _ = try body(); Issue.record("no error, expected \(expected)", sourceLocation: sourceLocation) } catch {
            #expect("\(error)" == expected.description, sourceLocation: sourceLocation)
        }
    }

    @Test("ragged or non-finite weights and mismatched token counts are named errors")
    func badInput() {
        let good: [[Float]] = [[1, 0], [0, 1]]
        expectError(HeatmapError.raggedRows(row: 1, expected: 2, found: 1)) {
            try AttentionView(title: "", tokens: ["a", "b"], attentions: [[[[1, 0], [1]]]], rollout: [])
        }
        expectError(HeatmapError.labelCountMismatch(axis: .rows, expected: 3, found: 2)) {
            try AttentionView(title: "", tokens: ["a", "b", "c"], attentions: [[good]], rollout: [])
        }
        expectError(HeatmapError.nonFiniteValue(row: 0, column: 1, value: .infinity)) {
            try AttentionView(title: "", tokens: ["a", "b"], attentions: [[[[0, .infinity], [0, 1]]]], rollout: [])
        }
        expectError(HeatmapError.empty(rows: 0, columns: 1)) { try AttentionView(title: "", tokens: [], attentions: [[]], rollout: []) }
    }

    @Test("written atomically: the page, and nothing else; a missing folder leaves nothing")
    func writes() throws {
        let dir = try WriteTests.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let view = try Self.view()
        try view.write(to: dir.appendingPathComponent("explain.html"))
        #expect(try WriteTests.contents(of: dir) == ["explain.html"])
        #expect(try String(contentsOf: dir.appendingPathComponent("explain.html"), encoding: .utf8) == view.html())
        #expect { try view.write(to: dir.appendingPathComponent("missing/explain.html")) } throws: { error in
            if case HeatmapError.writeFailed(let path, _) = error { return path.hasSuffix("missing/explain.html") }
            return false
        }
        #expect(try WriteTests.contents(of: dir) == ["explain.html"])
    }
}
