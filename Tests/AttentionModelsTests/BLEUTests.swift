import Foundation
import Testing
@testable import AttentionModels

/// BLEU against sacrebleu 2.6.0 (`Scripts/make_bleu_fixtures.py`): the 13a tokens exactly, the n-gram statistics
/// exactly, the score to 1e-9 (same formula, same order of operations up to the last few ulps).
@Suite struct BLEUTests {
    static var fixture: [String: Any] {
        let url = Bundle.module.url(forResource: "bleu", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test func tokenisationMatchesSacrebleu() {
        let cases = Self.fixture["tokenize_13a"] as! [[String: Any]]
        #expect(cases.count >= 20)
        for c in cases {
            let line = c["line"] as! String
            #expect(BLEU.tokenize13a(BLEU.prepare(line, lowercase: false)) == c["tokens"] as! [String], "line \(line.debugDescription)")
        }
    }

    @Test func corpusScoresMatchSacrebleu() {
        let cases = Self.fixture["corpus"] as! [[String: Any]]
        #expect(cases.count >= 20)
        var zeros = 0, hundreds = 0
        for (k, c) in cases.enumerated() {
            let s = BLEU.corpus(hypotheses: c["hypotheses"] as! [String], referenceSets: c["references"] as! [[String]])
            let expected = c["score"] as! Double
            #expect(s.matches == c["matches"] as! [Int], "corpus \(k)")
            #expect(s.totals == c["totals"] as! [Int], "corpus \(k)")
            #expect(s.hypothesisLength == c["hypothesis_length"] as! Int, "corpus \(k)")
            #expect(s.referenceLength == c["reference_length"] as! Int, "corpus \(k)")
            #expect(abs(s.brevityPenalty - (c["brevity_penalty"] as! Double)) <= 1e-12, "corpus \(k)")
            for (p, q) in zip(s.precisions, c["precisions"] as! [Double]) { #expect(abs(p - q) <= 1e-9, "corpus \(k)") }
            #expect(abs(s.score - expected) <= 1e-9, "corpus \(k): \(s.score) vs sacrebleu \(expected)")
            if expected == 0 { zeros += 1 }
            if abs(expected - 100) < 1e-9 { hundreds += 1 }
        }
        // The fixture covers the edge cases it claims to: a zero score and perfect scores beside ordinary ones.
        #expect(zeros >= 1 && hundreds >= 1 && cases.count - zeros - hundreds >= 15)
    }

    @Test func handArithmetic() {
        // "the cat sat" vs "the cat sat on": 3/3 unigrams, 2/2 bigrams, 1/1 trigram, no 4-grams → precision 0 → 0.
        #expect(BLEU.corpus(hypotheses: ["the cat sat"], references: ["the cat sat on"]).score == 0)
        // One 4-gram-long sentence, one word wrong at the end: p = 3/4, 2/3, 1/2, 1/(2·1) (exp smoothing), BP = 1.
        let s = BLEU.corpus(hypotheses: ["a b c x"], references: ["a b c d"])
        let expected = 100 * exp((log(0.75) + log(2.0 / 3) + log(0.5) + log(0.5)) / 4)
        #expect(abs(s.score - expected) < 1e-9)
        #expect(s.matches == [3, 2, 1, 0] && s.totals == [4, 3, 2, 1])
        // Brevity: hypothesis 4 tokens, reference 8 → BP = e^(1 − 2).
        let short = BLEU.corpus(hypotheses: ["a b c d"], references: ["a b c d e f g h"])
        #expect(abs(short.brevityPenalty - exp(-1.0)) < 1e-15)
        #expect(abs(short.score - 100 * exp(-1.0)) < 1e-9)
    }
}
