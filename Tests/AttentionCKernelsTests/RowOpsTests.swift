import AttentionCKernels
import Foundation
import Testing

/// The exact GELU in double without cancellation: x/2·erfc(−x/√2) = x/2·(1 + erf(x/√2)).
private func geluReference(_ x: Float) -> Double {
    let d = Double(x)
    return 0.5 * d * erfc(-d * 0.707_106_781_186_547_524_4)
}

/// Inputs for the activation tests: a dense sweep of [-12, 12] (both tails, the |u| = 0.5 switch at x = ±0.707,
/// the underflow region), tiny and huge magnitudes, and the special values.
private let geluInputs: [Float] = {
    var xs: [Float] = (0...240_000).map { Float(-12 + Double($0) * 1e-4) }
    xs += [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1e-30, -1e-30, 0.70710677, -0.70710677,
           0.7071068, -0.7071068, 14.4, -14.4, 15.99, -15.99, 16, -16, 17, -17, 1e10, -1e10, 1e20, -1e20,
           .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
    return xs
}()

extension CKernelsTests {
    @Suite struct RowOps {
        @Test("exact GELU: within 8 ulp of x/2·erfc(−x/√2) on the vector paths, correctly rounded on scalar",
              arguments: ISA.supported)
        func gelu(isa: ISA) {
            var ys = geluInputs
            withISA(isa) { ck_bias_act_rows(&ys, 1, Int64(ys.count), 0, nil, CK_ACT_GELU_ERF) }
            let bound: Int64 = isa.isa == CK_ISA_SCALAR ? 0 : 8
            var worst: Int64 = 0, worstX: Float = 0
            for (x, y) in zip(geluInputs, ys) {
                let ref = Float(geluReference(x))
                #expect(!y.isNaN, "gelu(\(x)) = NaN")
                let d = ulpDistance(y, ref)
                if d > worst { worst = d; worstX = x }
            }
            #expect(worst <= bound, "worst \(worst) ulp at x = \(worstX)")
            // The formula's special values: +inf stays +inf, -inf gives -inf·0 = NaN, NaN stays NaN.
            var special: [Float] = [.infinity, -.infinity, .nan, -5000]
            withISA(isa) { ck_bias_act_rows(&special, 1, 4, 0, nil, CK_ACT_GELU_ERF) }
            #expect(special[0] == .infinity)
            #expect(special[1].isNaN && special[2].isNaN)
            #expect(special[3] == 0 && special[3].sign == .minus)
        }

        @Test("exact GELU backward: g·(Φ(x) + x·φ(x)) within 1e-6·|g| of Float64 on every path, tails included",
              arguments: ISA.supported)
        func geluBackward(isa: ISA) {
            var rng = SplitMix(seed: 21)
            let xs = geluInputs.filter { $0.isFinite && abs($0) < 1e30 }
            let gs = xs.map { _ in Float(rng.symmetric() * 3) }
            var dx = [Float](repeating: .nan, count: xs.count)
            withISA(isa) { ck_gelu_backward(xs, gs, &dx, Int64(xs.count)) }
            var worst = 0.0, worstX: Float = 0
            for (i, x) in xs.enumerated() {
                let d = Double(x)
                let ref = Double(gs[i]) * (0.5 * erfc(-d * 0.707_106_781_186_547_524_4) + d * exp(-0.5 * d * d) * 0.398_942_280_401_432_677_9)
                let err = abs(Double(dx[i]) - ref) / max(1, abs(Double(gs[i])))
                if err > worst { worst = err; worstX = x }
            }
            #expect(worst <= 1e-6, "worst \(worst) at x = \(worstX)")
            let ends: [Float] = [.infinity, -.infinity, 40, -40]
            var grads: [Float] = [2, 2, 2, 2]
            withISA(isa) { grads.withUnsafeMutableBufferPointer { g in ck_gelu_backward(ends, g.baseAddress!, g.baseAddress!, 4) } }   // dx aliases g
            #expect(grads == [2, 0, 2, 0], "the derivative tends to 1 and 0: \(grads)")
        }

        @Test("bias + activation over rows: every column count (vector body and masked tail), leading dimension respected",
              arguments: ISA.supported)
        func biasActivation(isa: ISA) {
            var rng = SplitMix(seed: 7)
            for cols in [1, 3, 8, 15, 16, 17, 31, 33, 40] {
                let rows = 3, ld = cols + 2
                let x = (0..<(rows * ld)).map { _ in Float(rng.symmetric() * 4) }
                let bias = (0..<cols).map { _ in Float(rng.symmetric()) }
                for act in [CK_ACT_NONE, CK_ACT_RELU, CK_ACT_GELU_ERF] {
                    for withBias in [true, false] {
                        var y = x
                        withISA(isa) { ck_bias_act_rows(&y, Int64(rows), Int64(cols), Int64(ld), withBias ? bias : nil, act) }
                        for r in 0..<rows {
                            for j in 0..<ld {
                                let i = r * ld + j
                                if j >= cols { #expect(y[i] == x[i], "wrote past the row at \(r), \(j)"); continue }
                                let z = withBias ? x[i] + bias[j] : x[i]  // the kernel adds in float, once
                                let ref: Float
                                switch act {
                                case CK_ACT_RELU: ref = max(z, 0)
                                case CK_ACT_GELU_ERF: ref = Float(geluReference(z))
                                default: ref = z
                                }
                                #expect(ulpDistance(y[i], ref) <= (act == CK_ACT_GELU_ERF ? 8 : 0),
                                        "cols \(cols) act \(act.rawValue) bias \(withBias): \(y[i]) vs \(ref)")
                            }
                        }
                    }
                }
            }
            var nan: [Float] = [.nan, -1, 2]
            withISA(isa) { ck_bias_act_rows(&nan, 1, 3, 3, nil, CK_ACT_RELU) }
            #expect(nan[0].isNaN && nan[1] == 0 && nan[2] == 2, "ReLU keeps NaN")
        }

        @Test("residual + LayerNorm rows match a Float64 reference, in place or not", arguments: ISA.supported)
        func layerNorm(isa: ISA) {
            var rng = SplitMix(seed: 11)
            for cols in [1, 5, 16, 17, 100, 384] {
                for offset in [0.0, 1000.0] {  // a large common offset checks the two-pass variance
                    let rows = 4, ld = cols + 3
                    let x = (0..<(rows * ld)).map { _ in Float(offset + rng.symmetric() * 2) }
                    let res = (0..<(rows * ld)).map { _ in Float(rng.symmetric()) }
                    let gamma = (0..<cols).map { _ in Float(1 + rng.symmetric() / 2) }
                    let beta = (0..<cols).map { _ in Float(rng.symmetric()) }
                    let eps: Float = 1e-12
                    for mode in ["residual", "plain", "in-place on x", "in-place on residual", "no affine"] {
                        var y = [Float](repeating: -7, count: rows * ld)
                        let useResidual = mode != "plain" && mode != "no affine"
                        let affine = mode != "no affine"
                        var xs = x, rs = res
                        withISA(isa) {
                            switch mode {
                            case "in-place on x":
                                xs.withUnsafeMutableBufferPointer { p in
                                    ck_layernorm_rows(p.baseAddress!, Int64(ld), res, Int64(ld), gamma, beta, eps,
                                                      p.baseAddress!, Int64(ld), Int64(rows), Int64(cols))
                                }
                            case "in-place on residual":
                                rs.withUnsafeMutableBufferPointer { p in
                                    ck_layernorm_rows(x, Int64(ld), p.baseAddress!, Int64(ld), gamma, beta, eps,
                                                      p.baseAddress!, Int64(ld), Int64(rows), Int64(cols))
                                }
                            default:
                                ck_layernorm_rows(x, Int64(ld), useResidual ? res : nil, Int64(ld), affine ? gamma : nil,
                                                  affine ? beta : nil, eps, &y, Int64(ld), Int64(rows), Int64(cols))
                            }
                        }
                        let out = mode == "in-place on x" ? xs : mode == "in-place on residual" ? rs : y
                        for r in 0..<rows {
                            // z is formed in float, as the kernel does; the statistics are then exact.
                            let z = (0..<cols).map { j in Double(useResidual ? x[r * ld + j] + res[r * ld + j] : x[r * ld + j]) }
                            let mean = z.reduce(0, +) / Double(cols)
                            let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cols)
                            let rstd = 1 / (variance + Double(eps)).squareRoot()
                            // Float rounding of z (relative to the spread) dominates with a large offset.
                            let scale = max(1, z.map(abs).max()! * rstd)
                            for j in 0..<cols {
                                var ref = (z[j] - mean) * rstd
                                if affine { ref = ref * Double(gamma[j]) + Double(beta[j]) }
                                let got = out[r * ld + j]
                                #expect(abs(Double(got) - ref) <= 2e-6 * scale * Double(max(1, cols / 16)).squareRoot() + 1e-6,
                                        "cols \(cols) offset \(offset) \(mode) row \(r) col \(j): \(got) vs \(ref)")
                            }
                            if mode != "in-place on x" && mode != "in-place on residual" {
                                for j in cols..<ld { #expect(y[r * ld + j] == -7, "wrote past the row") }
                            }
                        }
                    }
                }
            }
        }

        @Test("GEMM epilogue = the same GEMM then a separate bias/activation pass, bit for bit; pre-packed B too",
              arguments: ISA.supported)
        func epilogueAndPackedB(isa: ISA) {
            var rng = SplitMix(seed: 3)
            // Shapes cross the K block (512: the epilogue must run after the last pass only), the N block
            // (2048) and leave partial register tiles.
            for (m, n, k) in [(13, 37, 20), (50, 70, 600), (5, 2100, 9), (24, 384, 384)] {
                let a = (0..<(m * k)).map { _ in Float(rng.symmetric()) }
                let w = (0..<(n * k)).map { _ in Float(rng.symmetric()) }  // [N, K]: B(k, j) = w[j*K + k]
                let bias = (0..<n).map { _ in Float(rng.symmetric()) }
                let ws = UnsafeMutableRawPointer.allocate(byteCount: ck_sgemm_workspace_size(), alignment: 64)
                defer { ws.deallocate() }
                for act in [CK_ACT_NONE, CK_ACT_RELU, CK_ACT_GELU_ERF] {
                    var separate = [Float](repeating: 0, count: m * n), fused = separate, packed = separate
                    withISA(isa) {
                        ck_sgemm(Int64(m), Int64(n), Int64(k), 1, a, Int64(k), 1, w, 1, Int64(k), 0, &separate, Int64(n), ws)
                        ck_bias_act_rows(&separate, Int64(m), Int64(n), Int64(n), bias, act)
                        ck_sgemm_bias_act(Int64(m), Int64(n), Int64(k), 1, a, Int64(k), 1, w, 1, Int64(k), 0, &fused,
                                          Int64(n), bias, act, ws)
                        let bytes = ck_sgemm_packed_b_size(isa.isa, Int64(k), Int64(n))
                        #expect(bytes >= n * k * 4 && bytes < (n + 64) * k * 4, "packed size \(bytes) for [\(k), \(n)]")
                        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
                        defer { buffer.deallocate() }
                        ck_sgemm_pack_b(isa.isa, Int64(k), Int64(n), w, 1, Int64(k), buffer)
                        ck_sgemm_packed_bias_act(isa.isa, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), 1, buffer, 0,
                                                 &packed, Int64(n), bias, act, ws)
                    }
                    #expect(fused == separate, "\(m)x\(n)x\(k) act \(act.rawValue): epilogue differs from a separate pass")
                    #expect(packed == fused, "\(m)x\(n)x\(k) act \(act.rawValue): pre-packed B differs")
                }
            }
        }

        @Test("B packed in parts (any number of them) writes exactly the bytes of one packing", arguments: ISA.supported)
        func packedBInParts(isa: ISA) {
            var rng = SplitMix(seed: 8)
            // Column blocks (N > 2048 on x86), K blocks (K > 512), partial strips, fewer strips than parts;
            // B read row-major (csB = 1) and transposed (rsB = 1).
            for (n, k) in [(37, 20), (2100, 9), (70, 600), (16, 3), (5, 1)] {
                let values = (0..<(n * k)).map { _ in Float(rng.symmetric()) }
                for (rsB, csB) in [(n, 1), (1, k)] {
                    let bytes = ck_sgemm_packed_b_size(isa.isa, Int64(k), Int64(n))
                    var whole = [UInt8](repeating: 0xA5, count: bytes), parted = [UInt8](repeating: 0x5A, count: bytes)
                    ck_sgemm_pack_b(isa.isa, Int64(k), Int64(n), values, Int64(rsB), Int64(csB), &whole)
                    for parts in [1, 2, 3, 7] {
                        parted = [UInt8](repeating: 0x5A, count: bytes)
                        for part in (0..<parts).reversed() {
                            ck_sgemm_pack_b_part(isa.isa, Int64(k), Int64(n), values, Int64(rsB), Int64(csB), &parted,
                                                 Int64(part), Int64(parts))
                        }
                        #expect(parted == whole, "[\(k), \(n)] strides (\(rsB), \(csB)) in \(parts) parts")
                    }
                }
            }
        }
    }
}
