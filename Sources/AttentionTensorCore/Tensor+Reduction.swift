import AttentionCKernels

/// Sums, means and maxima along axes, with gradients.
extension Tensor {
    /// Sum over `axes` (all axes when nil). Float32 rows are accumulated in Double, so long sums keep full
    /// Float32 accuracy.
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        reduced(axes: axes, keepingDimensions: keepingDimensions, averaging: false, op: "sum")
    }

    /// The sum, or with `averaging` the mean, over `axes`. The mean divides the Double accumulator before it is
    /// rounded to the element type, so a Float32 mean of values near Float.greatestFiniteMagnitude stays finite
    /// (a Float32 sum then divided would overflow to ∞ on the way).
    func reduced(axes: [Int]?, keepingDimensions: Bool, averaging: Bool, op: String) -> Tensor {
        let list = Array(Set((axes ?? Array(0..<rank)).map { Shape.axis($0, rank: rank, op: op) })).sorted(by: >)
        let n = Double(Swift.max(list.map { shape[$0] }.reduce(1, *), 1))
        var out = materialized()
        if list.count == 1 {
            out = out.sumAxisKeepingDimension(list[0], divisor: averaging ? n : 1)
        } else if list.count > 1 {
            // All reduced axes as one trailing axis, so one Double accumulator covers them (a Float32 partial sum
            // per axis could overflow where the whole mean does not).
            let kept = (0..<rank).filter { !list.contains($0) }, order = kept + list.reversed()
            if order != Array(0..<rank) { out = out.permuted(order).materialized() }
            out = out.reshaped(kept.map { shape[$0] } + [list.map { shape[$0] }.reduce(1, *)]).sumAxisKeepingDimension(kept.count, divisor: averaging ? n : 1)
        }
        var keptShape = shape
        for a in list { keptShape[a] = 1 }
        let finalShape = keepingDimensions ? keptShape : shape.enumerated().filter { !list.contains($0.offset) }.map(\.element)
        out = Tensor(storage: out.storage, shape: finalShape, strides: Shape.contiguousStrides(finalShape), offset: out.offset)
        let original = shape
        out.node = Autograd.record(inputs: [self]) { g in
            let spread = g.reshaped(keptShape).expanded(to: original).contiguous()
            return [averaging ? spread / n : spread]
        }
        return out
    }

    /// Sum of all elements along one axis.
    public func sum(axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(axes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Arithmetic mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        reduced(axes: axes, keepingDimensions: keepingDimensions, averaging: true, op: "mean")
    }

    /// The mean over `axis` (negative counts from the end); `keepingDimensions` keeps it with size 1.
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
    /// Sums along `a` (kept as a dimension of 1) in Double, divided by `divisor` before rounding to the element type.
    func sumAxisKeepingDimension(_ a: Int, divisor: Double = 1) -> Tensor {
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        var outShape = shape
        outShape[a] = 1
        let out = Tensor(storage: TensorStorage(zeroedCount: outer * inner, dtype: dtype), shape: outShape)
        func run<T: TensorScalar>(_: T.Type) {
            let src = storage.pointer(T.self) + offset, dst = out.storage.pointer(T.self)
            // Raw buffers: with an array and its bounds checks the column sums of a bias gradient did not vectorise.
            // (An empty outer may declare any inner: nothing is summed then, so nothing is allocated for it; nor
            // for Float32 columns, which the C kernel sums in registers.)
            let acc = UnsafeMutablePointer<Double>.allocate(capacity: outer == 0 || inner == 1 || T.self == Float.self ? 1 : inner)
            defer { acc.deallocate() }
            for o in 0..<outer {
                let row = src + o * n * inner
                if inner == 1 {
                    var total = 0.0
                    for j in 0..<n { total += Double(row[j]) }
                    dst[o] = T(divisor == 1 ? total : total / divisor)
                } else {
                    // Column blocks over the threads when there is enough work (a bias gradient: [B·L, N] summed
                    // over rows); each column is still summed in row order, so the split changes no bit.
                    let blocks = n * inner >= 1 << 16 && inner >= 128 ? Swift.min(Parallel.threadCount, inner / 64) : 1
                    let per = (inner + blocks - 1) / blocks
                    let (r, a, d) = (SendableConstPointer(row), SendablePointer(acc), SendablePointer(dst + o * inner))
                    Parallel.forEach(blocks) { block in
                        let i0 = block * per, i1 = Swift.min(inner, i0 + per)
                        if i0 >= i1 { return }
                        if T.self == Float.self {
                            // The same sums in the C kernel (double lanes; Swift's x86-64 build has no AVX).
                            ck_column_sums(UnsafeRawPointer(r.base + i0).assumingMemoryBound(to: Float.self), Int64(n),
                                           Int64(i1 - i0), Int64(inner), divisor,
                                           UnsafeMutableRawPointer(d.base + i0).assumingMemoryBound(to: Float.self))
                            return
                        }
                        for i in i0..<i1 { a.base[i] = 0 }
                        for j in 0..<n { for i in i0..<i1 { a.base[i] += Double(r.base[j * inner + i]) } }
                        for i in i0..<i1 { d.base[i] = T(divisor == 1 ? a.base[i] : a.base[i] / divisor) }
                    }
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
