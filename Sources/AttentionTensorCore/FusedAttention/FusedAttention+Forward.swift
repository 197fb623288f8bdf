import AttentionCKernels

extension FusedAttention {
    /// Output [B, H, L, Ev] and the row statistics, without autograd bookkeeping. Chooses the decode kernel for
    /// very short query blocks.
    package static func forward(_ p: Problem, query: Tensor, key: Tensor, value: Tensor,
                              mask: ResolvedAttentionMask) -> (output: Tensor, stats: RowStats) {
        var output = Tensor.zeros([p.b, p.h, p.l, p.ev])
        var stats = RowStats(rowMax: Tensor.zeros([p.b, p.h, p.l]), rowSum: Tensor.zeros([p.b, p.h, p.l]))
        if p.b * p.h * p.l == 0 { return (output, stats) }
        output.withMutableScalars(Float.self) { o in
            stats.rowMax.withMutableScalars(Float.self) { rm in
                stats.rowSum.withMutableScalars(Float.self) { ri in
                    let out = FlashOutput(base: o.baseAddress!, heads: p.h, rows: p.l, cols: p.ev)
                    let st = StatsPointers(max: rm.baseAddress!, sum: ri.baseAddress!)
                    FlashRows.with([query, key, value]) { rows in
                        mask.withKernelPointers { m in
                            if p.l <= decodeMaxRows {
                                runDecode(p, q: rows[0], k: rows[1], v: rows[2], o: out, stats: st, mask: m)
                            } else {
                                runBlocks(p, q: rows[0], k: rows[1], v: rows[2], o: out, stats: st, mask: m)
                            }
                        }
                    }
                }
            }
        }
        return (output, stats)
    }

    /// Query lengths up to this use the decode kernel (keys in lanes, S split across threads); longer ones the
    /// block kernel (queries in lanes), whose 64-row blocks would mostly be padding for a handful of rows.
    static let decodeMaxRows = 4

    /// The block forward: one item per (b, h, Q block) of `fwd_rows` rows, in natural order, scheduled
    /// dynamically. Consecutive items share a head, so under a causal mask each block re-reads the key/value
    /// prefix the previous one left in L2 (measured ~10% faster than handing out the costliest blocks first;
    /// the load imbalance at the end is at most one block). Each row is computed by exactly one item in a
    /// fixed key order, so the result does not depend on the thread count.
    static func runBlocks(_ p: Problem, q: FlashRows, k: FlashRows, v: FlashRows, o: FlashOutput,
                          stats: StatsPointers, mask: MaskPointers) {
        let br = Int(ck_flash_forward_rows(p.isa, Int64(p.l)))
        let blocks = (p.l + br - 1) / br
        let count = p.b * p.h * blocks
        Parallel.forEach(count, workspaceBytes: p.workspaceBytes) { item, workspace in
            let qb = item % blocks, bh = item / blocks, b = bh / p.h, h = bh % p.h, kvh = h / p.group
            var head = p.head(b, h, mask)
            withUnsafePointer(to: &head) { hp in
                var args = ck_flash_fwd_args(head: hp, q: q.at(b, h), ldq: Int64(q.ld), k: k.at(b, kvh), ldk: Int64(k.ld),
                                             v: v.at(b, kvh), ldv: Int64(v.ld), o: o.at(b, h), ldo: Int64(p.ev),
                                             rowmax: stats.max + bh * p.l, rowsum: stats.sum + bh * p.l,
                                             row0: Int64(qb * br),
                                             rows: Int64(min(br, p.l - qb * br)), workspace: workspace)
                ck_flash_forward(&args)
            }
        }
    }
}
