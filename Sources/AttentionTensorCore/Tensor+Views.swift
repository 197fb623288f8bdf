/// Views: new shapes or orders over the same storage, without copying when the strides allow it.
/// All are differentiable.
extension Tensor {
    /// The same elements with a new shape (row-major order kept). One dimension may be −1 (inferred).
    /// A view when `self` is contiguous; otherwise a copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped: cannot reshape \(shape) to \(newShape)")
            target[unknown] = count / known
        }
        precondition(target.allSatisfy { $0 >= 0 } && Shape.count(target) == count,
                     "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        let base = materialized()
        var out = Tensor(storage: base.storage, shape: target, strides: Shape.contiguousStrides(target), offset: base.offset)
        let original = shape
        out.node = Autograd.record(inputs: [self]) { g in [g.reshaped(original)] }
        return out
    }

    /// Dimensions reordered: result dimension i is dimension `order[i]` of `self`. A view.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank),
                     "permuted: \(order) is not a permutation of the \(rank) axes of shape \(shape)")
        var out = Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        out.node = Autograd.record(inputs: [self]) { g in [g.permuted(inverse)] }
        return out
    }

    /// Two dimensions swapped (default: the last two, i.e. the matrix transpose). A view.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let x = Shape.axis(a, rank: rank, op: "transposed"), y = Shape.axis(b, rank: rank, op: "transposed")
        var order = Array(0..<rank)
        order.swapAt(x, y)
        return permuted(order)
    }

    /// Elements `range` along `axis`. A view.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) out of bounds for axis \(a) of shape \(shape)")
        var newShape = shape
        newShape[a] = range.count
        var out = Tensor(storage: storage, shape: newShape, strides: strides, offset: offset + range.lowerBound * strides[a])
        let original = shape, dt = dtype
        out.node = Autograd.recordSlice(of: self, SliceRegion(axis: a, range: range, shape: original, dtype: dt)) { g in
            var full = Tensor.zeros(original, dtype: dt)
            full.assign(g, axis: a, at: range.lowerBound)
            return [full]
        }
        return out
    }

    /// A view of `self` broadcast to `target` (stretched dimensions repeat without copying).
    public func expanded(to target: [Int]) -> Tensor {
        precondition(Shape.broadcast(shape, target) == target, "expanded: cannot broadcast shape \(shape) to \(target)")
        var out = Tensor(storage: storage, shape: target,
                         strides: Shape.broadcastStrides(shape: shape, strides: strides, to: target), offset: offset)
        let original = shape
        out.node = Autograd.record(inputs: [self]) { g in [g.summed(toShape: original)] }
        return out
    }

    /// A new dimension of size 1 inserted at `axis`.
    public func unsqueezed(_ axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "unsqueezed: axis \(axis) out of range for shape \(shape)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// The dimension `axis` (of size 1) removed.
    public func squeezed(_ axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "squeezed")
        precondition(shape[a] == 1, "squeezed: axis \(a) of shape \(shape) has size \(shape[a]), not 1")
        var s = shape
        s.remove(at: a)
        return reshaped(s)
    }

    /// Sums a broadcast gradient back to `target` (the shape an input had before broadcasting).
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let pad = rank - target.count
        precondition(pad >= 0, "summed(toShape:): cannot reduce \(shape) to \(target)")
        var axes = Array(0..<pad)
        for (i, d) in target.enumerated() where d == 1 && shape[i + pad] != 1 { axes.append(i + pad) }
        return sum(axes: axes, keepingDimensions: true).reshaped(target)
    }

    /// Writes `source` into `self` at offset `start` along `axis` (other dimensions must match). In place, no
    /// gradient: used by backward passes and concatenation.
    mutating func assign(_ source: Tensor, axis: Int, at start: Int) {
        var regionShape = shape
        regionShape[axis] = source.shape[axis]
        precondition(source.shape == regionShape, "assign: source \(source.shape) does not fit region \(regionShape)")
        let src = source.materialized()
        switch dtype {
        case .float32: assignRegion(Float.self, src, axis: axis, start: start)
        case .float64: assignRegion(Double.self, src.cast(to: .float64), axis: axis, start: start)
        }
    }

    private mutating func assignRegion<T: TensorScalar>(_: T.Type, _ src: Tensor, axis: Int, start: Int) {
        let srcData = src.storage.pointer(T.self) + src.offset
        let fullStrides = Shape.contiguousStrides(shape)
        let regionStrides = fullStrides
        withMutableScalars(T.self) { dst in
            var k = 0
            let base = start * fullStrides[axis]
            StridedWalk.forEachRun(shape: src.shape, strides: regionStrides) { s, n, step in
                for j in 0..<n { dst[base + s + j * step] = srcData[k + j] }
                k += n
            }
        }
    }
}
