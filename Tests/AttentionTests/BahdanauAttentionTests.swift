import Foundation
import Testing
@testable import Attention

/// BahdanauAttention against the seed tutorial's PyTorch module (Scripts/make_bahdanau_fixtures.py, float64).
struct BahdanauAttentionTests {
    struct Fixture: Decodable {
        struct Sizes: Decodable { let queryDim, keyDim, hidden, batch, length: Int }
        let sizes: Sizes
        let lengths: [Int]
        let parameters: [String: [Double]]
        let query, keys, context, weights, cotangent, gradQuery, gradKeys: [Double]
        let gradParameters: [String: [Double]]

        static let shared: Fixture = {
            let url = Bundle.module.url(forResource: "bahdanau", withExtension: "json", subdirectory: "Fixtures")!
            return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        }()
    }

    static func maxError(_ a: [Double], _ b: [Double]) -> Double {
        #expect(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test("context, weights (padding masked) and every gradient equal PyTorch's, loaded through the key map")
    func matchesPyTorch() throws {
        let f = Fixture.shared, z = f.sizes
        var rng = RandomGenerator(seed: 0)
        let attention = BahdanauAttention(queryDim: z.queryDim, keyDim: z.keyDim, hiddenSize: z.hidden, rng: &rng)
        let shapes = ["Wa.weight": [z.hidden, z.queryDim], "Wa.bias": [z.hidden], "Ua.weight": [z.hidden, z.keyDim],
                      "Ua.bias": [z.hidden], "va": [z.hidden]]
        let checkpoint = f.parameters.mapValues { $0 }.reduce(into: [String: Tensor]()) { d, kv in
            d[kv.key] = Tensor(shape: shapes[kv.key]!, doubles: kv.value)
        }
        try attention.pyTorchKeyMap.load(checkpoint, into: attention)
        for p in attention.parameters { p.value = p.value.cast(to: .float64) }
        let query = Tensor(shape: [z.batch, z.queryDim], doubles: f.query).requiringGradient()
        let keys = Tensor(shape: [z.batch, z.length, z.keyDim], doubles: f.keys).requiringGradient()
        let (context, weights) = attention(query: query, keys: keys, lengths: f.lengths)
        #expect(Self.maxError(context.doubles, f.context) < 1e-12)
        #expect(Self.maxError(weights.doubles, f.weights) < 1e-12)
        // Padding positions get exactly 0.
        let w = weights.doubles
        for b in 0..<z.batch { for j in f.lengths[b]..<z.length { #expect(w[b * z.length + j] == 0) } }
        (context * Tensor(shape: [z.batch, z.keyDim], doubles: f.cotangent)).sum().backward()
        #expect(Self.maxError(query.gradient!.doubles, f.gradQuery) < 1e-12)
        #expect(Self.maxError(keys.gradient!.doubles, f.gradKeys) < 1e-12)
        let ours = attention.pyTorchKeyMap.pyTorchStateDict(from: Dictionary(uniqueKeysWithValues:
            attention.namedParameters().map { ($0.0, $0.1.gradient!) }))
        for (name, expected) in f.gradParameters {
            #expect(Self.maxError(ours[name]!.doubles, expected) < 1e-12, "gradient of \(name)")
        }
    }

    @Test("a sentence of length 0 gets weights 0 and context 0, never NaN; gradients pass the Float64 check")
    func emptyAndGradientCheck() {
        var rng = RandomGenerator(seed: 4)
        let attention = BahdanauAttention(queryDim: 3, keyDim: 4, hiddenSize: 5, rng: &rng)
        for p in attention.parameters { p.value = p.value.cast(to: .float64) }
        let q = Tensor.randomNormal([2, 3], dtype: .float64, using: &rng)
        let k = Tensor.randomNormal([2, 6, 4], dtype: .float64, using: &rng)
        let (context, weights) = attention(query: q, keys: k, lengths: [0, 4])
        #expect(context.doubles[0..<4].allSatisfy { $0 == 0 } && weights.doubles[0..<6].allSatisfy { $0 == 0 })
        #expect(!context.doubles.contains { $0.isNaN })
        let result = GradientCheck.run(module: attention, inputs: [q, k]) { x in
            attention(query: x[0], keys: x[1], lengths: [3, 6]).context
        }
        #expect(result.maxRelativeError < 1e-3, "\(result)")
    }
}
