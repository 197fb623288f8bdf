import AttentionCKernels
import Testing

extension CKernelsTests {
    /// The chooser (one table per ISA, dispatch.c): names, support and the per-path figures each table carries.
    @Suite struct DispatchTests {
        @Test("every ck_isa value has its name; unknown values say so")
        func names() {
            let expected: [(ck_isa, String)] = [(CK_ISA_AUTO, "auto"), (CK_ISA_SCALAR, "scalar"), (CK_ISA_AVX2, "avx2"),
                                                (CK_ISA_AVX512, "avx512"), (CK_ISA_NEON, "neon")]
            for (isa, name) in expected { #expect(String(cString: ck_isa_name(isa)) == name) }
            #expect(String(cString: ck_isa_name(ck_isa(rawValue: 99))) == "unknown")
        }

        /// FMA peak probe: chains × lanes × 2 flops per step, by hand from each path's registers (12 chains of
        /// 16 / 8 / 1 lanes on AVX-512 / AVX2 / scalar, 16 chains of 4 on NEON); 0 for `auto`.
        @Test("each supported path reports its own table's figures and forcing it selects it", arguments: ISA.supported)
        func tables(_ isa: ISA) {
            let byHand: [UInt32: Int64] = [CK_ISA_SCALAR.rawValue: 24, CK_ISA_AVX2.rawValue: 192,
                                           CK_ISA_AVX512.rawValue: 384, CK_ISA_NEON.rawValue: 128]
            #expect(ck_fma_peak_flops_per_step(isa.isa) == byHand[isa.raw])
            #expect(ck_fma_peak_flops_per_step(CK_ISA_AUTO) == 0)
            withISA(isa) {
                #expect(ck_active_isa() == isa.isa)
                // exp(1) through the forced table: e rounded to float, within the documented 1 ulp.
                var x: Float = 1, y: Float = 0
                ck_vexp(&x, &y, 1)
                #expect(abs(y - Float(M_E_value)) <= Float(M_E_value).ulp)
            }
        }

        @Test("the scalar path is always there, and auto always resolves to a supported path")
        func fallback() {
            #expect(ck_isa_supported(CK_ISA_SCALAR) != 0)
            #expect(ck_isa_supported(CK_ISA_AUTO) != 0)
            #expect(ck_isa_supported(ck_active_isa()) != 0)
            #expect(ck_active_isa() != CK_ISA_AUTO)
        }
    }
}

private let M_E_value = 2.718281828459045
