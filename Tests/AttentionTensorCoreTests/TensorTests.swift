import Testing
@testable import AttentionTensorCore

struct TensorTests {
    @Test func creationAndAccess() {
        let t = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3])
        #expect(t.strides == [3, 1])
        #expect(t[1, 2] == 6)
        #expect(Tensor.zeros([2, 2], dtype: .float64).doubles == [0, 0, 0, 0])
        #expect(Tensor.arange(4).scalars == [0, 1, 2, 3])
        #expect(Tensor(3.5).item == 3.5)
    }

    @Test func viewsShareStorageAndReadCorrectly() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let p = t.permuted([2, 0, 1])
        #expect(p.storage === t.storage)
        #expect(p.shape == [4, 2, 3])
        // p[k, i, j] = t[i, j, k] = 12 i + 4 j + k
        #expect(p[3, 1, 2] == 12 + 8 + 3)
        let s = t.slice(axis: 2, 1..<3)
        #expect(s.storage === t.storage)
        #expect(s.scalars == [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        let r = t.reshaped([6, -1])
        #expect(r.storage === t.storage && r.shape == [6, 4])
        // A non-contiguous view must be copied by reshape, with the elements in the view's order.
        let rt = t.transposed().reshaped([-1])
        #expect(rt.scalars.prefix(4) == [0, 4, 8, 1])
        let e = Tensor([1, 2, 3]).reshaped([3, 1]).expanded(to: [2, 3, 2])
        #expect(e.strides == [0, 1, 0])
        #expect(e.scalars == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        #expect(t.unsqueezed(0).shape == [1, 2, 3, 4])
        #expect(t.unsqueezed(-1).shape == [2, 3, 4, 1])
        #expect(t.unsqueezed(0).squeezed(0).shape == [2, 3, 4])
    }

    @Test func copyOnWriteLeavesOtherCopiesUntouched() {
        let a = Tensor([1, 2, 3])
        var b = a
        b.withMutableScalars(Float.self) { $0[0] = 9 }
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [9, 2, 3])
        // Writing through a view's copy must not leak into the base.
        var v = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]).transposed()
        v.withMutableScalars(Float.self) { $0[1] = 0 }
        #expect(v.scalars == [1, 0, 2, 4])
    }

    @Test func broadcastingFollowsNumPyRules() {
        #expect(Shape.broadcast([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(Shape.broadcast([5], []) == [5])
        #expect(Shape.broadcast([2, 3], [3, 2]) == nil)
        let a = Tensor(shape: [2, 1], scalars: [10, 20]), b = Tensor([1, 2, 3])
        #expect((a + b).scalars == [11, 12, 13, 21, 22, 23])
        #expect((a.transposed() * 2).scalars == [20, 40])
    }

    @Test func castRoundTrips() {
        let x = Tensor([0.1, -2.5, 3e-8])
        let d = x.cast(to: .float64)
        #expect(d.dtype == .float64)
        #expect(d.cast(to: .float32).scalars == x.scalars)
        #expect(d.doubles == x.scalars.map(Double.init))
    }

    @Test func emptyAndScalarShapes() {
        let e = Tensor.zeros([0, 3])
        #expect((e + 1).shape == [0, 3])
        #expect(e.sum(axis: 0).scalars == [0, 0, 0])
        let s = Tensor(2)
        #expect((s * Tensor([1, 2])).scalars == [2, 4])
        #expect(Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])).scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func maskedFillAndComparisons() {
        let x = Tensor([[1, -2], [3, -4]])
        let m = x.isLess(than: 0)
        #expect(m.values == [false, true, false, true])
        #expect(x.maskedFill(m, with: -.infinity).scalars == [1, -.infinity, 3, -.infinity])
        #expect(x.maskedFill(BoolTensor(shape: [2, 1], values: [true, false]), with: 0).scalars == [0, 0, 3, -4])
    }

    @Test func topKPicksLargestWithLowerIndexOnTies() {
        let x = Tensor([[3, 1, 3, 2], [0, 5, -1, 5]])
        let (v, i) = x.topK(2, axis: 1)
        #expect(i == [0, 2, 1, 3])
        #expect(v.scalars == [3, 3, 5, 5])
        #expect(x.argmax(axis: 1) == [0, 1])
    }

    @Test func maxPropagatesNaN() {
        let x = Tensor([1, .nan, 3])
        #expect(x.max().item.isNaN)
    }

    // Misuse inside a program stops with a message naming both shapes.
    @Test func mismatchedShapesNameBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4, 5])
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("[2, 3]") && text.contains("[4, 5]"))
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("[2, 3]") && text.contains("[4, 5]"))
        }
    }
}
