/// A small JSON reader for tokenizer configuration files.
///
/// Why not `JSONSerialization`: it compares object keys up to Unicode canonical equivalence, so two vocabulary
/// entries such as `"가"` and `"가"` (a syllable and its jamo) would collapse into one and an id would go missing.
/// Objects here keep every key, in file order, as written.
enum JSON: Sendable {
    case object([(key: String, value: JSON)])
    case array([JSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The value of `key` (the last one if repeated, as serde does for maps), compared by code points.
    subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var isNull: Bool { if case .null = self { return true } else { return false } }
    /// An integer literal (no fraction or exponent) that fits Int.
    var int: Int? { if case .number(let n) = self { return Int(n) } else { return nil } }

    struct SyntaxError: Error {
        let offset: Int
        let reason: String
    }

    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSON {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        if reader.i < bytes.count { throw SyntaxError(offset: reader.i, reason: "unexpected data after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        mutating func skipWhitespace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: i, reason: reason) }

        mutating func value(depth: Int) throws(SyntaxError) -> JSON {
            guard depth < 128 else { throw error("nested too deeply") }
            guard i < bytes.count else { throw error("unexpected end of input") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(key: String, value: JSON)] = []
                skipWhitespace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    let key = try string()
                    skipWhitespace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    i += 1
                    skipWhitespace()
                    members.append((key, try value(depth: depth + 1)))
                    skipWhitespace()
                    guard i < bytes.count else { throw error("unterminated object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    throw error("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var elements: [JSON] = []
                skipWhitespace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
                while true {
                    skipWhitespace()
                    elements.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard i < bytes.count else { throw error("unterminated array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
                    throw error("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try word("true"); return .bool(true)
            case UInt8(ascii: "f"): try word("false"); return .bool(false)
            case UInt8(ascii: "n"): try word("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .number(try number())
            default:
                throw error("unexpected character")
            }
        }

        /// A number literal as RFC 8259 (and serde_json, which reads these files in Hugging Face's `tokenizers`) spells
        /// it, kept as text: `-? (0 | [1-9] digits) (. digits)? ([eE] [+-]? digits)?`. `Double(_:)` alone would also
        /// take `+12`, `.5`, `1.` and `01`.
        mutating func number() throws(SyntaxError) -> String {
            let start = i
            func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= UInt8(ascii: "0") && bytes[k] <= UInt8(ascii: "9") }
            /// Skips a run of digits; false when there is none.
            func skipDigits() -> Bool {
                let first = i
                while isDigit(i) { i += 1 }
                return i > first
            }
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            let integerStart = i
            guard skipDigits() else { throw error("a number needs digits") }
            if bytes[integerStart] == UInt8(ascii: "0") && i - integerStart > 1 { throw error("a number cannot start with 0") }
            if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard skipDigits() else { throw error("digits must follow the decimal point") }
            }
            if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
                i += 1
                if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
                guard skipDigits() else { throw error("digits must follow the exponent") }
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func word(_ w: String) throws(SyntaxError) {
            let u = Array(w.utf8)
            guard i + u.count <= bytes.count, Array(bytes[i..<(i + u.count)]) == u else { throw error("invalid literal") }
            i += u.count
        }

        mutating func string() throws(SyntaxError) -> String {
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw error("unterminated string") }
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "\"") { break }
                // RFC 8259: control characters appear in strings only escaped.
                if b < 0x20 { i -= 1; throw error("control character \(b) must be escaped in a string") }
                if b != UInt8(ascii: "\\") { out.append(b); continue }
                guard i < bytes.count else { throw error("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var v = try hex4()
                    if (0xD800..<0xDC00).contains(v), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(v) else { throw error("lone surrogate in \\u escape") }
                    UTF8.encode(scalar) { out.append($0) }
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                default: i -= 1; throw error("invalid escape")
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
            return s
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            // Four hex digits exactly: `UInt32(_:radix:)` alone would take a sign (`\u+05B`).
            let hexDigits = Array("0123456789abcdefABCDEF".utf8)
            guard i + 4 <= bytes.count, bytes[i..<(i + 4)].allSatisfy(hexDigits.contains),
                  let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                throw error("invalid \\u escape")
            }
            i += 4
            return v
        }
    }
}
