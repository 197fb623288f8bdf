import AttentionCKernels

/// Matrix products. The Float32 path runs the packed, runtime-dispatched GEMM of `AttentionCKernels`; transposed and
/// broadcast operands are read through their strides, never copied.
extension Tensor {
    /// Batched matrix product: `self` [..., M, K] · `other` [..., K, N] → [..., M, N]; leading (batch)
    /// dimensions broadcast. Differentiable in both operands.
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: operands need rank ≥ 2, got \(a.shape) and \(b.shape)")
        precondition(a.dtype == b.dtype, "matmul: dtypes differ (\(a.dtype) \(a.shape) vs \(b.dtype) \(b.shape))")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        precondition(b.shape[b.rank - 2] == k, "matmul: inner dimensions differ: \(a.shape) · \(b.shape)")
        if b.rank == 2 && a.rank > 2 && a.isContiguous {
            // A matrix shared by the whole batch ([B, L, K] · [K, N], a projection): one GEMM over all B·L rows.
            // Batched, it would pack the matrix once per batch element and its gradient would be B products
            // [K, N] summed afterwards (in training, a tenth of a translator's step). Only for a contiguous `a`, whose
            // reshape is a view: a broadcast or strided one keeps the batched path, which reads it in place.
            return a.reshaped([-1, k]).matmul(b).reshaped(Array(a.shape.dropLast()) + [n])
        }
        let batch = Shape.broadcastOrDie(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul (batch dimensions)")
        let ea = a.expanded(to: batch + [m, k]).detached(), eb = b.expanded(to: batch + [k, n]).detached()
        var out = Tensor(storage: TensorStorage(uninitializedCount: Shape.count(batch) * m * n, dtype: a.dtype), shape: batch + [m, n])
        GEMM.batched(ea, eb, into: out, m: m, n: n, k: k)
        out.node = Autograd.record(inputs: [a, b]) { g in
            [a.requiresGradient ? g.matmul(b.transposed()).summed(toShape: a.shape) : nil,
             b.requiresGradient ? a.transposed().matmul(g).summed(toShape: b.shape) : nil]
        }
        return out
    }
}

/// Packing buffers for `ck_sgemm` (~4.4 MB each), kept for reuse: allocating one per call made every GEMM pay
/// for mapping and zero-filling fresh pages, which showed up as a tenth of a BERT forward pass. The pool's lock is
/// a pthread mutex (`Locked`) so that ThreadSanitizer sees it.
enum GEMMWorkspace {
    private struct Buffer: @unchecked Sendable { let base: UnsafeMutableRawPointer }
    private static let pool = Locked<[Buffer]>([])

    /// Runs `body` with a workspace no other thread uses meanwhile.
    static func with<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R {
        let buffer = pool.withLock { $0.popLast() }
            ?? Buffer(base: UnsafeMutableRawPointer.allocate(byteCount: ck_sgemm_workspace_size(), alignment: 64))
        defer { pool.withLock { $0.append(buffer) } }
        return body(buffer.base)
    }
}

/// Drives the C GEMM over batches and threads.
enum GEMM {
    /// Runs `body` with B [K, N] (B(k, j) = b[k·rsB + j·csB]) packed for path `isa` in the driver's layout, the
    /// packing shared out over `parts` threads; the buffer lives until `body` returns.
    static func withSharedPackedB<R>(isa: ck_isa, k: Int, n: Int, _ b: UnsafePointer<Float>, rsB: Int, csB: Int, parts: Int,
                                     _ body: (SendableConstPointer<Float>) -> R) -> R {
        let bytes = ck_sgemm_packed_b_size(isa, Int64(k), Int64(n))
        let buffer = StorageCache.allocate(bytes: bytes)
        defer { StorageCache.release(buffer, bytes: bytes) }
        let dst = SendablePointer(buffer.assumingMemoryBound(to: Float.self)), src = SendableConstPointer(b)
        Parallel.forEach(parts) { part in
            ck_sgemm_pack_b_part(isa, Int64(k), Int64(n), src.base, Int64(rsB), Int64(csB), dst.base, Int64(part), Int64(parts))
        }
        return body(SendableConstPointer(dst.base))
    }

    /// Offsets of each batch matrix of a [batch..., r, c] view.
    static func batchOffsets(_ t: Tensor) -> [Int] {
        let batchShape = Array(t.shape.dropLast(2)), batchStrides = Array(t.strides.dropLast(2))
        var offsets: [Int] = []
        offsets.reserveCapacity(Shape.count(batchShape))
        if batchShape.isEmpty { return [t.offset] }
        StridedWalk.forEachRun(shape: batchShape, strides: batchStrides) { start, count, step in
            for j in 0..<count { offsets.append(t.offset + start + j * step) }
        }
        return offsets
    }

    static func batched(_ a: Tensor, _ b: Tensor, into out: Tensor, m: Int, n: Int, k: Int) {
        let offA = batchOffsets(a), offB = batchOffsets(b)
        let batches = offA.count
        if batches == 0 || m == 0 || n == 0 { return }
        let rsA = a.strides[a.rank - 2], csA = a.strides[a.rank - 1]
        let rsB = b.strides[b.rank - 2], csB = b.strides[b.rank - 1]
        switch a.dtype {
        case .float32:
            let pa = SendableConstPointer(a.storage.pointer(Float.self)), pb = SendableConstPointer(b.storage.pointer(Float.self))
            let pc = SendablePointer(out.storage.pointer(Float.self))
            let threads = Parallel.threadCount
            // Enough independent matrices: one thread per group of batches. Otherwise split each product in
            // blocks of C, by rows when C is tall (each thread packs only its rows of A), else by columns (its slice
            // of B, all of A). A training step's products are mostly tall ([B·L, D] · [D, D]), and packing all of A
            // in each thread was 5 % of the step. Every element is computed by the same kernel steps either way.
            let flops: Double = Double(m) * Double(n) * Double(k)
            let split = batches < threads && flops >= 262_144
            let rowSplit: Bool = split && (m > n && m >= 64 || batches == 1 && m >= 96)
            let columnSplit: Bool = !rowSplit && split && n >= 64
            let parts = rowSplit ? Swift.min(threads, (m + 47) / 48)
                : columnSplit ? Swift.min(threads, (n + 63) / 64) : Swift.min(threads, batches)
            if rowSplit && batches == 1 {
                // One product split by rows: its B is packed once between the threads (each thread packing all
                // of B was 12 % of a training step on 2 threads).
                let per = ((m + parts - 1) / parts + 47) / 48 * 48
                let isa = ck_active_isa()
                withSharedPackedB(isa: isa, k: k, n: n, pb.base + offB[0], rsB: rsB, csB: csB, parts: parts) { packed in
                    Parallel.forEach(parts) { part in
                        let m0 = Swift.min(m, part * per), m1 = Swift.min(m, m0 + per)
                        if m0 >= m1 { return }
                        GEMMWorkspace.with { work in
                            ck_sgemm_packed_bias_act(isa, Int64(m1 - m0), Int64(n), Int64(k), 1, pa.base + offA[0] + m0 * rsA,
                                                     Int64(rsA), Int64(csA), packed.base, 0, pc.base + m0 * n, Int64(n),
                                                     nil, CK_ACT_NONE, work)
                        }
                    }
                }
                return
            }
            Parallel.forEach(parts) { part in
                GEMMWorkspace.with { work in
                if rowSplit {  // several products (fewer than the threads), each split by rows, each thread packing its B
                    let per = ((m + parts - 1) / parts + 47) / 48 * 48
                    let m0 = Swift.min(m, part * per), m1 = Swift.min(m, m0 + per)
                    if m0 >= m1 { return }
                    for i in 0..<batches {
                        ck_sgemm(Int64(m1 - m0), Int64(n), Int64(k), 1, pa.base + offA[i] + m0 * rsA, Int64(rsA), Int64(csA),
                                 pb.base + offB[i], Int64(rsB), Int64(csB), 0, pc.base + i * m * n + m0 * n, Int64(n), work)
                    }
                } else if columnSplit {
                    let per = ((n + parts - 1) / parts + 15) / 16 * 16
                    let n0 = Swift.min(n, part * per), n1 = Swift.min(n, n0 + per)
                    if n0 >= n1 { return }
                    for i in 0..<batches {
                        ck_sgemm(Int64(m), Int64(n1 - n0), Int64(k), 1, pa.base + offA[i], Int64(rsA), Int64(csA),
                                 pb.base + offB[i] + n0 * csB, Int64(rsB), Int64(csB), 0,
                                 pc.base + i * m * n + n0, Int64(n), work)
                    }
                } else {
                    var i = part
                    while i < batches {
                        ck_sgemm(Int64(m), Int64(n), Int64(k), 1, pa.base + offA[i], Int64(rsA), Int64(csA),
                                 pb.base + offB[i], Int64(rsB), Int64(csB), 0, pc.base + i * m * n, Int64(n), work)
                        i += parts
                    }
                }
                }
            }
        case .float64:
            let pa = a.storage.pointer(Double.self), pb = b.storage.pointer(Double.self), pc = out.storage.pointer(Double.self)
            for i in 0..<batches {
                ck_dgemm(Int64(m), Int64(n), Int64(k), 1, pa + offA[i], Int64(rsA), Int64(csA),
                         pb + offB[i], Int64(rsB), Int64(csB), 0, pc + i * m * n, Int64(n))
            }
        }
    }
}

extension Tensor {
    /// `self` · `other` written into `out` (shape [..., M, N], same dtype), reusing its storage: no allocation, no
    /// gradient. For hot loops and benchmarks that must not measure the allocator.
    public func matmul(_ other: Tensor, into out: inout Tensor) {
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        precondition(rank >= 2 && other.rank >= 2 && other.shape[other.rank - 2] == k,
                     "matmul(into:): inner dimensions differ: \(shape) · \(other.shape)")
        let batch = Shape.broadcastOrDie(Array(shape.dropLast(2)), Array(other.shape.dropLast(2)), op: "matmul(into:)")
        precondition(out.shape == batch + [m, n] && out.dtype == dtype && dtype == other.dtype,
                     "matmul(into:): output is \(out.dtype) \(out.shape), expected \(dtype) \(batch + [m, n])")
        out.makeUniqueAndContiguous()
        GEMM.batched(expanded(to: batch + [m, k]).detached(), other.expanded(to: batch + [k, n]).detached(),
                     into: out, m: m, n: n, k: k)
    }
}
