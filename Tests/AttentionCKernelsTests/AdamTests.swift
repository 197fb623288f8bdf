import AttentionCKernels
import Foundation
import Testing

extension CKernelsTests {
    /// ck_adam_update against the Adam / AdamW rule evaluated here in Double one element at a time (the
    /// formula of torch.optim.Adam / AdamW, each operation written out in the kernel's documented order): the
    /// same bits on every path, tails and special values included.
    @Suite struct Adam {
        /// The rule in plain Swift Double arithmetic (Swift never contracts into multiply-adds).
        static func reference(_ w: [Float], _ g: [Float], _ m: inout [Double], _ v: inout [Double],
                              _ s: ck_adam_step) -> [Float] {
            var out = [Float](repeating: 0, count: w.count)
            for i in w.indices {
                var wi = Double(w[i]), di = Double(g[i])
                if s.weight_decay != 0 {
                    if s.decoupled != 0 { wi *= 1 - s.lr * s.weight_decay } else { di += s.weight_decay * wi }
                }
                m[i] = s.beta1 * m[i] + (1 - s.beta1) * di
                v[i] = s.beta2 * v[i] + (1 - s.beta2) * di * di
                out[i] = Float(wi - s.lr * (m[i] / s.bias1) / ((v[i] / s.bias2).squareRoot() + s.eps))
            }
            return out
        }

        /// Weights and gradients of every scale, with zeros, subnormals, infinities and NaN among them.
        static func inputs(_ n: Int, seed: UInt64) -> (w: [Float], g: [Float]) {
            var rng = SplitMix(seed: seed)
            let specials: [Float] = [0, -0, .leastNonzeroMagnitude, -Float(bitPattern: 0x8000_1000), .infinity, -.infinity, .nan, 3e38, -1e-30]
            var w = [Float](), g = [Float]()
            for i in 0..<n {
                let scale = Float(Foundation.pow(10, Double(Int(rng.next() % 9)) - 6))
                w.append(Float(rng.symmetric()) * scale)
                g.append(i % 97 == 5 ? specials[(i / 97) % specials.count] : Float(rng.symmetric()) * scale)
            }
            return (w, g)
        }

        @Test("one Adam / AdamW step: bit-identical to the Double rule (4 settings, 3 steps, n = 1037)",
              arguments: ISA.supported)
        func matchesTheDoubleRule(isa: ISA) {
            let n = 1037
            for (decay, decoupled) in [(0.0, 0), (0.01, 1), (0.05, 0), (0.1, 1)] {
                var (w, g) = Self.inputs(n, seed: 7 + UInt64(decoupled) + UInt64(decay * 100))
                var m = [Double](repeating: 0, count: n), v = m
                var mRef = m, vRef = v, wRef = w
                for t in 1...3 {
                    let s = ck_adam_step(lr: 1e-3 * Double(t), weight_decay: decay, beta1: 0.9, beta2: 0.999, eps: 1e-8,
                                         bias1: 1 - Foundation.pow(0.9, Double(t)), bias2: 1 - Foundation.pow(0.999, Double(t)),
                                         decoupled: Int32(decoupled))
                    wRef = Self.reference(wRef, g, &mRef, &vRef, s)
                    var out = [Float](repeating: 0, count: n)
                    withISA(isa) {
                        withUnsafePointer(to: s) { ps in ck_adam_update(w, g, &m, &v, &out, Int64(n), ps) }
                    }
                    w = out
                    let wrong = (0..<n).filter { w[$0].bitPattern != wRef[$0].bitPattern
                        || m[$0].bitPattern != mRef[$0].bitPattern || v[$0].bitPattern != vRef[$0].bitPattern }
                    #expect(wrong.count == 0, "decay \(decay) decoupled \(decoupled) step \(t): \(wrong.count) elements differ, first \(wrong.prefix(3).map { "\($0): \(w[$0]) vs \(wRef[$0])" })")
                    g = g.map { $0 * 0.5 + 1e-4 }   // a different gradient each step
                }
            }
        }

        @Test("writing in place (w_out = w) gives the same result", arguments: ISA.supported)
        func inPlace(isa: ISA) {
            let (w, g) = Self.inputs(53, seed: 3)
            let s = ck_adam_step(lr: 0.01, weight_decay: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, bias1: 0.2,
                                 bias2: 0.01, decoupled: 1)
            var m1 = [Double](repeating: 0.1, count: 53), v1 = [Double](repeating: 0.2, count: 53)
            var m2 = m1, v2 = v1, separate = [Float](repeating: 0, count: 53), same = w
            withISA(isa) {
                withUnsafePointer(to: s) { ps in
                    ck_adam_update(w, g, &m1, &v1, &separate, 53, ps)
                    same.withUnsafeMutableBufferPointer { ck_adam_update($0.baseAddress!, g, &m2, &v2, $0.baseAddress!, 53, ps) }
                }
            }
            #expect(separate.map(\.bitPattern) == same.map(\.bitPattern))
        }
    }
}
