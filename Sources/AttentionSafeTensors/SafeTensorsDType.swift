/// An element type of the safetensors format, spelled as in the header (`"F32"`, `"BF16"`, `"BOOL"`...).
///
/// All little-endian, row-major. The reader validates files holding any of these; ``SafeTensorsFile`` converts the
/// floating-point ones to a `Tensor` and the integer and boolean ones to Swift arrays.
///
/// ```swift
/// let dtype = SafeTensorsDType(rawValue: "BF16")!
/// print(dtype.byteSize, dtype.isFloatingPoint)   // 2 true
/// ```
public enum SafeTensorsDType: String, CaseIterable, Sendable, CustomStringConvertible {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case float64 = "F64"
    case int64 = "I64"
    case uint64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float8E5M2, .float8E4M3, .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        default: return false
        }
    }

    public var description: String { rawValue }

    /// Rank in the reference writer's ordering (the declaration order of its dtype enum). Files are laid out by
    /// descending rank so that the widest types come first and stay aligned; matching it makes our output byte-identical
    /// to Python's `safetensors.numpy.save_file` for the same tensors.
    var writerRank: Int { Self.allCases.firstIndex(of: self)! }
}
