/// Everything that can go wrong reading or writing a safetensors file.
///
/// Each rule of the reference reader (Hugging Face `safetensors`) has its own case, and every message names the file,
/// the tensor when there is one, and what was expected and found, so that a bad download or a hand-edited header can be
/// fixed from the message alone.
///
/// ```swift
/// do {
///     let file = try SafeTensorsFile(contentsOf: "model.safetensors")
///     print(file.names)
/// } catch let error as SafeTensorsError {
///     print(error)   // e.g. model.safetensors: not a safetensors file: it is a Git LFS pointer ...
/// }
/// ```
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Opening

    /// The file could not be opened or mapped (missing, a directory, no permission).
    case cannotOpen(file: String, reason: String)
    /// The file has no bytes at all.
    case emptyFile(file: String)
    /// The file is a known other format (pickle, zip, GGUF, Git LFS pointer, HTML, text...).
    case notSafeTensors(file: String, format: ForeignFormat)
    /// Fewer than the 8 bytes of the header length.
    case fileTooSmall(file: String, size: Int)

    // MARK: The header bytes

    /// The header length field is larger than the reference reader's limit (100 MB).
    case headerTooLarge(file: String, length: UInt64, limit: Int)
    /// The header length field points past the end of the file.
    case headerTruncated(file: String, headerLength: UInt64, available: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8(file: String, byteOffset: Int)
    /// The header does not start with `{`: it is not a JSON object.
    case headerNotObject(file: String, found: String)
    /// The header is not valid JSON (syntax error at a byte offset inside the header).
    case headerNotJSON(file: String, byteOffset: Int, reason: String)

    // MARK: The header content

    /// Two tensors share one name (JSON parsers keep the last one silently; this reader refuses).
    case duplicateTensorName(file: String, name: String)
    /// A key appears twice inside one tensor entry or inside `__metadata__`.
    case duplicateKey(file: String, object: String, key: String)
    /// `__metadata__` is not a JSON object.
    case metadataNotObject(file: String, found: String)
    /// A `__metadata__` value is not a string (the format allows only string → string).
    case metadataValueNotString(file: String, key: String, found: String)
    /// A tensor entry is not a JSON object.
    case tensorEntryNotObject(file: String, tensor: String, found: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(file: String, tensor: String, field: String)
    /// A tensor field has the wrong JSON type (e.g. `"shape": "2x3"`).
    case invalidField(file: String, tensor: String, field: String, expected: String, found: String)
    /// The dtype string is not one the format defines.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A shape entry is negative, fractional, or too large.
    case invalidShapeEntry(file: String, tensor: String, index: Int, found: String)
    /// A `data_offsets` entry is negative, fractional, or too large.
    case invalidOffset(file: String, tensor: String, index: Int, found: String)
    /// `data_offsets` is `[begin, end]` with `end < begin`.
    case offsetsReversed(file: String, tensor: String, begin: Int, end: Int)
    /// The product of the shape times the dtype size overflows 64 bits.
    case sizeOverflow(file: String, tensor: String, shape: [Int], dtype: SafeTensorsDType)
    /// The byte span `end − begin` is not `shape × dtype size`.
    case byteSizeMismatch(file: String, tensor: String, dtype: SafeTensorsDType, shape: [Int], expected: Int, found: Int)
    /// Bytes of the data section that no tensor covers (`after` is nil when the gap opens the data section).
    case dataGap(file: String, after: String?, before: String, gapStart: Int, gapEnd: Int)
    /// Two tensors claim the same bytes.
    case dataOverlap(file: String, tensor: String, other: String, overlapStart: Int, overlapEnd: Int)
    /// The file ends before the data the header describes.
    case dataTruncated(file: String, expectedFileSize: Int, actualFileSize: Int)
    /// The file goes on after the last tensor.
    case trailingBytes(file: String, count: Int, expectedFileSize: Int)

    // MARK: Reading tensors

    /// No tensor of that name.
    case tensorNotFound(file: String, name: String, available: [String])
    /// The tensor's dtype cannot be read as the requested type.
    case dtypeMismatch(file: String, tensor: String, requested: String, found: SafeTensorsDType)
    /// A value does not fit the requested narrower type.
    case valueOutOfRange(file: String, tensor: String, index: Int, value: String, type: String)
    /// An empty tensor whose shape is valid in the file but whose row-major strides overflow 64 bits (e.g.
    /// `[0, 2^40, 2^40]`), so no `Tensor` can describe it.
    case shapeNotRepresentable(file: String, tensor: String, shape: [Int])
    /// A BOOL tensor holds a byte other than 0 or 1.
    case invalidBool(file: String, tensor: String, index: Int, byte: UInt8)

    // MARK: Writing

    /// A tensor name that cannot be written (empty, or the reserved `__metadata__`).
    case invalidTensorName(name: String, reason: String)
    /// The same name was added twice to a writer.
    case duplicateTensorNameInWriter(name: String)
    /// Creating, writing or renaming the output failed.
    case writeFailed(file: String, reason: String)

    /// The message, naming the file, the tensor and what was expected and found.
    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open: \(reason)"
        case let .emptyFile(file):
            return "\(file): the file is empty (0 bytes); a safetensors file starts with an 8-byte header length"
        case let .notSafeTensors(file, format):
            return "\(file): not a safetensors file: it is \(format)"
        case let .fileTooSmall(file, size):
            return "\(file): \(size) bytes is too small for a safetensors file (expected at least the 8-byte header length)"
        case let .headerTooLarge(file, length, limit):
            return "\(file): header length \(length) bytes exceeds the limit of \(limit) bytes (100 MB): not a safetensors file or corrupted"
        case let .headerTruncated(file, length, available):
            return "\(file): truncated: the header length field says \(length) bytes, but only \(available) bytes follow it"
        case let .headerNotUTF8(file, offset):
            return "\(file): the header is not valid UTF-8 (bad byte at header offset \(offset))"
        case let .headerNotObject(file, found):
            return "\(file): the header must be a JSON object starting with '{', found \(found)"
        case let .headerNotJSON(file, offset, reason):
            return "\(file): the header is not valid JSON at header offset \(offset): \(reason)"
        case let .duplicateTensorName(file, name):
            return "\(file): the header names tensor '\(name)' twice"
        case let .duplicateKey(file, object, key):
            return "\(file): key '\(key)' appears twice in \(object)"
        case let .metadataNotObject(file, found):
            return "\(file): __metadata__ must be an object of strings, found \(found)"
        case let .metadataValueNotString(file, key, found):
            return "\(file): __metadata__ value for '\(key)' must be a string, found \(found)"
        case let .tensorEntryNotObject(file, tensor, found):
            return "\(file): tensor '\(tensor)': expected an object with dtype, shape and data_offsets, found \(found)"
        case let .missingField(file, tensor, field):
            return "\(file): tensor '\(tensor)': missing field '\(field)'"
        case let .invalidField(file, tensor, field, expected, found):
            return "\(file): tensor '\(tensor)': field '\(field)' must be \(expected), found \(found)"
        case let .unknownDType(file, tensor, dtype):
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)': unknown dtype '\(dtype)' (expected one of \(known))"
        case let .invalidShapeEntry(file, tensor, index, found):
            return "\(file): tensor '\(tensor)': shape[\(index)] must be a non-negative integer, found \(found)"
        case let .invalidOffset(file, tensor, index, found):
            return "\(file): tensor '\(tensor)': data_offsets[\(index)] must be a non-negative integer, found \(found)"
        case let .offsetsReversed(file, tensor, begin, end):
            return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)] end before they begin"
        case let .sizeOverflow(file, tensor, shape, dtype):
            return "\(file): tensor '\(tensor)': shape \(shape) of \(dtype) overflows 64-bit byte counts"
        case let .byteSizeMismatch(file, tensor, dtype, shape, expected, found):
            return "\(file): tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expected) bytes, but data_offsets span \(found) bytes"
        case let .dataGap(file, after, before, start, end):
            let where_ = after.map { "between tensor '\($0)' and tensor '\(before)'" } ?? "before the first tensor '\(before)'"
            return "\(file): data bytes \(start)..<\(end) (\(end - start) bytes) belong to no tensor (gap \(where_))"
        case let .dataOverlap(file, tensor, other, start, end):
            return "\(file): tensors '\(other)' and '\(tensor)' overlap on data bytes \(start)..<\(end)"
        case let .dataTruncated(file, expected, actual):
            return "\(file): truncated: the header describes a file of \(expected) bytes, but it has \(actual) bytes (\(expected - actual) missing)"
        case let .trailingBytes(file, count, expected):
            return "\(file): \(count) trailing bytes after the last tensor (expected the file to end at byte \(expected))"
        case let .tensorNotFound(file, name, available):
            let shown = available.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
            let more = available.count > 8 ? ", ... (\(available.count) tensors)" : ""
            return "\(file): no tensor named '\(name)' (available: \(available.isEmpty ? "none" : shown + more))"
        case let .dtypeMismatch(file, tensor, requested, found):
            return "\(file): tensor '\(tensor)' is \(found), cannot be read as \(requested)"
        case let .valueOutOfRange(file, tensor, index, value, type):
            return "\(file): tensor '\(tensor)': element \(index) = \(value) does not fit in \(type)"
        case let .shapeNotRepresentable(file, tensor, shape):
            return "\(file): tensor '\(tensor)': shape \(shape) has no elements but its strides overflow 64 bits; it cannot be a Tensor"
        case let .invalidBool(file, tensor, index, byte):
            return "\(file): tensor '\(tensor)': BOOL element \(index) is byte \(byte), expected 0 or 1"
        case let .invalidTensorName(name, reason):
            return "cannot write tensor '\(name)': \(reason)"
        case let .duplicateTensorNameInWriter(name):
            return "cannot write tensor '\(name)': a tensor of that name was already added"
        case let .writeFailed(file, reason):
            return "\(file): write failed: \(reason)"
        }
    }
}
