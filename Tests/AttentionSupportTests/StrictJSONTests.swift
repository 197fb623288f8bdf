import Testing
import AttentionSupport

/// The package JSON reader follows RFC 8259 (as serde_json, which Hugging Face's `tokenizers` uses to read
/// the same files): found by fuzzing it against the safetensors header parser (Fuzz/JSONFuzz), issue 15 item 25.
struct StrictJSONTests {
    static func parses(_ text: String) -> JSONValue? { try? StrictJSONParser.parseConfiguration(Array(text.utf8)) }

    @Test("Number literals outside the JSON grammar are refused",
          arguments: ["+12", ".5", "1.", "01", "-01", "-", "1e", "1e+", "[1.e3]", "0x10", "--1", "{\"max_seq_length\": +256}"])
    func badNumbers(_ text: String) {
        #expect(Self.parses(text) == nil, "\(text) was accepted")
    }

    @Test("Valid number literals are kept as written", arguments: ["0", "-0", "12", "1.5", "-2e10", "3E+2", "4e-03", "0.0"])
    func goodNumbers(_ text: String) {
        guard case .number(let literal)? = Self.parses(text) else { Issue.record("\(text) was refused"); return }
        #expect(literal == text)
    }

    @Test("Escapes: only the eight of RFC 8259 and \\u with four hex digits; raw control characters are refused",
          arguments: ["\"\\u+05B\"", "\"\\u-123\"", "\"\\u 123\"", "\"\\a\"", "\"\\#\"", "\"\\x41\"", "\"a\u{01}b\"", "\"tab\there\""])
    func badStrings(_ text: String) {
        #expect(Self.parses(text) == nil, "\(text.debugDescription) was accepted")
    }

    @Test("Valid escapes decode to their characters")
    func goodEscapes() {
        let json = Self.parses(#"["\"\\\/\b\f\n\r\t", "\u00e9\u00E9", "\ud83d\ude42"]"#)
        guard case .array(let items)? = json else { Issue.record("refused"); return }
        #expect(items.map(\.string) == ["\"\\/\u{8}\u{C}\n\r\t", "éé", "🙂"])
    }
}


/// More of RFC 8259: what the reader refuses and accepts (written with the item-25 fix on the other branch).
struct JSONReaderGrammarTests {
    func parses(_ text: String) -> Bool { (try? StrictJSONParser.parseConfiguration(Array(text.utf8))) != nil }

    @Test(arguments: ["+12", "01", "-", "1.", ".5", "1e", "1e+", "--1", "0x10", "1.5e3.2", "Infinity", "NaN",
                      "\"\\u+05B\"", "\"\\u-05B\"", "\"\\u05\"", "\"\\u 05B\"", "\"\\x41\"", "\"\\'\"", "[1,]"])
    func refuses(_ text: String) {
        #expect(!parses(text), "\(text) is not JSON (RFC 8259)")
    }

    @Test func accepts() throws {
        for text in ["0", "-0", "12", "-12.5", "1e5", "1E-5", "2.5e+3", "[0, -1, 3.25]", "\"\\u05Bb\\/\\\"\\\\\""] {
            #expect(parses(text), "\(text)")
        }
        #expect(try StrictJSONParser.parse(Array("\"\\u00e9\\n\"".utf8)).string == "é\n")
        #expect(try StrictJSONParser.parse(Array("-12".utf8)).int == -12)
    }
}
