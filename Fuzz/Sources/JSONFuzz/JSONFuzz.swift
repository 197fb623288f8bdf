import FuzzSupport
import AttentionSupport

/// libFuzzer entry point for the package's one JSON reader (`StrictJSONParser`, AttentionSupport/StrictJSON.swift),
/// in the two modes the package uses: safetensors headers (duplicate keys refused, 64 levels) and tokenizer and
/// model-folder files (duplicates kept, 128 levels). It may not crash, trap or hang on any bytes.
///
/// Beyond "no crash", the two modes must agree: whatever the strict mode accepts, the lenient mode accepts with the
/// same value; whatever only the lenient mode accepts holds a duplicate key or nests deeper than 64 levels. Invalid
/// UTF-8 is refused by both, and the UTF-8 validator agrees with the standard library's.
@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let bytes = Array(input)
    let validUTF8 = String(validating: bytes, as: UTF8.self) != nil
    let badOffset = UTF8Validation.firstInvalidOffset(bytes)
    FuzzSupport.check((badOffset == nil) == validUTF8, "UTF8Validation disagrees with the standard library (offset \(String(describing: badOffset)))")

    let lenient = Result { () throws(StrictJSONParser.Failure) in
        try StrictJSONParser.parseConfiguration(bytes)
    }
    let strict = Result { () throws(StrictJSONParser.Failure) in try StrictJSONParser.parse(bytes) }
    for case .failure(let f) in [lenient, strict] {
        FuzzSupport.check((0...bytes.count).contains(f.offset), "error offset \(f.offset) outside the input")
    }
    guard validUTF8 else {
        if case .success = lenient { FuzzSupport.check(false, "the reader accepted invalid UTF-8") }
        return 0
    }
    switch (strict, lenient) {
    case let (.success(a), .success(b)):
        FuzzSupport.check(a == b, "the two modes give different values")
        FuzzSupport.check(depth(a) <= StrictJSONParser.maxDepth, "the strict mode accepted \(depth(a)) levels")
    case (.success, .failure(let f)):
        FuzzSupport.check(false, "valid JSON refused by the lenient mode: \(f.reason) at \(f.offset)")
    case let (.failure(f), .success(b)):
        guard case .syntax(let reason) = f.kind else { break }  // duplicate keys: refused only by the strict mode
        FuzzSupport.check(depth(b) > StrictJSONParser.maxDepth,
                          "the lenient mode accepted what the strict mode refuses: \(reason) at \(f.offset)")
    case (.failure, .failure):
        break
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
