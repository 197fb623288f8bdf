import Foundation
import Testing
@testable import Attention

/// The module against NumPy Float64 results (Scripts/make_attention_fixtures.py): an outside reference whose
/// masks are built a second way (np.tril offsets) and whose GQA repeats K/V with np.repeat.
struct FixtureTests {
    struct Array: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { Tensor(shape: shape, doubles: data) }
    }

    struct MaskSpec: Decodable, Sendable {
        let type: String
        let alignment: String?
        let lengths: [Int]?
        let left: Int?, right: Int?
        let shape: [Int]?
        let values: [Bool]?
        let data: [Double]?
        let masks: [MaskSpec]?

        var mask: AttentionMask {
            let a: CausalAlignment = alignment == "lowerRight" ? .lowerRight : .upperLeft
            switch type {
            case "none": return .none
            case "causal": return .causal(a)
            case "slidingWindow": return .slidingWindow(left: left!, right: right!, alignment: a)
            case "keyPadding": return .keyPadding(lengths: lengths!)
            case "boolean": return .boolean(BoolTensor(shape: shape!, values: values!))
            case "additive": return .additive(Tensor(shape: shape!, doubles: data!))
            case "all": return .all(masks!.map(\.mask))
            default: preconditionFailure("fixture: unknown mask type \(type)")
            }
        }
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let kind: String
        let name: String
        // sdpa
        let q: Array?, k: Array?, v: Array?, mask: MaskSpec?, scale: Double?, output: Array?, weights: Array?
        // score
        let params: [String: Array]?, scores: Array?
        // nadarayaWatson
        let width: Double?, queries: Array?, keys: Array?, values: Array?
        var testDescription: String { "\(kind): \(name)" }
    }

    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "attention", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    /// fp32 against the fp64 NumPy result: PyTorch's atol 1e-5 / rtol 1e-4; fp64: 1e-12.
    static func tolerance(_ dtype: DType) -> (Double, Double) { dtype == .float64 ? (1e-12, 1e-12) : (1e-5, 1e-4) }

    @Test(arguments: cases.filter { $0.kind == "sdpa" }, [DType.float64, .float32])
    func scaledDotProductAttention(_ c: Case, _ dtype: DType) {
        let (out, w) = ReferenceAttention.forward(query: c.q!.tensor.cast(to: dtype), key: c.k!.tensor.cast(to: dtype),
                                                  value: c.v!.tensor.cast(to: dtype), mask: c.mask!.mask, scale: c.scale,
                                                  needsWeights: true)
        let (atol, rtol) = Self.tolerance(dtype)
        #expect(out.shape == c.output!.shape)
        expectClose(out.doubles, c.output!.data, atol: atol, rtol: rtol)
        expectClose(w!.doubles, c.weights!.data, atol: atol, rtol: rtol)
    }

    @Test(arguments: cases.filter { $0.kind == "score" }, [DType.float64, .float32])
    func scorers(_ c: Case, _ dtype: DType) {
        let p = c.params!.mapValues { $0.tensor.cast(to: dtype) }
        let scorer: any AttentionScoring
        switch c.name {
        case "additive": scorer = AdditiveScore(queryWeight: p["queryWeight"]!, keyWeight: p["keyWeight"]!, vector: p["vector"]!)
        case "mlp": scorer = MLPScore(hiddenWeight: p["hiddenWeight"]!, hiddenBias: p["hiddenBias"]!, outputWeight: p["outputWeight"]!,
                                      outputBias: p["outputBias"]!, queryDim: c.q!.shape.last!)
        default: scorer = CosineScore(temperature: 0.5)
        }
        let got = scorer.scores(query: c.q!.tensor.cast(to: dtype), key: c.k!.tensor.cast(to: dtype))
        let (atol, rtol) = Self.tolerance(dtype)
        #expect(got.shape == c.scores!.shape)
        expectClose(got.doubles, c.scores!.data, atol: atol, rtol: rtol)
    }

    @Test(arguments: cases.filter { $0.kind == "nadarayaWatson" }, [DType.float64, .float32])
    func nadarayaWatson(_ c: Case, _ dtype: DType) {
        let pool = NadarayaWatson(kernel: NadarayaWatson.Kernel(rawValue: c.name)!, width: c.width!, dtype: dtype)
        let (out, w) = pool(queries: c.queries!.tensor.cast(to: dtype), keys: c.keys!.tensor.cast(to: dtype),
                            values: c.values!.tensor.cast(to: dtype))
        let (atol, rtol) = Self.tolerance(dtype)
        expectClose(out.doubles, c.output!.data, atol: atol, rtol: rtol)
        expectClose(w.doubles, c.weights!.data, atol: atol, rtol: rtol)
    }

    @Test func everyKindIsPresent() {
        #expect(Set(Self.cases.map(\.kind)) == ["sdpa", "score", "nadarayaWatson"])
        #expect(Self.cases.count == 15)
    }
}
