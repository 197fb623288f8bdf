import Testing
import AttentionModels

/// The similarity and ranking of `attention similarity` and `attention search`, now in the library.
@Suite("Sentence similarity and ranking")
struct SimilarityTests {
    @Test("cosine similarity: hand values, a zero vector gives 0 (not NaN)")
    func cosine() {
        #expect(abs(SentenceEmbedder.cosineSimilarity([1, 0], [1, 1]) - 0.5.squareRoot()) < 1e-12)
        #expect(SentenceEmbedder.cosineSimilarity([3, 4], [-3, -4]) == -1)
        #expect(SentenceEmbedder.cosineSimilarity([0, 0], [1, 2]) == 0)
        let m = SentenceEmbedder.similarityMatrix([[1, 0], [0, 2], [1, 1]])
        #expect(m[0][1] == 0 && m[1][0] == 0 && abs(m[0][0] - 1) < 1e-12 && abs(m[2][1] - 0.5.squareRoot()) < 1e-12)
    }

    @Test("ranking: best first, ties in corpus order, at most top entries")
    func ranking() {
        let corpus: [[Float]] = [[0, 1], [1, 0], [2, 0], [1, 1], [-1, 0]]
        let ranked = SentenceEmbedder.rank(query: [1, 0], corpus: corpus, top: 3)
        #expect(ranked.map(\.index) == [1, 2, 3])
        #expect(ranked[0].score == 1 && ranked[1].score == 1 && abs(ranked[2].score - 0.5.squareRoot()) < 1e-12)
        #expect(SentenceEmbedder.rank(query: [1, 0], corpus: corpus, top: 9).map(\.index) == [1, 2, 3, 0, 4])
    }
}
