/// A JSON value as the package's one JSON reader gives it (safetensors headers, tokenizer and model-folder
/// configuration files): objects keep their members in file order, as written, numbers keep their literal text (so
/// `2.0`, `-1` and `1e3` can be told apart from the integers a shape needs).
package enum JSONValue: Equatable, Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    package static func == (a: JSONValue, b: JSONValue) -> Bool {
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

    /// The value of `key` (the last one if repeated, as serde does for maps), compared by code points.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    package var string: String? { if case .string(let s) = self { return s } else { return nil } }
    package var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    package var isNull: Bool { if case .null = self { return true } else { return false } }
    /// An integer literal (no fraction or exponent) that fits Int.
    package var int: Int? { if case .number(let n) = self { return Int(n) } else { return nil } }
    /// A number literal as a Double.
    package var double: Double? { if case .number(let n) = self { return Double(n) } else { return nil } }
    package var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    /// A short description for error messages: the JSON type and, for scalars, the value.
    package var summary: String {
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

/// The package's one JSON reader (RFC 8259, as serde_json reads it): safetensors headers, tokenizer files, model
/// configurations.
///
/// Why not `JSONSerialization`: it keeps the last of two equal keys without a word, it compares keys up to Unicode
/// canonical equivalence (so `"é"` and `"e\u0301"`, two different tensor names, and `"가"` and its jamo, two
/// vocabulary entries, would collide), and it turns integers into floating-point numbers. This parser compares keys
/// byte for byte, keeps every member in file order, reports duplicate keys when asked to (safetensors headers, like
/// the reference reader) or keeps them (tokenizer files: the last wins on lookup, as serde does), keeps number
/// literals verbatim, refuses strings that are not UTF-8, and bounds nesting so hostile input cannot exhaust the stack.
package struct StrictJSONParser {
    package struct Failure: Error, Equatable {
        package enum Kind: Equatable, Sendable {
            case syntax(String)
            /// `enclosingKey` is the top-level key whose object holds the duplicate, nil at the top level.
            case duplicateKey(key: String, enclosingKey: String?)
        }
        package let offset: Int
        package let kind: Kind

        /// The reason in words.
        package var reason: String {
            switch kind {
            case .syntax(let text): return text
            case let .duplicateKey(key, enclosing):
                return "duplicate key \"\(key)\"" + (enclosing.map { " in \"\($0)\"" } ?? "")
            }
        }
    }

    /// What to do with two equal keys in one object.
    package enum DuplicateKeys: Sendable {
        case reject, keep
    }

    /// The nesting limit of safetensors headers.
    package static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private let duplicates: DuplicateKeys
    private let depthLimit: Int
    private var i = 0
    private var depth = 0
    private var topLevelKey: String?

    private init(_ bytes: UnsafeRawBufferPointer, duplicates: DuplicateKeys, depthLimit: Int) {
        self.bytes = bytes
        self.duplicates = duplicates
        self.depthLimit = depthLimit
    }

    /// Parses one JSON value filling all of `bytes` (surrounding whitespace allowed).
    package static func parse(_ bytes: UnsafeRawBufferPointer, duplicateKeys: DuplicateKeys = .reject,
                              maxDepth: Int = maxDepth) throws(Failure) -> JSONValue {
        var p = StrictJSONParser(bytes, duplicates: duplicateKeys, depthLimit: maxDepth)
        p.skipWhitespace()
        let value = try p.parseValue()
        p.skipWhitespace()
        if p.i < bytes.count { throw p.fail("unexpected \(p.describe(p.i)) after the end of the JSON value") }
        return value
    }

    /// The nesting limit of configuration files (tokenizer.json, config.json, modules.json).
    package static let configurationMaxDepth = 128

    /// A configuration file (tokenizer and model-folder JSON): duplicate keys kept (the last wins on lookup, as
    /// serde does), up to ``configurationMaxDepth`` levels.
    package static func parseConfiguration(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try parse(bytes, duplicateKeys: .keep, maxDepth: configurationMaxDepth)
    }

    /// ``parse(_:duplicateKeys:maxDepth:)`` of an array of bytes.
    package static func parse(_ bytes: [UInt8], duplicateKeys: DuplicateKeys = .reject,
                              maxDepth: Int = maxDepth) throws(Failure) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(Failure) in try parse(raw, duplicateKeys: duplicateKeys, maxDepth: maxDepth) }
        }
        return try result.get()
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
            if duplicates == .reject && !seen.insert(Array(key.utf8)).inserted {
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
        if depth > depthLimit { throw fail("nested deeper than \(depthLimit) levels") }
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
        guard let text = String(validating: out, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
        return text
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
package enum UTF8Validation {
    /// The offset of the first byte that starts an invalid sequence, or nil when all of `bytes` is valid UTF-8.
    package static func firstInvalidOffset<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
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
