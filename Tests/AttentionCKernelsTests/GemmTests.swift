import AttentionCKernels
import Testing

/// One GEMM problem: C[M, N] = alpha * A[M, K] * B[K, N] + beta * C, optionally with transposed storage
/// of A ([K, M]) or B ([N, K]) and a C row stride ldc = N + ldcPad.
struct GemmCase: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var transA = false, transB = false
    var alpha = 1.0, beta = 0.0
    var ldcPad = 0
    /// Fill C with NaN before the call (only meaningful with beta == 0: C must not be read).
    var nanC = false

    var testDescription: String {
        "\(m)x\(n)x\(k)\(transA ? " Aᵀ" : "")\(transB ? " Bᵀ" : "") α=\(alpha) β=\(beta)"
            + (ldcPad > 0 ? " ldc+\(ldcPad)" : "") + (nanC ? " NaN-C" : "")
    }

    static let all: [GemmCase] = [
        GemmCase(m: 1, n: 1, k: 1),
        GemmCase(m: 7, n: 13, k: 5),
        GemmCase(m: 33, n: 65, k: 17, ldcPad: 3),
        GemmCase(m: 100, n: 37, k: 129, alpha: 0.5, beta: -1.5),
        GemmCase(m: 33, n: 65, k: 17, transA: true),
        GemmCase(m: 33, n: 65, k: 17, transB: true, ldcPad: 1),
        GemmCase(m: 29, n: 47, k: 23, transA: true, transB: true, alpha: -2, beta: 1),
        GemmCase(m: 12, n: 32, k: 64),  // exactly one AVX-512 tile
        GemmCase(m: 13, n: 33, k: 9, beta: 0, ldcPad: 5, nanC: true),
        GemmCase(m: 5, n: 6, k: 0, beta: 0.5),  // K == 0: C = beta * C
        GemmCase(m: 5, n: 6, k: 0, beta: 0, nanC: true),  // K == 0, beta == 0: zeros, NaN never read
        GemmCase(m: 4, n: 3, k: 7, alpha: 0, beta: 2),  // alpha == 0: C = beta * C
        GemmCase(m: 0, n: 5, k: 3), GemmCase(m: 5, n: 0, k: 3),
        GemmCase(m: 203, n: 9, k: 8, transA: true),  // crosses the M cache block (192)
        GemmCase(m: 9, n: 11, k: 600, beta: 0.5),  // crosses the K cache block (512): later passes add
        GemmCase(m: 9, n: 11, k: 600, transA: true, beta: 0, nanC: true),
        GemmCase(m: 3, n: 2100, k: 5, transB: true),  // crosses the N cache block (2048)
    ]
}

/// Operands and the Float64 reference for one case. The reference is computed from the same values the
/// kernel sees; `bound` is the elementwise error allowed: (K + 2) * 2 eps * (|alpha| sum|a||b| + |beta||c|).
struct GemmData {
    let c: GemmCase
    var a: [Double], b: [Double], c0: [Double]
    var ldc: Int { c.n + c.ldcPad }
    var rsA: Int { c.transA ? 1 : c.k }
    var csA: Int { c.transA ? c.m : 1 }
    var rsB: Int { c.transB ? 1 : c.n }
    var csB: Int { c.transB ? c.k : 1 }

    init(_ c: GemmCase, roundToFloat: Bool) {
        self.c = c
        var rng = SplitMix(seed: UInt64(c.m * 1_000_003 + c.n * 1009 + c.k))
        func value() -> Double {
            let v = rng.symmetric()
            return roundToFloat ? Double(Float(v)) : v
        }
        a = (0..<(c.m * c.k)).map { _ in value() }
        b = (0..<(c.k * c.n)).map { _ in value() }
        c0 = (0..<(c.m * (c.n + c.ldcPad))).map { _ in value() }
    }

    /// Reference value of C(i, j) and its error bound for a kernel with unit roundoff `eps`.
    func reference(_ i: Int, _ j: Int, eps: Double) -> (value: Double, bound: Double) {
        var sum = 0.0, mag = 0.0
        for p in 0..<c.k {
            let prod = a[i * rsA + p * csA] * b[p * rsB + j * csB]
            sum += prod
            mag += abs(prod)
        }
        let cij = c0[i * ldc + j]
        let value = c.alpha * sum + (c.beta == 0 ? 0 : c.beta * cij)
        let bound = Double(c.k + 2) * 2 * eps * (abs(c.alpha) * mag + abs(c.beta) * abs(cij)) + 1e-300
        return (value, bound)
    }
}

extension CKernelsTests {
    @Suite struct Gemm {
        @Test("ck_sgemm matches a Float64 reference", arguments: ISA.supported, GemmCase.all)
        func sgemm(isa: ISA, c: GemmCase) {
            let d = GemmData(c, roundToFloat: true)
            let a = d.a.map(Float.init), b = d.b.map(Float.init)
            let sentinel: Float = -7777
            var out = d.c0.enumerated().map { idx, v -> Float in
                if idx % d.ldc >= c.n { return sentinel }
                return c.nanC ? .nan : Float(v)
            }
            let ws = UnsafeMutableRawPointer.allocate(byteCount: ck_sgemm_workspace_size(), alignment: 64)
            defer { ws.deallocate() }
            withISA(isa) {
                ck_sgemm(Int64(c.m), Int64(c.n), Int64(c.k), Float(c.alpha), a, Int64(d.rsA), Int64(d.csA),
                         b, Int64(d.rsB), Int64(d.csB), Float(c.beta), &out, Int64(d.ldc), ws)
            }
            var worst = 0.0
            for i in 0..<c.m {
                for j in 0..<d.ldc {
                    let got = out[i * d.ldc + j]
                    if j >= c.n {
                        #expect(got == sentinel, "wrote outside the \(c.n) columns at (\(i), \(j))")
                        continue
                    }
                    let (ref, bound) = d.reference(i, j, eps: Double(Float.ulpOfOne) / 2)
                    #expect(got.isFinite, "C(\(i), \(j)) = \(got)")
                    worst = max(worst, abs(Double(got) - ref) / bound)
                }
            }
            #expect(worst <= 1, "max error \(worst) x bound")
        }

        @Test("ck_dgemm matches a Float64 reference", arguments: ISA.supported, GemmCase.all)
        func dgemm(isa: ISA, c: GemmCase) {
            let d = GemmData(c, roundToFloat: false)
            let sentinel = -7777.0
            var out = d.c0.enumerated().map { idx, v -> Double in
                if idx % d.ldc >= c.n { return sentinel }
                return c.nanC ? .nan : v
            }
            withISA(isa) {
                ck_dgemm(Int64(c.m), Int64(c.n), Int64(c.k), c.alpha, d.a, Int64(d.rsA), Int64(d.csA),
                         d.b, Int64(d.rsB), Int64(d.csB), c.beta, &out, Int64(d.ldc))
            }
            var worst = 0.0
            for i in 0..<c.m {
                for j in 0..<d.ldc {
                    let got = out[i * d.ldc + j]
                    if j >= c.n {
                        #expect(got == sentinel, "wrote outside the \(c.n) columns at (\(i), \(j))")
                        continue
                    }
                    // The reference itself is a Float64 sum: allow both roundings.
                    let (ref, bound) = d.reference(i, j, eps: Double.ulpOfOne)
                    #expect(got.isFinite, "C(\(i), \(j)) = \(got)")
                    worst = max(worst, abs(got - ref) / bound)
                }
            }
            #expect(worst <= 1, "max error \(worst) x bound")
        }

        @Test("ck_sgemm results agree bit for bit across calls on disjoint column blocks",
              arguments: ISA.supported)
        func blockedCallsMatchWhole(isa: ISA) {
            // The caller parallelises by splitting C; each block must equal the same block of the whole.
            let (m, n, k) = (37, 70, 45)
            var rng = SplitMix(seed: 42)
            let a = (0..<(m * k)).map { _ in Float(rng.symmetric()) }
            let b = (0..<(k * n)).map { _ in Float(rng.symmetric()) }
            var whole = [Float](repeating: 0, count: m * n), split = whole
            let ws = UnsafeMutableRawPointer.allocate(byteCount: ck_sgemm_workspace_size(), alignment: 64)
            defer { ws.deallocate() }
            withISA(isa) {
                ck_sgemm(Int64(m), Int64(n), Int64(k), 1, a, Int64(k), 1, b, Int64(n), 1, 0, &whole, Int64(n), ws)
                for (j0, w) in [(0, 32), (32, 32), (64, 6)] {
                    b.withUnsafeBufferPointer { bp in
                        split.withUnsafeMutableBufferPointer { cp in
                            ck_sgemm(Int64(m), Int64(w), Int64(k), 1, a, Int64(k), 1, bp.baseAddress! + j0,
                                     Int64(n), 1, 0, cp.baseAddress! + j0, Int64(n), ws)
                        }
                    }
                }
            }
            #expect(whole == split)
        }
    }
}
