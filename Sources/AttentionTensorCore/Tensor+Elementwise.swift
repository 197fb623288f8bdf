import Foundation

/// Elementwise arithmetic and functions, with broadcasting and gradients.
extension Tensor {
    /// `f` on every element, in the tensor's own precision (the two closures are the same math for each dtype).
    @inline(__always)
    func pointwise(_ f32: (Float) -> Float, _ f64: (Double) -> Double) -> Tensor {
        switch dtype {
        case .float32: return ElementwiseKernels.map(self, Float.self, f32)
        case .float64: return ElementwiseKernels.map(self, Double.self, f64)
        }
    }

    @inline(__always)
    static func pointwise(_ a: Tensor, _ b: Tensor, op: String,
                          _ f32: (Float, Float) -> Float, _ f64: (Double, Double) -> Double) -> Tensor {
        switch a.dtype {
        case .float32: return ElementwiseKernels.zip(a, b, Float.self, op: op, f32)
        case .float64: return ElementwiseKernels.zip(a, b, Double.self, op: op, f64)
        }
    }

    /// A rank-0 tensor of this tensor's dtype.
    func scalarLike(_ value: Double) -> Tensor { Tensor(repeating: value, shape: [], dtype: dtype) }

    // MARK: Arithmetic

    /// Elementwise a + b with broadcasting (NumPy rules); shapes that do not broadcast stop with a precondition naming both.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        var out = pointwise(a, b, op: "+", +, +)
        out.node = Autograd.record(inputs: [a, b]) { g in [g.summed(toShape: a.shape), g.summed(toShape: b.shape)] }
        return out
    }

    /// Elementwise a − b with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        var out = pointwise(a, b, op: "-", -, -)
        out.node = Autograd.record(inputs: [a, b]) { g in [g.summed(toShape: a.shape), (-g).summed(toShape: b.shape)] }
        return out
    }

    /// Elementwise a · b with broadcasting (not a matrix product: see `matmul`).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        var out = pointwise(a, b, op: "*", *, *)
        out.node = Autograd.record(inputs: [a, b]) { g in
            [a.requiresGradient ? (g * b).summed(toShape: a.shape) : nil,
             b.requiresGradient ? (g * a).summed(toShape: b.shape) : nil]
        }
        return out
    }

    /// Elementwise a / b with broadcasting; division by 0 gives ±∞ or NaN as IEEE arithmetic does.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        var out = pointwise(a, b, op: "/", /, /)
        out.node = Autograd.record(inputs: [a, b]) { g in
            [a.requiresGradient ? (g / b).summed(toShape: a.shape) : nil,
             b.requiresGradient ? (-(g * a) / (b * b)).summed(toShape: b.shape) : nil]
        }
        return out
    }

    /// −x elementwise.
    public static prefix func - (x: Tensor) -> Tensor {
        var out = x.pointwise({ -$0 }, { -$0 })
        out.node = Autograd.record(inputs: [x]) { g in [-g] }
        return out
    }

    /// a + s for every element.
    public static func + (a: Tensor, s: Double) -> Tensor { a + a.scalarLike(s) }
    /// s + a for every element.
    public static func + (s: Double, a: Tensor) -> Tensor { a.scalarLike(s) + a }
    /// a − s for every element.
    public static func - (a: Tensor, s: Double) -> Tensor { a - a.scalarLike(s) }
    /// s − a for every element.
    public static func - (s: Double, a: Tensor) -> Tensor { a.scalarLike(s) - a }
    /// a · s for every element.
    public static func * (a: Tensor, s: Double) -> Tensor { a * a.scalarLike(s) }
    /// s · a for every element.
    public static func * (s: Double, a: Tensor) -> Tensor { a.scalarLike(s) * a }
    /// a / s for every element.
    public static func / (a: Tensor, s: Double) -> Tensor { a / a.scalarLike(s) }
    /// s / a for every element.
    public static func / (s: Double, a: Tensor) -> Tensor { a.scalarLike(s) / a }

    /// a = a + b (a new tensor; differentiable like `+`).
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// a = a − b.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// a = a · b, elementwise.
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }

    /// Elementwise maximum; where a == b the gradient goes to `a`.
    public func maximum(_ other: Tensor) -> Tensor {
        let a = self, b = other
        var out = Tensor.pointwise(a, b, op: "maximum", { Swift.max($0, $1) }, { Swift.max($0, $1) })
        out.node = Autograd.record(inputs: [a, b]) { g in
            let takeA = Tensor.pointwise(a, b, op: "maximum", { $0 >= $1 ? 1 : 0 }, { $0 >= $1 ? 1 : 0 })
            return [(g * takeA).summed(toShape: a.shape), (g * (1 - takeA)).summed(toShape: b.shape)]
        }
        return out
    }

    /// Elementwise minimum; where a == b the gradient goes to `a`.
    public func minimum(_ other: Tensor) -> Tensor { -((-self).maximum(-other)) }

    // MARK: Functions

    /// eˣ elementwise (overflows to +∞ for x ≳ 88.7 in Float32).
    public func exp() -> Tensor {
        var out = ElementwiseKernels.exp(self)
        let y = out
        out.node = Autograd.record(inputs: [self]) { g in [g * y] }
        return out
    }

    /// Natural logarithm (−inf at 0, NaN below, as IEEE).
    public func log() -> Tensor {
        var out = pointwise({ Float.log($0) }, { Double.log($0) })
        out.node = Autograd.record(inputs: [self]) { [self] g in [g / self] }
        return out
    }

    /// √x elementwise (NaN for x < 0).
    public func sqrt() -> Tensor {
        var out = pointwise({ $0.squareRoot() }, { $0.squareRoot() })
        let y = out
        out.node = Autograd.record(inputs: [self]) { g in [g / (2 * y)] }
        return out
    }

    /// tanh x elementwise.
    public func tanh() -> Tensor {
        var out = pointwise({ Float.tanh($0) }, { Double.tanh($0) })
        let y = out
        out.node = Autograd.record(inputs: [self]) { g in [g * (1 - y * y)] }
        return out
    }

    /// Logistic function 1 / (1 + e^−x), evaluated without overflow for large |x|.
    public func sigmoid() -> Tensor {
        func s<T: TensorScalar>(_ x: T) -> T { x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x)) }
        var out = pointwise(s, s)
        let y = out
        out.node = Autograd.record(inputs: [self]) { g in [g * y * (1 - y)] }
        return out
    }

    /// max(x, 0); the gradient at 0 is 0.
    public func relu() -> Tensor {
        var out = pointwise({ Swift.max($0, 0) }, { Swift.max($0, 0) })
        out.node = Autograd.record(inputs: [self]) { [self] g in [g * pointwise({ $0 > 0 ? 1 : 0 }, { $0 > 0 ? 1 : 0 })] }
        return out
    }

    /// |x|; the gradient at 0 is 0.
    public func abs() -> Tensor {
        var out = pointwise({ Swift.abs($0) }, { Swift.abs($0) })
        out.node = Autograd.record(inputs: [self]) { [self] g in
            [g * pointwise({ $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })]
        }
        return out
    }

    /// x² elementwise.
    public func squared() -> Tensor { self * self }

    /// x^p for a constant exponent.
    public func pow(_ p: Double) -> Tensor {
        var out = pointwise({ Float.pow($0, Float(p)) }, { Double.pow($0, p) })
        out.node = Autograd.record(inputs: [self]) { [self] g in [g * p * self.pow(p - 1)] }
        return out
    }

    /// sin x elementwise (radians).
    public func sin() -> Tensor {
        var out = pointwise({ Float.sin($0) }, { Double.sin($0) })
        out.node = Autograd.record(inputs: [self]) { [self] g in [g * self.cos()] }
        return out
    }

    /// cos x elementwise (radians).
    public func cos() -> Tensor {
        var out = pointwise({ Float.cos($0) }, { Double.cos($0) })
        out.node = Autograd.record(inputs: [self]) { [self] g in [-(g * self.sin())] }
        return out
    }

    /// Gauss error function; d/dx erf = 2/√π · e^(−x²).
    public func erf() -> Tensor {
        var out = pointwise({ Float.erf($0) }, { Double.erf($0) })
        out.node = Autograd.record(inputs: [self]) { [self] g in [g * (2 / Double.pi.squareRoot()) * (-(self * self)).exp()] }
        return out
    }
}
