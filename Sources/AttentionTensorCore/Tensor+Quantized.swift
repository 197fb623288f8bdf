import AttentionCKernels

/// The number format a model's linear layers compute in at inference. LayerNorm, softmax, GELU, the attention
/// scores and the residual stream stay Float32 in every case.
public enum InferencePrecision: String, Sendable, CaseIterable {
    /// Float32 weights and products (the default; bit for bit the same as before reduced precision existed).
    case fp32
    /// bfloat16 weights (half the memory). With AVX512_BF16 (`Tensor.bfloat16ProductsAvailable`) the activations are
    /// rounded to bfloat16 as well and the exact products summed in Float32 (vdpbf16ps); elsewhere the weights are
    /// widened to Float32 for Float32 products.
    case bf16
    /// int8 weights (per output channel) and int8 activations (per token), int32 sums, Float32 out.
    case int8
}

/// A weight [out, in] quantised symmetrically per output channel and packed for the int8 GEMM (ck_qgemm.h):
/// scale[n] = max_k |W'[n, k]| / 127, q[n, k] = round(W'[n, k] / scale[n]) ∈ [-127, 127], with W' = W·diag(s)
/// for optional per-input-channel smoothing factors s [in] (SmoothQuant): the activations are then divided by s
/// before they are quantised, so x·Wᵀ is unchanged in exact arithmetic while a few large activation channels move
/// their range into the weight.
///
/// Outlier split (LLM.int8()-style): the input channels `fp32Columns` (O) are left out of the int8 product — their
/// weight columns are zeroed before the per-channel scales are taken and their activations multiplied by 0 before
/// the per-token scales are — and multiplied in Float32 instead: x·Wᵀ = x[:, ∉O]·q·scale + x[:, O]·W[:, O]ᵀ. A
/// channel far larger than the rest then sets neither operand's int8 step. Immutable; shareable.
public final class QuantizedWeight: @unchecked Sendable {
    public let outputSize: Int, inputSize: Int
    /// 1/s per input channel, or nil (no smoothing).
    public let inputMultipliers: [Float]?
    /// Per output channel: W[n, k] ≈ q[n, k] · scales[n].
    public let scales: [Float]
    /// q [out, in], row-major (kept for `dequantized()`; the GEMM reads `packed`). Zero in the `fp32Columns`.
    public let values: [Int8]
    /// The input channels multiplied in Float32 (ascending, distinct); empty: the whole product is int8.
    public let fp32Columns: [Int]
    /// W[:, fp32Columns] transposed, [fp32Columns.count, out] row-major (unsmoothed: those activations are not divided).
    public let fp32Weight: [Float]
    private let packed: UnsafeMutablePointer<Int8>
    /// inputMultipliers in memory the kernels can read for the weight's lifetime.
    private let multipliers: UnsafeMutablePointer<Float>?

    /// Quantises `weight` (Float32 [out, in]), after multiplying column k by `smoothing[k]` when given ([in], > 0),
    /// with the input channels `fp32Columns` (each in 0..<in, any order) split off into a Float32 product.
    public init(weight: Tensor, smoothing: [Float]? = nil, fp32Columns: [Int] = []) {
        precondition(weight.rank == 2 && weight.dtype == .float32, "QuantizedWeight: weight must be Float32 [out, in], got \(weight.dtype) \(weight.shape)")
        var w = weight.materialized()
        let n = w.shape[0], k = w.shape[1], kp = Int(ck_qgemm_k_padded(Int64(k)))
        precondition(smoothing == nil || smoothing!.count == k, "QuantizedWeight: \(smoothing!.count) smoothing factors for \(k) input channels")
        precondition(fp32Columns.allSatisfy { (0..<k).contains($0) }, "QuantizedWeight: fp32 columns \(fp32Columns) outside 0..<\(k)")
        outputSize = n; inputSize = k
        let split = Array(Set(fp32Columns)).sorted()
        self.fp32Columns = split
        var mul = smoothing.map { $0.map { 1 / $0 } }
        if !split.isEmpty {
            // Zero the split-off columns in both operands of the int8 product; keep them exact for the Float32 one.
            var all = w.scalars, cols = [Float](repeating: 0, count: split.count * n)
            for (j, c) in split.enumerated() {
                for r in 0..<n { cols[j * n + r] = all[r * k + c]; all[r * k + c] = 0 }
            }
            w = Tensor(shape: [n, k], scalars: all)
            fp32Weight = cols
            if mul == nil { mul = [Float](repeating: 1, count: k) }
            for c in split { mul![c] = 0 }
        } else {
            fp32Weight = []
        }
        inputMultipliers = mul
        var q = [Int8](repeating: 0, count: n * kp), s = [Float](repeating: 0, count: n), work = [Float](repeating: 0, count: k)
        w.withUnsafeStridedScalars(Float.self) { p, _ in
            q.withUnsafeMutableBufferPointer { qb in
                s.withUnsafeMutableBufferPointer { sb in
                    work.withUnsafeMutableBufferPointer { wb in
                        if let smoothing {
                            smoothing.withUnsafeBufferPointer { sm in
                                ck_quantize_rows_s8(p, Int64(k), Int64(n), Int64(k), sm.baseAddress!, qb.baseAddress!, Int64(kp), sb.baseAddress!, wb.baseAddress!)
                            }
                        } else {
                            ck_quantize_rows_s8(p, Int64(k), Int64(n), Int64(k), nil, qb.baseAddress!, Int64(kp), sb.baseAddress!, wb.baseAddress!)
                        }
                    }
                }
            }
        }
        let buffer = UnsafeMutablePointer<Int8>.allocate(capacity: Swift.max(64, ck_qgemm_packed_size(Int64(n), Int64(k))))
        q.withUnsafeBufferPointer { ck_qgemm_pack_b(Int64(n), Int64(k), $0.baseAddress!, Int64(kp), buffer) }
        packed = buffer
        if let m = inputMultipliers {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: k)
            p.initialize(from: m, count: k)
            multipliers = p
        } else {
            multipliers = nil
        }
        scales = s
        values = (0..<n).flatMap { r in q[(r * kp)..<(r * kp + k)] }
    }

    deinit { packed.deallocate(); multipliers?.deallocate() }

    /// q · scale (÷ smoothing) as Float32 [out, in], with the Float32 columns as they are: the weight the path
    /// actually multiplies by.
    public func dequantized() -> Tensor {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<outputSize {
            for c in 0..<inputSize { out[r * inputSize + c] = Float(values[r * inputSize + c]) * scales[r] * (inputMultipliers?[c] ?? 1) }
        }
        for (j, c) in fp32Columns.enumerated() {
            for r in 0..<outputSize { out[r * inputSize + c] = fp32Weight[j * outputSize + r] }
        }
        return Tensor(shape: [outputSize, inputSize], scalars: out)
    }

    var pointer: UnsafePointer<Int8> { UnsafePointer(packed) }
    var multiplierPointer: UnsafePointer<Float>? { multipliers.map { UnsafePointer($0) } }
}

/// A weight [out, in] stored as bfloat16 (round-half-even from Float32). Immutable; shareable.
public final class BFloat16Weight: @unchecked Sendable {
    public let outputSize: Int, inputSize: Int
    /// The top 16 bits of each Float32, row-major [out, in].
    public let bits: [UInt16]

    public init(weight: Tensor) {
        precondition(weight.rank == 2 && weight.dtype == .float32, "BFloat16Weight: weight must be Float32 [out, in], got \(weight.dtype) \(weight.shape)")
        outputSize = weight.shape[0]; inputSize = weight.shape[1]
        let f = weight.materialized().scalars
        var b = [UInt16](repeating: 0, count: f.count)
        f.withUnsafeBufferPointer { src in b.withUnsafeMutableBufferPointer { ck_f32_to_bf16(src.baseAddress!, $0.baseAddress!, Int64(f.count)) } }
        bits = b
    }

    /// The weight packed for the bf16 products (ck_bf16_pack_b), made on first use where the CPU runs them.
    private let packedCache = Locked<[UInt16]?>(nil)
    var packedBits: [UInt16] {
        packedCache.withLock { cache in
            if let c = cache { return c }
            var p = [UInt16](repeating: 0, count: ck_bf16_packed_size(Int64(outputSize), Int64(inputSize)) / 2)
            bits.withUnsafeBufferPointer { w in p.withUnsafeMutableBufferPointer {
                ck_bf16_pack_b(Int64(outputSize), Int64(inputSize), w.baseAddress!, Int64(inputSize), $0.baseAddress!)
            } }
            cache = p
            return p
        }
    }

    /// The stored values widened to Float32 [out, in] (exact).
    public func float32() -> Tensor {
        var f = [Float](repeating: 0, count: bits.count)
        bits.withUnsafeBufferPointer { src in f.withUnsafeMutableBufferPointer { ck_bf16_to_f32(src.baseAddress!, $0.baseAddress!, Int64(bits.count)) } }
        return Tensor(shape: [outputSize, inputSize], scalars: f)
    }
}

extension Tensor {
    /// The row split of the reduced-precision products: one equal block of rows per thread (a multiple of the
    /// kernel's `tile` rows; one thread below 2¹⁸ multiply-adds), each walked `chunk` ≤ 64 rows at a time so the output
    /// rows the activation pass reads back are still in cache. Rows never straddle blocks, so the thread count
    /// changes no result.
    static func rowBlocks(m: Int, n: Int, k: Int, tile: Int) -> (threads: Int, block: Int, parts: Int, chunk: Int) {
        let work = Double(m) * Double(n) * Double(k)
        let threads = work < 262_144 ? 1 : Swift.min(Parallel.threadCount, (m + tile - 1) / tile)
        let block = ((m + threads - 1) / threads + tile - 1) / tile * tile
        return (threads, block, (m + block - 1) / block, Swift.min(block, 64 / tile * tile))
    }

    /// Whether `bfloat16Linear` multiplies in bf16 here (the avx512 kernel path on a CPU with AVX512_BF16); elsewhere
    /// it widens the weight to Float32 and multiplies in Float32.
    public static var bfloat16ProductsAvailable: Bool { ck_bf16gemm_supported() != 0 }

    /// act(x·Wᵀ + b) with W stored bf16. With AVX512_BF16 (`bfloat16ProductsAvailable`) x is rounded to bf16 too
    /// and the products (exact in Float32) are summed in Float32 by vdpbf16ps, at twice the Float32 multiply rate;
    /// elsewhere W is widened to Float32 (exact) and the product is the Float32 `linear`. No gradients.
    public func bfloat16Linear(weight: BFloat16Weight, bias: Tensor? = nil, activation: Activation? = nil) -> Tensor {
        guard Self.bfloat16ProductsAvailable else { return linear(weight: weight.float32(), bias: bias, activation: activation) }
        let k = weight.inputSize, n = weight.outputSize
        precondition(dtype == .float32 && shape.last == k, "bfloat16Linear: input \(dtype) \(shape) does not match weight [\(n), \(k)]")
        if let bias { precondition(bias.shape == [n] && bias.dtype == .float32, "bfloat16Linear: bias \(bias.shape) does not match weight [\(n), \(k)]") }
        let outShape = Array(shape.dropLast()) + [n]
        let x = reshaped([-1, k]).materialized(), b = bias?.materialized()
        let m = x.shape[0], kp = Int(ck_bf16_k_padded(Int64(k)))
        let out = Tensor(storage: TensorStorage(uninitializedCount: m * n, dtype: .float32), shape: [m, n])
        if m == 0 || n == 0 { return out.reshaped(outShape) }
        let packed = weight.packedBits
        let px = SendableConstPointer(x.storage.pointer(Float.self) + x.offset)
        let pb = b.map { SendableConstPointer($0.storage.pointer(Float.self) + $0.offset) }
        let py = SendablePointer(out.storage.pointer(Float.self))
        let (threads, block, parts, chunk) = Self.rowBlocks(m: m, n: n, k: k, tile: 8)
        withExtendedLifetime((x, b, out)) {
            packed.withUnsafeBufferPointer { pw in
                let pwp = SendableConstPointer(pw.baseAddress!)
                Parallel.forEach(parts, threads: threads) { part in
                    let start = part * block, end = Swift.min(start + block, m)
                    let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: chunk * kp)
                    defer { scratch.deallocate() }
                    for r0 in stride(from: start, to: end, by: chunk) {
                        let rows = Swift.min(chunk, end - r0)
                        ck_bf16gemm(Int64(rows), Int64(n), Int64(k), px.base + r0 * k, Int64(k), pwp.base, pb?.base,
                                    py.base + r0 * n, Int64(n), scratch)
                        if activation != nil, let kernel = activation.kernel { ck_bias_act_rows(py.base + r0 * n, Int64(rows), Int64(n), Int64(n), nil, kernel) }
                    }
                }
            }
        }
        // An activation without a kernel epilogue (tanh GELU, SiLU) is one more pass.
        if activation.kernel == nil, let activation { return activation(out).reshaped(outShape) }
        return out.reshaped(outShape)
    }

    /// The name of the int8 kernel table in use ("avx2", "avxvnni", "avx512vnni", "neon", "scalar").
    public static var int8KernelPath: String { String(cString: ck_qgemm_active()!.pointee.name) }

    /// act(x·Wᵀ + b) with W int8: x [..., in] Float32 is quantised per row (token) to int8, multiplied in int32,
    /// and each output dequantised as acc · scale_x · scale_w + b, then the activation (Float32). No gradients.
    ///
    /// A row of x with a NaN or ±Inf gives NaN in every output of that row (its scale is NaN), as a Float32
    /// product with that row would for NaN.
    public func quantizedLinear(weight: QuantizedWeight, bias: Tensor? = nil, activation: Activation? = nil) -> Tensor {
        let k = weight.inputSize, n = weight.outputSize
        precondition(dtype == .float32 && shape.last == k, "quantizedLinear: input \(dtype) \(shape) does not match weight [\(n), \(k)]")
        if let bias { precondition(bias.shape == [n] && bias.dtype == .float32, "quantizedLinear: bias \(bias.shape) does not match weight [\(n), \(k)]") }
        let outShape = Array(shape.dropLast()) + [n]
        let x = reshaped([-1, k]).materialized(), b = bias?.materialized()
        let m = x.shape[0], kp = Int(ck_qgemm_k_padded(Int64(k)))
        let out = Tensor(storage: TensorStorage(uninitializedCount: m * n, dtype: .float32), shape: [m, n])
        if m == 0 || n == 0 { return out.reshaped(outShape) }
        let px = SendableConstPointer(x.storage.pointer(Float.self) + x.offset)
        let pb = b.map { SendableConstPointer($0.storage.pointer(Float.self) + $0.offset) }
        let py = SendablePointer(out.storage.pointer(Float.self))
        let pw = SendableConstPointer(weight.pointer)
        let table = SendableConstPointer(ck_qgemm_active()!)
        let pm = weight.multiplierPointer.map { SendableConstPointer($0) }
        let (threads, block, parts, chunk) = Self.rowBlocks(m: m, n: n, k: k, tile: 4)
        let split = weight.fp32Columns, c = split.count
        withExtendedLifetime((x, b, out, weight)) {
            weight.scales.withUnsafeBufferPointer { sw in
            split.withUnsafeBufferPointer { cols in
            weight.fp32Weight.withUnsafeBufferPointer { wo in
                let ps = SendableConstPointer(sw.baseAddress!)
                let pcols = c > 0 ? SendableConstPointer(cols.baseAddress!) : nil
                let pwo = c > 0 ? SendableConstPointer(wo.baseAddress!) : nil
                Parallel.forEach(parts, threads: threads) { part in
                    let start = part * block, end = Swift.min(start + block, m)
                    let q = UnsafeMutablePointer<Int8>.allocate(capacity: chunk * kp)
                    let sx = UnsafeMutablePointer<Float>.allocate(capacity: chunk), tmp = UnsafeMutablePointer<Float>.allocate(capacity: k)
                    let xo = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, chunk * c))
                    defer { q.deallocate(); sx.deallocate(); tmp.deallocate(); xo.deallocate() }
                    // Quantise, multiply and activate `chunk` rows at a time, so the int8 rows and the output rows
                    // the activation pass reads back are still in cache (the whole weight stays in L2/L3).
                    for r0 in stride(from: start, to: end, by: chunk) {
                        let rows = Swift.min(chunk, end - r0)
                        table.base.pointee.quantize_rows!(px.base + r0 * k, Int64(k), Int64(rows), Int64(k), pm?.base, q, Int64(kp), sx, tmp)
                        var ep = ck_qgemm_epilogue(row_scale: sx, col_scale: ps.base, bias: pb?.base, y: py.base + r0 * n, ldy: Int64(n))
                        table.base.pointee.gemm_f32!(Int64(rows), Int64(n), Int64(kp), q, Int64(kp), pw.base, &ep)
                        if let pcols = pcols?.base, let pwo = pwo?.base {
                            // The outlier channels: y += x[:, O] · W[:, O]ᵀ in Float32, before the activation.
                            for i in 0..<rows { for j in 0..<c { xo[i * c + j] = px.base[(r0 + i) * k + pcols[j]] } }
                            GEMMWorkspace.with { ws in
                                ck_sgemm(Int64(rows), Int64(n), Int64(c), 1, xo, Int64(c), 1, pwo, Int64(n), 1, 1, py.base + r0 * n, Int64(n), ws)
                            }
                        }
                        if activation != nil, let kernel = activation.kernel { ck_bias_act_rows(py.base + r0 * n, Int64(rows), Int64(n), Int64(n), nil, kernel) }
                    }
                }
            }
            }
            }
        }
        // An activation without a kernel epilogue (tanh GELU, SiLU) is one more pass.
        if activation.kernel == nil, let activation { return activation(out).reshaped(outShape) }
        return out.reshaped(outShape)
    }
}
