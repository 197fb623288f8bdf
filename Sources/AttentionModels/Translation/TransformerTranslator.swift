import Attention
import AttentionText
import AttentionTraining
import AttentionTransformers

/// The seed-002 encoder–decoder as a translator: ``Seq2SeqTransformer`` (embeddings × √D plus sinusoidal
/// positions, pre- or post-norm layers) over word ids of a ``WordVocabulary`` on each side.
///
///     encoder:  memory = Encoder^N(√D·E_src[x] + PE)            key padding masked        [B, S, D]
///     decoder:  h      = Decoder^N(√D·E_tgt[<sos> y] + PE, memory)   causal self-attention  [B, T+1, D]
///     logits   = W h + b                                         → softmax over the target words
///
/// The alignment of a translation is the **last decoder layer's cross-attention averaged over its heads**, one row
/// per produced word (and `<eos>`), read from a teacher-forced pass over the decoded words (the same weights the
/// cached decoding computed: the decoder is causal). Decoding is greedy or beam search, with a key–value cache.
public final class TransformerTranslator: Module, Translator {
    /// The shape of the model (saved in checkpoints).
    public struct Configuration: Sendable, Equatable, Codable {
        /// D, the model width.
        public var modelDim = 64
        /// Attention heads per layer (`modelDim` must be a multiple).
        public var heads = 4
        /// The hidden width of each layer's feed-forward network (ReLU).
        public var feedForward = 128
        /// Encoder layers (self-attention + feed-forward).
        public var encoderLayers = 2
        /// Decoder layers (causal self-attention, cross-attention, feed-forward).
        public var decoderLayers = 2
        /// Dropout while training (attention weights, after each sublayer, in the feed-forward).
        public var dropout = 0.1
        /// "pre" (norm first) or "post" (the original Transformer).
        public var norm = "pre"
        /// The defaults: D = 64, 4 heads, 2 + 2 pre-norm layers, dropout 0.1.
        public init() {}

        /// Refuses sizes that cannot build a model, naming the field and its value.
        /// - Throws: `TranslationError.configuration`.
        public func validate() throws(TranslationError) {
            func need(_ ok: Bool, _ what: String) throws(TranslationError) { if !ok { throw .configuration(what) } }
            try need((1...4096).contains(modelDim), "modelDim must be in 1...4096, found \(modelDim)")
            try need(heads >= 1 && modelDim % heads == 0, "modelDim \(modelDim) must be a multiple of heads \(heads)")
            try need((1...16384).contains(feedForward), "feedForward must be in 1...16384, found \(feedForward)")
            try need((1...24).contains(encoderLayers) && (1...24).contains(decoderLayers),
                     "layers must be in 1...24, found \(encoderLayers) and \(decoderLayers)")
            try need((0..<1).contains(dropout), "dropout must be in [0, 1), found \(dropout)")
            try need(["pre", "post"].contains(norm), "norm must be pre or post, found \(norm)")
        }
    }

    /// The shape this model was built with.
    public let configuration: Configuration
    /// The French and English words, in id order (ids 0–3 are the special tokens).
    public let sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary
    /// The encoder–decoder Transformer over the word ids.
    public let model: Seq2SeqTransformer

    /// A freshly initialised translator drawn from `rng`; `seed` seeds its dropout.
    /// - Throws: `TranslationError.configuration` when `Configuration/validate()` refuses `c`.
    public init(configuration c: Configuration, sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary,
                seed: UInt64, rng: inout RandomGenerator) throws(TranslationError) {
        try c.validate()
        configuration = c
        self.sourceVocabulary = sourceVocabulary; self.targetVocabulary = targetVocabulary
        let layer = TransformerLayerConfiguration(modelDim: c.modelDim, numHeads: c.heads, feedForwardDim: c.feedForward,
                                                  feedForward: .relu, dropout: c.dropout,
                                                  normPlacement: c.norm == "pre" ? .pre : .post, seed: seed)
        model = Seq2SeqTransformer(sourceVocabulary: sourceVocabulary.count, targetVocabulary: targetVocabulary.count,
                                   layer: layer, encoderLayers: c.encoderLayers, decoderLayers: c.decoderLayers,
                                   padID: WordVocabulary.pad, rng: &rng)
    }

    /// The layers in checkpoint order (one child, `model`).
    override public var children: [(String, Module)] { [("model", model)] }

    /// The teacher-forced cross-entropy of `targets` given `sources` (word ids, rows of any lengths), padding ignored.
    /// The decoder reads `<sos>` + target and predicts target + `<eos>`.
    public func loss(sources: [[Int]], targets: [[Int]], labelSmoothing: Double = 0) -> Tensor {
        precondition(sources.count == targets.count, "TransformerTranslator: \(sources.count) sources for \(targets.count) targets")
        let t = targets.map(\.count).max()! + 1
        // The decoder reads <sos> + target and predicts target + <eos>; padding at the end of a row is never read by
        // the real positions before it (causal), and the loss ignores it.
        let inputs = targets.map { [WordVocabulary.start] + $0 + [Int](repeating: WordVocabulary.pad, count: t - 1 - $0.count) }
        let expected = targets.flatMap { $0 + [WordVocabulary.end] + [Int](repeating: WordVocabulary.pad, count: t - 1 - $0.count) }
        let logits = model(sources: sources, targets: inputs)                                  // [B, T+1, V]
        return Loss.crossEntropy(logits: logits.reshaped([sources.count * t, logits.shape[2]]), targets: expected,
                                 ignoreIndex: WordVocabulary.pad, labelSmoothing: labelSmoothing)
    }

    /// Greedy (`beam` ≤ 1) or beam-search decoding with a key–value cache, at most `maxLength` words each; every result
    /// carries the per-head cross-attention of a teacher-forced pass over the words it produced.
    public func decode(_ sources: [[Int]], maxLength: Int, beam: Int) -> [DecodedTranslation] {
        let options = GenerationOptions(startID: WordVocabulary.start, endID: WordVocabulary.end, maxNewTokens: maxLength)
        let outputs: [[Int]] = withoutGradients {
            beam <= 1 ? model.generate(sources: sources, options: options)
                : sources.map { s in model.beamSearch(source: s, beamWidth: beam, options: options).first?.tokens ?? [WordVocabulary.start] }
        }
        return zip(sources, outputs).map { source, tokens in
            let ended = tokens.count > 1 && tokens.last == WordVocabulary.end
            let ids = Array(tokens.dropFirst().prefix { $0 != WordVocabulary.end })
            let heads = crossAttention(source: source, target: ids, withEnd: ended)
            return DecodedTranslation(ids: ids, alignment: Self.lastLayerAverage(heads), reachedEnd: ended, crossAttention: heads)
        }
    }

    /// The last layer's mean cross-attention [T + 1, S] while reading `target` (then `<eos>`) under teacher forcing.
    public func teacherForcedAlignment(source: [Int], target: [Int]) -> [[Double]] {
        Self.lastLayerAverage(crossAttention(source: source, target: target, withEnd: true))
    }

    /// The mean over heads of the last layer: [row][column].
    static func lastLayerAverage(_ heads: [[[[Double]]]]) -> [[Double]] {
        guard let last = heads.last, let first = last.first else { return [] }
        return first.indices.map { r in first[r].indices.map { c in last.reduce(0) { $0 + $1[r][c] } / Double(last.count) } }
    }
}

/// Why a translator could not be built, trained or loaded.
public enum TranslationError: Error, CustomStringConvertible, Equatable {
    /// A configuration that cannot build a model (the message names the field).
    case configuration(String)
    /// A training corpus that cannot be used.
    case corpus(String)

    /// The message, prefixed by what failed.
    public var description: String {
        switch self {
        case .configuration(let m): return "translator configuration: \(m)"
        case .corpus(let m): return m
        }
    }
}
