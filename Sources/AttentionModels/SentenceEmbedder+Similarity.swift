extension SentenceEmbedder {
    /// Cosine similarity of two embeddings, accumulated in Double: a·b / max(‖a‖·‖b‖, 1e-12) (the floor keeps a zero
    /// vector at similarity 0 instead of NaN). `a` and `b` must have the same length.
    public static func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "cosineSimilarity: vectors of \(a.count) and \(b.count) dimensions")
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / Swift.max((na * nb).squareRoot(), 1e-12)
    }

    /// The pairwise cosine similarities of `vectors`: [n][n], symmetric, 1 on the diagonal for non-zero vectors.
    public static func similarityMatrix(_ vectors: [[Float]]) -> [[Double]] {
        vectors.map { a in vectors.map { b in cosineSimilarity(a, b) } }
    }

    /// The `top` entries of `corpus` most similar to `query`, best first: (index into `corpus`, cosine similarity).
    /// Ties keep corpus order, so the ranking is deterministic.
    public static func rank(query: [Float], corpus: [[Float]], top: Int) -> [(index: Int, score: Double)] {
        precondition(top >= 0, "rank: top must be ≥ 0, got \(top)")
        let scores = corpus.enumerated().map { (index: $0.offset, score: cosineSimilarity(query, $0.element)) }
        return Array(scores.sorted { a, b in a.score > b.score || (a.score == b.score && a.index < b.index) }.prefix(top))
    }
}
