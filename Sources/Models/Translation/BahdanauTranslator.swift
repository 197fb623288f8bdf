import Attention
import Text
import Training

/// The sequence-to-sequence translator of the Bahdanau attention tutorial: a GRU encoder, and a GRU decoder that
/// at every step attends over the encoder outputs with additive attention (Bahdanau, Cho & Bengio, 2015).
///
///     encoder:  h_1 … h_S = GRU(E_src[x_1 … x_S])                       (padding positions are masked below)
///     step t:   c_t, α_t  = BahdanauAttention(query: s_(t−1), keys: h)     α_t [S]: the alignment row of step t
///               s_t       = GRUCell([E_tgt[y_(t−1)]; c_t], s_(t−1))        s_0 = h at each sentence's last word
///               logits_t  = W_o [s_t; c_t] + b_o                          → softmax over the target vocabulary
///
/// Sizes: embedding E, hidden H, attention width A. Ids use the ``WordVocabulary`` specials (`<pad>` 0, `<sos>` 1,
/// `<eos>` 2, `<unk>` 3). Training uses teacher forcing (``loss(sources:targets:)``); ``translation(of:maxLength:)``
/// decodes greedily and returns the alignment matrix [T_out, S] that a heatmap shows.
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let model = BahdanauTranslator(sourceVocabulary: fr, targetVocabulary: en, embedding: 32, hidden: 64, rng: &rng)
/// let trainer = Trainer(optimizer: Adam(parameters: model.parameters, learningRate: 0.01))
/// for _ in 0..<300 { try trainer.step { model.loss(sources: french, targets: english) } }
/// let result = model.translation(of: "je suis étudiant .")   // words, alignment, rowLabels, reachedEnd
/// ```
public final class BahdanauTranslator: Module {
    public let sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary
    public let sourceEmbedding: Embedding, targetEmbedding: Embedding
    public let encoder: GRU
    public let attention: BahdanauAttention
    public let decoder: GRUCell
    public let output: Linear

    public init(sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary, embedding: Int = 32, hidden: Int = 64,
                attentionSize: Int? = nil, rng: inout RandomGenerator) {
        precondition(embedding > 0 && hidden > 0, "BahdanauTranslator: embedding \(embedding) and hidden \(hidden) must be positive")
        self.sourceVocabulary = sourceVocabulary
        self.targetVocabulary = targetVocabulary
        let scale = 1 / Double(embedding).squareRoot()
        sourceEmbedding = Embedding(weight: Tensor.randomNormal([sourceVocabulary.count, embedding], standardDeviation: scale, using: &rng))
        targetEmbedding = Embedding(weight: Tensor.randomNormal([targetVocabulary.count, embedding], standardDeviation: scale, using: &rng))
        encoder = GRU(inputSize: embedding, hiddenSize: hidden, rng: &rng)
        attention = BahdanauAttention(queryDim: hidden, keyDim: hidden, hiddenSize: attentionSize ?? hidden, rng: &rng)
        decoder = GRUCell(inputSize: embedding + hidden, hiddenSize: hidden, rng: &rng)
        output = Linear(inputSize: 2 * hidden, outputSize: targetVocabulary.count, rng: &rng)
    }

    override public var children: [(String, Module)] {
        [("sourceEmbedding", sourceEmbedding), ("targetEmbedding", targetEmbedding), ("encoder", encoder),
         ("attention", attention), ("decoder", decoder), ("output", output)]
    }

    /// The encoded batch: outputs [B, S, H], their attention projection, the initial decoder state [B, H], lengths.
    struct Encoded {
        let outputs: Tensor, projected: Tensor, state: Tensor, lengths: [Int]
    }

    /// Encodes source id sequences (each non-empty), padded to the longest.
    func encode(_ sources: [[Int]]) -> Encoded {
        precondition(!sources.isEmpty && sources.allSatisfy { !$0.isEmpty }, "BahdanauTranslator: every source needs at least one id")
        let b = sources.count, s = sources.map(\.count).max()!
        var ids = [Int](repeating: WordVocabulary.pad, count: b * s)
        for (i, row) in sources.enumerated() { for (j, id) in row.enumerated() { ids[i * s + j] = id } }
        let (outputs, _) = encoder(sourceEmbedding(ids, shape: [b, s]))                        // [B, S, H]
        let h = outputs.shape[2], lengths = sources.map(\.count)
        // The state after each sentence's own last word (later steps only read padding).
        let last = (0..<b).flatMap { i in [Int](repeating: lengths[i] - 1, count: h) }
        let state = outputs.gather(axis: 1, indices: last, count: 1).reshaped([b, h])
        return Encoded(outputs: outputs, projected: attention.projectKeys(outputs), state: state, lengths: lengths)
    }

    /// One decoder step: previous ids [B] → (logits [B, V], new state, alignment row [B, S]).
    func step(_ previous: [Int], state: Tensor, _ e: Encoded) -> (logits: Tensor, state: Tensor, weights: Tensor) {
        let (context, weights) = attention(query: state, projectedKeys: e.projected, values: e.outputs, lengths: e.lengths)
        let embedded = targetEmbedding(previous, shape: [previous.count])                      // [B, E]
        let next = decoder(Tensor.concatenate([embedded, context], axis: 1), hidden: state)    // [B, H]
        let logits = output(Tensor.concatenate([next, context], axis: 1))                      // [B, V]
        return (logits, next, weights)
    }

    /// Mean cross-entropy of the target words (and `<eos>`) under teacher forcing. sources and targets are id
    /// sequences without specials; the decoder reads `<sos>` + target and predicts target + `<eos>`.
    public func loss(sources: [[Int]], targets: [[Int]]) -> Tensor {
        precondition(sources.count == targets.count, "BahdanauTranslator: \(sources.count) sources for \(targets.count) targets")
        let e = encode(sources)
        let steps = targets.map(\.count).max()! + 1
        var state = e.state, logits: [Tensor] = [], expected: [Int] = []
        for t in 0..<steps {
            let previous = targets.map { t == 0 ? WordVocabulary.start : (t - 1 < $0.count ? $0[t - 1] : WordVocabulary.pad) }
            let out = step(previous, state: state, e)
            state = out.state
            logits.append(out.logits)
            expected += targets.map { t < $0.count ? $0[t] : (t == $0.count ? WordVocabulary.end : WordVocabulary.pad) }
        }
        let all = Tensor.concatenate(logits, axis: 0)                                          // [steps·B, V]
        return Loss.crossEntropy(logits: all, targets: expected, ignoreIndex: WordVocabulary.pad)
    }

    /// A greedy translation: the words produced, the alignment [T_out, S] (row t: where step t looked; columns are
    /// the source words of `WordVocabulary.words(in:)`), and whether the decoder ended it with `<eos>`.
    ///
    /// When the decoder never emits `<eos>` within the length limit, `reachedEnd` is false and the alignment has one
    /// row per word; otherwise it has one more row, for `<eos>`. ``rowLabels`` gives the labels in both cases.
    public struct Translation: Sendable, Equatable {
        public let words: [String]
        public let alignment: [[Double]]
        /// False when the output stopped at the length limit without `<eos>`.
        public let reachedEnd: Bool
        /// The source words the vocabulary does not know (translated as `<unk>`), in order.
        public let unknownWords: [String]

        /// The alignment's row labels: the words, and `<eos>` when the decoder produced it.
        public var rowLabels: [String] { reachedEnd ? words + [WordVocabulary.specialTokens[WordVocabulary.end]] : words }
    }

    /// Greedy translation of `sentence` with at most `maxLength` words; see ``Translation``.
    public func translation(of sentence: String, maxLength: Int = 30) -> Translation {
        let source = WordVocabulary.words(in: sentence)
        let ids = source.map(sourceVocabulary.id(for:))
        let unknown = zip(source, ids).filter { $0.1 == WordVocabulary.unknown }.map(\.0)
        guard !ids.isEmpty else { return Translation(words: [], alignment: [], reachedEnd: true, unknownWords: []) }
        return withoutGradients {
            let e = encode([ids])
            var state = e.state, previous = WordVocabulary.start
            var words: [String] = [], alignment: [[Double]] = [], ended = false
            for _ in 0..<maxLength {
                let out = step([previous], state: state, e)
                state = out.state
                alignment.append(out.weights.cast(to: .float64).doubles)
                previous = out.logits.argmax(axis: 1)[0]
                if previous == WordVocabulary.end { ended = true; break }
                words.append(targetVocabulary.word(for: previous) ?? WordVocabulary.specialTokens[WordVocabulary.unknown])
            }
            return Translation(words: words, alignment: alignment, reachedEnd: ended, unknownWords: unknown)
        }
    }

    /// Greedy translation of `sentence`: the target words and the alignment [T_out, S] (row t: where step t looked;
    /// columns are the source words of `WordVocabulary.words(in:)`). The alignment has a last row for `<eos>` only
    /// when the decoder produced it; ``translation(of:maxLength:)`` says which (and gives the row labels).
    public func translate(_ sentence: String, maxLength: Int = 30) -> (words: [String], alignment: [[Double]]) {
        let t = translation(of: sentence, maxLength: maxLength)
        return (t.words, t.alignment)
    }
}
