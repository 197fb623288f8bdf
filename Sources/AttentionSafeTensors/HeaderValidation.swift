import AttentionSupport
/// The largest header the reference reader accepts: 100 MB (decimal, as in Hugging Face `safetensors`).
public let safeTensorsMaxHeaderLength = 100_000_000

/// A validated header: tensors sorted by their place in the data section, plus `__metadata__`.
struct ValidatedHeader {
    var tensors: [SafeTensorsFile.TensorInfo]
    var metadata: [String: String]
    var headerLength: Int
}

/// The rules of the format, checked in the order the reference reader meets them, each failure with its own error:
/// sizes of the file and header, UTF-8, JSON syntax and duplicate keys, the shape of each entry, the byte count of each
/// tensor, then the layout of the data section (no gaps, no overlaps) and finally the file length.
enum HeaderValidation {
    static func validate(_ file: UnsafeRawBufferPointer, name: String) throws(SafeTensorsError) -> ValidatedHeader {
        if file.isEmpty { throw .emptyFile(file: name) }
        guard file.count >= 8 else { throw foreignOr(file, name, .fileTooSmall(file: name, size: file.count)) }
        let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(file[$1]) << (8 * UInt64($1)) }
        guard length <= UInt64(safeTensorsMaxHeaderLength) else {
            throw foreignOr(file, name, .headerTooLarge(file: name, length: length, limit: safeTensorsMaxHeaderLength))
        }
        let n = Int(length)
        guard n <= file.count - 8 else {
            throw foreignOr(file, name, .headerTruncated(file: name, headerLength: length, available: file.count - 8))
        }
        let header = UnsafeRawBufferPointer(rebasing: file[8..<(8 + n)])
        if let bad = UTF8Validation.firstInvalidOffset(header) {
            throw foreignOr(file, name, .headerNotUTF8(file: name, byteOffset: bad))
        }
        // The reference reader lets JSON whitespace precede the object, but nothing else.
        let body = header.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard body.first == UInt8(ascii: "{") else {
            let snippet = String(decoding: body.prefix(20), as: UTF8.self).trimmingSuffix(while: { $0 == " " || $0.isNewline })
            let found = body.isEmpty ? "an empty header" : "'\(snippet)'"
            throw foreignOr(file, name, .headerNotObject(file: name, found: found))
        }
        let json: JSONValue
        do {
            json = try StrictJSONParser.parse(header)
        } catch {
            switch error.kind {
            case .syntax(let reason):
                throw .headerNotJSON(file: name, byteOffset: error.offset, reason: reason)
            case .duplicateKey(let key, nil):
                if key == "__metadata__" { throw .duplicateKey(file: name, object: "the header", key: key) }
                throw .duplicateTensorName(file: name, name: key)
            case .duplicateKey(let key, let enclosing?):
                let object = enclosing == "__metadata__" ? "__metadata__" : "tensor '\(enclosing)'"
                throw .duplicateKey(file: name, object: object, key: key)
            }
        }
        guard case .object(let members) = json else {
            throw .headerNotObject(file: name, found: json.summary)
        }

        var tensors: [SafeTensorsFile.TensorInfo] = []
        var metadata: [String: String] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value, file: name)
            } else {
                tensors.append(try parseEntry(key, value, file: name))
            }
        }
        let dataSize = file.count - 8 - n
        try checkLayout(&tensors, dataSize: dataSize, headerLength: n, file: name)
        return ValidatedHeader(tensors: tensors, metadata: metadata, headerLength: n)
    }

    /// A file that fails the first structural checks is more usefully named by what it is, when it is a known format.
    private static func foreignOr(_ file: UnsafeRawBufferPointer, _ name: String, _ error: SafeTensorsError) -> SafeTensorsError {
        ForeignFormat.sniff(file.prefix(512)).map { .notSafeTensors(file: name, format: $0) } ?? error
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws(SafeTensorsError) -> [String: String] {
        if value == .null { return [:] }  // the reference reader treats null as "no metadata"
        guard case .object(let pairs) = value else { throw .metadataNotObject(file: file, found: value.summary) }
        var out: [String: String] = [:]
        for (k, v) in pairs {
            guard case .string(let s) = v else { throw .metadataValueNotString(file: file, key: k, found: v.summary) }
            out[k] = s
        }
        return out
    }

    private static func parseEntry(_ tensor: String, _ value: JSONValue, file: String) throws(SafeTensorsError) -> SafeTensorsFile.TensorInfo {
        guard case .object(let fields) = value else { throw .tensorEntryNotObject(file: file, tensor: tensor, found: value.summary) }
        func field(_ f: String) throws(SafeTensorsError) -> JSONValue {
            guard let v = fields.first(where: { $0.key == f })?.value else { throw .missingField(file: file, tensor: tensor, field: f) }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw .invalidField(file: file, tensor: tensor, field: "dtype", expected: "a string such as \"F32\"", found: try field("dtype").summary)
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .unknownDType(file: file, tensor: tensor, dtype: dtypeName)
        }
        guard case .array(let dims) = try field("shape") else {
            throw .invalidField(file: file, tensor: tensor, field: "shape", expected: "an array of integers", found: try field("shape").summary)
        }
        var shape: [Int] = []
        for (k, d) in dims.enumerated() {
            guard let v = nonNegativeInteger(d) else { throw .invalidShapeEntry(file: file, tensor: tensor, index: k, found: d.summary) }
            shape.append(v)
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2 else {
            throw .invalidField(file: file, tensor: tensor, field: "data_offsets", expected: "an array [begin, end]",
                                found: try field("data_offsets").summary)
        }
        var bounds: [Int] = []
        for (k, o) in offsets.enumerated() {
            guard let v = nonNegativeInteger(o) else { throw .invalidOffset(file: file, tensor: tensor, index: k, found: o.summary) }
            bounds.append(v)
        }
        guard bounds[0] <= bounds[1] else { throw .offsetsReversed(file: file, tensor: tensor, begin: bounds[0], end: bounds[1]) }

        var elements = 1
        for d in shape {
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            if overflow { throw .sizeOverflow(file: file, tensor: tensor, shape: shape, dtype: dtype) }
            elements = p
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        if overflow { throw .sizeOverflow(file: file, tensor: tensor, shape: shape, dtype: dtype) }
        let span = bounds[1] - bounds[0]
        guard span == bytes else {
            throw .byteSizeMismatch(file: file, tensor: tensor, dtype: dtype, shape: shape, expected: bytes, found: span)
        }
        return SafeTensorsFile.TensorInfo(name: tensor, dtype: dtype, shape: shape, dataOffsets: bounds[0]..<bounds[1])
    }

    /// A JSON integer literal in 0...Int.max; nil for negatives, fractions, exponents and anything else.
    private static func nonNegativeInteger(_ value: JSONValue) -> Int? {
        guard case .number(let literal) = value, literal.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(literal)  // nil when it overflows
    }

    /// Sorts by offset (files need not list tensors in data order) and checks that the tensors tile the data section.
    private static func checkLayout(_ tensors: inout [SafeTensorsFile.TensorInfo], dataSize: Int, headerLength: Int,
                                    file: String) throws(SafeTensorsError) {
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var cursor = 0
        var previous: String?
        for t in tensors {
            let r = t.dataOffsets
            if r.lowerBound > cursor {
                throw .dataGap(file: file, after: previous, before: t.name, gapStart: cursor, gapEnd: r.lowerBound)
            }
            // Like the reference reader, every tensor must start exactly where the previous one ended, so even an
            // empty tensor placed inside another one's bytes is refused.
            if r.lowerBound < cursor {
                throw .dataOverlap(file: file, tensor: t.name, other: previous ?? "", overlapStart: r.lowerBound,
                                   overlapEnd: r.isEmpty ? cursor : min(cursor, r.upperBound))
            }
            cursor = r.upperBound
            previous = t.name
        }
        // A hostile header can put `cursor` near Int.max; saturate rather than trap while describing it.
        let (sum, overflow) = cursor.addingReportingOverflow(8 + headerLength)
        let expected = overflow ? Int.max : sum
        let actual = 8 + headerLength + dataSize
        if cursor > dataSize { throw .dataTruncated(file: file, expectedFileSize: expected, actualFileSize: actual) }
        if cursor < dataSize { throw .trailingBytes(file: file, count: dataSize - cursor, expectedFileSize: expected) }
    }
}

extension String {
    fileprivate func trimmingSuffix(while drop: (Character) -> Bool) -> String {
        var s = Substring(self)
        while let last = s.last, drop(last) { s.removeLast() }
        return String(s)
    }
}
