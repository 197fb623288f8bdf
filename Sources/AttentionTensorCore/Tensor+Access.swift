/// Raw access for kernels and for code that fills tensors element by element.
extension Tensor {
    /// A contiguous tensor with the same values: `self` when already contiguous, otherwise a copy.
    /// Differentiable (the gradient passes through unchanged).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        var out = materialized()
        out.node = Autograd.record(inputs: [self]) { g in [g] }
        return out
    }

    /// A contiguous copy (or `self`), without autograd bookkeeping: what kernels read.
    @usableFromInline func materialized() -> Tensor {
        if isContiguous { return Tensor(storage: storage, shape: shape, strides: strides, offset: offset) }
        let out = Tensor(storage: TensorStorage(uninitializedCount: count, dtype: dtype), shape: shape)
        switch dtype {
        case .float32: copyStrided(Float.self, into: out.storage.pointer(Float.self))
        case .float64: copyStrided(Double.self, into: out.storage.pointer(Double.self))
        }
        return out
    }

    /// Copies the elements in row-major order into `dst`.
    @usableFromInline func copyStrided<T: TensorScalar>(_: T.Type, into dst: UnsafeMutablePointer<T>) {
        let src = storage.pointer(T.self) + offset
        var k = 0
        StridedWalk.forEachRun(shape: shape, strides: strides) { start, n, step in
            if step == 1 { (dst + k).update(from: src + start, count: n) } else {
                for j in 0..<n { dst[k + j] = src[start + j * step] }
            }
            k += n
        }
    }

    /// Read the elements, in row-major order, through a pointer. Copies only when `self` is not contiguous.
    @inlinable public func withScalars<T: TensorScalar, R>(_: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, "withScalars: tensor is \(dtype), read as \(T.dtype)")
        let c = materialized()
        return try withExtendedLifetime(c) {
            try body(UnsafeBufferPointer(start: c.storage.pointer(T.self) + c.offset, count: c.count))
        }
    }

    /// Write the elements in place, in row-major order. Makes the storage contiguous and unshared first, so other
    /// copies of this tensor are not affected. Detaches the tensor from the autograd graph (an in-place write
    /// has no gradient).
    public mutating func withMutableScalars<T: TensorScalar, R>(_: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dtype == dtype, "withMutableScalars: tensor is \(dtype), written as \(T.dtype)")
        makeUniqueAndContiguous()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer(T.self), count: count))
    }

    /// Gives this tensor its own contiguous storage starting at offset 0 (copying only when needed) and cuts it
    /// from the autograd graph: the precondition of every in-place write.
    mutating func makeUniqueAndContiguous() {
        if !isContiguous || offset != 0 || storage.count != count || storage.owner != nil || !isKnownUniquelyReferenced(&storage) {
            let fresh = materialized()
            storage = fresh.offset == 0 && fresh.storage !== storage ? fresh.storage : Tensor.copyOf(fresh)
            strides = Shape.contiguousStrides(shape)
            offset = 0
        }
        node = nil
    }

    private static func copyOf(_ t: Tensor) -> TensorStorage {
        let s = TensorStorage(uninitializedCount: t.count, dtype: t.dtype)
        (s.base).copyMemory(from: t.storage.base + t.offset * t.dtype.byteSize, byteCount: t.count * t.dtype.byteSize)
        return s
    }

    /// A tensor over `count(shape)` elements at `pointer`, without copying them: for memory that `owner` keeps
    /// valid and unchanged (a memory-mapped checkpoint), which is retained as long as any tensor uses it. Reads go
    /// straight to that memory; an in-place write (`withMutableScalars`) first copies into storage of its own, so the
    /// borrowed memory is never written. `pointer` must be aligned for `T`.
    public static func borrowing<T: TensorScalar>(_ pointer: UnsafePointer<T>, shape: [Int], keepingAlive owner: AnyObject) -> Tensor {
        precondition(Int(bitPattern: pointer) % MemoryLayout<T>.alignment == 0, "Tensor.borrowing: pointer \(pointer) is not aligned for \(T.self)")
        let storage = TensorStorage(borrowing: UnsafeMutableRawPointer(mutating: pointer), count: Shape.count(shape), dtype: T.dtype, owner: owner)
        return Tensor(storage: storage, shape: shape)
    }

    /// The same values as another dtype. Differentiable (the gradient is cast back).
    public func cast(to target: DType) -> Tensor {
        if target == dtype { return self }
        var out = Tensor(storage: TensorStorage(uninitializedCount: count, dtype: target), shape: shape)
        let c = materialized()
        switch (dtype, target) {
        case (.float32, .float64):
            let s = c.storage.pointer(Float.self) + c.offset, d = out.storage.pointer(Double.self)
            for i in 0..<count { d[i] = Double(s[i]) }
        case (.float64, .float32):
            let s = c.storage.pointer(Double.self) + c.offset, d = out.storage.pointer(Float.self)
            for i in 0..<count { d[i] = Float(s[i]) }
        default: break
        }
        let source = dtype
        out.node = Autograd.record(inputs: [self]) { g in [g.cast(to: source)] }
        return out
    }
}

/// Walks a strided layout in row-major order as runs along the last dimension: `body(start, length, step)`.
@usableFromInline enum StridedWalk {
    @inlinable static func forEachRun(shape: [Int], strides: [Int], _ body: (Int, Int, Int) -> Void) {
        let rank = shape.count
        if rank == 0 { body(0, 1, 1); return }
        if shape.contains(0) { return }
        let n = shape[rank - 1], step = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var start = 0
        while true {
            body(start, n, step)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                start += strides[axis]
                if index[axis] < shape[axis] { break }
                start -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
