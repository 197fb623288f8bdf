/// An attention mask lowered once for one score shape [B, H, L, S]: the single form every path reads — the fused
/// kernels (forward, decode, backward, weights), the reference path's bias tensor, masked softmax, and multi-head
/// attention's zeroing of query rows that see no key. Built by `AttentionMask.resolved(batch:heads:queryLength:keyLength:)`
/// in the `Attention` module; nothing below it knows the mask's cases.
///
/// - **Key bounds** `lo[b·L + i] ..< hi[b·L + i]`: the causal, sliding-window and padding-length bands. Kernels
///   skip whole K/V blocks outside them and test elements only on blocks that straddle a bound; nil when no band.
/// - **Bias**: the boolean masks (−∞ where false) and the sum of the additive masks (summed in Double, stored in
///   Float32, the precision the kernels read), over the smallest dense shape [Bb, Hb, Lb, S] the tensor masks vary
///   on (Bb ∈ {1, B}, Hb ∈ {1, H}, Lb ∈ {1, L}), so a [B, 1, 1, S] key-padding mask stays one row per batch
///   element (read with row stride 0). nil when there is no tensor mask.
/// - **Fully-masked rows**: one flag per score row (b, h, i), row-major [B·H·L]: true when no key of the row is
///   allowed (every key outside the bounds or at a −∞ bias; S = 0 makes every row fully masked). A NaN bias
///   counts as visible, so a NaN stays visible downstream.
/// - **Additive tensors**: every `.additive` term (the reference path adds them itself, in the scores' dtype and
///   differentiably), and those that require gradients (the fused backward gives each dS summed to its shape).
///
/// Pitfall: additive values are read as Float32 here, so ``bias(batch:head:query:key:)`` of a Float64 additive
/// mask is rounded to Float32; the reference path's bias tensor adds the original tensors and is not.
public struct ResolvedAttentionMask: @unchecked Sendable {
    /// B, H, L, S of the scores this mask was resolved for.
    public let batch, heads, queryLength, keyLength: Int
    package let lo: [Int32]?
    package let hi: [Int32]?
    package let bias: [Float]?
    /// Element strides of the bias over (b, h, i); 0 along a dimension it does not vary on.
    package let biasStrides: (batch: Int, head: Int, row: Int)
    /// Whether a boolean mask contributes −∞ entries to `bias` (else the bias holds only additive values).
    package let hasSelection: Bool
    /// Whether the key bounds vary with the batch element (padding lengths) and with the query (causal, window).
    package let boundsVary: (batch: Bool, row: Bool)
    package let additiveTerms: [Tensor]
    package let additiveInputs: [Tensor]
    /// [B·H·L], true = the row sees no key.
    package let fullyMaskedRows: [Bool]
    /// Whether any score row sees no key.
    public let hasFullyMaskedRow: Bool

    package init(batch: Int, heads: Int, queryLength: Int, keyLength: Int, lo: [Int32]?, hi: [Int32]?,
                 boundsVary: (batch: Bool, row: Bool), bias: [Float]?, biasStrides: (batch: Int, head: Int, row: Int),
                 hasSelection: Bool, additiveTerms: [Tensor]) {
        precondition((lo == nil) == (hi == nil), "ResolvedAttentionMask: key bounds need both lo and hi")
        (self.batch, self.heads, self.queryLength, self.keyLength) = (batch, heads, queryLength, keyLength)
        (self.lo, self.hi, self.boundsVary, self.bias, self.biasStrides) = (lo, hi, boundsVary, bias, biasStrides)
        self.hasSelection = hasSelection
        self.additiveTerms = additiveTerms
        self.additiveInputs = additiveTerms.filter(\.requiresGradient)
        // The row flags, once: bounds first (no key read), then the bias of the row until its first visible key.
        var rows = [Bool](repeating: false, count: batch * heads * queryLength)
        var any = false
        for b in 0..<batch {
            for i in 0..<queryLength {
                let lower = lo.map { Int($0[b * queryLength + i]) } ?? 0
                let upper = hi.map { Int($0[b * queryLength + i]) } ?? keyLength
                for h in 0..<heads {
                    let r = (b * heads + h) * queryLength + i
                    if h > 0 && biasStrides.head == 0 {
                        rows[r] = rows[r - queryLength]   // the bias does not vary with the head
                        continue
                    }
                    var masked = lower >= upper
                    if !masked, let bias {
                        let base = b * biasStrides.batch + h * biasStrides.head + i * biasStrides.row
                        masked = !(lower..<upper).contains { bias[base + $0] != -.infinity }
                    }
                    rows[r] = masked
                    any = any || masked
                }
            }
        }
        fullyMaskedRows = rows
        hasFullyMaskedRow = any
    }

    /// Whether the mask reduces to integer key bounds per row (no boolean or additive tensor to read): then a
    /// key is allowed exactly when it lies in ``keyRange(batch:query:)``.
    public var isStructural: Bool { bias == nil }

    /// Whether nothing is masked and nothing added.
    public var isNone: Bool { lo == nil && bias == nil }

    /// Keys outside this range are masked for query `i` of batch element `b` in every head (causal, window and
    /// length bounds; tensor masks may mask more inside it). Empty when the bounds leave the row no key.
    public func keyRange(batch b: Int, query i: Int) -> Range<Int> {
        precondition(b >= 0 && b < batch && i >= 0 && i < queryLength,
                     "ResolvedAttentionMask.keyRange: row (batch \(b), query \(i)) is outside [B, L] = \([batch, queryLength])")
        guard let lo, let hi else { return 0..<keyLength }
        return Int(lo[b * queryLength + i])..<Int(hi[b * queryLength + i])
    }

    /// The value added to score [b, h, i, j]: −∞ when masked, else the sum of the additive terms (0 if none).
    public func bias(batch b: Int, head h: Int, query i: Int, key j: Int) -> Double {
        precondition(b >= 0 && b < batch && h >= 0 && h < heads && i >= 0 && i < queryLength && j >= 0 && j < keyLength,
                     "ResolvedAttentionMask.bias: index [\(b), \(h), \(i), \(j)] is outside [B, H, L, S] = \([batch, heads, queryLength, keyLength])")
        guard keyRange(batch: b, query: i).contains(j) else { return -.infinity }
        guard let bias else { return 0 }
        return Double(bias[b * biasStrides.batch + h * biasStrides.head + i * biasStrides.row + j])
    }

    /// Whether query `i` may attend key `j` (the bias is not −∞; an additive −∞ masks too).
    public func allows(batch b: Int, head h: Int, query i: Int, key j: Int) -> Bool {
        bias(batch: b, head: h, query: i, key: j) != -.infinity
    }

    /// Writes the S biases of score row [b, h, i, :] into `row` (0 / −∞ plus additive values), so a kernel adds
    /// them to its scores before the softmax. `row` must hold exactly S elements.
    public func rowBias<T: TensorScalar>(batch b: Int, head h: Int, query i: Int, into row: UnsafeMutableBufferPointer<T>) {
        precondition(row.count == keyLength, "ResolvedAttentionMask.rowBias: row holds \(row.count) elements, expected S = \(keyLength)")
        precondition(b >= 0 && b < batch && h >= 0 && h < heads && i >= 0 && i < queryLength,
                     "ResolvedAttentionMask.rowBias: row [\(b), \(h), \(i)] is outside [B, H, L] = \([batch, heads, queryLength])")
        let range = keyRange(batch: b, query: i)
        let base = b * biasStrides.batch + h * biasStrides.head + i * biasStrides.row
        for j in 0..<keyLength {
            if !range.contains(j) { row[j] = -.infinity } else { row[j] = T(Double(bias?[base + j] ?? 0)) }
        }
    }

    /// The allowed keys of row [b, h, i, :] as booleans (true = may attend), S of them.
    public func rowAllows(batch b: Int, head h: Int, query i: Int) -> [Bool] {
        var row = [Double](repeating: 0, count: keyLength)
        row.withUnsafeMutableBufferPointer { rowBias(batch: b, head: h, query: i, into: $0) }
        return row.map { $0 != -.infinity }
    }

    /// Whether score row [b, h, i] sees no key (its output, weights and gradient are 0 on every path).
    public func isFullyMasked(batch b: Int, head h: Int, query i: Int) -> Bool {
        precondition(b >= 0 && b < batch && h >= 0 && h < heads && i >= 0 && i < queryLength,
                     "ResolvedAttentionMask.isFullyMasked: row [\(b), \(h), \(i)] is outside [B, H, L] = \([batch, heads, queryLength])")
        return fullyMaskedRows[(b * heads + h) * queryLength + i]
    }

    /// Which query rows (b, i) see no key in any head, row-major [B·L]; nil when there is none. Multi-head
    /// attention zeroes these rows of its output (after the output projection, whose bias they would otherwise get).
    public func fullyMaskedQueryRows() -> [Bool]? {
        guard hasFullyMaskedRow else { return nil }
        var rows = [Bool](repeating: true, count: batch * queryLength)
        var any = false
        for b in 0..<batch {
            for i in 0..<queryLength {
                let r = b * queryLength + i
                for h in 0..<heads where !fullyMaskedRows[(b * heads + h) * queryLength + i] { rows[r] = false; break }
                any = any || rows[r]
            }
        }
        return any ? rows : nil
    }

    /// Calls `body` with the raw arrays (nil pointers where absent), valid for the duration of the call.
    package func withPointers<R>(_ body: (_ lo: UnsafePointer<Int32>?, _ hi: UnsafePointer<Int32>?, _ bias: UnsafePointer<Float>?) -> R) -> R {
        func withOptional<T, U>(_ a: [T]?, _ f: (UnsafePointer<T>?) -> U) -> U {
            guard let a else { return f(nil) }
            return a.withUnsafeBufferPointer { f($0.baseAddress) }
        }
        return withOptional(lo) { l in withOptional(hi) { h in withOptional(bias) { b in body(l, h, b) } } }
    }
}
