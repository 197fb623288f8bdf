/// An n-dimensional array of `Float` (or `Double`) with value semantics.
///
/// Copies are cheap: tensors share storage until one of them is written (copy-on-write). `reshape`, `transposed`,
/// `permuted`, `slice` and `expanded` return views over the same storage whenever the strides allow it. Every op
/// returns a fresh, contiguous tensor. When gradient recording is on (the default) and an input requires
/// gradients, the result remembers how to differentiate itself (see `Tensor+Autograd.swift`).
///
/// ```swift
/// let q = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let w = q.softmax(axis: -1)          // rows sum to 1
/// print(w.shape, w.scalars)
/// ```
public struct Tensor: @unchecked Sendable {
    @usableFromInline var storage: TensorStorage
    /// Size of each dimension.
    public internal(set) var shape: [Int]
    /// Distance in elements between neighbours along each dimension (0 for a broadcast dimension).
    public internal(set) var strides: [Int]
    /// Index of the first element in `storage`.
    @usableFromInline var offset: Int
    /// Autograd bookkeeping: nil for constants.
    @usableFromInline var node: AutogradNode?

    @usableFromInline
    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int = 0, node: AutogradNode? = nil) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.node = node
    }

    /// A contiguous tensor wrapping fresh storage.
    @usableFromInline init(storage: TensorStorage, shape: [Int]) {
        self.init(storage: storage, shape: shape, strides: Shape.contiguousStrides(shape))
    }

    // MARK: Creation

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == scalars.count,
                     "Tensor: shape \(shape) needs \(Shape.count(shape)) scalars, got \(scalars.count)")
        let s = TensorStorage(uninitializedCount: scalars.count, dtype: .float32)
        scalars.withUnsafeBufferPointer { s.pointer(Float.self).update(from: $0.baseAddress!, count: $0.count) }
        self.init(storage: s, shape: shape)
    }

    /// A Float64 tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], doubles: [Double]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == doubles.count,
                     "Tensor: shape \(shape) needs \(Shape.count(shape)) scalars, got \(doubles.count)")
        let s = TensorStorage(uninitializedCount: doubles.count, dtype: .float64)
        doubles.withUnsafeBufferPointer { s.pointer(Double.self).update(from: $0.baseAddress!, count: $0.count) }
        self.init(storage: s, shape: shape)
    }

    /// A 1-D tensor.
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// A 2-D tensor from rows of equal length.
    public init(_ rows: [[Float]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "Tensor: rows have different lengths")
        self.init(shape: [rows.count, cols], scalars: rows.flatMap { $0 })
    }

    /// A rank-0 tensor.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// A tensor of `shape` filled with `value`.
    public init(repeating value: Double, shape: [Int], dtype: DType = .float32) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let n = Shape.count(shape)
        let s = TensorStorage(uninitializedCount: n, dtype: dtype)
        switch dtype {
        case .float32: s.pointer(Float.self).initialize(repeating: Float(value), count: n)
        case .float64: s.pointer(Double.self).initialize(repeating: value, count: n)
        }
        self.init(storage: s, shape: shape)
    }

    /// A tensor of `shape` filled with 0.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(storage: TensorStorage(zeroedCount: Shape.count(shape), dtype: dtype), shape: shape)
    }

    /// A tensor of `T` elements written by `body`, which must initialise every one of them: no zero fill first
    /// (loading a checkpoint decodes straight into the tensor).
    public static func initialized<T: TensorScalar, E: Error>(
        _ shape: [Int], of _: T.Type, by body: (UnsafeMutableBufferPointer<T>) throws(E) -> Void
    ) throws(E) -> Tensor {
        let n = Shape.count(shape)
        let s = TensorStorage(uninitializedCount: n, dtype: T.dtype)
        try body(UnsafeMutableBufferPointer(start: s.pointer(T.self), count: n))
        return Tensor(storage: s, shape: shape)
    }

    /// A tensor of `shape` filled with 1.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(repeating: 1, shape: shape, dtype: dtype)
    }

    /// 0, 1, …, n−1 as a 1-D tensor.
    public static func arange(_ n: Int, dtype: DType = .float32) -> Tensor {
        return Tensor(shape: [n], doubles: (0..<n).map(Double.init)).cast(to: dtype)
    }

    // MARK: Properties

    /// The element type, Float32 or Float64.
    public var dtype: DType { storage.dtype }
    /// The number of axes (0 for a scalar).
    public var rank: Int { shape.count }
    /// The number of elements (1 for a scalar).
    public var count: Int { Shape.count(shape) }

    /// Whether the elements are laid out in row-major order without gaps.
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The elements in row-major order, as Float.
    public var scalars: [Float] {
        let c = materialized()
        switch c.dtype {
        case .float32:
            return Array(UnsafeBufferPointer(start: c.storage.pointer(Float.self) + c.offset, count: c.count))
        case .float64:
            return UnsafeBufferPointer(start: c.storage.pointer(Double.self) + c.offset, count: c.count).map(Float.init)
        }
    }

    /// The elements in row-major order, as Double (exact for both dtypes).
    public var doubles: [Double] {
        let c = materialized()
        switch c.dtype {
        case .float32:
            return UnsafeBufferPointer(start: c.storage.pointer(Float.self) + c.offset, count: c.count).map(Double.init)
        case .float64:
            return Array(UnsafeBufferPointer(start: c.storage.pointer(Double.self) + c.offset, count: c.count))
        }
    }

    /// The single element of a one-element tensor.
    public var item: Double {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, expected 1")
        return doubles[0]
    }

    /// The element at `indices` (one per dimension), as Double.
    public subscript(indices: Int...) -> Double {
        precondition(indices.count == rank, "subscript: \(indices.count) indices for a tensor of shape \(shape)")
        var linear = offset
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "subscript: index \(i) out of range for axis \(axis) of shape \(shape)")
            linear += i * strides[axis]
        }
        switch dtype {
        case .float32: return Double(storage.pointer(Float.self)[linear])
        case .float64: return storage.pointer(Double.self)[linear]
        }
    }
}
