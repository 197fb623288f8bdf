import Foundation

/// Element type of a ``Tensor``. Float32 is the working precision; Float64 backs the reference paths and the
/// gradient checker.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE single precision, the default.
    case float32
    /// IEEE double precision, for references and gradient checks.
    case float64

    /// Bytes per element.
    public var byteSize: Int { self == .float32 ? 4 : 8 }
    /// The dtype's name ("float32", "float64").
    public var description: String { rawValue }
}

/// The two scalar types a tensor can hold. Kernels are written once, generic over this protocol, and
/// specialised by the compiler for `Float` and `Double`.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
    /// The `DType` of this scalar type.
    static var dtype: DType { get }
    /// eˣ in this precision.
    static func exp(_ x: Self) -> Self
    /// ln x in this precision.
    static func log(_ x: Self) -> Self
    /// tanh x in this precision.
    static func tanh(_ x: Self) -> Self
    /// sin x in this precision.
    static func sin(_ x: Self) -> Self
    /// cos x in this precision.
    static func cos(_ x: Self) -> Self
    /// xʸ in this precision.
    static func pow(_ x: Self, _ y: Self) -> Self
    /// The Gauss error function in this precision.
    static func erf(_ x: Self) -> Self
}

extension Float: TensorScalar {
    /// `.float32`.
    public static var dtype: DType { .float32 }
    /// eˣ in Float.
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    /// ln x in Float.
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.log(x) }
    /// tanh x in Float.
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    /// sin x in Float.
    @inline(__always) public static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    /// cos x in Float.
    @inline(__always) public static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    /// xʸ in Float.
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    /// The Gauss error function in Float.
    @inline(__always) public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: TensorScalar {
    /// `.float64`.
    public static var dtype: DType { .float64 }
    /// eˣ in Double.
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    /// ln x in Double.
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    /// tanh x in Double.
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    /// sin x in Double.
    @inline(__always) public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    /// cos x in Double.
    @inline(__always) public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    /// xʸ in Double.
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    /// The Gauss error function in Double.
    @inline(__always) public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}
