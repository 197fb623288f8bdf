import Foundation
import AttentionTensorCore

extension FlashAttention {
    /// The output with rows that overflowed recomputed: near Float.greatestFiniteMagnitude the kernels' unnormalised
    /// sum Σ_j e^(s_j − m)·v_j can pass the largest float (values of 3e38 over 8 equally weighted keys) although
    /// the output, a weighted average of the values, is finite. A row whose output is ±∞ or NaN while its row sum
    /// l is finite (so no score was NaN or +∞) is computed again here, in Double, from the definition
    /// o = Σ_j (e^(s_j − m) / l)·keep_j·v_j. The check is one scan of the output after the kernels, never inside
    /// their loops; a genuinely infinite value still gives ±∞ (or NaN, ∞ − ∞), as in PyTorch.
    ///
    /// Shapes: output [B, H, L, Ev]; query, key, value as in ``forward(query:key:value:mask:scale:dropout:needsWeights:)``.
    static func repairingOverflow(_ output: Tensor, stats: FusedAttention.RowStats, _ p: FusedAttention.Problem, query: Tensor, key: Tensor,
                                  value: Tensor, mask resolved: ResolvedAttentionMask, dropout: AttentionDropout?) -> Tensor {
        var rows: [Int] = []
        output.withUnsafeStridedScalars(Float.self) { o, _ in
            // A float is ±∞ or NaN iff its exponent bits are all ones, i.e. ~bits & 0x7F800000 == 0: one
            // vectorisable integer min over the output, then rows only when something is not finite.
            let n = p.b * p.h * p.l * p.ev
            let least = UnsafeRawPointer(o).withMemoryRebound(to: UInt32.self, capacity: n) { u in
                var m: UInt32 = .max
                for x in 0..<n { m = Swift.min(m, ~u[x] & 0x7F80_0000) }
                return m
            }
            guard least == 0 else { return }
            stats.rowSum.withUnsafeStridedScalars(Float.self) { l, _ in
                for r in 0..<(p.b * p.h * p.l) where l[r].isFinite && (0..<p.ev).contains(where: { !o[r * p.ev + $0].isFinite }) {
                    rows.append(r)
                }
            }
        }
        guard !rows.isEmpty else { return output }
        let (q, k, v) = (query.doubles, key.doubles, value.doubles)
        let dropScale = dropout.map { 1 / (1 - $0.probability) } ?? 1
        var repaired = output
        repaired.withMutableScalars(Float.self) { o in
            for r in rows {
                let i = r % p.l, bh = r / p.l, b = bh / p.h, h = bh % p.h, kv = b * p.hkv + h / p.group
                let scores = (0..<p.s).map { j -> Double in
                    let bias = resolved.bias(batch: b, head: h, query: i, key: j)
                    if bias == -.infinity { return -.infinity }
                    var dot = 0.0
                    for e in 0..<p.e { dot += q[r * p.e + e] * k[(kv * p.s + j) * p.e + e] }
                    return Double(p.scale) * dot + bias
                }
                let m = scores.max() ?? -.infinity
                let w = scores.map { m == -.infinity ? 0 : Foundation.exp($0 - m) }
                let l = w.reduce(0, +)
                for d in 0..<p.ev {
                    var sum = 0.0
                    for j in 0..<p.s where scores[j] != -.infinity {   // every visible key, as the kernels read them
                        let keep = dropout.map { $0.keeps(flatIndex: r * p.s + j) } ?? true
                        if keep { sum += w[j] / l * dropScale * v[(kv * p.s + j) * p.ev + d] }
                    }
                    o[r * p.ev + d] = Float(sum)
                }
            }
        }
        return repaired
    }
}
