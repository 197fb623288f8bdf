/// An ``AttentionMask`` resolved for one score shape [B, H, L, S]: the single definition of what every mask
/// means, answered per element and per row.
///
/// The reference path turns it into a bias tensor (``AttentionMask/additiveBias(batch:heads:queryLength:keyLength:dtype:)``);
/// fused kernels call it directly: ``keyRange(batch:query:)`` bounds the keys a row can see (so whole key
/// blocks outside it are skipped), ``rowBias(batch:head:query:into:)`` fills the bias of one score row, and
/// ``bias(batch:head:query:key:)`` / ``allows(batch:head:query:key:)`` answer for one element.
///
/// Structural masks (causal, sliding window, key-padding lengths) are stored as integer bounds and cost nothing
/// per element; tensor masks (boolean, key-padding booleans, additive) are read through broadcast strides,
/// without expanding them to [B, H, L, S]. The additive values are read as constants here: a kernel that needs
/// the gradient of an `.additive` tensor must produce it itself (it equals the gradient of the scores).
public struct ResolvedAttentionMask: Sendable {
    public let batch: Int
    public let heads: Int
    public let queryLength: Int
    public let keyLength: Int

    /// A key-interval constraint for query row i of batch element b.
    enum Band: Sendable {
        /// j ≤ i + offset.
        case causal(offset: Int)
        /// i + offset − left ≤ j ≤ i + offset + right.
        case window(left: Int, right: Int, offset: Int)
        /// j < lengths[b].
        case lengths([Int])
    }

    let bands: [Band]
    /// AND of the boolean masks, stored at `selectionDenseShape`, read with `selectionStrides` over [B, H, L, S].
    let selection: [Bool]?
    let selectionStrides: [Int]
    /// Sum of the additive masks, read with `additiveStrides` over [B, H, L, S].
    let additive: [Double]?
    let additiveStrides: [Int]
    /// Smallest rank-4 shape broadcastable to [B, H, L, S] on which the selecting (non-additive) masks vary;
    /// nil when there is no selecting mask.
    let selectionShape: [Int]?

    init(leaves: [AttentionMask], batch: Int, heads: Int, queryLength: Int, keyLength: Int) {
        self.batch = batch
        self.heads = heads
        self.queryLength = queryLength
        self.keyLength = keyLength
        let full = [batch, heads, queryLength, keyLength]
        let offsetLowerRight = keyLength - queryLength

        var bands: [Band] = []
        var selectShapes: [[Int]] = []
        var booleans: [BoolTensor] = []
        var additives: [Tensor] = []
        for leaf in leaves {
            switch leaf {
            case .causal(let a):
                bands.append(.causal(offset: a == .upperLeft ? 0 : offsetLowerRight))
                selectShapes.append([1, 1, queryLength, keyLength])
            case .slidingWindow(let left, let right, let a):
                bands.append(.window(left: left, right: right, offset: a == .upperLeft ? 0 : offsetLowerRight))
                selectShapes.append([1, 1, queryLength, keyLength])
            case .keyPadding(let lengths):
                bands.append(.lengths(lengths))
                selectShapes.append([batch, 1, 1, keyLength])
            case .keyPaddingMask(let m):
                let padded = BoolTensor(shape: [batch, 1, 1, keyLength], values: m.values)
                booleans.append(padded)
                selectShapes.append(padded.shape)
            case .boolean(let m):
                booleans.append(m)
                selectShapes.append(Array(repeating: 1, count: 4 - m.shape.count) + m.shape)
            case .additive(let t):
                additives.append(t.detached())
            case .none, .all:
                break   // `leaves` has flattened these away
            }
        }
        self.bands = bands
        selectionShape = selectShapes.isEmpty ? nil : selectShapes.dropFirst().reduce(selectShapes[0]) {
            Shape.broadcastOrDie($0, $1, op: "AttentionMask")
        }

        if booleans.isEmpty {
            selection = nil
            selectionStrides = [0, 0, 0, 0]
        } else {
            let shape = booleans.dropFirst().reduce(Array(repeating: 1, count: 4 - booleans[0].shape.count) + booleans[0].shape) {
                Shape.broadcastOrDie($0, $1.shape, op: "AttentionMask (boolean masks)")
            }
            var values = [Bool](repeating: true, count: Shape.count(shape))
            for m in booleans {
                for (k, v) in m.broadcastValues(to: shape).enumerated() where !v { values[k] = false }
            }
            selection = values
            selectionStrides = Shape.broadcastStrides(shape: shape, strides: Shape.contiguousStrides(shape), to: full)
        }

        if additives.isEmpty {
            additive = nil
            additiveStrides = [0, 0, 0, 0]
        } else {
            let padded = additives.map { $0.reshaped(Array(repeating: 1, count: 4 - $0.rank) + $0.shape) }
            let shape = padded.dropFirst().reduce(padded[0].shape) { Shape.broadcastOrDie($0, $1.shape, op: "AttentionMask (additive masks)") }
            var values = [Double](repeating: 0, count: Shape.count(shape))
            for t in padded {
                for (k, v) in t.expanded(to: shape).doubles.enumerated() { values[k] += v }
            }
            additive = values
            additiveStrides = Shape.broadcastStrides(shape: shape, strides: Shape.contiguousStrides(shape), to: full)
        }
    }

    /// Whether the mask reduces to integer key bounds per row (no boolean or additive tensor to read): then a
    /// key is allowed exactly when it lies in ``keyRange(batch:query:)``.
    public var isStructural: Bool { selection == nil && additive == nil }

    /// Whether nothing is masked and nothing added.
    public var isNone: Bool { bands.isEmpty && isStructural }

    /// Keys outside this range are masked for query `i` of batch element `b` in every head (causal, window and
    /// length bounds; tensor masks may mask more inside it). Empty when the row sees no key.
    public func keyRange(batch b: Int, query i: Int) -> Range<Int> {
        precondition(b >= 0 && b < batch && i >= 0 && i < queryLength,
                     "ResolvedAttentionMask.keyRange: row (batch \(b), query \(i)) is outside [B, L] = \([batch, queryLength])")
        var lo = 0, hi = keyLength
        for band in bands {
            switch band {
            case .causal(let offset):
                hi = min(hi, i + offset + 1)
            case .window(let left, let right, let offset):
                lo = max(lo, i + offset - left)
                hi = min(hi, i + offset + right + 1)
            case .lengths(let lengths):
                hi = min(hi, lengths[b])
            }
        }
        lo = min(max(lo, 0), keyLength)
        return lo..<max(lo, hi)
    }

    /// Whether the boolean tensor masks (not the structural bounds) let query `i` see key `j`.
    @inline(__always)
    func selectedByTensors(batch b: Int, head h: Int, query i: Int, key j: Int) -> Bool {
        guard let selection else { return true }
        let s = selectionStrides
        return selection[b * s[0] + h * s[1] + i * s[2] + j * s[3]]
    }

    /// Whether the selecting (non-additive) masks let query `i` see key `j`.
    @inline(__always)
    func selects(batch b: Int, head h: Int, query i: Int, key j: Int) -> Bool {
        keyRange(batch: b, query: i).contains(j) && selectedByTensors(batch: b, head: h, query: i, key: j)
    }

    /// The value added to score [b, h, i, j]: −∞ when masked, else the sum of the additive terms (0 if none).
    public func bias(batch b: Int, head h: Int, query i: Int, key j: Int) -> Double {
        precondition(b >= 0 && b < batch && h >= 0 && h < heads && i >= 0 && i < queryLength && j >= 0 && j < keyLength,
                     "ResolvedAttentionMask.bias: index [\(b), \(h), \(i), \(j)] is outside [B, H, L, S] = \([batch, heads, queryLength, keyLength])")
        guard selects(batch: b, head: h, query: i, key: j) else { return -.infinity }
        guard let additive else { return 0 }
        let s = additiveStrides
        return additive[b * s[0] + h * s[1] + i * s[2] + j * s[3]]
    }

    /// Whether query `i` may attend key `j` (the bias is not −∞; an additive −∞ masks too).
    public func allows(batch b: Int, head h: Int, query i: Int, key j: Int) -> Bool {
        bias(batch: b, head: h, query: i, key: j) != -.infinity
    }

    /// Writes the S biases of score row [b, h, i, :] into `row` (0 / −∞ plus additive values), so a kernel adds
    /// them to its scores before the softmax.
    public func rowBias<T: TensorScalar>(batch b: Int, head h: Int, query i: Int, into row: UnsafeMutableBufferPointer<T>) {
        precondition(row.count == keyLength, "ResolvedAttentionMask.rowBias: row holds \(row.count) elements, expected S = \(keyLength)")
        precondition(b >= 0 && b < batch && h >= 0 && h < heads && i >= 0 && i < queryLength,
                     "ResolvedAttentionMask.rowBias: row [\(b), \(h), \(i)] is outside [B, H, L] = \([batch, heads, queryLength])")
        let range = keyRange(batch: b, query: i)
        for j in 0..<keyLength {
            guard range.contains(j) && selectedByTensors(batch: b, head: h, query: i, key: j) else {
                row[j] = -.infinity
                continue
            }
            var v: Double = 0
            if let additive {
                let s = additiveStrides
                v = additive[b * s[0] + h * s[1] + i * s[2] + j * s[3]]
            }
            row[j] = T(v)
        }
    }

    /// The allowed keys of row [b, h, i, :] as booleans (true = may attend).
    public func rowAllows(batch b: Int, head h: Int, query i: Int) -> [Bool] {
        var row = [Double](repeating: 0, count: keyLength)
        row.withUnsafeMutableBufferPointer { rowBias(batch: b, head: h, query: i, into: $0) }
        return row.map { $0 != -.infinity }
    }
}
