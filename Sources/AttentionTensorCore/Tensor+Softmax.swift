import AttentionCKernels

/// Softmax and log-softmax along an axis.
///
/// Numerical strategy: subtract the row maximum before exponentiating (so no exp overflows), sum in the working
/// precision, divide once. A slice whose maximum is −inf (every entry masked) gives all zeros from `softmax`
/// (project policy: fully-masked rows are 0, never NaN) and all −inf from `logSoftmax`. A slice holding a NaN or a
/// +inf is all NaN, as in PyTorch (e^(x − m) is e^(∞ − ∞) there): a blow-up upstream stays visible.
extension Tensor {
    /// softmax(x)_j = e^(x_j − m) / Σ_k e^(x_k − m), m = max_k x_k, along `axis`.
    /// Gradient: dx = y ∘ (dy − Σ_j dy_j y_j).
    public func softmax(axis: Int = -1) -> Tensor {
        var out = rowwise(axis: axis, op: "softmax") { rows, cols, data in
            switch data {
            case .f32(let p): ck_softmax_rows(p, Int64(rows), Int64(cols), Int64(cols))
            case .f64(let p): SoftmaxReference.rows(p, rows: rows, cols: cols, log: false)
            }
        }
        let y = out, a = Shape.axis(axis, rank: rank, op: "softmax")
        out.node = Autograd.record(inputs: [self]) { g in
            [y * (g - (g * y).sum(axis: a, keepingDimensions: true))]
        }
        return out
    }

    /// log softmax(x)_j = x_j − m − log Σ_k e^(x_k − m), along `axis`. Gradient: dx = dy − softmax(x) · Σ dy.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        var out = rowwise(axis: axis, op: "logSoftmax") { rows, cols, data in
            switch data {
            case .f32(let p): ck_log_softmax_rows(p, Int64(rows), Int64(cols), Int64(cols))
            case .f64(let p): SoftmaxReference.rows(p, rows: rows, cols: cols, log: true)
            }
        }
        let y = out, a = Shape.axis(axis, rank: rank, op: "logSoftmax")
        out.node = Autograd.record(inputs: [self]) { g in
            let p = ElementwiseKernels.exp(y)
            return [g - p * g.sum(axis: a, keepingDimensions: true)]
        }
        return out
    }

    enum RowData {
        case f32(UnsafeMutablePointer<Float>)
        case f64(UnsafeMutablePointer<Double>)
    }

    /// Copies `self` with `axis` moved last, runs `body` on the contiguous rows in place, and moves the axis back.
    func rowwise(axis: Int, op: String, _ body: (Int, Int, RowData) -> Void) -> Tensor {
        if rank == 0 { return reshaped([1]).rowwise(axis: 0, op: op, body).reshaped([]) }
        let a = Shape.axis(axis, rank: rank, op: op)
        var order = Array(0..<rank)
        order.remove(at: a)
        order.append(a)
        let moved = (a == rank - 1 ? self : permuted(order)).detached()
        let cols = shape[a], rows = cols == 0 ? 0 : count / cols
        var work = Tensor(storage: TensorStorage(uninitializedCount: count, dtype: dtype), shape: moved.shape)
        switch dtype {
        case .float32:
            moved.copyStrided(Float.self, into: work.storage.pointer(Float.self))
            body(rows, cols, .f32(work.storage.pointer(Float.self)))
        case .float64:
            moved.copyStrided(Double.self, into: work.storage.pointer(Double.self))
            body(rows, cols, .f64(work.storage.pointer(Double.self)))
        }
        if a != rank - 1 {
            var inverse = [Int](repeating: 0, count: rank)
            for (i, o) in order.enumerated() { inverse[o] = i }
            work = work.permuted(inverse).materialized()
        }
        return work
    }
}

/// The plain softmax loop, used for Float64 and as the reference the C kernel is tested against.
public enum SoftmaxReference {
    /// Softmax (or log-softmax with `log`) of each of `rows` rows of `cols` values at `p`, in place, max-subtracted.
    public static func rows<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, rows: Int, cols: Int, log: Bool) {
        for r in 0..<rows {
            let row = p + r * cols
            var m = -T.infinity
            // NaN-sticky: Swift.max skips a NaN, and a row of NaN and −∞ would then pass for fully masked.
            for j in 0..<cols where row[j] > m || row[j].isNaN { m = row[j] }
            if m == -T.infinity {
                for j in 0..<cols { row[j] = log ? -T.infinity : 0 }
                continue
            }
            var s: T = 0
            for j in 0..<cols { s += T.exp(row[j] - m) }
            if log {
                let l = m + T.log(s)
                for j in 0..<cols { row[j] -= l }
            } else {
                let inv = 1 / s
                for j in 0..<cols { row[j] = T.exp(row[j] - m) * inv }
            }
        }
    }
}
