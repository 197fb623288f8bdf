/// How the autograd engine sums the gradients that reach one node.
///
/// Why not just `a + b`: a slice's gradient is its input's shape with zeros outside the slice. Built that way,
/// the three slices q, k, v of one fused projection cost three zero tensors of the whole [B, L, 3E] output,
/// three copies and two whole-tensor additions; here each slice's gradient is written once into its region of
/// one buffer, and only what no slice covered is zeroed at the end. Values are those of the zero-tensor sum in
/// the same order (x + 0 = x; only the sign of a zero can differ: −0 stays −0 where the sum made it +0).

/// The region a slice view takes of its input: `range` along `axis` of an input of `shape`.
struct SliceRegion: Sendable {
    let axis: Int
    let range: Range<Int>
    let shape: [Int]
    let dtype: DType
}

enum GradientSum {
    /// A whole gradient; `owned` when the engine allocated it (contiguous, offset 0, referenced nowhere else),
    /// so later contributions may be added into it in place.
    case tensor(Tensor, owned: Bool)
    /// Slice gradients written into `buffer` (owned, contiguous) at the `covered` ranges along `axis`; the
    /// rest of `buffer` is not yet written and stands for zeros.
    case regions(Tensor, axis: Int, covered: [Range<Int>])

    /// The gradient as one tensor (regions not covered by any slice become zeros).
    func finished() -> Tensor {
        switch self {
        case .tensor(let t, _): return t
        case .regions(let buffer, let axis, let covered):
            var start = 0
            for r in covered.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if r.lowerBound > start { Self.zero(buffer, axis: axis, start..<r.lowerBound) }
                start = Swift.max(start, r.upperBound)
            }
            if start < buffer.shape[axis] { Self.zero(buffer, axis: axis, start..<buffer.shape[axis]) }
            return buffer
        }
    }

    /// `sum` (nil: nothing yet) plus a whole gradient `g`.
    static func adding(_ g: Tensor, to sum: GradientSum?) -> GradientSum {
        guard let sum else { return .tensor(g, owned: false) }
        var t: Tensor, owned: Bool
        switch sum {
        case .tensor(let s, let o): (t, owned) = (s, o)
        case .regions: (t, owned) = (sum.finished(), true)
        }
        guard t.shape == g.shape, t.dtype == g.dtype else { return .tensor(t + g, owned: false) }
        if !owned { t = fresh(copyOf: t) }
        combine(into: t, region: nil, g, add: true)
        return .tensor(t, owned: true)
    }

    /// `sum` plus the gradient `g` of a slice that takes `region` of its input.
    static func adding(region g: Tensor, at region: SliceRegion, to sum: GradientSum?) -> GradientSum {
        guard let sum else {
            let buffer = Tensor(storage: TensorStorage(uninitializedCount: Shape.count(region.shape), dtype: region.dtype),
                                shape: region.shape)
            combine(into: buffer, region: region, g, add: false)
            return .regions(buffer, axis: region.axis, covered: [region.range])
        }
        if case .regions(let buffer, let axis, let covered) = sum, axis == region.axis,
           covered.allSatisfy({ $0.upperBound <= region.range.lowerBound || $0.lowerBound >= region.range.upperBound }) {
            combine(into: buffer, region: region, g, add: false)
            return .regions(buffer, axis: axis, covered: covered + [region.range])
        }
        var t: Tensor
        switch sum {
        case .tensor(let s, let owned): t = owned ? s : fresh(copyOf: s)
        case .regions: t = sum.finished()
        }
        guard t.shape == region.shape, t.dtype == region.dtype else {
            var full = Tensor.zeros(region.shape, dtype: region.dtype)
            full.assign(g, axis: region.axis, at: region.range.lowerBound)
            return .tensor(t + full, owned: false)
        }
        combine(into: t, region: region, g, add: true)
        return .tensor(t, owned: true)
    }

    // MARK: Loops

    /// A contiguous copy of `t` in storage of its own.
    private static func fresh(copyOf t: Tensor) -> Tensor {
        let out = Tensor(storage: TensorStorage(uninitializedCount: t.count, dtype: t.dtype), shape: t.shape)
        switch t.dtype {
        case .float32: t.copyStrided(Float.self, into: out.storage.pointer(Float.self))
        case .float64: t.copyStrided(Double.self, into: out.storage.pointer(Double.self))
        }
        return out
    }

    /// Writes (`add` false) or adds `g` into `buffer` (owned, contiguous), over `region` or the whole buffer.
    private static func combine(into buffer: Tensor, region: SliceRegion?, _ g: Tensor, add: Bool) {
        switch buffer.dtype {
        case .float32: combine(Float.self, into: buffer, region: region, g.cast(to: .float32), add: add)
        case .float64: combine(Double.self, into: buffer, region: region, g.cast(to: .float64), add: add)
        }
    }

    private static func combine<T: TensorScalar>(_: T.Type, into buffer: Tensor, region: SliceRegion?, _ g: Tensor, add: Bool) {
        let strides = Shape.contiguousStrides(buffer.shape)
        let dst = buffer.storage.pointer(T.self) + (region.map { $0.range.lowerBound * strides[$0.axis] } ?? 0)
        let src = g.storage.pointer(T.self) + g.offset
        precondition(region == nil || g.shape == regionShape(region!),
                     "autograd: slice gradient \(g.shape) does not fit its region of \(buffer.shape)")
        StridedWalk.forEachRun2(shape: g.shape, stridesA: strides, stridesB: g.strides) { d, s, n, stepD, stepS in
            let to = dst + d, from = src + s
            if stepD == 1 && stepS == 1 {
                if add { for j in 0..<n { to[j] += from[j] } } else { to.update(from: from, count: n) }
            } else if add {
                for j in 0..<n { to[j * stepD] += from[j * stepS] }
            } else {
                for j in 0..<n { to[j * stepD] = from[j * stepS] }
            }
        }
    }

    private static func regionShape(_ r: SliceRegion) -> [Int] {
        var s = r.shape
        s[r.axis] = r.range.count
        return s
    }

    /// Zeros `range` along `axis` of `buffer` (owned, contiguous).
    private static func zero(_ buffer: Tensor, axis: Int, _ range: Range<Int>) {
        var shape = buffer.shape
        shape[axis] = range.count
        let strides = Shape.contiguousStrides(buffer.shape)
        let byteSize = buffer.dtype.byteSize
        let base = buffer.storage.base + range.lowerBound * strides[axis] * byteSize
        // Runs along the last axis are contiguous in the buffer (its last stride is 1).
        StridedWalk.forEachRun(shape: shape, strides: strides) { s, n, _ in
            (base + s * byteSize).initializeMemory(as: UInt8.self, repeating: 0, count: n * byteSize)
        }
    }
}
