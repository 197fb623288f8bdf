import AttentionCKernels
import Testing

/// The int8 GEMM (ck_qgemm.h): every variant this CPU runs against the plain reference, bit for bit, int32 sums and
/// dequantised floats. Variants the CPU lacks (VNNI on Zen 3) are not executed; `variantsRun` names what ran.
struct QGemmTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (3, 17, 5), (4, 16, 4), (5, 33, 383), (37, 384, 384),
                                                      (9, 1536, 384), (13, 384, 1536), (2, 15, 7),
                                                      // 512-bit VNNI tiles of 8 rows x 2 panels: a partial row block,
                                                      // an odd panel count, a partial last panel, Kp not a multiple of 64
                                                      (23, 48, 100), (8, 32, 64), (17, 40, 129)]
    static var variants: [UnsafePointer<ck_qgemm_kernels>] {
        (0..<Int(CK_QGEMM_VARIANT_COUNT.rawValue)).compactMap { ck_qgemm_table(ck_qgemm_variant(rawValue: UInt32($0))) }
    }

    /// Deterministic int8 in [-127, 127]; `extreme`: only ±127, the largest pair sums vpmaddubsw sees.
    static func fill(_ count: Int, seed: UInt64, extreme: Bool) -> [Int8] {
        var s = seed | 1
        return (0..<count).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return extreme ? ((s & 1) == 0 ? -127 : 127) : Int8(Int(s % 255) - 127)
        }
    }

    @Test func theCPUsBaselineVariantRuns() {
        let names = Self.variants.map { String(cString: $0.pointee.name) }
        #expect(names.contains("scalar"))
        #if arch(x86_64)
        if ck_isa_supported(CK_ISA_AVX2) != 0 { #expect(names.contains("avx2")) }
        #endif
    }

    /// The int8 table follows the kernel path the rest of the kernels use, so a forced path (`--isa`, pinned tests)
    /// moves int8 as well: scalar gives the scalar table, AVX2 an x86 int8 variant, NEON the sdot one.
    @Test(arguments: ISA.supported)
    func theActiveTableFollowsTheKernelPath(_ isa: ISA) {
        let name = withISA(isa) { String(cString: ck_qgemm_active()!.pointee.name) }
        switch isa.isa {
        case CK_ISA_SCALAR: #expect(name == "scalar")
        case CK_ISA_AVX2: #expect(["avx2", "avxvnni"].contains(name))
        case CK_ISA_AVX512: #expect(["avx2", "avxvnni", "avx512vnni"].contains(name))
        case CK_ISA_NEON: #expect(name == "neon")
        default: Issue.record("unexpected path \(isa.testDescription)")
        }
    }

    @Test(arguments: [false, true])
    func everyVariantEqualsTheReference(extreme: Bool) {
        for t in Self.variants {
            for (m, n, k) in Self.shapes {
                let kp = Int(ck_qgemm_k_padded(Int64(k)))
                var a = [Int8](repeating: 0, count: m * kp)
                let drawn = Self.fill(m * k, seed: UInt64(m * 31 + k), extreme: extreme)
                for i in 0..<m { for c in 0..<k { a[i * kp + c] = drawn[i * k + c] } }
                let w = Self.fill(n * k, seed: UInt64(n * 17 + k + 5), extreme: extreme)
                var packed = [Int8](repeating: 0, count: ck_qgemm_packed_size(Int64(n), Int64(k)))
                ck_qgemm_pack_b(Int64(n), Int64(k), w, Int64(k), &packed)
                var ref = [Int32](repeating: 0, count: m * n), got = [Int32](repeating: -1, count: m * n)
                ck_qgemm_reference(Int64(m), Int64(n), Int64(k), a, Int64(kp), w, Int64(k), &ref, Int64(n))
                t.pointee.gemm_s32(Int64(m), Int64(n), Int64(kp), a, Int64(kp), packed, &got, Int64(n))
                #expect(got == ref, "\(String(cString: t.pointee.name)) \(m)x\(n)x\(k) int32")
                // Hand check of one entry against the reference itself.
                var hand: Int32 = 0
                for c in 0..<k {
                    let av = Int32(a[(m - 1) * kp + c]), wv = Int32(w[(n - 1) * k + c])
                    hand += av * wv
                }
                #expect(ref[m * n - 1] == hand)
                let rs: [Float] = (0..<m).map { i -> Float in Float(i + 1) * 1e-3 / 3 }
                let cs: [Float] = (0..<n).map { j -> Float in 2e-3 / Float(j + 7) }
                let bias: [Float] = (0..<n).map { j -> Float in Float(j) * 0.1 - 1 }
                for withBias in [false, true] {
                    var y0 = [Float](repeating: 0, count: m * n), y1 = [Float](repeating: .nan, count: m * n)
                    rs.withUnsafeBufferPointer { r in cs.withUnsafeBufferPointer { c in bias.withUnsafeBufferPointer { b in
                        y0.withUnsafeMutableBufferPointer { p0 in y1.withUnsafeMutableBufferPointer { p1 in
                            var e0 = ck_qgemm_epilogue(row_scale: r.baseAddress, col_scale: c.baseAddress, bias: withBias ? b.baseAddress : nil, y: p0.baseAddress, ldy: Int64(n))
                            var e1 = e0
                            e1.y = p1.baseAddress
                            ck_qgemm_reference_dequantize(Int64(m), Int64(n), ref, Int64(n), &e0)
                            t.pointee.gemm_f32(Int64(m), Int64(n), Int64(kp), a, Int64(kp), packed, &e1)
                        } }
                    } } }
                    #expect(y0.map(\.bitPattern) == y1.map(\.bitPattern), "\(String(cString: t.pointee.name)) \(m)x\(n)x\(k) float, bias \(withBias)")
                }
            }
        }
    }

    @Test func quantizationRoundTripsWithinHalfAStep() {
        let k = 13, rows = 3
        let x: [Float] = (0..<(rows * k)).map { i -> Float in Float((i * 37) % 23) - 11.5 }
        var q = [Int8](repeating: 99, count: rows * 16), s = [Float](repeating: 0, count: rows), work = [Float](repeating: 0, count: k)
        ck_quantize_rows_s8(x, Int64(k), Int64(rows), Int64(k), nil, &q, 16, &s, &work)
        for i in 0..<rows {
            let m = (0..<k).map { abs(x[i * k + $0]) }.max()!
            #expect(s[i] == m / 127)
            for c in 0..<k {
                #expect(abs(Float(q[i * 16 + c]) * s[i] - x[i * k + c]) <= s[i] / 2 * 1.0001)
                #expect(abs(Int(q[i * 16 + c])) <= 127)
            }
            #expect(q[(i * 16 + k)..<(i * 16 + 16)].allSatisfy { $0 == 0 })   // padding to Kp = 16
        }
        // Zero row → scale 0; NaN or Inf → scale NaN (outputs NaN, as PyTorch's product would be).
        let special: [Float] = [0, 0, 0, 1, .nan, 2, 1, .infinity, 3]
        var q2 = [Int8](repeating: 5, count: 12), s2 = [Float](repeating: 1, count: 3), w2 = [Float](repeating: 0, count: 3)
        ck_quantize_rows_s8(special, 3, 3, 3, nil, &q2, 4, &s2, &w2)
        #expect(s2[0] == 0 && s2[1].isNaN && s2[2].isNaN)
        #expect(q2.allSatisfy { $0 == 0 })
    }

    /// Every variant's quantiser (vectorised on x86) gives ck_quantize_rows_s8's bytes and scales bit for bit, with
    /// and without smoothing factors, over K that are and are not multiples of the 32-wide vector step, a NaN row,
    /// an Inf row and a zero row.
    @Test(arguments: [1, 31, 32, 33, 384, 1536])
    func everyQuantizerEqualsTheScalarOne(_ k: Int) {
        let rows = 6, kp = Int(ck_qgemm_k_padded(Int64(k)))
        var x = Self.fill(rows * k, seed: UInt64(k), extreme: false).enumerated().map { Float($0.element) * 0.0173 * Float(1 + $0.offset % 7) }
        x[k + k / 2] = .nan
        x[2 * k] = -.infinity
        for c in 0..<k { x[3 * k + c] = 0 }
        let mul = (0..<k).map { 0.25 + Float($0 % 9) / 4 }
        var work = [Float](repeating: 0, count: k)
        for smoothing in [false, true] {
            var q0 = [Int8](repeating: 9, count: rows * kp), s0 = [Float](repeating: 0, count: rows)
            ck_quantize_rows_s8(x, Int64(k), Int64(rows), Int64(k), smoothing ? mul : nil, &q0, Int64(kp), &s0, &work)
            for t in Self.variants {
                var q1 = [Int8](repeating: 7, count: rows * kp), s1 = [Float](repeating: 0, count: rows)
                t.pointee.quantize_rows(x, Int64(k), Int64(rows), Int64(k), smoothing ? mul : nil, &q1, Int64(kp), &s1, &work)
                #expect(q1 == q0, "\(String(cString: t.pointee.name)) K\(k) smoothing \(smoothing)")
                #expect(s1.map(\.bitPattern) == s0.map(\.bitPattern), "\(String(cString: t.pointee.name)) K\(k)")
            }
        }
    }

    @Test func bfloat16ConversionRoundsHalfToEven() {
        let x: [Float] = [1, Float(bitPattern: 0x3f80_8000), Float(bitPattern: 0x3f81_8000), Float(bitPattern: 0x3f80_8001), -2.5, .infinity, .nan]
        var b = [UInt16](repeating: 0, count: x.count), back = [Float](repeating: 0, count: x.count)
        ck_f32_to_bf16(x, &b, Int64(x.count))
        #expect(Array(b.prefix(6)) == [0x3f80, 0x3f80, 0x3f82, 0x3f81, 0xc020, 0x7f80])
        ck_bf16_to_f32(b, &back, Int64(x.count))
        #expect(back[4] == -2.5 && back[6].isNaN)
    }
}
