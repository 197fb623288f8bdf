import AttentionSupport
import AttentionTensorCore

/// Builds a safetensors file: add tensors and metadata, then write it atomically or get its bytes.
///
/// The layout follows the reference writer, so the same tensors give byte-identical files: tensors ordered by dtype
/// (widest first, as the reference orders its dtype enum) then by name (bytewise), a compact JSON header with
/// `__metadata__` first (its keys sorted, where the reference's order is unspecified), padded with spaces to a multiple
/// of 8 bytes so that every tensor of 8-byte or narrower elements starts aligned.
///
/// ```swift
/// var writer = SafeTensorsWriter(metadata: ["format": "pt"])
/// try writer.add("weight", Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
/// try writer.add("weight_half", Tensor(shape: [2], scalars: [0.5, 1e-3]), as: .float16)
/// try writer.add("input_ids", int64s: [101, 7592, 102], shape: [1, 3])
/// try writer.add("mask", bools: [true, true, false], shape: [1, 3])
/// try writer.write(to: "/tmp/example.safetensors")   // temp file + rename: never half-written
/// ```
public struct SafeTensorsWriter: Sendable {
    struct Entry: Sendable {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        let bytes: [UInt8]
    }

    /// Written as `__metadata__` (omitted when empty).
    public var metadata: [String: String]
    private var entries: [Entry] = []
    private var names = Set<[UInt8]>()

    /// A writer with no tensors yet; `metadata` becomes the header's `__metadata__`.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor, stored as F32 (Float32 tensors) or F64 (Float64 tensors) unless `dtype` asks for F16, BF16, F32
    /// or F64. Narrowing rounds to nearest even.
    public mutating func add(_ name: String, _ tensor: Tensor, as dtype: SafeTensorsDType? = nil) throws(SafeTensorsError) {
        let target = dtype ?? (tensor.dtype == .float64 ? .float64 : .float32)
        precondition([.float32, .float64, .float16, .bfloat16].contains(target),
                     "SafeTensorsWriter.add: a Tensor can be stored as F32, F64, F16 or BF16, not \(target)")
        var bytes = [UInt8]()
        bytes.reserveCapacity(tensor.count * target.byteSize)
        func put<I: FixedWidthInteger>(_ v: I) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        switch (tensor.dtype, target) {
        case (.float32, .float32): tensor.withScalars(Float.self) { for x in $0 { put(x.bitPattern) } }
        case (.float64, .float64): tensor.withScalars(Double.self) { for x in $0 { put(x.bitPattern) } }
        default:
            // Double holds every Float exactly, so narrowing from it rounds once.
            for x in tensor.doubles {
                switch target {
                case .float32: put(Float(x).bitPattern)
                case .float64: put(x.bitPattern)
                case .float16: put(HalfPrecision.float16Bits(from: x))
                default: put(HalfPrecision.bfloat16Bits(from: x))
                }
            }
        }
        try append(Entry(name: name, dtype: target, shape: tensor.shape, bytes: bytes))
    }

    /// Adds an I64 tensor (token ids, positions).
    public mutating func add(_ name: String, int64s values: [Int64], shape: [Int]) throws(SafeTensorsError) {
        try add(name, integers: values, dtype: .int64, shape: shape)
    }

    /// Adds an I32 tensor.
    public mutating func add(_ name: String, int32s values: [Int32], shape: [Int]) throws(SafeTensorsError) {
        try add(name, integers: values, dtype: .int32, shape: shape)
    }

    /// Adds a U8 tensor.
    public mutating func add(_ name: String, uint8s values: [UInt8], shape: [Int]) throws(SafeTensorsError) {
        try add(name, integers: values, dtype: .uint8, shape: shape)
    }

    /// Adds a BOOL tensor (one byte per element, 0 or 1).
    public mutating func add(_ name: String, bools values: [Bool], shape: [Int]) throws(SafeTensorsError) {
        try add(name, integers: values.map { UInt8($0 ? 1 : 0) }, dtype: .bool, shape: shape)
    }

    /// Adds already-encoded little-endian bytes of any dtype (e.g. F8 data, or bytes copied from another file).
    public mutating func add(_ name: String, rawBytes: [UInt8], dtype: SafeTensorsDType, shape: [Int]) throws(SafeTensorsError) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafeTensorsWriter.add: negative dimension in shape \(shape)")
        precondition(rawBytes.count == shape.reduce(1, *) * dtype.byteSize,
                     "SafeTensorsWriter.add: shape \(shape) of \(dtype) needs \(shape.reduce(1, *) * dtype.byteSize) bytes, got \(rawBytes.count)")
        try append(Entry(name: name, dtype: dtype, shape: shape, bytes: rawBytes))
    }

    private mutating func add<I: FixedWidthInteger>(_ name: String, integers values: [I], dtype: SafeTensorsDType, shape: [Int]) throws(SafeTensorsError) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafeTensorsWriter.add: negative dimension in shape \(shape)")
        precondition(values.count == shape.reduce(1, *),
                     "SafeTensorsWriter.add: shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * dtype.byteSize)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        try append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    private mutating func append(_ entry: Entry) throws(SafeTensorsError) {
        if entry.name == "__metadata__" { throw .invalidTensorName(name: entry.name, reason: "the name is reserved for the metadata object") }
        guard names.insert(Array(entry.name.utf8)).inserted else { throw .duplicateTensorNameInWriter(name: entry.name) }
        entries.append(entry)
    }

    // MARK: Output

    /// Entries in file order: widest dtype first, then by name, compared as UTF-8 bytes like the reference writer.
    var orderedEntries: [Entry] {
        entries.sorted { a, b in
            a.dtype.writerRank != b.dtype.writerRank ? a.dtype.writerRank > b.dtype.writerRank
                : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    /// The 8-byte length and the padded JSON header for `entries` in this order.
    func headerBytes(_ entries: [Entry]) -> [UInt8] {
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            json += keys.map { "\(Self.quoted($0)):\(Self.quoted(metadata[$0]!))" }.joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for e in entries {
            if !first { json += "," }
            first = false
            let shape = e.shape.map(String.init).joined(separator: ",")
            json += "\(Self.quoted(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + e.bytes.count)]}"
            offset += e.bytes.count
        }
        json += "}"
        var header = Array(json.utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        return out
    }

    /// The whole file as bytes.
    public func serialized() -> [UInt8] {
        let ordered = orderedEntries
        var out = headerBytes(ordered)
        for e in ordered { out.append(contentsOf: e.bytes) }
        return out
    }

    /// Writes the file to `path` through a temporary file in the same directory and an atomic rename, so readers see
    /// either the old file or the complete new one, never a partial write.
    public func write(to path: String) throws(SafeTensorsError) {
        let ordered = orderedEntries
        do {
            try AtomicFile.write(path: path, chunks: [headerBytes(ordered)] + ordered.map(\.bytes))
        } catch {
            throw .writeFailed(file: error.path, reason: error.reason)
        }
    }

    /// A JSON string literal, escaped as serde_json does (the reference writer), non-ASCII left as UTF-8.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
