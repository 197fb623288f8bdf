import Testing
@testable import Text

/// The tokenizer's JSON reader follows RFC 8259's grammar: what it refuses, what it accepts.
struct JSONReaderTests {
    func parses(_ text: String) -> Bool { (try? JSON.parse(Array(text.utf8))) != nil }

    @Test(arguments: ["+12", "01", "-", "1.", ".5", "1e", "1e+", "--1", "0x10", "1.5e3.2", "Infinity", "NaN",
                      "\"\\u+05B\"", "\"\\u-05B\"", "\"\\u05\"", "\"\\u 05B\"", "\"\\x41\"", "\"\\'\"", "[1,]"])
    func refuses(_ text: String) {
        #expect(!parses(text), "\(text) is not JSON (RFC 8259)")
    }

    @Test func accepts() throws {
        for text in ["0", "-0", "12", "-12.5", "1e5", "1E-5", "2.5e+3", "[0, -1, 3.25]", "\"\\u05Bb\\/\\\"\\\\\""] {
            #expect(parses(text), "\(text)")
        }
        #expect(try JSON.parse(Array("\"\\u00e9\\n\"".utf8)).string == "é\n")
        #expect(try JSON.parse(Array("-12".utf8)).int == -12)
    }
}
