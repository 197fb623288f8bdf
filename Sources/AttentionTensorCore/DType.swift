import Foundation

/// Element type of a ``Tensor``. Float32 is the working precision; Float64 backs the reference paths and the
/// gradient checker.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32
    case float64

    /// Bytes per element.
    public var byteSize: Int { self == .float32 ? 4 : 8 }
    public var description: String { rawValue }
}

/// The two scalar types a tensor can hold. Kernels are written once, generic over this protocol, and
/// specialised by the compiler for `Float` and `Double`.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
    static var dtype: DType { get }
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) public static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    @inline(__always) public static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    @inline(__always) public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inline(__always) public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inline(__always) public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}
