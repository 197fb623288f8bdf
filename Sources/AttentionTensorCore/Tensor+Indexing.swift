/// Concatenation, index selection (embedding lookup), gather and top-k.
extension Tensor {
    /// Tensors joined along `axis`; all other dimensions must agree. Differentiable in every input.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let a = Shape.axis(axis, rank: first.rank, op: "concatenate")
        for t in tensors {
            precondition(t.rank == first.rank && t.dtype == first.dtype
                            && zip(t.shape, first.shape).enumerated().allSatisfy { $0.offset == a || $0.element.0 == $0.element.1 },
                         "concatenate: shape \(t.shape) (\(t.dtype)) does not match \(first.shape) (\(first.dtype)) outside axis \(a)")
        }
        var shape = first.shape
        shape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
        var out = Tensor.zeros(shape, dtype: first.dtype)
        var starts: [Int] = []
        var at = 0
        for t in tensors {
            starts.append(at)
            out.assign(t.detached(), axis: a, at: at)
            at += t.shape[a]
        }
        let sizes = tensors.map { $0.shape[a] }
        out.node = Autograd.record(inputs: tensors) { g in
            zip(starts, sizes).map { s, n in g.slice(axis: a, s..<(s + n)).contiguous() }
        }
        return out
    }

    /// Slices `indices` along `axis`, in that order (repeats allowed): the result has `indices.count` in place of
    /// that dimension. On a [V, D] table with axis 0 this is an embedding lookup. The gradient adds back into
    /// the selected slices.
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "indexSelect")
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        for i in indices { precondition(i >= 0 && i < n, "indexSelect: index \(i) out of range 0..<\(n) for axis \(a) of shape \(shape)") }
        var outShape = shape
        outShape[a] = indices.count
        let c = materialized()
        var out = Tensor(storage: TensorStorage(uninitializedCount: Shape.count(outShape), dtype: dtype), shape: outShape)
        func run<T: TensorScalar>(_: T.Type) {
            let src = c.storage.pointer(T.self) + c.offset, dst = out.storage.pointer(T.self)
            for o in 0..<outer { for (j, i) in indices.enumerated() {
                (dst + (o * indices.count + j) * inner).update(from: src + (o * n + i) * inner, count: inner)
            } }
        }
        switch dtype { case .float32: run(Float.self); case .float64: run(Double.self) }
        let original = shape, dt = dtype
        out.node = Autograd.record(inputs: [self]) { g in
            let gc = g.materialized()
            let grad = Tensor(storage: TensorStorage(zeroedCount: Shape.count(original), dtype: dt), shape: original)
            func back<T: TensorScalar>(_: T.Type) {
                let src = gc.storage.pointer(T.self) + gc.offset, dst = grad.storage.pointer(T.self)
                for o in 0..<outer { for (j, i) in indices.enumerated() {
                    let d = dst + (o * n + i) * inner, s = src + (o * indices.count + j) * inner
                    for e in 0..<inner { d[e] += s[e] }
                } }
            }
            switch dt { case .float32: back(Float.self); case .float64: back(Double.self) }
            return [grad]
        }
        return out
    }

    /// Rows of the [V, D] table `self` for each id: result shape `idsShape + [D]`.
    public func embeddingLookup(_ ids: [Int], shape idsShape: [Int]) -> Tensor {
        precondition(rank == 2, "embeddingLookup: table must be [V, D], got \(shape)")
        precondition(Shape.count(idsShape) == ids.count, "embeddingLookup: \(ids.count) ids do not fill shape \(idsShape)")
        return indexSelect(axis: 0, ids).reshaped(idsShape + [shape[1]])
    }

    /// Along `axis`, picks per position: out[o, j, i] = self[o, index[o, j, i], i], where `index` has this tensor's
    /// shape except `count` entries along `axis` (flattened row-major). Gradient: scatter-add.
    public func gather(axis: Int, indices: [Int], count m: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "gather")
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        precondition(indices.count == outer * m * inner, "gather: \(indices.count) indices, expected \(outer * m * inner)")
        for i in indices { precondition(i >= 0 && i < n, "gather: index \(i) out of range 0..<\(n) for shape \(shape)") }
        var outShape = shape
        outShape[a] = m
        // Positions in the flat source that each output element reads.
        var source = [Int](repeating: 0, count: indices.count)
        for o in 0..<outer { for j in 0..<m { for e in 0..<inner {
            let k = (o * m + j) * inner + e
            source[k] = (o * n + indices[k]) * inner + e
        } } }
        let flat = reshaped([count])
        return flat.gatherFlat(source).reshaped(outShape)
    }

    /// The `k` largest entries along `axis` (descending; ties keep the lower index first) and their positions.
    /// Values are differentiable; the selection itself is not (hard attention).
    public func topK(_ k: Int, axis: Int = -1) -> (values: Tensor, indices: [Int]) {
        let a = Shape.axis(axis, rank: rank, op: "topK")
        let n = shape[a], inner = shape[(a + 1)...].reduce(1, *), outer = shape[..<a].reduce(1, *)
        precondition(k >= 0 && k <= n, "topK: k = \(k) out of range 0...\(n) for axis \(a) of shape \(shape)")
        let data = doubles
        var indices = [Int](repeating: 0, count: outer * k * inner)
        for o in 0..<outer { for e in 0..<inner {
            let order = (0..<n).sorted { x, y in
                let vx = data[(o * n + x) * inner + e], vy = data[(o * n + y) * inner + e]
                return vx > vy || (vx == vy && x < y)
            }
            for j in 0..<k { indices[(o * k + j) * inner + e] = order[j] }
        } }
        return (gather(axis: a, indices: indices, count: k), indices)
    }

    /// Elements at flat positions `source` of this 1-D tensor.
    func gatherFlat(_ source: [Int]) -> Tensor {
        let c = materialized()
        var out = Tensor(storage: TensorStorage(uninitializedCount: source.count, dtype: dtype), shape: [source.count])
        func run<T: TensorScalar>(_: T.Type) {
            let s = c.storage.pointer(T.self) + c.offset, d = out.storage.pointer(T.self)
            for (i, p) in source.enumerated() { d[i] = s[p] }
        }
        switch dtype { case .float32: run(Float.self); case .float64: run(Double.self) }
        let n = count, dt = dtype
        out.node = Autograd.record(inputs: [self]) { g in
            let gc = g.materialized()
            let grad = Tensor(storage: TensorStorage(zeroedCount: n, dtype: dt), shape: [n])
            func back<T: TensorScalar>(_: T.Type) {
                let s = gc.storage.pointer(T.self) + gc.offset, d = grad.storage.pointer(T.self)
                for (i, p) in source.enumerated() { d[p] += s[i] }
            }
            switch dt { case .float32: back(Float.self); case .float64: back(Double.self) }
            return [grad]
        }
        return out
    }
}
