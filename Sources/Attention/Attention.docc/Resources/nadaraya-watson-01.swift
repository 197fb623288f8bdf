import Attention
import Foundation

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
