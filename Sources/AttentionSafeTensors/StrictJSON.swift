/// A JSON value as the header scanner reads it: objects keep their members in file order, numbers keep their literal
/// text (so `2.0`, `-1` and `1e3` can be told apart from the integers a shape needs).
enum JSONValue: Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
        case let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// A short description for error messages: the JSON type and, for scalars, the value.
    var summary: String {
        switch self {
        case .object(let m): return "an object with \(m.count) keys"
        case .array(let a): return "an array of \(a.count) elements"
        case .string(let s): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .number(let n): return "the number \(n)"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        }
    }
}

/// A strict JSON parser for safetensors headers (RFC 8259, UTF-8 only).
///
/// Why not `JSONSerialization`: it keeps the last of two equal keys without a word, it compares keys up to Unicode
/// canonical equivalence (so `"é"` and `"e\u0301"`, two different tensor names, would collide), and it turns integers
/// into floating-point numbers. This parser reports duplicate keys (compared byte for byte, like the reference reader),
/// keeps number literals verbatim, and bounds nesting so hostile input cannot exhaust the stack.
struct StrictJSONParser {
    struct Failure: Error, Equatable {
        enum Kind: Equatable {
            case syntax(String)
            /// `enclosingKey` is the top-level key whose object holds the duplicate, nil at the top level.
            case duplicateKey(key: String, enclosingKey: String?)
        }
        let offset: Int
        let kind: Kind
    }

    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var i = 0
    private var depth = 0
    private var topLevelKey: String?

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses one JSON value filling all of `bytes` (surrounding whitespace allowed). The bytes must be valid UTF-8.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        var p = StrictJSONParser(bytes)
        p.skipWhitespace()
        let value = try p.parseValue()
        p.skipWhitespace()
        if p.i < bytes.count { throw p.fail("unexpected \(p.describe(p.i)) after the end of the JSON value") }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected \(describe(i)), expected a value")
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        i += 1
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<[UInt8]>()
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(members) }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyOffset = i
            let key = try parseString()
            // Compare keys as bytes: two names that differ only in Unicode normalisation are different tensors.
            if !seen.insert(Array(key.utf8)).inserted {
                throw Failure(offset: keyOffset, kind: .duplicateKey(key: key, enclosingKey: depth == 1 ? nil : topLevelKey))
            }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after key \"\(key)\"") }
            i += 1
            skipWhitespace()
            if depth == 1 { topLevelKey = key }
            members.append((key, try parseValue()))
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of input inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; break }
            throw fail("expected ',' or '}' in an object, found \(describe(i))")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        i += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of input inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; break }
            throw fail("expected ',' or ']' in an array, found \(describe(i))")
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    // MARK: Scalars

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, (0..<n).allSatisfy({ bytes[i + $0] == word.utf8Start[$0] }) else {
            throw fail("invalid literal, expected '\(word)'")
        }
        i += n
    }

    private mutating func parseNumber() throws(Failure) -> String {
        let start = i
        func digits(_ p: inout StrictJSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.i]) { p.i += 1 }
            return p.i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) else { throw fail("a number needs digits") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { throw fail("numbers cannot have leading zeros") }
        } else {
            _ = digits(&self)
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            if digits(&self) == 0 { throw fail("a decimal point must be followed by digits") }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw fail("an exponent needs digits") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    private mutating func parseString() throws(Failure) -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw fail("control character \(b) must be escaped inside a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("lone leading surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid trailing surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone trailing surrogate in \\u escape")
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
            default:
                i -= 1
                throw fail("invalid escape \\\(describeScalar(e))")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func fail(_ reason: String) -> Failure { Failure(offset: i, kind: .syntax(reason)) }

    private func describe(_ at: Int) -> String {
        at < bytes.count ? "character \(describeScalar(bytes[at]))" : "end of input"
    }

    private func describeScalar(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16, uppercase: true))"
    }
}

/// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF), reporting where it fails.
enum UTF8Validation {
    /// The offset of the first byte that starts an invalid sequence, or nil when all of `bytes` is valid UTF-8.
    static func firstInvalidOffset<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        var it = bytes.makeIterator()
        var offset = 0
        while let b0 = it.next() {
            let start = offset
            offset += 1
            if b0 < 0x80 { continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF  // allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F  // excludes UTF-16 surrogates
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F  // nothing above U+10FFFF
            default: return start
            }
            for k in 0..<need {
                guard let b = it.next() else { return start }
                offset += 1
                let ok = k == 0 ? (lower...upper).contains(b) : (0x80...0xBF).contains(b)
                if !ok { return start }
            }
        }
        return nil
    }
}
