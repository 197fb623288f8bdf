import AttentionTensorCore

extension AttentionMask {
    /// The same mask for S + `extra` keys, the appended keys visible to every query: what multi-head attention
    /// needs once it adds its bias and zero slots after the S given keys (PyTorch pads its masks the same way).
    ///
    /// Structural masks become explicit booleans over the S given keys (a causal mask must not reach the
    /// appended slots through its alignment); tensor masks are padded with "allowed" (true, or 0 for additive
    /// terms, which stay differentiable).
    public func appendingVisibleKeys(_ extra: Int, batch: Int, heads: Int, queryLength l: Int, keyLength s: Int) -> AttentionMask {
        guard extra > 0 else { return self }
        switch self {
        case .none:
            return .none
        case .all(let masks):
            return .all(masks.map { $0.appendingVisibleKeys(extra, batch: batch, heads: heads, queryLength: l, keyLength: s) })
        case .causal, .slidingWindow:
            // Ask the one mask definition which of the S given keys each row sees, then open the extra slots.
            let resolved = self.resolved(batch: 1, heads: 1, queryLength: l, keyLength: s)
            var values: [Bool] = []
            values.reserveCapacity(l * (s + extra))
            for i in 0..<l {
                let range = resolved.keyRange(batch: 0, query: i)
                for j in 0..<(s + extra) { values.append(j >= s || range.contains(j)) }
            }
            return .boolean(BoolTensor(shape: [l, s + extra], values: values))
        case .keyPadding(let lengths):
            precondition(lengths.count == batch, "AttentionMask.keyPadding: expected \(batch) lengths, found \(lengths.count)")
            var values: [Bool] = []
            for n in lengths { for j in 0..<(s + extra) { values.append(j < n || j >= s) } }
            return .keyPaddingMask(BoolTensor(shape: [batch, s + extra], values: values))
        case .keyPaddingMask(let m):
            precondition(m.shape == [batch, s], "AttentionMask.keyPaddingMask: expected shape [B, S] = \([batch, s]), found \(m.shape)")
            return .keyPaddingMask(Self.padLastAxis(m, keyLength: s, extra: extra))
        case .boolean(let m):
            return .boolean(Self.padLastAxis(m, keyLength: s, extra: extra))
        case .additive(let t):
            var shape = t.rank == 0 ? [1] : t.shape
            shape[shape.count - 1] = s
            let stretched = t.expanded(to: shape)
            var zeroShape = shape
            zeroShape[shape.count - 1] = extra
            return .additive(Tensor.concatenate([stretched, Tensor.zeros(zeroShape, dtype: t.dtype)], axis: -1))
        }
    }

    /// A boolean mask [..., S] (last axis S or 1) widened to [..., S + extra] with true in the new columns.
    static func padLastAxis(_ m: BoolTensor, keyLength s: Int, extra: Int) -> BoolTensor {
        var shape = m.shape.isEmpty ? [1] : m.shape
        shape[shape.count - 1] = s
        let values = m.broadcastValues(to: shape)
        var out: [Bool] = []
        out.reserveCapacity(values.count / max(s, 1) * (s + extra))
        let rows = Shape.count(shape) / max(s, 1)
        for r in 0..<rows {
            out.append(contentsOf: values[(r * s)..<((r + 1) * s)])
            out.append(contentsOf: repeatElement(true, count: extra))
        }
        shape[shape.count - 1] = s + extra
        return BoolTensor(shape: shape, values: out)
    }

    /// For scores [B, H, L, S]: which query rows (b, i) see no key in any head, row-major [B·L]; nil when none.
    /// With S = 0 every row sees no key, mask or not. Multi-head attention zeroes these rows of its output (the
    /// fully-masked-row policy: one rule for "no keys at all" and "every key masked").
    public func fullyMaskedQueryRows(batch: Int, heads: Int, queryLength l: Int, keyLength s: Int) -> [Bool]? {
        if batch * l == 0 { return nil }
        if s == 0 { return [Bool](repeating: true, count: batch * l) }
        if isNone { return nil }
        return resolved(batch: batch, heads: heads, queryLength: l, keyLength: s).fullyMaskedQueryRows()
    }
}
