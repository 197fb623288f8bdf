import AttentionCKernels

/// Generic elementwise loops. Outputs are fresh and contiguous; inputs may be any strided view. These carry
/// no autograd logic: the public ops in `Tensor+Elementwise.swift` wrap them.
enum ElementwiseKernels {
    /// `f` applied to every element.
    @inline(__always)
    static func map<T: TensorScalar>(_ x: Tensor, _: T.Type, _ f: (T) -> T) -> Tensor {
        let out = Tensor(storage: TensorStorage(uninitializedCount: x.count, dtype: x.dtype), shape: x.shape)
        let dst = out.storage.pointer(T.self), src = x.storage.pointer(T.self) + x.offset
        if x.isContiguous {
            for i in 0..<x.count { dst[i] = f(src[i]) }
        } else {
            var k = 0
            StridedWalk.forEachRun(shape: x.shape, strides: x.strides) { s, n, step in
                for j in 0..<n { dst[k + j] = f(src[s + j * step]) }
                k += n
            }
        }
        return out
    }

    /// `f(a, b)` with broadcasting.
    @inline(__always)
    static func zip<T: TensorScalar>(_ a: Tensor, _ b: Tensor, _: T.Type, op: String, _ f: (T, T) -> T) -> Tensor {
        precondition(a.dtype == b.dtype, "\(op): dtypes differ (\(a.dtype) \(a.shape) vs \(b.dtype) \(b.shape)); cast one first")
        let shape = a.shape == b.shape ? a.shape : Shape.broadcastOrDie(a.shape, b.shape, op: op)
        let out = Tensor(storage: TensorStorage(uninitializedCount: Shape.count(shape), dtype: a.dtype), shape: shape)
        let dst = out.storage.pointer(T.self)
        let pa = a.storage.pointer(T.self) + a.offset, pb = b.storage.pointer(T.self) + b.offset
        if a.shape == b.shape && a.isContiguous && b.isContiguous {
            for i in 0..<out.count { dst[i] = f(pa[i], pb[i]) }
            return out
        }
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
        var k = 0
        StridedWalk.forEachRun2(shape: shape, stridesA: sa, stridesB: sb) { ia, ib, n, stepA, stepB in
            for j in 0..<n { dst[k + j] = f(pa[ia + j * stepA], pb[ib + j * stepB]) }
            k += n
        }
        return out
    }

    /// exp through the vectorised C kernel for Float32 (≤ 2 ulp), libm for Float64.
    static func exp(_ x: Tensor) -> Tensor {
        switch x.dtype {
        case .float32:
            let c = x.materialized()
            let out = Tensor(storage: TensorStorage(uninitializedCount: x.count, dtype: .float32), shape: x.shape)
            ck_vexp(c.storage.pointer(Float.self) + c.offset, out.storage.pointer(Float.self), Int64(x.count))
            return out
        case .float64:
            return map(x, Double.self) { Double.exp($0) }
        }
    }
}

extension StridedWalk {
    /// Like `forEachRun`, for two operands read with their own strides over one shape.
    @inlinable static func forEachRun2(shape: [Int], stridesA: [Int], stridesB: [Int],
                                       _ body: (Int, Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        if rank == 0 { body(0, 0, 1, 1, 1); return }
        if shape.contains(0) { return }
        let n = shape[rank - 1], stepA = stridesA[rank - 1], stepB = stridesB[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var a = 0, b = 0
        while true {
            body(a, b, n, stepA, stepB)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                a += stridesA[axis]
                b += stridesB[axis]
                if index[axis] < shape[axis] { break }
                a -= stridesA[axis] * shape[axis]
                b -= stridesB[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
