/// Shape arithmetic shared by every op: element counts, row-major strides, axis normalisation and
/// NumPy/PyTorch broadcasting (align trailing dimensions; a dimension of 1 stretches).
public enum Shape {
    /// Number of elements of `shape` (1 for a scalar shape `[]`). Stops with a message naming the shape when a
    /// dimension is negative or the product overflows `Int` (a bare overflow trap would say nothing); code that
    /// sizes outside data should ask ``checkedCount(_:)`` first and throw.
    @inlinable public static func count(_ shape: [Int]) -> Int {
        guard let n = checkedCount(shape) else {
            preconditionFailure("Shape.count: shape \(shape) has a negative dimension or more than Int.max (\(Int.max)) elements")
        }
        return n
    }

    /// Number of elements of `shape`, or nil when a dimension is negative or the product overflows `Int`. A zero
    /// dimension gives 0 whatever the others are (so [0, 2⁶², 2⁶²] is a valid, empty shape).
    @inlinable public static func checkedCount(_ shape: [Int]) -> Int? {
        if shape.contains(where: { $0 < 0 }) { return nil }
        if shape.contains(0) { return 0 }
        var n = 1
        for d in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// Row-major (C-order) strides in elements.
    @inlinable public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Broadcast shape, stopping with a message that names both shapes when they are incompatible.
    public static func broadcastOrDie(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        guard let out = broadcast(a, b) else {
            preconditionFailure("\(op): shapes \(a) and \(b) cannot be broadcast together")
        }
        return out
    }

    /// Normalise a possibly negative axis (−1 = last) against `rank`, stopping with a clear message when it is
    /// out of range.
    @inlinable public static func axis(_ axis: Int, rank: Int, op: String = "axis") -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < max(rank, 1), "\(op): axis \(axis) is out of range for a tensor of rank \(rank)")
        return a
    }

    /// Strides that read a tensor of `shape`/`strides` as if it had the (broadcast) shape `target`: missing leading
    /// dimensions and stretched dimensions get stride 0.
    public static func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
        let pad = target.count - shape.count
        precondition(pad >= 0, "cannot broadcast shape \(shape) to \(target)")
        var out = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count {
            if shape[i] == target[i + pad] { out[i + pad] = strides[i] } else {
                precondition(shape[i] == 1, "cannot broadcast shape \(shape) to \(target)")
            }
        }
        return out
    }
}
