import Foundation
import Testing
@testable import AttentionTransformers

struct GenerationTests {
    static let logits: [Double] = [1, 3, 2, 0, 2]

    static func softmax(_ x: [Double]) -> [Double] {
        let e = x.map { Foundation.exp($0) }, s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    @Test("Temperature divides the logits; top-k keeps the k largest (ties: lower id); top-p the smallest nucleus")
    func filters() {
        let p = Self.softmax(Self.logits)                       // ≈ [0.0718, 0.5301, 0.1950, 0.0264, 0.1950]
        expectClose(TokenSampler.probabilities(logits: Self.logits), p, atol: 1e-15, "plain softmax")
        expectClose(TokenSampler.probabilities(logits: Self.logits, temperature: 0.5), Self.softmax(Self.logits.map { $0 * 2 }),
                    atol: 1e-15, "temperature 0.5")
        // top-2: tokens 1 and 2 (2 and 4 tie; the lower id wins).
        let top2 = TokenSampler.probabilities(logits: Self.logits, topK: 2)
        expectClose(top2, [0, p[1] / (p[1] + p[2]), p[2] / (p[1] + p[2]), 0, 0], atol: 1e-15, "top-k 2")
        // top-p 0.7: 0.530 < 0.7 ≤ 0.530 + 0.195 → tokens 1, 2.
        expectClose(TokenSampler.probabilities(logits: Self.logits, topP: 0.7), top2, atol: 1e-15, "top-p 0.7")
        // top-p 0.5: the first token alone reaches it.
        #expect(TokenSampler.probabilities(logits: Self.logits, topP: 0.5) == [0, 1, 0, 0, 0])
        // top-k 3 (tokens 1, 2, 4) then top-p 0.8 over the renormalised three: 0.576, 0.788, 1.0 → all three.
        let top3 = TokenSampler.probabilities(logits: Self.logits, topK: 3, topP: 0.8)
        #expect(top3.filter { $0 > 0 }.count == 3 && top3[0] == 0 && top3[3] == 0)
        #expect(TokenSampler.argmax(Self.logits) == 1 && TokenSampler.argmax([2, 2]) == 0)
    }

    @Test("Draws follow the distribution (20 000 seeded draws within 0.015) and repeat with the seed")
    func draws() {
        let p = TokenSampler.probabilities(logits: Self.logits, topK: 3)
        var rng = RandomGenerator(seed: 42)
        var counts = [Int](repeating: 0, count: p.count)
        for _ in 0..<20_000 { counts[TokenSampler.draw(p, using: &rng)] += 1 }
        for (c, q) in zip(counts, p) { #expect(Swift.abs(Double(c) / 20_000 - q) < 0.015) }
        #expect(counts[0] == 0 && counts[3] == 0)
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        #expect((0..<50).map { _ in TokenSampler.draw(p, using: &a) } == (0..<50).map { _ in TokenSampler.draw(p, using: &b) })
    }

    static func model() -> Seq2SeqTransformer {
        var rng = RandomGenerator(seed: 11)
        let m = Seq2SeqTransformer(sourceVocabulary: 7, targetVocabulary: 6, layer: smallLayer(.pre, d: 8, heads: 2, ff: 8),
                                   encoderLayers: 1, decoderLayers: 2, rng: &rng)
        randomize(m, seed: 300, dtype: .float64, scale: 0.8)
        return m
    }

    @Test("Greedy and seeded sampling: cached decoding gives the same tokens as recomputing; temperature 0 is greedy")
    func generate() {
        let m = Self.model()
        let sources = [[2, 3, 4], [5, 6]]
        let cached = GenerationOptions(startID: 0, endID: 1, maxNewTokens: 6)
        var plain = cached
        plain.useCache = false
        let greedy = m.generate(sources: sources, options: cached)
        #expect(greedy == m.generate(sources: sources, options: plain))
        #expect(greedy.allSatisfy { $0.first == 0 && $0.count <= 7 && !$0.dropFirst().dropLast().contains(1) })
        let sampling = SamplingStrategy.sample(temperature: 1.3, topK: 4, topP: 0.9, seed: 5)
        let sampled = m.generate(sources: sources, options: cached, strategy: sampling)
        #expect(sampled == m.generate(sources: sources, options: plain, strategy: sampling))
        #expect(sampled == m.generate(sources: sources, options: cached, strategy: sampling))
        #expect(m.generate(sources: sources, options: cached, strategy: .sample(temperature: 0)) == greedy)
        // Greedy picks the argmax of the teacher-forced logits at every step.
        for (s, out) in zip(sources, greedy) {
            let logits = m.decode([Array(out.dropLast())], source: m.encode([s]))
            let v = logits.shape[2]
            for t in 0..<(out.count - 1) {
                #expect(TokenSampler.argmax(Array(logits.doubles[(t * v)..<((t + 1) * v)])) == out[t + 1])
            }
        }
    }

    /// log p(tokens | source) under the model, with teacher forcing.
    static func logProbability(_ m: Seq2SeqTransformer, source: [Int], tokens: [Int]) -> Double {
        let logits = m.decode([Array(tokens.dropLast())], source: m.encode([source])).logSoftmax(axis: -1).doubles
        let v = m.targetVocabulary
        return (1..<tokens.count).reduce(0) { $0 + logits[($1 - 1) * v + tokens[$1]] }
    }

    @Test("Beam search: exact on a small space (every sequence kept), cache-independent, width 1 = greedy")
    func beamSearch() {
        let m = Self.model()
        let source = [2, 3, 4]
        var options = GenerationOptions(startID: 0, endID: 1, maxNewTokens: 3)
        let beams = m.beamSearch(source: source, beamWidth: 32, options: options, lengthPenalty: 0)
        // Brute force: every continuation of ≤ 3 tokens from {0…5} that ends at the end token or at the cap.
        var best = (tokens: [Int](), logp: -Double.infinity)
        func visit(_ prefix: [Int]) {
            if prefix.last == 1 || prefix.count == 4 {
                let lp = Self.logProbability(m, source: source, tokens: prefix)
                if lp > best.logp { best = (prefix, lp) }
                return
            }
            for t in 0..<6 { visit(prefix + [t]) }
        }
        visit([0])
        #expect(beams.first?.tokens == best.tokens)
        #expect(Swift.abs((beams.first?.logProbability ?? 0) - best.logp) < 1e-9)
        #expect(zip(beams, beams.dropFirst()).allSatisfy { $0.score >= $1.score })
        for h in beams.prefix(5) { #expect(Swift.abs(h.logProbability - Self.logProbability(m, source: source, tokens: h.tokens)) < 1e-9) }
        options.maxNewTokens = 5
        var uncached = options
        uncached.useCache = false
        #expect(m.beamSearch(source: source, beamWidth: 3, options: options) == m.beamSearch(source: source, beamWidth: 3, options: uncached))
        #expect(m.beamSearch(source: source, beamWidth: 1, options: options).first?.tokens == m.generate(sources: [source], options: options)[0])
    }
}
