import Foundation
import AttentionModels
import Testing

/// `BahdanauTranslator.readCorpus(path:)`: every line-end convention gives the same pairs (issue 15 item 2: a CRLF
/// file was one line, "found 2 tabs"), and errors carry the line number of the original file.
struct CorpusReadingTests {
    @Test("LF, CRLF and CR corpora give the same two pairs", arguments: ["\n", "\r\n", "\r"])
    func lineEnds(_ end: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString).tsv")
        defer { try? FileManager.default.removeItem(at: url) }
        try ["# comment", "je suis grand .\ti am tall .", "", "il est petit .\the is small ."].joined(separator: end)
            .write(to: url, atomically: true, encoding: .utf8)
        let pairs = try BahdanauTranslator.readCorpus(path: url.path)
        #expect(pairs.map(\.french) == ["je suis grand .", "il est petit ."])
        #expect(pairs.map(\.english) == ["i am tall .", "he is small ."])
    }

    @Test("a malformed line is reported with its number in the original input (blank lines counted)")
    func lineNumbers() {
        let lines = [(number: 1, text: "je suis grand .\ti am tall ."), (number: 4, text: "pas de tabulation")]
        #expect(throws: BahdanauTranslator.CorpusError.malformedLine(path: "c.tsv", line: 4,
                                                                     reason: "expected one tab between source and target, found 0")) {
            try BahdanauTranslator.corpus(lines: lines, source: "c.tsv")
        }
    }
}
