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
    /// One byte per element, 0 or 1.
    case bool = "BOOL"
    /// Unsigned 8-bit integers.
    case uint8 = "U8"
    /// Signed 8-bit integers.
    case int8 = "I8"
    /// 8-bit floats, 5 exponent and 2 mantissa bits.
    case float8E5M2 = "F8_E5M2"
    /// 8-bit floats, 4 exponent and 3 mantissa bits.
    case float8E4M3 = "F8_E4M3"
    /// Signed 16-bit integers.
    case int16 = "I16"
    /// Unsigned 16-bit integers.
    case uint16 = "U16"
    /// IEEE half precision.
    case float16 = "F16"
    /// bfloat16: Float32's exponent with a 7-bit mantissa.
    case bfloat16 = "BF16"
    /// Signed 32-bit integers.
    case int32 = "I32"
    /// Unsigned 32-bit integers.
    case uint32 = "U32"
    /// IEEE single precision.
    case float32 = "F32"
    /// IEEE double precision.
    case float64 = "F64"
    /// Signed 64-bit integers.
    case int64 = "I64"
    /// Unsigned 64-bit integers.
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

    /// True for the floating-point dtypes (F8 to F64).
    public var isFloatingPoint: Bool {
        switch self {
        case .float8E5M2, .float8E4M3, .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    /// True for the signed and unsigned integer dtypes (BOOL is neither).
    public var isInteger: Bool {
        switch self {
        case .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        default: return false
        }
    }

    /// The dtype's name as the file spells it ("F32", "BF16", …).
    public var description: String { rawValue }

    /// Rank in the reference writer's ordering (the declaration order of its dtype enum). Files are laid out by
    /// descending rank so that the widest types come first and stay aligned; matching it makes our output byte-identical
    /// to Python's `safetensors.numpy.save_file` for the same tensors.
    var writerRank: Int { Self.allCases.firstIndex(of: self)! }
}
