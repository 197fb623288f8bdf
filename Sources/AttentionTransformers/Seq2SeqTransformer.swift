import Attention

/// An encoder–decoder translation model: token embeddings scaled by √D plus sinusoidal positions, a
/// ``Transformer``, and a projection of the decoder output to target-vocabulary logits (the model of "Attention
/// Is All You Need", section 3.4 and 3.5).
///
/// Sequences are lists of token ids; a batch of sources may have different lengths (they are padded with
/// `padID` and masked by length). Decoding supports a ``TransformerDecoderCache`` so each generated token costs
/// one position, not the whole prefix.
public final class Seq2SeqTransformer: Module {
    /// Source token embeddings, [Vs, D].
    public let sourceEmbedding: Embedding
    /// Target token embeddings, [Vt, D].
    public let targetEmbedding: Embedding
    /// The encoder–decoder stacks.
    public let transformer: Transformer
    /// Decoder output [.., D] → logits [.., Vt].
    public let outputProjection: Linear
    /// The id that pads shorter sources and targets (masked, and ignored by the loss).
    public let padID: Int

    /// A source batch after the encoder.
    public struct EncodedSource {
        /// [B, S, D].
        public let memory: Tensor
        /// Lengths of the sources (the rest of each row is padding).
        public let lengths: [Int]
        /// The encoder's self-attention weights per layer, [B, H, S, S] each, when ``encode(_:weights:)`` was asked
        /// for them; empty otherwise.
        public var attention: [TransformerLayerAttention] = []
        /// The cross-attention mask these lengths imply.
        public var mask: AttentionMask { lengths.allSatisfy { $0 == memory.shape[1] } ? .none : .keyPadding(lengths: lengths) }
    }

    /// A freshly initialised model over vocabularies of `sourceVocabulary` and `targetVocabulary` ids.
    public init(sourceVocabulary: Int, targetVocabulary: Int, layer c: TransformerLayerConfiguration,
                encoderLayers: Int, decoderLayers: Int, padID: Int = 0, rng: inout RandomGenerator) {
        precondition(sourceVocabulary > 0 && targetVocabulary > 0, "Seq2SeqTransformer: vocabularies must be non-empty")
        let scale = 1 / Double(c.modelDim).squareRoot()
        // N(0, 1/D) rows, so that after the √D scaling the embeddings have unit variance, like the positions.
        sourceEmbedding = Embedding(weight: Tensor.randomNormal([sourceVocabulary, c.modelDim], standardDeviation: scale, using: &rng))
        targetEmbedding = Embedding(weight: Tensor.randomNormal([targetVocabulary, c.modelDim], standardDeviation: scale, using: &rng))
        transformer = Transformer(c, encoderLayers: encoderLayers, decoderLayers: decoderLayers, rng: &rng)
        outputProjection = Linear(inputSize: c.modelDim, outputSize: targetVocabulary, rng: &rng)
        self.padID = padID
    }

    /// The layers in checkpoint order.
    override public var children: [(String, Module)] {
        [("sourceEmbedding", sourceEmbedding), ("targetEmbedding", targetEmbedding), ("transformer", transformer),
         ("outputProjection", outputProjection)]
    }

    /// D, the model width.
    public var modelDim: Int { sourceEmbedding.weight.value.shape[1] }
    /// Vt, the number of target ids.
    public var targetVocabulary: Int { outputProjection.outputSize }

    /// ids [B][T] (equal lengths) → √D·E[ids] + PE[offset…] [B, T, D].
    func embed(_ table: Embedding, _ ids: [[Int]], offset: Int) -> Tensor {
        let b = ids.count, t = ids.first?.count ?? 0, d = modelDim
        precondition(ids.allSatisfy { $0.count == t }, "Seq2SeqTransformer: rows of the id batch must have equal lengths")
        let vocabulary = table.weight.value.shape[0]
        for row in ids { for id in row {
            precondition(id >= 0 && id < vocabulary, "Seq2SeqTransformer: token id \(id) is outside the vocabulary 0..<\(vocabulary)")
        } }
        let x = table(ids.flatMap { $0 }, shape: [b, t]) * Double(d).squareRoot()
        return x + PositionalEncoding.sinusoidal(length: t, dimension: d, offset: offset, dtype: x.dtype)
    }

    /// Runs the encoder over a batch of sources of any lengths (padded with `padID`). With `weights` other than
    /// `.none`, the result also carries each encoder layer's self-attention weights [B, H, S, S].
    public func encode(_ sources: [[Int]], weights: MultiHeadAttention.WeightsOutput = .none) -> EncodedSource {
        precondition(!sources.isEmpty, "Seq2SeqTransformer.encode: no source")
        let lengths = sources.map(\.count), s = lengths.max()!
        precondition(s > 0, "Seq2SeqTransformer.encode: every source is empty")
        let padded = sources.map { $0 + Array(repeating: padID, count: s - $0.count) }
        let mask: AttentionMask = lengths.allSatisfy { $0 == s } ? .none : .keyPadding(lengths: lengths)
        let (memory, attention) = transformer.encoder(embed(sourceEmbedding, padded, offset: 0), mask: mask, weights: weights)
        return EncodedSource(memory: memory, lengths: lengths, attention: attention)
    }

    /// Logits [B, T, Vt] for target ids [B][T]. Without a cache the ids are the whole prefix (causal
    /// self-attention); with one they are the next positions after those already cached.
    public func decode(_ targets: [[Int]], source: EncodedSource, cache: TransformerDecoderCache? = nil) -> Tensor {
        decode(targets, source: source, cache: cache, weights: .none).logits
    }

    /// Logits [B, T, Vt] and, unless `weights` is `.none`, each decoder layer's self-attention [B, H, T, T] and
    /// cross-attention [B, H, T, S] weights. With a cache the self-attention weights cover the cached positions
    /// too: one new token gives self [B, H, 1, S_so_far] and cross [B, H, 1, S] — the alignment of that token.
    public func decode(_ targets: [[Int]], source: EncodedSource, cache: TransformerDecoderCache? = nil,
                       weights: MultiHeadAttention.WeightsOutput) -> (logits: Tensor, attention: [TransformerLayerAttention]) {
        precondition(targets.count == source.memory.shape[0],
                     "Seq2SeqTransformer.decode: \(targets.count) target rows for \(source.memory.shape[0]) sources")
        let x = embed(targetEmbedding, targets, offset: cache?.length ?? 0)
        let (h, attention) = transformer.decoder(x, memory: source.memory, selfAttentionMask: TransformerMasks.causal,
                                                 memoryMask: source.mask, cache: cache, weights: weights)
        return (outputProjection(h), attention)
    }

    /// Teacher-forced logits for training: sources and target prefixes → [B, T, Vt].
    public func callAsFunction(sources: [[Int]], targets: [[Int]]) -> Tensor {
        decode(targets, source: encode(sources))
    }

    /// Teacher-forced logits [B, T, Vt] and every layer's attention weights (``TransformerAttention``).
    public func callAsFunction(sources: [[Int]], targets: [[Int]],
                               weights: MultiHeadAttention.WeightsOutput) -> (logits: Tensor, attention: TransformerAttention) {
        let source = encode(sources, weights: weights)
        let (logits, decoderWeights) = decode(targets, source: source, weights: weights)
        return (logits, TransformerAttention(encoder: source.attention, decoder: decoderWeights))
    }

    /// The same encoded source with its rows picked (repeats allowed): beams share one source.
    func select(_ source: EncodedSource, rows: [Int]) -> EncodedSource {
        EncodedSource(memory: source.memory.indexSelect(axis: 0, rows), lengths: rows.map { source.lengths[$0] },
                      attention: source.attention.map {
                          TransformerLayerAttention(selfAttention: $0.selfAttention.indexSelect(axis: 0, rows),
                                                    crossAttention: $0.crossAttention?.indexSelect(axis: 0, rows))
                      })
    }
}
