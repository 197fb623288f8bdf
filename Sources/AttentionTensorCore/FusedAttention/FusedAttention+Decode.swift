import AttentionCKernels

extension FusedAttention {
    /// The decode forward, for a query length L of a few rows (KV-cache decoding has L = 1): the keys of each row
    /// are split into fixed chunks of `decode_keys`, each chunk gives a partial softmax state (running max m,
    /// sum l, unnormalised output), and the states are merged per row in chunk order:
    ///
    ///     M = max_c m_c,   l = Σ_c e^(m_c − M)·l_c,   o = Σ_c e^(m_c − M)·acc_c / l   (row statistics M and l)
    ///
    /// The split depends only on S, never on the thread count, and the merge order is fixed, so the result is
    /// bitwise the same on any number of threads. Items are (b, h, i, chunk), scheduled dynamically.
    static func runDecode(_ p: Problem, q: FlashRows, k: FlashRows, v: FlashRows, o: FlashOutput,
                          stats: StatsPointers, mask: MaskPointers) {
        let chunk = Int(p.config.decode_keys)
        let chunks = (p.s + chunk - 1) / chunk
        let rows = p.b * p.h * p.l
        let parts = rows * chunks
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: max(1, parts * p.ev))
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * parts))  // m, then l
        defer { acc.deallocate(); partial.deallocate() }
        let accP = SendablePointer(acc), statP = SendablePointer(partial)

        // [B, H, L, chunks] partial states.
        Parallel.forEach(parts, workspaceBytes: 64) { item, _ in
            let c = item % chunks, row = item / chunks
            let i = row % p.l, bh = row / p.l, b = bh / p.h, h = bh % p.h, kvh = h / p.group
            var head = p.head(b, h, mask)
            withUnsafePointer(to: &head) { hp in
                var args = ck_flash_decode_args(head: hp, q: q.at(b, h) + i * q.ld, k: k.at(b, kvh), ldk: Int64(k.ld),
                                                v: v.at(b, kvh), ldv: Int64(v.ld), row: Int64(i),
                                                key0: Int64(c * chunk), key1: Int64(min(p.s, c * chunk + chunk)),
                                                acc: accP.base + item * p.ev, m: statP.base + item,
                                                l: statP.base + parts + item)
                ck_flash_decode(&args)
            }
        }
        // Merge each row's chunks in index order.
        let dropScale = p.dropScale
        Parallel.forEach(rows) { row in
            ck_flash_decode_merge(accP.base + row * chunks * p.ev, statP.base + row * chunks,
                                  statP.base + parts + row * chunks, Int64(chunks), Int64(p.ev), dropScale,
                                  o.base + row * p.ev, stats.max + row, stats.sum + row)
        }
    }
}
