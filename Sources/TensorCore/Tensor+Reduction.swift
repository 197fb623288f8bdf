/// Sums, means and maxima along axes, with gradients.
extension Tensor {
    /// Sum over `axes` (all axes when nil). Float32 rows are accumulated in Double, so long sums keep full
    /// Float32 accuracy.
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let list = Array(Set((axes ?? Array(0..<rank)).map { Shape.axis($0, rank: rank, op: "sum") })).sorted(by: >)
        var out = materialized()
        for a in list { out = out.sumAxisKeepingDimension(a) }
        var keptShape = shape
        for a in list { keptShape[a] = 1 }
        let finalShape = keepingDimensions ? keptShape : shape.enumerated().filter { !list.contains($0.offset) }.map(\.element)
        out = Tensor(storage: out.storage, shape: finalShape, strides: Shape.contiguousStrides(finalShape), offset: out.offset)
        let original = shape
        out.node = Autograd.record(inputs: [self]) { g in [g.reshaped(keptShape).expanded(to: original).contiguous()] }
        return out
    }

    /// Sum of all elements along one axis.
    public func sum(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(axes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Arithmetic mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let list = (axes ?? Array(0..<rank)).map { Shape.axis($0, rank: rank, op: "mean") }
        let n = Set(list).map { shape[$0] }.reduce(1, *)
        return sum(axes: list, keepingDimensions: keepingDimensions) / Double(Swift.max(n, 1))
    }

    public func mean(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(axes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Maximum along `axis`. The gradient flows to the first position of the maximum in each slice.
    public func max(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "max")
        precondition(shape[a] > 0, "max: axis \(a) of shape \(shape) is empty")
        let (values, indices) = maxAlong(a)
        var keptShape = shape
        keptShape[a] = 1
        var outShape = keptShape
        if !keepingDimensions { outShape.remove(at: a) }
        var out = Tensor(storage: values.storage, shape: outShape)
        let original = shape, dt = dtype
        out.node = Autograd.record(inputs: [self]) { g in [Tensor.scatterAlong(g.materialized(), indices: indices, axis: a, shape: original, dtype: dt)] }
        return out
    }

    /// Position of the first maximum along `axis`, for each slice (row-major over the other axes).
    public func argmax(axis: Int) -> [Int] {
        let a = Shape.axis(axis, rank: rank, op: "argmax")
        precondition(shape[a] > 0, "argmax: axis \(a) of shape \(shape) is empty")
        return maxAlong(a).indices
    }

    /// The maximum of all elements.
    public func max() -> Tensor { reshaped([count]).max(axis: 0) }

    // MARK: Kernels

    /// [outer, n, inner] → [outer, 1, inner] by summation along the middle axis.
    func sumAxisKeepingDimension(_ a: Int) -> Tensor {
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        var outShape = shape
        outShape[a] = 1
        let out = Tensor(storage: TensorStorage(zeroedCount: outer * inner, dtype: dtype), shape: outShape)
        func run<T: TensorScalar>(_: T.Type) {
            let src = storage.pointer(T.self) + offset, dst = out.storage.pointer(T.self)
            for o in 0..<outer {
                let row = src + o * n * inner
                if inner == 1 {
                    var acc = 0.0
                    for j in 0..<n { acc += Double(row[j]) }
                    dst[o] = T(acc)
                } else {
                    let d = dst + o * inner
                    for j in 0..<n { for i in 0..<inner { d[i] += row[j * inner + i] } }
                }
            }
        }
        switch dtype { case .float32: run(Float.self); case .float64: run(Double.self) }
        return out
    }

    /// Maximum values (as a flat contiguous tensor of outer·inner elements) and their first positions along `a`.
    func maxAlong(_ a: Int) -> (values: Tensor, indices: [Int]) {
        let c = materialized()
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        let values = Tensor(storage: TensorStorage(uninitializedCount: outer * inner, dtype: dtype), shape: [outer * inner])
        var indices = [Int](repeating: 0, count: outer * inner)
        func run<T: TensorScalar>(_: T.Type) {
            let src = c.storage.pointer(T.self) + c.offset, dst = values.storage.pointer(T.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = src[o * n * inner + i], at = 0
                    for j in 1..<Swift.max(n, 1) {
                        let v = src[o * n * inner + j * inner + i]
                        // A NaN anywhere makes the maximum NaN (as in PyTorch), never silently dropped.
                        if v > best || (v.isNaN && !best.isNaN) { best = v; at = j }
                    }
                    dst[o * inner + i] = best
                    indices[o * inner + i] = at
                }
            }
        }
        switch dtype { case .float32: run(Float.self); case .float64: run(Double.self) }
        return (values, indices)
    }

    /// A zero tensor of `shape` with `values` (flat, outer·inner) written at `indices` along axis `a`.
    static func scatterAlong(_ values: Tensor, indices: [Int], axis a: Int, shape: [Int], dtype: DType) -> Tensor {
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        let out = Tensor(storage: TensorStorage(zeroedCount: Shape.count(shape), dtype: dtype), shape: shape)
        func run<T: TensorScalar>(_: T.Type) {
            let src = values.storage.pointer(T.self) + values.offset, dst = out.storage.pointer(T.self)
            for o in 0..<outer { for i in 0..<inner {
                dst[o * n * inner + indices[o * inner + i] * inner + i] += src[o * inner + i]
            } }
        }
        switch dtype { case .float32: run(Float.self); case .float64: run(Double.self) }
        return out
    }
}
