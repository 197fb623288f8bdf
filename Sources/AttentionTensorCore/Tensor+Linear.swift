import AttentionCKernels

/// An activation a fused linear layer can apply in the GEMM's epilogue.
public enum FusedActivation: Sendable, Equatable {
    case none
    /// max(x, 0).
    case relu
    /// The exact GELU x·Φ(x) (erf form).
    case geluExact

    var kernel: ck_activation {
        switch self {
        case .none: return CK_ACT_NONE
        case .relu: return CK_ACT_RELU
        case .geluExact: return CK_ACT_GELU_ERF
        }
    }
}

/// A weight matrix [out, in] packed once into the GEMM's panel layout for the active CPU path, for
/// `Tensor.linear(…, packed:)`: inference re-uses a layer's weight for every batch, and packing it per call (per
/// thread) cost more than a tenth of a BERT forward pass. Immutable; safe to share between threads.
public final class PackedWeight: @unchecked Sendable {
    let isa: ck_isa
    /// out and in of the weight it was made from.
    public let outputSize: Int, inputSize: Int
    private let buffer: UnsafeMutableRawPointer

    /// Packs `weight` [out, in] (Float32) for the active path.
    public init(weight: Tensor) {
        precondition(weight.rank == 2 && weight.dtype == .float32, "PackedWeight: weight must be Float32 [out, in], got \(weight.dtype) \(weight.shape)")
        isa = ck_active_isa()
        outputSize = weight.shape[0]; inputSize = weight.shape[1]
        let k = inputSize, n = outputSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(64, ck_sgemm_packed_b_size(isa, Int64(k), Int64(n))), alignment: 64)
        // B(k, j) = weight[j, k], read through the weight's own strides.
        weight.withUnsafeStridedScalars(Float.self) { p, strides in
            ck_sgemm_pack_b(isa, Int64(k), Int64(n), p, Int64(strides[1]), Int64(strides[0]), buffer)
        }
    }

    deinit { buffer.deallocate() }

    /// Whether it was packed for the path the kernels use now (a forced path makes it stale).
    public var isCurrent: Bool { isa == ck_active_isa() }

    var pointer: UnsafeRawPointer { UnsafeRawPointer(buffer) }
}

/// The two row-wise stages around every GEMM of a Transformer layer, each with a fused Float32 kernel for the
/// case nothing has to be differentiated (inference) and the composition of recorded ops otherwise. Both paths
/// compute the same formula; the tests hold them against each other and against PyTorch.
extension Tensor {
    /// Whether `linear(weight:bias:…)` on these operands runs the fused kernel (Float32, nothing to differentiate);
    /// a caller that caches a `PackedWeight` builds it only then.
    public static func linearRunsFused(input: Tensor, weight: Tensor, bias: Tensor?) -> Bool {
        input.dtype == .float32 && weight.dtype == .float32 && (bias?.dtype ?? .float32) == .float32
            && !needsGraph([input, weight, bias])
    }

    /// Whether an op on `inputs` would be recorded for differentiation (then the composed path runs).
    static func needsGraph(_ inputs: [Tensor?]) -> Bool {
        Autograd.isRecording && inputs.contains { $0?.node != nil }
    }

    /// act(x·Wᵀ + b): x [..., in], weight [out, in] (PyTorch layout), bias [out] → [..., out].
    ///
    /// Float32 without gradients: one GEMM over the flattened rows whose epilogue adds the bias and applies the
    /// activation to each register tile while it is in L1 (no extra pass over the output). Otherwise
    /// `matmul`, `+` and the activation op, differentiable in all three inputs. `packed`, when given, must be made
    /// from the same values as `weight` (`Linear` keeps one per weight version); it is used only on the fused path
    /// and only while it matches the active CPU path.
    public func linear(weight: Tensor, bias: Tensor? = nil, activation: FusedActivation = .none,
                       packed: PackedWeight? = nil) -> Tensor {
        let inSize = weight.shape.count == 2 ? weight.shape[1] : -1
        precondition(weight.rank == 2 && shape.last == inSize,
                     "linear: input \(shape) does not match weight \(weight.shape) ([out, in])")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        let outShape = Array(shape.dropLast()) + [weight.shape[0]]
        guard Tensor.linearRunsFused(input: self, weight: weight, bias: bias) else {
            var y = reshaped([-1, inSize]).matmul(weight.transposed())
            if let bias { y = y + bias }
            switch activation {
            case .none: break
            case .relu: y = y.relu()
            case .geluExact: y = y.geluExact()
            }
            return y.reshaped(outShape)
        }
        let x = reshaped([-1, inSize]).materialized()
        let w = weight.materialized(), b = bias?.materialized()
        let m = x.shape[0], n = weight.shape[0]
        let out = Tensor(storage: TensorStorage(uninitializedCount: m * n, dtype: .float32), shape: [m, n])
        precondition(packed == nil || (packed!.outputSize == n && packed!.inputSize == inSize),
                     "linear: packed weight [\(packed!.outputSize), \(packed!.inputSize)] does not match weight \(weight.shape)")
        GEMM.rowsTimesTransposed(x, w, packed: packed?.isCurrent == true ? packed : nil, bias: b,
                                 activation: activation.kernel, into: out)
        return out.reshaped(outShape)
    }

    /// LayerNorm over the last dimension, with an optional residual added first:
    /// z = self + residual, y = (z − mean) / √(var + eps) · weight + bias (biased variance, as PyTorch).
    /// self and residual [..., D] (same shape), weight and bias [D] or nil.
    ///
    /// Float32: one kernel pass per row (ck_layernorm_rows), rows split over threads; when gradients are recorded the
    /// row statistics are kept and the backward is one more row pass (ck_layernorm_backward_rows), differentiable in
    /// all four inputs. Float64: the composition of recorded ops (mean, centre, variance, scale) — the reference.
    public func layerNorm(residual: Tensor? = nil, weight: Tensor?, bias: Tensor?, eps: Double) -> Tensor {
        let d = shape.last ?? 0
        if let residual { precondition(residual.shape == shape, "layerNorm: residual \(residual.shape) differs from input \(shape)") }
        if let weight { precondition(weight.shape == [d], "layerNorm: weight \(weight.shape) does not match last dimension \(d)") }
        if let bias { precondition(bias.shape == [d], "layerNorm: bias \(bias.shape) does not match last dimension \(d)") }
        let inputs = [self, residual, weight, bias]
        let allFloat32 = inputs.allSatisfy { $0 == nil || $0!.dtype == .float32 }
        guard allFloat32, d > 0 else {
            let z = residual.map { self + $0 } ?? self
            let mean = z.mean(axes: [rank - 1], keepingDimensions: true)
            let centered = z - mean
            let variance = (centered * centered).mean(axes: [rank - 1], keepingDimensions: true)
            var y = centered / (variance + eps).sqrt()
            if let weight { y = y * weight }
            if let bias { y = y + bias }
            return y
        }
        return Tensor.fusedLayerNorm(self, residual: residual, weight: weight, bias: bias, eps: eps,
                                     recording: Tensor.needsGraph(inputs))
    }

    /// The Float32 kernels: one row pass forward; when `recording`, the row statistics are kept and the backward is
    /// one more row pass (ck_layernorm_backward_rows) instead of the composed ops' dozen elementwise passes.
    static func fusedLayerNorm(_ input: Tensor, residual: Tensor?, weight: Tensor?, bias: Tensor?, eps: Double,
                               recording: Bool) -> Tensor {
        let d = input.shape.last!, rows = input.count / d
        let x = input.materialized(), r = residual?.materialized(), g = weight?.materialized(), b = bias?.materialized()
        let out = Tensor(storage: TensorStorage(uninitializedCount: input.count, dtype: .float32), shape: input.shape)
        let stats = recording ? Tensor(storage: TensorStorage(uninitializedCount: 2 * rows, dtype: .float32), shape: [2, rows]) : nil
        let px = SendableConstPointer(x.storage.pointer(Float.self) + x.offset)
        let pr = r.map { SendableConstPointer($0.storage.pointer(Float.self) + $0.offset) }
        let pg = g.map { SendableConstPointer($0.storage.pointer(Float.self) + $0.offset) }
        let pb = b.map { SendableConstPointer($0.storage.pointer(Float.self) + $0.offset) }
        let py = SendablePointer(out.storage.pointer(Float.self))
        let ps = stats.map { SendablePointer($0.storage.pointer(Float.self)) }
        let chunk = Swift.max(1, 32_768 / d), chunks = (rows + chunk - 1) / chunk
        withExtendedLifetime((x, r, g, b)) {
            Parallel.forEach(chunks) { c in
                let r0 = c * chunk, n = Swift.min(chunk, rows - r0)
                ck_layernorm_rows_saving(px.base + r0 * d, Int64(d), pr.map { $0.base + r0 * d }, Int64(d), pg?.base, pb?.base,
                                         Float(eps), py.base + r0 * d, Int64(d), Int64(n), Int64(d),
                                         ps.map { $0.base + r0 }, ps.map { $0.base + rows + r0 })
            }
        }
        guard let stats else { return out }
        let differentiated = [input, residual, weight, bias].compactMap { $0 }
        return out.recordingGradient(inputs: differentiated) { upstream in
            let gu = upstream.materialized()
            let dz = Tensor(storage: TensorStorage(uninitializedCount: input.count, dtype: .float32), shape: input.shape)
            // Per-chunk partial sums of dγ and dβ, added in chunk order: the result does not depend on the threads.
            let partials = Tensor.zeros([chunks, 2, d])
            let pgu = SendableConstPointer(gu.storage.pointer(Float.self) + gu.offset), pdz = SendablePointer(dz.storage.pointer(Float.self))
            let pp = SendablePointer(partials.storage.pointer(Float.self)), pst = SendableConstPointer(stats.storage.pointer(Float.self))
            withExtendedLifetime((x, r, g, gu, stats)) {
                Parallel.forEach(chunks) { c in
                    let r0 = c * chunk, n = Swift.min(chunk, rows - r0)
                    ck_layernorm_backward_rows(px.base + r0 * d, Int64(d), pr.map { $0.base + r0 * d }, Int64(d), pg?.base,
                                               pst.base + r0, pst.base + rows + r0, pgu.base + r0 * d, Int64(d),
                                               pdz.base + r0 * d, Int64(d), pp.base + c * 2 * d, pp.base + c * 2 * d + d,
                                               Int64(n), Int64(d))
                }
            }
            let sums = partials.sum(axis: 0)                          // [2, d], chunks added in order
            var grads: [Tensor?] = [dz]
            if residual != nil { grads.append(dz) }
            if weight != nil { grads.append(sums.slice(axis: 0, 0..<1).reshaped([d]).contiguous()) }
            if bias != nil { grads.append(sums.slice(axis: 0, 1..<2).reshaped([d]).contiguous()) }
            return grads
        }
    }
}

extension GEMM {
    /// out [M, N] = act(x [M, K] · wᵀ + bias), w [N, K]; all contiguous Float32. Rows of x are split over threads
    /// (each packs only its rows of x; the weight panel is packed by each, which for the small N·K of a layer is
    /// cheaper than every thread packing all of x).
    static func rowsTimesTransposed(_ x: Tensor, _ w: Tensor, packed: PackedWeight?, bias: Tensor?, activation: ck_activation,
                                    into out: Tensor) {
        let m = x.shape[0], k = x.shape[1], n = w.shape[0]
        if m == 0 || n == 0 { return }
        let px = SendableConstPointer(x.storage.pointer(Float.self) + x.offset)
        let pw = SendableConstPointer(w.storage.pointer(Float.self) + w.offset)
        let pb = bias.map { SendableConstPointer($0.storage.pointer(Float.self) + $0.offset) }
        let py = SendablePointer(out.storage.pointer(Float.self) + out.offset)
        // One equal row block per thread (the blocks do equal work), rounded to 24 rows: a multiple of every
        // path's register-tile height, so only the last block has a partial tile.
        let flops = Double(m) * Double(n) * Double(k)
        let threads = flops < 262_144 ? 1 : Swift.min(Parallel.threadCount, (m + 23) / 24)
        let block = ((m + threads - 1) / threads + 23) / 24 * 24
        let parts = (m + block - 1) / block
        let pp = packed.map { SendableRawPointer($0.pointer) }, isa = packed?.isa ?? CK_ISA_AUTO
        withExtendedLifetime((x, w, bias, out, packed)) {
            Parallel.forEach(parts, threads: threads) { part in
                let r0 = part * block, rows = Swift.min(block, m - r0)
                GEMMWorkspace.with { work in
                    if let pp {
                        ck_sgemm_packed_bias_act(isa, Int64(rows), Int64(n), Int64(k), 1, px.base + r0 * k, Int64(k), 1,
                                                 pp.base, 0, py.base + r0 * n, Int64(n), pb?.base, activation, work)
                    } else {
                        // B(k, j) = w[j, k]: row stride 1, column stride K.
                        ck_sgemm_bias_act(Int64(rows), Int64(n), Int64(k), 1, px.base + r0 * k, Int64(k), 1,
                                          pw.base, 1, Int64(k), 0, py.base + r0 * n, Int64(n), pb?.base, activation, work)
                    }
                }
            }
        }
    }
}
