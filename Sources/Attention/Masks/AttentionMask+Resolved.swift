import AttentionTensorCore

/// Lowering an ``AttentionMask`` once per call into `ResolvedAttentionMask` (in the tensor core), the one form
/// every path reads, and the bias tensor the reference path adds to its scores.
extension AttentionMask {
    /// The mask lowered for scores [B, H, L, S] (validates first): key bounds from the causal, window and
    /// padding-length masks, one dense Float32 bias for the boolean and additive tensor masks, and the
    /// fully-masked-row flags. Every path reads this one form (see `ResolvedAttentionMask`); build it once per
    /// call and pass it down. Cost: O(B·L) for the bounds, O(size of the tensor masks) for the bias, and for the
    /// row flags one scan of each row's bias up to its first visible key.
    public func resolved(batch: Int, heads: Int, queryLength: Int, keyLength: Int) -> ResolvedAttentionMask {
        validate(batch: batch, heads: heads, queryLength: queryLength, keyLength: keyLength)
        let offsetLowerRight = keyLength - queryLength
        // Key bounds per (b, i): the intersection of every band.
        var causal: [Int] = [], windows: [(left: Int, right: Int, offset: Int)] = [], lengths: [[Int]] = []
        var booleans: [(shape: [Int], mask: BoolTensor)] = [], additives: [Tensor] = []
        for leaf in leaves {
            switch leaf {
            case .causal(let a): causal.append(a == .upperLeft ? 0 : offsetLowerRight)
            case .slidingWindow(let left, let right, let a):
                windows.append((left, right, a == .upperLeft ? 0 : offsetLowerRight))
            case .keyPadding(let n): lengths.append(n)
            case .keyPaddingMask(let m):
                let padded = BoolTensor(shape: [batch, 1, 1, keyLength], values: m.values)
                booleans.append((padded.shape, padded))
            case .boolean(let m): booleans.append((Array(repeating: 1, count: 4 - m.shape.count) + m.shape, m))
            case .additive(let t): additives.append(t)
            case .none, .all: break   // `leaves` has flattened these away
            }
        }
        var lo: [Int32]? = nil, hi: [Int32]? = nil
        if !(causal.isEmpty && windows.isEmpty && lengths.isEmpty) {
            precondition(keyLength < Int(Int32.max), "AttentionMask: S = \(keyLength) keys exceed the 32-bit key bounds")
            var l = [Int32](repeating: 0, count: batch * queryLength), h = l
            for b in 0..<batch {
                for i in 0..<queryLength {
                    var low = 0, high = keyLength
                    for offset in causal { high = min(high, i + offset + 1) }
                    for w in windows { low = max(low, i + w.offset - w.left); high = min(high, i + w.offset + w.right + 1) }
                    for n in lengths { high = min(high, n[b]) }
                    low = min(max(low, 0), keyLength)
                    (l[b * queryLength + i], h[b * queryLength + i]) = (Int32(low), Int32(max(low, high)))
                }
            }
            (lo, hi) = (l, h)
        }
        let vary = (batch: !lengths.isEmpty, row: !(causal.isEmpty && windows.isEmpty))
        guard !(booleans.isEmpty && additives.isEmpty) else {
            return ResolvedAttentionMask(batch: batch, heads: heads, queryLength: queryLength, keyLength: keyLength,
                                         lo: lo, hi: hi, boundsVary: vary, bias: nil, biasStrides: (0, 0, 0),
                                         hasSelection: false, additiveTerms: [])
        }
        // Dense extent of each of (b, h, i): full where a tensor mask varies, else 1.
        let shapes = booleans.map(\.shape) + additives.map { Array(repeating: 1, count: 4 - $0.rank) + $0.shape }
        let full = [batch, heads, queryLength]
        let dims = (0..<3).map { d in shapes.contains { $0[d] != 1 } ? full[d] : 1 }
        let dense = dims + [keyLength], s = keyLength
        var sums = [Double](repeating: 0, count: Shape.count(dense))
        for t in additives {
            for (k, v) in t.reshaped(Array(repeating: 1, count: 4 - t.rank) + t.shape).expanded(to: dense).doubles.enumerated() {
                sums[k] += v
            }
        }
        var values = sums.map(Float.init)
        for (_, m) in booleans {
            for (k, v) in m.broadcastValues(to: dense).enumerated() where !v { values[k] = -.infinity }
        }
        let strides = (dims[0] > 1 ? dims[1] * dims[2] * s : 0, dims[1] > 1 ? dims[2] * s : 0, dims[2] > 1 ? s : 0)
        return ResolvedAttentionMask(batch: batch, heads: heads, queryLength: queryLength, keyLength: keyLength,
                                     lo: lo, hi: hi, boundsVary: vary, bias: values, biasStrides: strides,
                                     hasSelection: !booleans.isEmpty, additiveTerms: additives)
    }
}

extension ResolvedAttentionMask {
    /// The mask as one bias tensor for scores [B, H, L, S] in `dtype`: 0 where a key may be attended, −∞ where
    /// it may not, plus the `.additive` tensors themselves (cast to `dtype`, so Float64 keeps its precision, and
    /// differentiable in them). nil when nothing is masked or added. Rank 4, broadcastable to [B, H, L, S] and
    /// kept as small as the mask allows ([1, 1, L, S] for causal and window masks, [B, 1, 1, S] for key padding).
    func biasTensor(dtype: DType) -> Tensor? {
        if isNone { return nil }
        // No scores at all: nothing to mask (and no row to index).
        if batch * heads * queryLength * keyLength == 0 { return Tensor.zeros([batch, heads, queryLength, keyLength], dtype: dtype) }
        var result: Tensor? = nil
        if lo != nil || hasSelection {
            // The 0 / −∞ part, over the dimensions the bounds or the boolean bias vary on (index 0 stands for all
            // of a size-1 dimension). A −∞ that an additive term put in the bias stays −∞ once that term is added.
            let (sb, sh, sr) = biasStrides
            let shape = [boundsVary.batch || (hasSelection && sb != 0) ? batch : 1, hasSelection && sh != 0 ? heads : 1,
                         boundsVary.row || (hasSelection && sr != 0) ? queryLength : 1, keyLength]
            var values = [Double](repeating: 0, count: Shape.count(shape))
            var k = 0
            for b in 0..<shape[0] { for h in 0..<shape[1] { for i in 0..<shape[2] {
                let range = keyRange(batch: b, query: i), base = b * sb + h * sh + i * sr
                for j in 0..<keyLength {
                    if !range.contains(j) || (hasSelection && bias![base + j] == -.infinity) { values[k] = -.infinity }
                    k += 1
                }
            } } }
            result = Tensor(shape: shape, doubles: values).cast(to: dtype)
        }
        for t in additiveTerms {
            let term = t.reshaped(Array(repeating: 1, count: 4 - t.rank) + t.shape).cast(to: dtype)
            result = result.map { $0 + term } ?? term
        }
        return result
    }
}
