import FuzzSupport
@testable import AttentionSafeTensors
@testable import AttentionText

/// libFuzzer entry point for the project's two JSON readers: the strict safetensors-header parser
/// (`StrictJSONParser`, SafeTensors/StrictJSON.swift) and the tokenizer-configuration reader (`JSON`,
/// Text/JSONReader.swift). Neither may crash, trap or hang on any bytes.
///
/// Beyond "no crash", a differential property: both implement RFC 8259, so they accept the same texts with the same
/// values. The only allowed differences are the ones each documents: the header parser refuses duplicate keys and
/// nesting deeper than 64 levels, the tokenizer reader keeps the last duplicate and allows 127 levels. Invalid UTF-8
/// is refused by both (the header parser is only given valid UTF-8; its validator is checked against the standard
/// library's).
@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let bytes = Array(input)
    let validUTF8 = String(validating: bytes, as: UTF8.self) != nil
    let badOffset = UTF8Validation.firstInvalidOffset(bytes)
    FuzzSupport.check((badOffset == nil) == validUTF8, "UTF8Validation disagrees with the standard library (offset \(String(describing: badOffset)))")

    var tokenizerValue: JSON?
    var tokenizerError: JSON.SyntaxError?
    do { tokenizerValue = try JSON.parse(bytes) } catch { tokenizerError = error }
    guard validUTF8 else {
        FuzzSupport.check(tokenizerValue == nil, "the tokenizer JSON reader accepted invalid UTF-8")
        return 0
    }
    if let tokenizerError {
        FuzzSupport.check((0...bytes.count).contains(tokenizerError.offset), "error offset \(tokenizerError.offset) outside the input")
    }
    let strict: Result<JSONValue, StrictJSONParser.Failure> = input.withUnsafeBytes { raw in
        Result { () throws(StrictJSONParser.Failure) in try StrictJSONParser.parse(raw) }
    }
    switch (strict, tokenizerValue) {
    case let (.success(a), b?):
        FuzzSupport.check(a == JSONValue(b), "the two readers give different values")
        FuzzSupport.check(depth(a) <= StrictJSONParser.maxDepth, "the header parser accepted \(depth(a)) levels")
    case (.success, nil):
        FuzzSupport.check(false, "valid JSON refused by the tokenizer reader: \(tokenizerError!.reason) at \(tokenizerError!.offset)")
    case let (.failure(f), b?):
        guard case .syntax(let reason) = f.kind else { break }  // duplicate keys: refused only by the header parser
        FuzzSupport.check(depth(JSONValue(b)) > StrictJSONParser.maxDepth,
                          "the tokenizer reader accepted what the header parser refuses: \(reason) at \(f.offset)")
    case (.failure(let f), nil):
        FuzzSupport.check((0...bytes.count).contains(f.offset), "error offset \(f.offset) outside the input")
        _ = f.kind
    }
    return 0
}

/// Nesting depth: a scalar is 0, `[]` is 1.
private func depth(_ v: JSONValue) -> Int {
    switch v {
    case .object(let m): return 1 + (m.map { depth($0.value) }.max() ?? 0)
    case .array(let a): return 1 + (a.map(depth).max() ?? 0)
    default: return 0
    }
}

extension JSONValue {
    /// The tokenizer reader's value in the header parser's type, for comparison.
    init(_ v: JSON) {
        switch v {
        case .object(let m): self = .object(m.map { (key: $0.key, value: JSONValue($0.value)) })
        case .array(let a): self = .array(a.map(JSONValue.init))
        case .string(let s): self = .string(s)
        case .number(let n): self = .number(n)
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        }
    }
}
