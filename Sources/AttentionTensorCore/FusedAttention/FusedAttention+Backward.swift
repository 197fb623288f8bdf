import AttentionCKernels

extension FusedAttention {
    /// Gradients of the fused forward, by recomputation from the saved row statistics (nothing of size L×S was
    /// kept). The steps mirror the forward's in reverse (see `flash_bwd_impl.h`):
    ///
    ///     forward:   S = scale·Q·Kᵀ + bias     P = exp(S − m) / l   P̃ = P ∘ Z (dropout)     O = P̃·V
    ///     backward:  dP̃ = (dO·Vᵀ) ∘ Z          δ_i = Σ_j P_ij·dP̃_ij / Σ_j P_ij              dS = P ∘ (dP̃ − δ)
    ///                dV = P̃ᵀ·dO                dK = scale·dSᵀ·Q     dQ = scale·dS·K          dbias = dS
    ///
    /// δ (= dO_i·O_i) is summed from the same P and dP̃ values the dS formula subtracts it from (FlashAttention-2 uses
    /// dO·O instead), and divided by the float weights' own row sum: no extra product, and a peaked row keeps the
    /// plain softmax backward's cancellation instead of an error of order ε·|dP|.
    ///
    /// Work items are (b, h, row chunk): each owns the dQ rows of its chunk outright and writes its partial dK/dV
    /// for the whole head. The number of row chunks per head depends only on the shape (more chunks when there are
    /// few heads, so threads have work), and the partials — over row chunks and over the query heads of a GQA
    /// group — are summed in a fixed order afterwards: the gradients are bitwise independent of the thread count.
    ///
    /// Shapes: gradOutput [B, H, L, Ev] → dq [B, H, L, E], dk [B, Hkv, S, E], dv [B, Hkv, S, Ev],
    /// dbias [B, H, L, S] (only when `needsBias`).
    package static func backward(_ p: Problem, query: Tensor, key: Tensor, value: Tensor,
                               stats: RowStats, gradOutput: Tensor, mask: ResolvedAttentionMask,
                               needsBias: Bool) -> (dq: Tensor, dk: Tensor, dv: Tensor, dbias: Tensor?) {
        var dq = Tensor.zeros([p.b, p.h, p.l, p.e])
        var dbias = needsBias ? Tensor.zeros([p.b, p.h, p.l, p.s]) : nil
        if p.b * p.h * p.l * p.s == 0 {
            return (dq, Tensor.zeros([p.b, p.hkv, p.s, p.e]), Tensor.zeros([p.b, p.hkv, p.s, p.ev]), dbias)
        }
        let blockRows = Int(p.config.bwd_rows)
        let blocks = (p.l + blockRows - 1) / blockRows
        let chunks = min(blocks, max(1, (minimumBackwardItems + p.b * p.h - 1) / (p.b * p.h)))
        let chunkRows = (blocks + chunks - 1) / chunks * blockRows
        // Partial dK, dV per (row chunk, b, h): [chunks, B, H, S, X].
        let heads = p.b * p.h
        var dkParts = Tensor.zeros([chunks * heads, p.s, p.e]), dvParts = Tensor.zeros([chunks * heads, p.s, p.ev])
        let workspace = Int(ck_flash_backward_workspace_size(Int64(p.e), Int64(p.ev), Int64(p.s)))

        mask.withKernelPointers { m in
            FlashRows.with([query, key, value, gradOutput, stats.rowMax, stats.rowSum]) { rows in
                let (q, k, v, dO, rmax, rsum) = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5])
                dq.withMutableScalars(Float.self) { dqBuf in
                    dkParts.withMutableScalars(Float.self) { dkBuf in
                        dvParts.withMutableScalars(Float.self) { dvBuf in
                            withOptionalMutable(&dbias) { dbPtr in
                                let dqOut = FlashOutput(base: dqBuf.baseAddress!, heads: p.h, rows: p.l, cols: p.e)
                                let dkOut = SendablePointer(dkBuf.baseAddress!), dvOut = SendablePointer(dvBuf.baseAddress!)
                                let dbOut = dbPtr.map { FlashOutput(base: $0, heads: p.h, rows: p.l, cols: p.s) }
                                Parallel.forEach(heads * chunks, workspaceBytes: workspace) { item, ws in
                                    let c = item % chunks, bh = item / chunks, b = bh / p.h, h = bh % p.h, kvh = h / p.group
                                    let row0 = c * chunkRows, row1 = min(p.l, row0 + chunkRows)
                                    let part = c * heads + bh
                                    var head = p.head(b, h, m)
                                    withUnsafePointer(to: &head) { hp in
                                        var args = ck_flash_bwd_args(
                                            head: hp, q: q.at(b, h), ldq: Int64(q.ld), k: k.at(b, kvh), ldk: Int64(k.ld),
                                            v: v.at(b, kvh), ldv: Int64(v.ld), dout: dO.at(b, h), lddo: Int64(dO.ld),
                                            rowmax: rmax.base + bh * p.l, rowsum: rsum.base + bh * p.l,
                                            dq: dqOut.at(b, h), lddq: Int64(p.e),
                                            dk: dkOut.base + part * p.s * p.e, lddk: Int64(p.e),
                                            dv: dvOut.base + part * p.s * p.ev, lddv: Int64(p.ev),
                                            dbias: dbOut?.at(b, h), ldbias: Int64(p.s),
                                            row0: Int64(row0), row1: Int64(row1), workspace: ws)
                                        if row0 < row1 { ck_flash_backward(&args) } else { zeroPartial(args) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dq, sumPartials(dkParts, chunks: chunks, p), sumPartials(dvParts, chunks: chunks, p), dbias)
    }

    /// At least this many backward items (B·H·chunks) when the rows allow, whatever the thread count.
    static let minimumBackwardItems = 16

    /// A row chunk past the end (possible when the chunk count does not divide the blocks) contributes nothing.
    static func zeroPartial(_ a: ck_flash_bwd_args) {
        let s = Int(a.head.pointee.S)
        a.dk.update(repeating: 0, count: s * Int(a.lddk))
        a.dv.update(repeating: 0, count: s * Int(a.lddv))
    }

    /// [chunks·B·H, S, X] partials → [B, Hkv, S, X]: for each key/value head, the G query heads of its group in head
    /// order, and for each head its row chunks in order, summed into a running total (parallel over outputs, fixed
    /// order per element).
    static func sumPartials(_ parts: Tensor, chunks: Int, _ p: Problem) -> Tensor {
        if chunks == 1 && p.group == 1 { return parts.reshaped([p.b, p.hkv, p.s, parts.shape[2]]) }
        let x = parts.shape[2], slice = p.s * x, heads = p.b * p.h
        var out = Tensor.zeros([p.b, p.hkv, p.s, x])
        parts.withScalars(Float.self) { src in
            out.withMutableScalars(Float.self) { dst in
                let s = SendableConstPointer(src.baseAddress!), d = SendablePointer(dst.baseAddress!)
                Parallel.forEach(p.b * p.hkv) { bk in
                    let b = bk / p.hkv, kv = bk % p.hkv, to = d.base + bk * slice
                    for g in 0..<p.group {
                        for c in 0..<chunks {
                            let from = s.base + (c * heads + b * p.h + kv * p.group + g) * slice
                            for n in 0..<slice { to[n] += from[n] }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Calls `body` with a pointer to the tensor's elements (nil when there is no tensor).
func withOptionalMutable<R>(_ t: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard var tensor = t else { return body(nil) }
    t = nil  // keep the storage uniquely referenced, so the write does not copy it
    let r = tensor.withMutableScalars(Float.self) { body($0.baseAddress) }
    t = tensor
    return r
}

