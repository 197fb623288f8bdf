import Attention
import Foundation
import AttentionVisualization

// d2l.ai's example: 50 noisy samples of f(x) = 2 sin x + x^0.8 on 0…5, sorted by x.
var rng = RandomGenerator(seed: 3)
let n = 50
let xs = (0..<n).map { _ in 5 * rng.uniform() }.sorted()
func f(_ x: Double) -> Double { 2 * sin(x) + pow(x, 0.8) }
let ys = xs.map { f($0) + 0.5 * rng.normal() }
// Keys are the training inputs, values their targets: [S = 50, 1] each. Queries: 50 points on a grid.
let keys = Tensor(shape: [n, 1], doubles: xs)
let values = Tensor(shape: [n, 1], doubles: ys)
let grid = (0..<n).map { 5 * Double($0) / Double(n - 1) }
let queries = Tensor(shape: [n, 1], doubles: grid)

/// Mean squared error of a pooling's predictions on the grid against the true f.
func error(_ pooling: NadarayaWatson) -> Double {
    let predicted = pooling(queries: queries, keys: keys, values: values).output.doubles
    return zip(predicted, grid).map { ($0 - f($1)) * ($0 - f($1)) }.reduce(0, +) / Double(n)
}
// Without attention every query predicts the mean of the targets; with a Gaussian kernel each query averages
// the targets of nearby inputs: α(x, xᵢ) = softmax over i of −(x − xᵢ)²·w²/2.
print(String(format: "average pooling (no attention)  error %.3f", error(NadarayaWatson(kernel: .constant, dtype: .float64))))
print(String(format: "Gaussian kernel, width w = 1    error %.3f", error(NadarayaWatson(kernel: .gaussian, width: 1, dtype: .float64))))

// Fit the width on the training data alone: predict each yᵢ from the other samples (a mask leaves xᵢ out of
// its own average) and keep the w with the smallest leave-one-out error. The true f is never used here.
let others = BoolTensor(shape: [n, n], values: (0..<n * n).map { $0 / n != $0 % n })
func leaveOneOut(_ w: Double) -> Double {
    let pooling = NadarayaWatson(kernel: .gaussian, width: w, dtype: .float64)
    let predicted = pooling(queries: keys, keys: keys, values: values, mask: .boolean(others)).output.doubles
    return zip(predicted, ys).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(n)
}
let widths = stride(from: 0.25, through: 8, by: 0.25).map { $0 }
let fitted = widths.min { leaveOneOut($0) < leaveOneOut($1) }!
print(String(format: "Gaussian kernel, fitted w = %.2f error %.3f", fitted, error(NadarayaWatson(kernel: .gaussian, width: fitted, dtype: .float64))))

// The attention weights of the fitted pooling: one row per grid query, one column per training input. Both are
// sorted, so the weight sits along the diagonal — each query looks at the inputs near it.
let weights = NadarayaWatson(kernel: .gaussian, width: fitted, dtype: .float64)(queries: queries, keys: keys, values: values).weights
let picture = try Heatmap(weights, title: "Nadaraya–Watson weights: grid queries (rows) over sorted inputs (columns)")
try picture.write(to: URL(fileURLWithPath: "nadaraya-watson.png"), cellSize: 6)
print("wrote nadaraya-watson.png")
