import AttentionCKernels

extension FusedAttention {
    /// Attention weights [B, H, L, S] from the saved row statistics, one extra pass over the scores:
    /// w_ij = e^(s_ij − m_i) / l_i, already normalised, so no row max or sum is recomputed (after dropout, as
    /// PyTorch returns them: w̃ = w ∘ keep / (1 − p)). A row that saw no key has m = +∞ and weights exactly 0.
    /// Items are (b, h, key block of `bwd_keys`·4), each writing its own columns.
    package static func weights(_ p: Problem, query: Tensor, key: Tensor, stats: RowStats, mask: ResolvedAttentionMask) -> Tensor {
        var weights = Tensor.zeros([p.b, p.h, p.l, p.s])
        if weights.count == 0 { return weights }
        let span = Int(p.config.bwd_keys) * 4
        let chunks = (p.s + span - 1) / span
        weights.withMutableScalars(Float.self) { w in
            let out = FlashOutput(base: w.baseAddress!, heads: p.h, rows: p.l, cols: p.s)
            mask.withKernelPointers { m in
                FlashRows.with([query, key, stats.rowMax, stats.rowSum]) { rows in
                    let (q, k, rmax, rsum) = (rows[0], rows[1], rows[2], rows[3])
                    Parallel.forEach(p.b * p.h * chunks, workspaceBytes: p.workspaceBytes) { item, ws in
                        let c = item % chunks, bh = item / chunks, b = bh / p.h, h = bh % p.h
                        var head = p.head(b, h, m)
                        withUnsafePointer(to: &head) { hp in
                            var args = ck_flash_weights_args(
                                head: hp, q: q.at(b, h), ldq: Int64(q.ld), k: k.at(b, h / p.group), ldk: Int64(k.ld),
                                rowmax: rmax.base + bh * p.l, rowsum: rsum.base + bh * p.l, w: out.at(b, h), ldw: Int64(p.s),
                                key0: Int64(c * span), key1: Int64(min(p.s, c * span + span)), workspace: ws)
                            ck_flash_weights(&args)
                        }
                    }
                }
            }
        }
        return weights
    }
}
