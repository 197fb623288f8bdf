import AttentionCKernels

/// The Adam / AdamW update of one Float32 parameter in the C kernels (`ck_adam_update`), for the optimisers of
/// AttentionTraining, which may not talk to the kernels themselves.
///
/// It computes exactly what the optimiser's scalar Float64 rule computes — widen w and g to Double, the moments
/// in Double, round the new w once to Float — with the same operations in the same order and no multiply-add
/// contraction, so the result is bit for bit the scalar rule's on every kernel path (tests `CKernelsTests.Adam`,
/// `OptimizerTests.float32PathEqualsTheDoubleRule`). It
/// is faster because it reads and writes the Float32 buffers directly (no Double copies of w and g), runs four
/// (AVX2) or eight (AVX-512) lanes of divisions and square roots at a time, and splits long tensors over the
/// worker threads.
package enum FusedAdam {
    /// The step's constants; `bias1` = 1 − β₁ᵗ and `bias2` = 1 − β₂ᵗ for step t.
    package struct Step: Sendable {
        package var learningRate, weightDecay, beta1, beta2, epsilon, bias1, bias2: Double
        package var decoupled: Bool
        package init(learningRate: Double, weightDecay: Double, beta1: Double, beta2: Double, epsilon: Double,
                     bias1: Double, bias2: Double, decoupled: Bool) {
            self.learningRate = learningRate; self.weightDecay = weightDecay; self.beta1 = beta1; self.beta2 = beta2
            self.epsilon = epsilon; self.bias1 = bias1; self.bias2 = bias2; self.decoupled = decoupled
        }
    }

    /// Elements per parallel item: large enough that claiming an item costs nothing, small enough that a
    /// 256 × 1024 weight splits over two threads.
    static let chunk = 1 << 15

    /// The parameter after one step, as a fresh Float32 tensor of `weights`' shape; `m` and `v` (the moments,
    /// `weights.count` each) are updated in place. nil, with nothing changed, unless `weights` and `gradient` are
    /// both Float32 with the same number of elements as `m` and `v`.
    package static func update(_ weights: Tensor, gradient: Tensor, m: inout [Double], v: inout [Double],
                               _ step: Step) -> Tensor? {
        let n = weights.count
        guard weights.dtype == .float32, gradient.dtype == .float32, gradient.count == n, m.count == n, v.count == n
        else { return nil }
        let w = weights.materialized(), g = gradient.materialized()
        let out = Tensor(storage: TensorStorage(uninitializedCount: n, dtype: .float32), shape: weights.shape)
        var constants = ck_adam_step(lr: step.learningRate, weight_decay: step.weightDecay, beta1: step.beta1,
                                     beta2: step.beta2, eps: step.epsilon, bias1: step.bias1, bias2: step.bias2,
                                     decoupled: step.decoupled ? 1 : 0)
        let pw = SendableConstPointer(w.storage.pointer(Float.self) + w.offset)
        let pg = SendableConstPointer(g.storage.pointer(Float.self) + g.offset)
        let po = SendablePointer(out.storage.pointer(Float.self))
        withExtendedLifetime((w, g)) {   // their buffers are read through pw and pg below
            m.withUnsafeMutableBufferPointer { M in
                v.withUnsafeMutableBufferPointer { V in
                    guard n > 0 else { return }
                    let pm = SendablePointer(M.baseAddress!), pv = SendablePointer(V.baseAddress!)
                    withUnsafePointer(to: &constants) { c in
                        let pc = SendableConstPointer(c)
                        Parallel.forEach((n + chunk - 1) / chunk) { item in
                            let start = item * chunk, count = Swift.min(chunk, n - start)
                            ck_adam_update(pw.base + start, pg.base + start, pm.base + start, pv.base + start,
                                           po.base + start, Int64(count), pc.base)
                        }
                    }
                }
            }
        }
        return out
    }
}
