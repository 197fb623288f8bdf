import AttentionCKernels

/// The number format a model's linear layers compute in at inference. LayerNorm, softmax, GELU, the attention
/// scores and the residual stream stay Float32 in every case.
public enum InferencePrecision: String, Sendable, CaseIterable {
    /// Float32 weights and products (the default; bit for bit the same as before reduced precision existed).
    case fp32
    /// bfloat16 weights (half the memory), widened to Float32 for the products.
    case bf16
    /// int8 weights (per output channel) and int8 activations (per token), int32 sums, Float32 out.
    case int8
}

/// A weight [out, in] quantised symmetrically per output channel and packed for the int8 GEMM (ck_qgemm.h):
/// scale[n] = max_k |W'[n, k]| / 127, q[n, k] = round(W'[n, k] / scale[n]) ∈ [-127, 127], with W' = W·diag(s)
/// for optional per-input-channel smoothing factors s [in] (SmoothQuant): the activations are then divided by s
/// before they are quantised, so x·Wᵀ is unchanged in exact arithmetic while a few large activation channels move
/// their range into the weight. Immutable; shareable.
public final class QuantizedWeight: @unchecked Sendable {
    public let outputSize: Int, inputSize: Int
    /// 1/s per input channel, or nil (no smoothing).
    public let inputMultipliers: [Float]?
    /// Per output channel: W[n, k] ≈ q[n, k] · scales[n].
    public let scales: [Float]
    /// q [out, in], row-major (kept for `dequantized()`; the GEMM reads `packed`).
    public let values: [Int8]
    private let packed: UnsafeMutablePointer<Int8>
    /// inputMultipliers in memory the kernels can read for the weight's lifetime.
    private let multipliers: UnsafeMutablePointer<Float>?

    /// Quantises `weight` (Float32 [out, in]), after multiplying column k by `smoothing[k]` when given ([in], > 0).
    public init(weight: Tensor, smoothing: [Float]? = nil) {
        precondition(weight.rank == 2 && weight.dtype == .float32, "QuantizedWeight: weight must be Float32 [out, in], got \(weight.dtype) \(weight.shape)")
        let w = weight.materialized()
        let n = w.shape[0], k = w.shape[1], kp = Int(ck_qgemm_k_padded(Int64(k)))
        precondition(smoothing == nil || smoothing!.count == k, "QuantizedWeight: \(smoothing!.count) smoothing factors for \(k) input channels")
        outputSize = n; inputSize = k
        inputMultipliers = smoothing.map { $0.map { 1 / $0 } }
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

    /// q · scale (÷ smoothing) as Float32 [out, in]: the weight the int8 path actually multiplies by.
    public func dequantized() -> Tensor {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<outputSize {
            for c in 0..<inputSize { out[r * inputSize + c] = Float(values[r * inputSize + c]) * scales[r] * (inputMultipliers?[c] ?? 1) }
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

    /// The stored values widened to Float32 [out, in] (exact).
    public func float32() -> Tensor {
        var f = [Float](repeating: 0, count: bits.count)
        bits.withUnsafeBufferPointer { src in f.withUnsafeMutableBufferPointer { ck_bf16_to_f32(src.baseAddress!, $0.baseAddress!, Int64(bits.count)) } }
        return Tensor(shape: [outputSize, inputSize], scalars: f)
    }
}

extension Tensor {
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
        // One equal row block per thread, a multiple of the 4-row tile.
        let work = Double(m) * Double(n) * Double(k)
        let threads = work < 262_144 ? 1 : Swift.min(Parallel.threadCount, (m + 3) / 4)
        let block = ((m + threads - 1) / threads + 3) / 4 * 4, parts = (m + block - 1) / block
        let chunk = Swift.min(block, 64)  // a multiple of the 4-row tile
        withExtendedLifetime((x, b, out, weight)) {
            weight.scales.withUnsafeBufferPointer { sw in
                let ps = SendableConstPointer(sw.baseAddress!)
                Parallel.forEach(parts, threads: threads) { part in
                    let start = part * block, end = Swift.min(start + block, m)
                    let q = UnsafeMutablePointer<Int8>.allocate(capacity: chunk * kp)
                    let sx = UnsafeMutablePointer<Float>.allocate(capacity: chunk), tmp = UnsafeMutablePointer<Float>.allocate(capacity: k)
                    defer { q.deallocate(); sx.deallocate(); tmp.deallocate() }
                    // Quantise, multiply and activate `chunk` rows at a time, so the int8 rows and the output rows
                    // the activation pass reads back are still in cache (the whole weight stays in L2/L3).
                    for r0 in stride(from: start, to: end, by: chunk) {
                        let rows = Swift.min(chunk, end - r0)
                        table.base.pointee.quantize_rows!(px.base + r0 * k, Int64(k), Int64(rows), Int64(k), pm?.base, q, Int64(kp), sx, tmp)
                        var ep = ck_qgemm_epilogue(row_scale: sx, col_scale: ps.base, bias: pb?.base, y: py.base + r0 * n, ldy: Int64(n))
                        table.base.pointee.gemm_f32!(Int64(rows), Int64(n), Int64(kp), q, Int64(kp), pw.base, &ep)
                        if activation != nil, let kernel = activation.kernel { ck_bias_act_rows(py.base + r0 * n, Int64(rows), Int64(n), Int64(n), nil, kernel) }
                    }
                }
            }
        }
        // An activation without a kernel epilogue (tanh GELU, SiLU) is one more pass.
        if activation.kernel == nil, let activation { return activation(out).reshaped(outShape) }
        return out.reshaped(outShape)
    }
}
