import AttentionCKernels

extension Tensor {
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
