import Testing
@testable import AttentionTensorCore

/// Slice gradients are written into their region of the input's gradient by the engine (no zero tensor of the
/// input's shape per slice). Expected values here are the hand-derived gradients: for loss = Σ slice·c the
/// gradient is c on the slice's region and 0 elsewhere, summed over every use; every value is a small multiple
/// of 1/4, so the Float32 sums are exact and the comparisons are equalities.
struct AutogradSliceTests {
    /// Values 0.25·(i mod 9) − 1 for i in 0..<count, shaped.
    private func pattern(_ shape: [Int], offset: Int = 0, dtype: DType = .float32) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { 0.25 * Double(($0 + offset) % 9) - 1 }
        return dtype == .float64 ? Tensor(shape: shape, doubles: values) : Tensor(shape: shape, scalars: values.map { Float($0) })
    }

    @Test("q, k, v slices of one fused projection: the gradient is their three gradients side by side",
          arguments: [DType.float32, .float64])
    func slicesCoveringTheWhole(dtype: DType) {
        let x = pattern([2, 3, 6], dtype: dtype).requiringGradient()
        let a = pattern([2, 3, 2], offset: 1, dtype: dtype), b = pattern([2, 3, 2], offset: 4, dtype: dtype)
        let c = pattern([2, 3, 2], offset: 7, dtype: dtype)
        let loss = (x.slice(axis: 2, 0..<2) * a).sum() + (x.slice(axis: 2, 2..<4) * b).sum() + (x.slice(axis: 2, 4..<6) * c).sum()
        loss.backward()
        let (av, bv, cv) = (a.doubles, b.doubles, c.doubles)
        var want: [Double] = []
        for row in 0..<6 { want += Array(av[(2 * row)..<(2 * row + 2)]) + Array(bv[(2 * row)..<(2 * row + 2)]) + Array(cv[(2 * row)..<(2 * row + 2)]) }
        #expect(x.gradient?.doubles == want)
        #expect(x.gradient?.shape == [2, 3, 6])
    }

    @Test("Uncovered parts are zero; overlapping slices and a whole use add up")
    func partialOverlappingAndWholeUses() {
        let x = pattern([3, 5]).requiringGradient()
        let a = pattern([3, 2], offset: 2), b = pattern([3, 3], offset: 5), d = pattern([3, 5], offset: 3)
        // Only columns 1..<3 used: zeros elsewhere.
        (x.slice(axis: 1, 1..<3) * a).sum().backward()
        var want = [Double](repeating: 0, count: 15)
        for i in 0..<3 { for j in 0..<2 { want[i * 5 + 1 + j] = a.doubles[i * 2 + j] } }
        #expect(x.gradient?.doubles == want)
        x.zeroGradient()
        // Columns 0..<2 and 1..<4 overlap on column 1; plus x·d over the whole.
        ((x.slice(axis: 1, 0..<2) * a).sum() + (x.slice(axis: 1, 1..<4) * b).sum() + (x * d).sum()).backward()
        want = d.doubles
        for i in 0..<3 {
            for j in 0..<2 { want[i * 5 + j] += a.doubles[i * 2 + j] }
            for j in 0..<3 { want[i * 5 + 1 + j] += b.doubles[i * 3 + j] }
        }
        #expect(x.gradient?.doubles == want)
    }

    @Test("Slices along different axes, a slice of a slice, and a gradient that arrives as a strided view")
    func axesNestingAndStridedGradients() {
        let x = pattern([4, 6]).requiringGradient()
        let rows = pattern([2, 6], offset: 1), cols = pattern([4, 2], offset: 6), inner = pattern([2, 3], offset: 2)
        let t = pattern([3, 4], offset: 4)   // multiplies a transposed slice, so its gradient comes back transposed
        let loss = (x.slice(axis: 0, 1..<3) * rows).sum() + (x.slice(axis: 1, 4..<6) * cols).sum()
            + (x.slice(axis: 0, 2..<4).slice(axis: 1, 1..<4) * inner).sum()
            + (x.slice(axis: 1, 0..<3).transposed().slice(axis: 1, 0..<4) * t).sum()
        loss.backward()
        var want = [Double](repeating: 0, count: 24)
        for i in 0..<2 { for j in 0..<6 { want[(1 + i) * 6 + j] += rows.doubles[i * 6 + j] } }
        for i in 0..<4 { for j in 0..<2 { want[i * 6 + 4 + j] += cols.doubles[i * 2 + j] } }
        for i in 0..<2 { for j in 0..<3 { want[(2 + i) * 6 + 1 + j] += inner.doubles[i * 3 + j] } }
        for j in 0..<3 { for i in 0..<4 { want[i * 6 + j] += t.doubles[j * 4 + i] } }
        #expect(x.gradient?.doubles == want)
    }

    @Test("gradients(of:withRespectTo:) still returns the gradient of a slice itself and of its input")
    func intermediateGradients() {
        let x = pattern([2, 4]).requiringGradient()
        let s = x.slice(axis: 1, 1..<3), a = pattern([2, 2], offset: 3)
        let g = Autograd.gradients(of: (s * a).sum() + x.sum(), withRespectTo: [s, x])
        #expect(g[0].doubles == a.doubles)
        var want = [Double](repeating: 1, count: 8)
        for i in 0..<2 { for j in 0..<2 { want[i * 4 + 1 + j] += a.doubles[i * 2 + j] } }
        #expect(g[1].doubles == want)
    }

    @Test("NaN in one slice's gradient stays in its region")
    func nanStaysInItsRegion() {
        let x = pattern([2, 4]).requiringGradient()
        let a = Tensor(shape: [2, 2], scalars: [.nan, 1, 2, 3]), b = pattern([2, 2], offset: 1)
        ((x.slice(axis: 1, 0..<2) * a).sum() + (x.slice(axis: 1, 2..<4) * b).sum()).backward()
        let g = x.gradient!.doubles
        #expect(g[0].isNaN)
        #expect(Array(g[1...]).allSatisfy { !$0.isNaN })
        #expect(Array(g[1...]) == [1, b.doubles[0], b.doubles[1], 2, 3, b.doubles[2], b.doubles[3]])
    }
}
