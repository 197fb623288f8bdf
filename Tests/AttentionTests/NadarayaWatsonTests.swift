import Foundation
import Testing
@testable import Attention

struct NadarayaWatsonTests {
    /// K(u) written from the textbook definitions.
    static func kernel(_ k: NadarayaWatson.Kernel, _ u: Double) -> Double {
        switch k {
        case .gaussian: return Foundation.exp(-u * u / 2)
        case .boxcar: return abs(u) <= 1 ? 1 : 0
        case .constant: return 1
        case .epanechnikov: return max(0, 1 - u * u)
        }
    }

    /// f(x) and α for queries [L, D], keys [S, D], values [S, Ev] by plain loops; `allowed(i, j)` masks.
    static func naive(_ kind: NadarayaWatson.Kernel, width: Double, queries: [[Double]], keys: [[Double]], values: [[Double]],
                      allowed: (Int, Int) -> Bool = { _, _ in true }) -> (out: [[Double]], weights: [[Double]]) {
        var out: [[Double]] = [], weights: [[Double]] = []
        for (i, q) in queries.enumerated() {
            let k = keys.enumerated().map { j, x -> Double in
                let dist = zip(q, x).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                return allowed(i, j) ? kernel(kind, dist * width) : 0
            }
            let total = k.reduce(0, +)
            let w = total > 0 ? k.map { $0 / total } : k.map { _ in 0 }
            weights.append(w)
            out.append(Naive.weightedSum(w, values))
        }
        return (out, weights)
    }

    /// d2l's data: x_train sorted in [0, 5), y = 2 sin x + x^0.8 (no noise), queries on a grid.
    static let xTrain: [Double] = [0.15, 0.6, 1.1, 1.4, 2.2, 2.9, 3.3, 3.8, 4.4, 4.9]
    static let yTrain: [Double] = xTrain.map { 2 * Foundation.sin($0) + Foundation.pow($0, 0.8) }
    static let xTest: [Double] = [0.0, 0.9, 1.8, 2.7, 3.6, 4.5]

    @Test(arguments: NadarayaWatson.Kernel.allCases, [DType.float64, .float32])
    func oneDimensionalRegressionMatchesTheFormulas(_ kind: NadarayaWatson.Kernel, _ dtype: DType) {
        let width = 1.7
        let pool = NadarayaWatson(kernel: kind, width: width, dtype: dtype)
        let q = Tensor(shape: [6, 1], doubles: Self.xTest).cast(to: dtype)
        let k = Tensor(shape: [10, 1], doubles: Self.xTrain).cast(to: dtype)
        let v = Tensor(shape: [10, 1], doubles: Self.yTrain).cast(to: dtype)
        let (out, w) = pool(queries: q, keys: k, values: v)
        let expected = Self.naive(kind, width: width, queries: Self.xTest.map { [$0] }, keys: Self.xTrain.map { [$0] },
                                  values: Self.yTrain.map { [$0] })
        #expect(out.shape == [6, 1] && w.shape == [6, 10])
        let tol = dtype == .float64 ? 1e-12 : 2e-5
        expectClose(w.doubles, expected.weights.flatMap { $0 }, atol: tol)
        expectClose(out.doubles, expected.out.flatMap { $0 }, atol: tol, rtol: tol)
    }

    @Test(arguments: NadarayaWatson.Kernel.allCases)
    func vectorInputsWithBatchAndLeaveOneOutMask(_ kind: NadarayaWatson.Kernel) {
        // Self-attention pooling over [B 2, S 5, D 2] where each point ignores itself (d2l's training setup).
        let x = randomTensor([2, 5, 2], seed: 101), y = randomTensor([2, 5, 3], seed: 102)
        let notSelf = BoolTensor(shape: [5, 5], values: (0..<25).map { $0 / 5 != $0 % 5 })
        let (out, w) = NadarayaWatson(kernel: kind, width: 0.9, dtype: .float64)(queries: x, keys: x, values: y, mask: .boolean(notSelf))
        let xr = rows(x), yr = rows(y)
        for b in 0..<2 {
            let pts = Array(xr[(b * 5)..<(b * 5 + 5)])
            let e = Self.naive(kind, width: 0.9, queries: pts, keys: pts, values: Array(yr[(b * 5)..<(b * 5 + 5)])) { $0 != $1 }
            expectClose(Array(rows(w)[(b * 5)..<(b * 5 + 5)].joined()), e.weights.flatMap { $0 }, atol: 1e-12)
            expectClose(Array(rows(out)[(b * 5)..<(b * 5 + 5)].joined()), e.out.flatMap { $0 }, atol: 1e-12)
        }
    }

    @Test(arguments: [NadarayaWatson.Kernel.boxcar, .epanechnikov])
    func queriesFarFromEveryKeyGiveZero(_ kind: NadarayaWatson.Kernel) {
        // Width 100: the kernel reaches 0.01 — no key is that close to 10, so the row is empty.
        let q = Tensor(shape: [2, 1], doubles: [10, 1.401]).requiringGradient()
        let k = Tensor(shape: [10, 1], doubles: Self.xTrain), v = Tensor(shape: [10, 1], doubles: Self.yTrain)
        let pool = NadarayaWatson(kernel: kind, width: Tensor(repeating: 100, shape: [], dtype: .float64).requiringGradient())
        let (out, w) = pool(queries: q, keys: k, values: v)
        #expect(out.doubles[0] == 0 && rows(w)[0].allSatisfy { $0 == 0 })
        // Query 1.401 sees only the key 1.4.
        expectClose([out.doubles[1]], [Self.yTrain[3]], atol: 1e-12)
        let g = Autograd.gradients(of: out.sum(), withRespectTo: [q, pool.width.value])
        #expect(!hasNaN(g[0]) && !hasNaN(g[1]))
    }

    @Test(arguments: NadarayaWatson.Kernel.allCases)
    func gradientsMatchCentralDifferences(_ kind: NadarayaWatson.Kernel) {
        // Width, queries, keys and values all as inputs (boxcar and constant: only the values matter).
        let q = randomTensor([3, 2], seed: 103), k = randomTensor([4, 2], seed: 104), v = randomTensor([4, 2], seed: 105)
        // The pooling is a Module: the module form of the check perturbs the width as well as the inputs.
        let pool = NadarayaWatson(kernel: kind, width: Tensor(repeating: 0.6, shape: [], dtype: .float64))
        let check = GradientCheck.run(module: pool, inputs: [q, k, v]) { xs in
            pool(queries: xs[0], keys: xs[1], values: xs[2]).output
        }
        #expect(check.maxRelativeError <= 1e-3, "\(check)")
    }

    @Test func widthIsTheOnlyParameter() throws {
        let pool = NadarayaWatson(width: 2, dtype: .float64)
        #expect(pool.namedParameters().map(\.0).sorted() == ["width"])
        try pool.load(stateDict: ["width": Tensor(repeating: 0.5, shape: [], dtype: .float64)])
        #expect(pool.width.value.item == 0.5)
    }
}
