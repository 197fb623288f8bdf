import Foundation
import Testing
@testable import Attention

struct PositionalEncodingTests {
    /// "Attention Is All You Need", section 3.5: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(…),
    /// written here pair by pair, independently of the library's loop over columns.
    static func paper(_ length: Int, _ d: Int, offset: Int = 0) -> [Double] {
        var table = Array(repeating: [Double](repeating: .nan, count: d), count: length)
        for pos in 0..<length {
            for i in 0..<((d + 1) / 2) {
                let angle = Double(pos + offset) / Foundation.pow(10_000.0, Double(2 * i) / Double(d))
                table[pos][2 * i] = Foundation.sin(angle)
                if 2 * i + 1 < d { table[pos][2 * i + 1] = Foundation.cos(angle) }
            }
        }
        return table.flatMap { $0 }
    }

    @Test("Sinusoidal encoding equals the paper's formula", arguments: [(50, 16, 0), (7, 5, 0), (9, 64, 100)])
    func sinusoidal(_ length: Int, _ d: Int, _ offset: Int) {
        let pe = PositionalEncoding.sinusoidal(length: length, dimension: d, offset: offset, dtype: .float64)
        #expect(pe.shape == [length, d])
        expectClose(pe.doubles, Self.paper(length, d, offset: offset), atol: 1e-15, "float64")
        let pe32 = PositionalEncoding.sinusoidal(length: length, dimension: d, offset: offset)
        expectClose(pe32.doubles, Self.paper(length, d, offset: offset).map { Double(Float($0)) }, atol: 0, "float32 = rounded float64")
    }

    @Test("Known values: position 0 is [0, 1, 0, 1, …]; PE(1, 0) = sin 1; the last pair of d = 4 uses 10000^(2/4) = 100")
    func knownValues() {
        let pe = PositionalEncoding.sinusoidal(length: 2, dimension: 4, dtype: .float64).doubles
        #expect(Array(pe[0..<4]) == [0, 1, 0, 1])
        #expect(pe[4] == Foundation.sin(1.0) && pe[5] == Foundation.cos(1.0))
        #expect(Swift.abs(pe[6] - Foundation.sin(0.01)) < 1e-17 && Swift.abs(pe[7] - Foundation.cos(0.01)) < 1e-16)
    }

    @Test("Learned positions and rotary embeddings pass the Float64 gradient checker")
    func gradients() {
        var rng = RandomGenerator(seed: 21)
        let learned = LearnedPositionalEmbedding(maxLength: 5, dimension: 3, rng: &rng)
        learned.convert(to: .float64)
        let r1 = GradientCheck.run(module: learned, inputs: [randomTensor([2, 3, 3], seed: 22)]) { learned($0[0], offset: 1) }
        #expect(r1.maxRelativeError < 1e-3, "\(r1)")
        for pairing in [RotaryEmbedding.Pairing.halves, .interleaved] {
            let rope = RotaryEmbedding(dimension: 4, pairing: pairing)
            let r2 = GradientCheck.run([randomTensor([1, 2, 3, 4], seed: 23)]) { rope($0[0], offset: 2) }
            #expect(r2.maxRelativeError < 1e-3, "\(r2)")
        }
    }
}
