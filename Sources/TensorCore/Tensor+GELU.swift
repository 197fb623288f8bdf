import Foundation

extension Tensor {
    /// GELU with the exact Gauss error function, fused into one parallel pass:
    /// gelu(x) = x·Φ(x) = x/2·(1 + erf(x/√2)); derivative Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
    /// Computed per element in Double and rounded once, so the Float32 result is the correctly rounded value of
    /// the libm formula (the unfused composition rounds after every step).
    public func geluExact() -> Tensor {
        let c = materialized()
        var out = Tensor(storage: TensorStorage(uninitializedCount: count, dtype: dtype), shape: shape)
        let n = count, chunk = 16_384, chunks = (n + chunk - 1) / chunk
        func run<T: TensorScalar>(_: T.Type) {
            let src = SendableConstPointer(c.storage.pointer(T.self) + c.offset), dst = SendablePointer(out.storage.pointer(T.self))
            Parallel.forEach(chunks) { k in
                for i in (k * chunk)..<min(n, (k + 1) * chunk) {
                    let x = Double(src.base[i])
                    dst.base[i] = T(0.5 * x * (1 + Foundation.erf(x * 0.707_106_781_186_547_524_4)))
                }
            }
        }
        switch dtype { case .float32: run(Float.self); case .float64: run(Double.self) }
        out.node = Autograd.record(inputs: [self]) { [self] g in
            let x = self.detached()
            let cdf = (x * (1 / 2.0.squareRoot())).erf() * 0.5 + 0.5
            let pdf = (x * x * -0.5).exp() * (1 / (2 * Double.pi).squareRoot())
            return [g * (cdf + x * pdf)]
        }
        return out
    }
}
