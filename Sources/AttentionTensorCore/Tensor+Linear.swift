import AttentionCKernels

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
    /// activation to each register tile while it is in L1 (no extra pass over the output; tanh GELU and SiLU are one
    /// pass after). Otherwise
    /// `matmul`, `+` and the activation op, differentiable in all three inputs. `packed`, when given, must be made
    /// from the same values as `weight` (`Linear` keeps one per weight version); it is used only on the fused path
    /// and only while it matches the active CPU path.
    public func linear(weight: Tensor, bias: Tensor? = nil, activation: Activation? = nil,
                       packed: PackedWeight? = nil) -> Tensor {
        let inSize = weight.shape.count == 2 ? weight.shape[1] : -1
        precondition(weight.rank == 2 && shape.last == inSize,
                     "linear: input \(shape) does not match weight \(weight.shape) ([out, in])")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        let outShape = Array(shape.dropLast()) + [weight.shape[0]]
        guard Tensor.linearRunsFused(input: self, weight: weight, bias: bias) else {
            let x = reshaped([-1, inSize])
            var y: Tensor
            if let fused = GEMM.recordedLinear(x, weight, bias) { y = fused } else {
                y = x.matmul(weight.transposed())
                if let bias { y = y + bias }
            }
            if let activation { y = activation(y) }
            return y.reshaped(outShape)
        }
        let x = reshaped([-1, inSize]).materialized()
        let w = weight.materialized(), b = bias?.materialized()
        let m = x.shape[0], n = weight.shape[0]
        let out = Tensor(storage: TensorStorage(uninitializedCount: m * n, dtype: .float32), shape: [m, n])
        precondition(packed == nil || (packed!.outputSize == n && packed!.inputSize == inSize),
                     "linear: packed weight [\(packed!.outputSize), \(packed!.inputSize)] does not match weight \(weight.shape)")
        GEMM.rowsTimesTransposed(x, w, packed: packed?.isCurrent == true ? packed : nil, bias: b,
                                 activation: activation.kernel ?? CK_ACT_NONE, into: out)
        // An activation the epilogue lacks (tanh GELU, SiLU) is one more pass, as in the composed path.
        if activation.kernel == nil, let activation { return activation(out).reshaped(outShape) }
        return out.reshaped(outShape)
    }

}

extension GEMM {
    /// x [M, K] · wᵀ + bias as one recorded op, for Float32 operands that are differentiated (training): the
    /// forward is the fused GEMM with the bias in its epilogue, the backward three products written for the
    /// layout they produce — dx = g·w, dw = gᵀ·x (contiguous [out, in], where the composed `matmul(w.transposed())`
    /// hands back the transpose of a [in, out] product, which the clipping and the optimiser then had to copy),
    /// db = Σ rows of g. Each element gets the same operations in the same order as in `matmul` + `+` (the same
    /// kernel, the same K blocks, products of the same two numbers), so the results are bit for bit those of
    /// the composed ops (test `FusedInferenceTests.recordedLinearEqualsTheComposedOps`); nil for other dtypes.
    static func recordedLinear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor? {
        guard x.dtype == .float32, weight.dtype == .float32, (bias?.dtype ?? .float32) == .float32 else { return nil }
        let xc = x.materialized(), w = weight.materialized(), b = bias?.materialized()
        var out = Tensor(storage: TensorStorage(uninitializedCount: x.shape[0] * weight.shape[0], dtype: .float32),
                         shape: [x.shape[0], weight.shape[0]])
        GEMM.rowsTimesTransposed(xc, w, packed: nil, bias: b, activation: CK_ACT_NONE, into: out)
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        out.node = Autograd.record(inputs: inputs) { g in
            var grads: [Tensor?] = [x.requiresGradient ? g.matmul(weight) : nil,
                                    weight.requiresGradient ? g.transposed().matmul(x) : nil]
            if let bias { grads.append(bias.requiresGradient ? g.summed(toShape: bias.shape) : nil) }
            return grads
        }
        return out
    }

    /// out [M, N] = act(x [M, K] · wᵀ + bias), w [N, K]; all contiguous Float32. Rows of x are split over threads
    /// (each packs only its rows of x; the weight is packed once between them, or comes pre-packed).
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
        // Rows of x split over threads; the weight as B(k, j) = w[j, k] (row stride 1, column stride K), pre-packed
        // (`packed`, or packed once here between the threads: before, each thread packed all of it).
        func run(_ pp: SendableRawPointer?, isa: ck_isa) {
            Parallel.forEach(parts, threads: threads) { part in
                let r0 = part * block, rows = Swift.min(block, m - r0)
                GEMMWorkspace.with { work in
                    if let pp {
                        ck_sgemm_packed_bias_act(isa, Int64(rows), Int64(n), Int64(k), 1, px.base + r0 * k, Int64(k), 1,
                                                 pp.base, 0, py.base + r0 * n, Int64(n), pb?.base, activation, work)
                    } else {
                        ck_sgemm_bias_act(Int64(rows), Int64(n), Int64(k), 1, px.base + r0 * k, Int64(k), 1,
                                          pw.base, 1, Int64(k), 0, py.base + r0 * n, Int64(n), pb?.base, activation, work)
                    }
                }
            }
        }
        withExtendedLifetime((x, w, bias, out, packed)) {
            if let packed {
                run(SendableRawPointer(packed.pointer), isa: packed.isa)
            } else if parts > 1 {
                let isa = ck_active_isa()
                GEMM.withSharedPackedB(isa: isa, k: k, n: n, pw.base, rsB: 1, csB: k, parts: parts) { shared in
                    run(SendableRawPointer(UnsafeRawPointer(shared.base)), isa: isa)
                }
            } else {
                run(nil, isa: CK_ISA_AUTO)
            }
        }
    }
}
