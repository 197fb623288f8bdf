/// A boolean array with a shape, used for masks and selections (`Tensor.where`). Broadcasts like ``Tensor``.
public struct BoolTensor: Sendable, Equatable {
    /// The shape; the values are row-major.
    public let shape: [Int]
    /// The values in row-major order.
    public let values: [Bool]

    /// A boolean tensor of `shape` from its row-major values (their count must match the shape).
    public init(shape: [Int], values: [Bool]) {
        precondition(Shape.count(shape) == values.count,
                     "BoolTensor: shape \(shape) needs \(Shape.count(shape)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A tensor of `shape` filled with `value`.
    public init(repeating value: Bool, shape: [Int]) {
        self.init(shape: shape, values: [Bool](repeating: value, count: Shape.count(shape)))
    }

    /// Values read as if broadcast to `target`, in row-major order.
    public func broadcastValues(to target: [Int]) -> [Bool] {
        if shape == target { return values }
        precondition(Shape.broadcast(shape, target) == target, "BoolTensor: cannot broadcast shape \(shape) to \(target)")
        let strides = Shape.broadcastStrides(shape: shape, strides: Shape.contiguousStrides(shape), to: target)
        var out: [Bool] = []
        out.reserveCapacity(Shape.count(target))
        StridedWalk.forEachRun(shape: target, strides: strides) { start, n, step in
            for j in 0..<n { out.append(values[start + j * step]) }
        }
        return out
    }

    /// Elementwise negation.
    public static prefix func ! (x: BoolTensor) -> BoolTensor { BoolTensor(shape: x.shape, values: x.values.map { !$0 }) }

    /// Elementwise and, with broadcasting.
    public static func && (a: BoolTensor, b: BoolTensor) -> BoolTensor {
        let s = Shape.broadcastOrDie(a.shape, b.shape, op: "&&")
        return BoolTensor(shape: s, values: zip(a.broadcastValues(to: s), b.broadcastValues(to: s)).map { $0 && $1 })
    }

    /// Elementwise or, with broadcasting.
    public static func || (a: BoolTensor, b: BoolTensor) -> BoolTensor {
        let s = Shape.broadcastOrDie(a.shape, b.shape, op: "||")
        return BoolTensor(shape: s, values: zip(a.broadcastValues(to: s), b.broadcastValues(to: s)).map { $0 || $1 })
    }
}

extension Tensor {
    /// Elementwise `condition ? a : b`, with broadcasting of all three. The gradient flows to `a` where the
    /// condition holds and to `b` elsewhere.
    public static func `where`(_ condition: BoolTensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.dtype == b.dtype, "where: dtypes differ (\(a.dtype) vs \(b.dtype))")
        let ab = Shape.broadcastOrDie(a.shape, b.shape, op: "where")
        let shape = Shape.broadcastOrDie(condition.shape, ab, op: "where (condition)")
        let mask = Tensor(shape: shape, scalars: condition.broadcastValues(to: shape).map { $0 ? 1 : 0 }).cast(to: a.dtype)
        let ea = a.expanded(to: shape).detached(), eb = b.expanded(to: shape).detached()
        var out = Tensor.pointwise(Tensor.pointwise(mask, ea, op: "where", { $0 != 0 ? $1 : 0 }, { $0 != 0 ? $1 : 0 }),
                                   Tensor.pointwise(mask, eb, op: "where", { $0 != 0 ? 0 : $1 }, { $0 != 0 ? 0 : $1 }),
                                   op: "where", +, +)
        out.node = Autograd.record(inputs: [a, b]) { g in
            [(g * mask).summed(toShape: a.shape), (g * (1 - mask)).summed(toShape: b.shape)]
        }
        return out
    }

    /// `value` where `mask` is true, `self` elsewhere (mask broadcasts to this shape).
    public func maskedFill(_ mask: BoolTensor, with value: Double) -> Tensor {
        precondition(Shape.broadcast(mask.shape, shape) == shape, "maskedFill: mask \(mask.shape) does not broadcast to \(shape)")
        return Tensor.where(mask, scalarLike(value), self)
    }

    /// Elementwise comparisons with a constant, as masks.
    public func isGreater(than value: Double) -> BoolTensor { BoolTensor(shape: shape, values: doubles.map { $0 > value }) }
    /// True where the element is less than `value` (NaN compares false).
    public func isLess(than value: Double) -> BoolTensor { BoolTensor(shape: shape, values: doubles.map { $0 < value }) }
}
