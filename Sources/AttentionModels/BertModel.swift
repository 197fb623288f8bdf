import Attention
import Foundation

/// The hyper-parameters of a BERT encoder, read from a Hugging Face `config.json`.
public struct BertConfig: Codable, Sendable, Equatable {
    /// V: `vocab_size`, the word-embedding rows.
    public var vocabSize: Int
    /// D: `hidden_size`, the model width (384 for all-MiniLM-L6-v2).
    public var hiddenSize: Int
    /// `num_hidden_layers`: encoder layers.
    public var numHiddenLayers: Int
    /// `num_attention_heads` (D must be a multiple).
    public var numAttentionHeads: Int
    /// `intermediate_size`: the feed-forward width.
    public var intermediateSize: Int
    /// `max_position_embeddings`: the longest input in tokens, [CLS] and [SEP] included.
    public var maxPositionEmbeddings: Int
    /// `type_vocab_size`: segment ids (2: first and second text).
    public var typeVocabSize: Int
    /// `layer_norm_eps`.
    public var layerNormEps: Double
    /// `hidden_act`, the feed-forward activation's name; see `activation`.
    public var hiddenAct: String

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
    }

    /// A configuration from its values (the defaults are BERT's).
    public init(vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
                maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEps: Double = 1e-12, hiddenAct: String = "gelu") {
        self.vocabSize = vocabSize; self.hiddenSize = hiddenSize; self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads; self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings; self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps; self.hiddenAct = hiddenAct
    }

    /// The activation named by `hidden_act` ("gelu" is the exact erf form in Hugging Face's BERT).
    public var activation: Activation? {
        switch hiddenAct {
        case "gelu": return .gelu
        case "gelu_new", "gelu_pytorch_tanh": return .geluTanh
        case "relu": return .relu
        case "silu", "swish": return .silu
        default: return nil
        }
    }
}

/// word + position + token-type embeddings, then LayerNorm. ids [B, L] → [B, L, D].
public final class BertEmbeddings: Module {
    /// The word [V, D], position [max positions, D] and token-type [types, D] tables.
    public let words: Embedding, positions: Embedding, tokenTypes: Embedding
    /// The LayerNorm over their sum.
    public let norm: LayerNorm

    init(_ c: BertConfig, weights: inout BertWeightSource) {
        words = weights.embedding(c.vocabSize, c.hiddenSize)
        positions = weights.embedding(c.maxPositionEmbeddings, c.hiddenSize)
        tokenTypes = weights.embedding(c.typeVocabSize, c.hiddenSize)
        norm = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
    }

    /// The layers in checkpoint order.
    override public var children: [(String, Module)] {
        [("words", words), ("positions", positions), ("tokenTypes", tokenTypes), ("norm", norm)]
    }

    /// `tokenTypes` [B·L] (segment ids), nil for all 0.
    func callAsFunction(ids: [Int], batch: Int, length: Int, tokenTypes types: [Int]? = nil) -> Tensor {
        let w = words(ids, shape: [batch, length])                                   // [B, L, D]
        let p = positions(Array(0..<length), shape: [length])                        // [L, D]
        guard let types else {
            let t = tokenTypes([Int](repeating: 0, count: length), shape: [length])  // [L, D]
            return norm(w + p + t)
        }
        return norm(w + p + tokenTypes(types, shape: [batch, length]))               // [B, L, D]
    }
}

/// One post-norm encoder layer: x = LN(x + Attn(x)); x = LN(x + W₂·act(W₁x)).
public final class BertLayer: Module {
    /// The attention projections, D → D each (`attention.self.query` … `attention.output.dense`).
    public let query: Linear, key: Linear, value: Linear, attentionOutput: Linear
    /// The LayerNorm after the attention's residual.
    public let attentionNorm: LayerNorm
    /// The feed-forward, D → intermediate → D.
    public let intermediate: Linear, output: Linear
    /// The LayerNorm after the feed-forward's residual.
    public let outputNorm: LayerNorm
    let heads: Int
    let activation: Activation
    /// Reduced-precision copies of some of the six matrices (BertModel.setPrecision); the rest run Float32.
    var reduced: [BertMatrix: ReducedWeight] = [:]
    /// While BertModel.setPrecision calibrates: the largest input magnitude per channel of each matrix.
    var inputMaxima: [BertMatrix: [Float]]?

    init(_ c: BertConfig, weights: inout BertWeightSource) {
        let d = c.hiddenSize
        query = weights.linear(d, d)
        key = weights.linear(d, d)
        value = weights.linear(d, d)
        attentionOutput = weights.linear(d, d)
        attentionNorm = LayerNorm(d, eps: c.layerNormEps)
        intermediate = weights.linear(d, c.intermediateSize)
        output = weights.linear(c.intermediateSize, d)
        outputNorm = LayerNorm(d, eps: c.layerNormEps)
        heads = c.numAttentionHeads
        activation = c.activation ?? .gelu
    }

    /// The layers in checkpoint order.
    override public var children: [(String, Module)] {
        [("query", query), ("key", key), ("value", value), ("attentionOutput", attentionOutput),
         ("attentionNorm", attentionNorm), ("intermediate", intermediate), ("output", output), ("outputNorm", outputNorm)]
    }

    /// x [B, L, D], lengths [B] (real tokens per sentence; padding keys are masked) → [B, L, D].
    func callAsFunction(_ x: Tensor, lengths: [Int]) -> Tensor {
        forward(x, lengths: lengths, needsWeights: false).output
    }

    /// The layer's output and, with `needsWeights`, its attention weights [B, H, L, L] (rows sum to 1 over the real
    /// keys), which the fused kernel returns beside its output (no second pass over the scores).
    func forward(_ x: Tensor, lengths: [Int], needsWeights: Bool) -> (output: Tensor, weights: Tensor?) {
        let (b, l, d) = (x.shape[0], x.shape[1], x.shape[2]), e = d / heads
        func split(_ t: Tensor) -> Tensor { t.reshaped([b, l, heads, e]).permuted([0, 2, 1, 3]) }   // [B, H, L, E]
        let (context, weights) = scaledDotProductAttention(query: split(project(.query, x)), key: split(project(.key, x)),
                                                           value: split(project(.value, x)),
                                                           mask: .keyPadding(lengths: lengths), needsWeights: needsWeights)
        let merged = context.permuted([0, 2, 1, 3]).reshaped([b, l, d])                      // [B, L, D]
        let h = attentionNorm(project(.attentionOutput, merged), residual: x)
        return (outputNorm(project(.output, project(.intermediate, h, activation: activation)), residual: h), weights)
    }
}

/// The BERT encoder: embeddings and `numHiddenLayers` layers. ids [B, L] (padded), lengths [B] → hidden [B, L, D].
public final class BertModel: Module {
    /// The configuration read from `config.json`.
    public let config: BertConfig
    /// The embeddings block.
    public let embeddings: BertEmbeddings
    /// The encoder layers, first to last.
    public let layers: [BertLayer]
    /// What the linear layers compute in (`setPrecision`); fp32 unless set.
    public internal(set) var precision: InferencePrecision = .fp32

    /// A randomly initialised model (load a checkpoint with `load(huggingFace:)`).
    public convenience init(config: BertConfig, seed: UInt64 = 0) {
        var weights = BertWeightSource(rng: RandomGenerator(seed: seed))
        self.init(config: config, weights: &weights)
    }

    /// A model whose weights are all zeros held as broadcast views of one element: no memory and no random
    /// draws, for a model about to be overwritten by `load(huggingFace:)` (drawing 23 M normal numbers that
    /// are thrown away took most of the load time).
    static func placeholder(config: BertConfig) -> BertModel {
        var weights = BertWeightSource(rng: nil)
        return BertModel(config: config, weights: &weights)
    }

    init(config: BertConfig, weights: inout BertWeightSource) {
        self.config = config
        embeddings = BertEmbeddings(config, weights: &weights)
        layers = (0..<config.numHiddenLayers).map { _ in BertLayer(config, weights: &weights) }
    }

    /// The layers in checkpoint order.
    override public var children: [(String, Module)] {
        [("embeddings", embeddings)] + layers.enumerated().map { ("layers.\($0.offset)", $0.element as Module) }
    }

    /// ids [B·L] (padded), lengths [B], tokenTypes [B·L] (segment ids; nil: all 0) → hidden [B, L, D].
    public func callAsFunction(ids: [Int], batch: Int, length: Int, lengths: [Int], tokenTypes: [Int]? = nil) -> Tensor {
        forward(ids: ids, batch: batch, length: length, lengths: lengths, tokenTypes: tokenTypes, outputAttentions: false).hidden
    }

    /// The hidden states [B, L, D] and, with `outputAttentions` (Hugging Face's `output_attentions=True`), every
    /// layer's attention weights [B, H, L, L] in layer order (empty otherwise). The weights come from the fused
    /// attention kernel of the same forward pass; without them the pass is the plain one.
    public func forward(ids: [Int], batch: Int, length: Int, lengths: [Int], tokenTypes: [Int]? = nil,
                        outputAttentions: Bool) -> (hidden: Tensor, attentions: [Tensor]) {
        precondition(ids.count == batch * length && lengths.count == batch,
                     "BertModel: \(ids.count) ids for [\(batch), \(length)], \(lengths.count) lengths")
        precondition(tokenTypes == nil || tokenTypes!.count == ids.count,
                     "BertModel: \(tokenTypes?.count ?? 0) token types for \(ids.count) ids")
        var x = embeddings(ids: ids, batch: batch, length: length, tokenTypes: tokenTypes)
        var attentions: [Tensor] = []
        for layer in layers {
            let (y, weights) = layer.forward(x, lengths: lengths, needsWeights: outputAttentions)
            x = y
            if let weights { attentions.append(weights) }
        }
        return (x, attentions)
    }
}

/// Initial weights for a new model: PyTorch's default initialisation drawn from `rng`, or zero placeholders.
struct BertWeightSource {
    var rng: RandomGenerator?

    static func zeros(_ shape: [Int]) -> Tensor { Tensor.zeros([1]).reshaped(shape.map { _ in 1 }).expanded(to: shape) }

    mutating func linear(_ input: Int, _ output: Int) -> Linear {
        if rng != nil { return Linear(inputSize: input, outputSize: output, rng: &rng!) }
        return Linear(weight: Self.zeros([output, input]), bias: Self.zeros([output]))
    }

    mutating func embedding(_ count: Int, _ dimension: Int) -> Embedding {
        if rng != nil { return Embedding(count: count, dimension: dimension, rng: &rng!) }
        return Embedding(weight: Self.zeros([count, dimension]))
    }
}
