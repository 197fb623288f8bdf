import Attention
import AttentionText
import AttentionTransformers

/// A text classifier that shows which words it used: token embeddings, an encoder that gives each token a state in
/// context, **attention pooling** over the states, and a linear layer over the pooled summary.
///
///     x_1 … x_S   = E[w_1 … w_S]                                        [B, S, E]
///     gru:          h_i = [GRU→(x)_i ; GRU←(x)_i]                       [B, S, 2H]   (each direction over the real words only)
///     transformer:  h   = Encoder^N(x·√E + PE)  with key padding        [B, S, E]
///     α, p        = AttentionPooling(h)   (additive or scaled dot)      α [B, S], p [B, D]
///     logits      = W p + b                                             [B, C] → softmax over the labels
///
/// The attention weights α are what `attention classify run` shades the words by. Ids come from a
/// ``WordVocabulary`` built from the training texts; labels are the names found in the corpus, in order of first
/// appearance.
///
/// ```swift
/// let corpus = SentimentCorpus.generate(seed: 1)
/// let model = try AttentionClassifier.train(on: corpus.train.map { LabelledText(label: $0.label, text: $0.text) })
/// let result = model.classify(["the film was not good at all"])[0]
/// print(result.label, result.tokens, result.attention)
/// ```
public final class AttentionClassifier: Module {
    /// What gives each word its state in context before the pooling.
    public enum EncoderKind: String, Sendable, CaseIterable, Codable {
        /// A bidirectional GRU, or Transformer encoder blocks over embeddings with sinusoidal positions.
        case gru, transformer
    }

    /// Everything needed to rebuild the model's shape (saved in checkpoints).
    public struct Configuration: Sendable, Equatable, Codable {
        /// The encoder: a bidirectional GRU (the default) or Transformer encoder blocks.
        public var encoder: EncoderKind = .gru
        /// "additive" or "scaled-dot".
        public var scorer: String = AttentionPooling.Scorer.additive.rawValue
        /// E.
        public var embedding: Int = 32
        /// H per GRU direction (the state is 2H wide); the Transformer's feed-forward width is 2E·… see `feedForward`.
        public var hidden: Int = 32
        /// Transformer encoder blocks (only with `encoder == .transformer`).
        public var layers: Int = 2
        /// Attention heads per block (`embedding` must be a multiple; Transformer only).
        public var heads: Int = 4
        /// The hidden width of each block's feed-forward network (Transformer only).
        public var feedForward: Int = 64
        /// Longer texts are cut to this many words.
        public var maxLength: Int = 64

        /// The defaults of `attention classify train`: a GRU encoder with additive pooling.
        public init() {}

        /// Refuses sizes that cannot build a model, naming the field.
        public func validate() throws(ClassifierError) {
            func need(_ ok: Bool, _ what: String) throws(ClassifierError) { if !ok { throw .configuration(what) } }
            try need(AttentionPooling.Scorer(rawValue: scorer) != nil, "scorer must be additive or scaled-dot, found \(scorer)")
            try need((1...4096).contains(embedding), "embedding must be in 1...4096, found \(embedding)")
            try need((1...4096).contains(hidden), "hidden must be in 1...4096, found \(hidden)")
            try need((1...4096).contains(maxLength), "maxLength must be in 1...4096, found \(maxLength)")
            if encoder == .transformer {
                try need((1...24).contains(layers), "layers must be in 1...24, found \(layers)")
                try need(heads >= 1 && embedding % heads == 0, "embedding \(embedding) must be a multiple of heads \(heads)")
                try need((1...16384).contains(feedForward), "feedForward must be in 1...16384, found \(feedForward)")
            }
        }
    }

    /// The shape this model was built with.
    public let configuration: Configuration
    /// The words the model knows (from its training texts); unknown words are skipped when reading.
    public let vocabulary: WordVocabulary
    /// The label names, in the order of the logits.
    public let labels: [String]
    /// Word embeddings, [V, E].
    public let embedding: Embedding
    let forwardGRU: GRU?, backwardGRU: GRU?
    let layers: [TransformerEncoderLayer]
    /// The attention pooling whose weights α say which words the label came from.
    public let pooling: AttentionPooling
    /// The classifier, pooled summary → [C] logits.
    public let output: Linear

    /// A freshly initialised model over `vocabulary` and `labels`, drawn from `rng`.
    /// - Throws: `ClassifierError.configuration` when `Configuration/validate()` refuses `c`, or with fewer than 2 labels.
    public init(configuration c: Configuration, vocabulary: WordVocabulary, labels: [String], rng: inout RandomGenerator) throws(ClassifierError) {
        try c.validate()
        guard labels.count >= 2 else { throw .configuration("a classifier needs at least 2 labels, found \(labels.count): \(labels)") }
        configuration = c; self.vocabulary = vocabulary; self.labels = labels
        embedding = Embedding(weight: Tensor.randomNormal([vocabulary.count, c.embedding],
                                                          standardDeviation: 1 / Double(c.embedding).squareRoot(), using: &rng))
        let width: Int
        switch c.encoder {
        case .gru:
            forwardGRU = GRU(inputSize: c.embedding, hiddenSize: c.hidden, rng: &rng)
            backwardGRU = GRU(inputSize: c.embedding, hiddenSize: c.hidden, rng: &rng)
            layers = []
            width = 2 * c.hidden
        case .transformer:
            forwardGRU = nil; backwardGRU = nil
            let layer = TransformerLayerConfiguration(modelDim: c.embedding, numHeads: c.heads, feedForwardDim: c.feedForward,
                                                      feedForward: .gelu, dropout: 0, normPlacement: .pre)
            layers = (0..<c.layers).map { _ in TransformerEncoderLayer(layer, rng: &rng) }
            width = c.embedding
        }
        pooling = AttentionPooling(dimension: c.embedding + width, scorer: AttentionPooling.Scorer(rawValue: c.scorer)!, rng: &rng)
        output = Linear(inputSize: c.embedding + width, outputSize: labels.count, rng: &rng)
    }

    /// The layers in checkpoint order: embedding, encoder, pooling, output.
    override public var children: [(String, Module)] {
        var out: [(String, Module)] = [("embedding", embedding)]
        if let forwardGRU, let backwardGRU { out += [("forward", forwardGRU), ("backward", backwardGRU)] }
        out += layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
        return out + [("pooling", pooling), ("output", output)]
    }

    /// How `text` is read: its words (cut to `maxLength`), their ids, and the positions (into `words`) of the ids
    /// the encoder reads. Words the vocabulary does not know are skipped — they carry no evidence the model could
    /// have learned, and reading them as `<unk>` let unseen filler words draw the attention; a text with no known
    /// word is read as one `<unk>`.
    public func ids(for text: String) -> (ids: [Int], words: [String], positions: [Int], truncated: Bool) {
        var words = WordVocabulary.words(in: text)
        let truncated = words.count > configuration.maxLength
        words = Array(words.prefix(configuration.maxLength))
        let all = words.map(vocabulary.id(for:))
        let positions = all.indices.filter { all[$0] != WordVocabulary.unknown }
        if positions.isEmpty { return ([WordVocabulary.unknown], words, [], truncated) }
        return (positions.map { all[$0] }, words, positions, truncated)
    }

    /// Logits [B, C] and attention weights [B, S] of id sequences (each non-empty), padded to the longest.
    public func callAsFunction(_ batch: [[Int]]) -> (logits: Tensor, weights: Tensor) {
        precondition(!batch.isEmpty && batch.allSatisfy { !$0.isEmpty }, "AttentionClassifier: every sequence needs at least one id")
        let b = batch.count, s = batch.map(\.count).max()!, lengths = batch.map(\.count)
        func padded(_ rows: [[Int]]) -> [Int] {
            rows.flatMap { $0 + [Int](repeating: WordVocabulary.pad, count: s - $0.count) }
        }
        let states: Tensor
        if let forwardGRU, let backwardGRU {
            let (ahead, _) = forwardGRU(embedding(padded(batch), shape: [b, s]))                        // [B, S, H]
            // The backward direction reads each sentence's own words reversed, so padding never comes first.
            let (behind, _) = backwardGRU(embedding(padded(batch.map { $0.reversed() }), shape: [b, s]))  // [B, S, H], reversed
            let h = configuration.hidden
            let back = (0..<b).flatMap { i in (0..<s).flatMap { j in
                [Int](repeating: j < lengths[i] ? lengths[i] - 1 - j : j, count: h) } }
            states = Tensor.concatenate([ahead, behind.gather(axis: 1, indices: back, count: s)], axis: 2)  // [B, S, 2H]
        } else {
            let e = configuration.embedding
            var x = embedding(padded(batch), shape: [b, s]) * Double(e).squareRoot()
                + PositionalEncoding.sinusoidal(length: s, dimension: e, dtype: embedding.weight.value.dtype)
            for layer in layers { x = layer(x, mask: .keyPadding(lengths: lengths)) }                  // [B, S, E]
            states = x
        }
        // Scores see each word and its state in context; the average is over the states.
        let words = embedding(padded(batch), shape: [b, s])
        let both = Tensor.concatenate([words, states], axis: 2)                                // [B, S, E + D]
        let (pooled, weights) = pooling(both, lengths: lengths)
        return (output(pooled), weights)
    }

    /// One classified text: the label, every label's probability, the words read and their attention weights.
    public struct Result: Sendable, Equatable {
        /// The text classified.
        public let text: String
        /// The most probable label.
        public let label: String
        /// Every label's probability, in `AttentionClassifier/labels` order.
        public let probabilities: [Double]
        /// The words read (cut to `maxLength`), unknown ones included.
        public let tokens: [String]
        /// The pooling weight of each of `tokens` (they sum to 1 over the known words; unknown words get 0).
        public let attention: [Double]
        /// The text had more than `maxLength` words; only the first `maxLength` were read.
        public let truncated: Bool
        /// How many of `tokens` the vocabulary does not know (skipped by the encoder; their attention is 0).
        public let unknownWords: Int
    }

    /// Classifies each text on its own (no padding), without gradients; an empty list gives an empty list.
    public func classify(_ texts: [String]) -> [Result] {
        guard !texts.isEmpty else { return [] }
        return withoutGradients {
            texts.map { text in
                let (ids, words, positions, truncated) = self.ids(for: text)
                let (logits, weights) = self([ids])
                let p = logits.softmax(axis: -1).cast(to: .float64).doubles
                let best = p.indices.max { p[$0] < p[$1] }!
                // Weights back onto the words: skipped (unknown) words get 0.
                var attention = [Double](repeating: 0, count: words.count)
                for (w, position) in zip(weights.cast(to: .float64).doubles, positions) { attention[position] = w }
                return Result(text: text, label: labels[best], probabilities: p, tokens: words,
                              attention: attention, truncated: truncated,
                              unknownWords: words.count - positions.count)
            }
        }
    }
}

/// Why a classifier could not be built, trained or loaded.
public enum ClassifierError: Error, CustomStringConvertible, Equatable {
    /// A configuration that cannot build a model (the message names the field).
    case configuration(String)
    /// A training corpus that cannot be used (the message names the file and line).
    case corpus(String)

    /// The message, prefixed by what failed.
    public var description: String {
        switch self {
        case .configuration(let m): return "classifier configuration: \(m)"
        case .corpus(let m): return m
        }
    }
}
