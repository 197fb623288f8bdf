import Testing
@testable import AttentionLayers
import AttentionTensorCore

/// The fused inference path (GEMM epilogue, pre-packed weights, one-pass residual + LayerNorm) against the
/// composed, differentiable ops it replaces, and both against Float64.
struct FusedInferenceTests {
    /// max |a − b| / (1 + |b|) over all elements.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
        #expect(a.shape == b.shape)
        return zip(a.cast(to: .float64).doubles, b.cast(to: .float64).doubles).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
    }

    @Test("Tensor.linear: fused (no gradients) = composed (recording) = Float64, every activation",
          arguments: [nil, .relu, .gelu, .geluTanh, .silu] as [Activation?], [([2, 3, 37], 45), ([130, 600], 70), ([1, 384], 1536)])
    func linear(activation: Activation?, shape: ([Int], Int)) {
        var rng = RandomGenerator(seed: 5)
        let (xShape, outSize) = shape
        let x = Tensor.randomNormal(xShape, using: &rng)
        let w = Tensor.randomNormal([outSize, xShape.last!], standardDeviation: 0.1, using: &rng)
        let b = Tensor.randomNormal([outSize], using: &rng)
        let fused = withoutGradients { x.linear(weight: w, bias: b, activation: activation) }
        // With a leaf that requires gradients the composed ops run (and record).
        let composed = x.requiringGradient().linear(weight: w, bias: b, activation: activation)
        #expect(composed.requiresGradient)
        #expect(!fused.requiresGradient)
        var z = x.cast(to: .float64).reshaped([-1, xShape.last!]).matmul(w.cast(to: .float64).transposed()) + b.cast(to: .float64)
        if let activation { z = activation(z) }
        let reference = z.reshaped(xShape.dropLast() + [outSize])
        #expect(fused.shape == reference.shape)
        #expect(Self.relativeError(fused, reference) < 2e-5)
        #expect(Self.relativeError(composed, reference) < 2e-5)
        // A packed weight changes nothing, bit for bit.
        let packed = PackedWeight(weight: w)
        let withPacked = withoutGradients { x.linear(weight: w, bias: b, activation: activation, packed: packed) }
        #expect(withPacked.scalars == fused.scalars)
    }

    /// Training takes `GEMM.recordedLinear` (one recorded op: the fused GEMM forward, products written for
    /// their layout backward). It must give the bits of `matmul(w.transposed()) + b`, forward and all three
    /// gradients: tall and wide products (row and column splits over threads), K beyond one 512-deep block.
    @Test("Tensor.linear while recording: output and the gradients of x, weight and bias = matmul + bias, bit for bit",
          arguments: [([2, 3, 37], 45), ([640, 256], 256), ([96, 1100], 300), ([7, 64], 700)])
    func recordedLinearEqualsTheComposedOps(shape: ([Int], Int)) {
        var rng = RandomGenerator(seed: 9)
        let (xShape, outSize) = shape
        let inSize = xShape.last!
        let x = Tensor.randomNormal(xShape, using: &rng)
        let w = Tensor.randomNormal([outSize, inSize], standardDeviation: 0.1, using: &rng)
        let b = Tensor.randomNormal([outSize], using: &rng)
        let r = Tensor.randomNormal(xShape.dropLast() + [outSize], using: &rng)
        func run(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [[Float]] {
            let (xl, wl, bl) = (x.requiringGradient(), w.requiringGradient(), b.requiringGradient())
            let y = f(xl, wl, bl)
            (y * r).sum().backward()
            return [y.scalars, xl.gradient!.scalars, wl.gradient!.scalars, bl.gradient!.scalars]
        }
        let fused = run { x, w, b in x.linear(weight: w, bias: b) }
        let composed = run { x, w, b in (x.reshaped([-1, inSize]).matmul(w.transposed()) + b).reshaped(xShape.dropLast() + [outSize]) }
        for (name, (a, c)) in zip(["output", "dx", "dweight", "dbias"], zip(fused, composed)) {
            let differing = zip(a, c).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(a.count == c.count && differing == 0, "\(name): \(differing) of \(c.count) elements differ")
        }
    }

    @Test("Tensor.layerNorm with a residual: fused = composed = Float64")
    func layerNorm() {
        var rng = RandomGenerator(seed: 9)
        for d in [1, 7, 384] {
            let x = Tensor.randomNormal([3, 5, d], mean: 2, using: &rng), r = Tensor.randomNormal([3, 5, d], using: &rng)
            let g = Tensor.randomNormal([d], mean: 1, standardDeviation: 0.2, using: &rng), b = Tensor.randomNormal([d], using: &rng)
            let fused = withoutGradients { x.layerNorm(residual: r, weight: g, bias: b, eps: 1e-5) }
            let composed = x.requiringGradient().layerNorm(residual: r, weight: g, bias: b, eps: 1e-5)
            let reference = x.cast(to: .float64).layerNorm(residual: r.cast(to: .float64), weight: g.cast(to: .float64),
                                                           bias: b.cast(to: .float64), eps: 1e-5)
            #expect(Self.relativeError(fused, reference) < 1e-5, "d = \(d)")
            #expect(Self.relativeError(composed, reference) < 1e-5, "d = \(d)")
        }
    }

    @Test("Float32 LayerNorm backward (fused kernel) = Float64 composed gradients for x, residual, weight and bias")
    func layerNormBackward() {
        var rng = RandomGenerator(seed: 23)
        for d in [1, 7, 64, 385] {
            let shape = [3, 4, d]
            let x = Tensor.randomNormal(shape, mean: 1, using: &rng), r = Tensor.randomNormal(shape, using: &rng)
            let w = Tensor.randomNormal([d], mean: 1, standardDeviation: 0.3, using: &rng), b = Tensor.randomNormal([d], using: &rng)
            let g = Tensor.randomNormal(shape, using: &rng)
            let leaves32 = [x, r, w, b].map { $0.requiringGradient() }
            let y32 = leaves32[0].layerNorm(residual: leaves32[1], weight: leaves32[2], bias: leaves32[3], eps: 1e-5)
            let grads32 = Autograd.gradients(of: y32, withRespectTo: leaves32, seed: g)
            let leaves64 = [x, r, w, b].map { $0.cast(to: .float64).requiringGradient() }
            let y64 = leaves64[0].layerNorm(residual: leaves64[1], weight: leaves64[2], bias: leaves64[3], eps: 1e-5)
            let grads64 = Autograd.gradients(of: y64, withRespectTo: leaves64, seed: g.cast(to: .float64))
            for (k, name) in ["x", "residual", "weight", "bias"].enumerated() {
                #expect(grads32[k].shape == grads64[k].shape)
                #expect(Self.relativeError(grads32[k], grads64[k]) < 2e-5, "d = \(d): gradient of \(name)")
            }
        }
    }

    @Test("Linear's cached packed weight follows the parameter: a new value is used at once")
    func packedCacheFollowsWeight() {
        var rng = RandomGenerator(seed: 13)
        let layer = Linear(inputSize: 16, outputSize: 24, rng: &rng)
        let x = Tensor.randomNormal([10, 16], using: &rng)
        func expected() -> Tensor {
            x.cast(to: .float64).matmul(layer.weight.value.cast(to: .float64).transposed()) + layer.bias!.value.cast(to: .float64)
        }
        let first = withoutGradients { layer(x) }
        #expect(Self.relativeError(first, expected()) < 1e-5)
        layer.weight.value = Tensor.randomNormal([24, 16], using: &rng)
        let second = withoutGradients { layer(x) }
        #expect(Self.relativeError(second, expected()) < 1e-5)
        #expect(Self.relativeError(second, first) > 1e-2, "the old packed weight was used")
        let third = withoutGradients { layer(x, activation: .gelu) }
        #expect(Self.relativeError(third, expected().geluExact()) < 1e-5)
    }

    @Test("LayerNorm module with residual and a multi-dimensional normalized shape = the composed formula")
    func layerNormModule() {
        var rng = RandomGenerator(seed: 17)
        let norm = LayerNorm([4, 6], eps: 1e-5)
        norm.weight.value = Tensor.randomNormal([4, 6], mean: 1, using: &rng)
        norm.bias!.value = Tensor.randomNormal([4, 6], using: &rng)
        let x = Tensor.randomNormal([2, 4, 6], using: &rng), r = Tensor.randomNormal([2, 4, 6], using: &rng)
        let fused = withoutGradients { norm(x, residual: r) }
        let z = (x + r).cast(to: .float64).reshaped([2, 24])
        let mean = z.mean(axes: [1], keepingDimensions: true)
        let variance = ((z - mean) * (z - mean)).mean(axes: [1], keepingDimensions: true)
        let reference = ((z - mean) / (variance + 1e-5).sqrt()).reshaped([2, 4, 6]) * norm.weight.value.cast(to: .float64)
            + norm.bias!.value.cast(to: .float64)
        #expect(Self.relativeError(fused, reference) < 1e-5)
    }
}
