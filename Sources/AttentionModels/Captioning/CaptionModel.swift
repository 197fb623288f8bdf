import Attention
import AttentionTraining
import AttentionTransformers

/// Show, attend and tell (Xu et al., 2015) in miniature: a patch encoder reads a strip of handwritten digits, and a
/// GRU decoder with additive (Bahdanau) attention over the patch tokens says the digits one word per step, each
/// word with its attention map over the image. Read top to bottom:
///
///     strip [B, 8, 8k] / 16        cut into N = (8/P)·(8k/P) patches of P×P pixels,
///                                  each read with a c-pixel border                              [B, N, (P+2c)²]
///     x = patches·Wₑ + bₑ + row_r + col_j                 patch embedding, learned 2-D positions  [B, N, D]
///     h = LayerNorm(Encoder^L(x, mask))                   pre-norm Transformer blocks, local     [B, N, D]
///                                                         attention: |j − j'| ≤ window columns
///     s_0 = tanh(W_s · mean_n h_n + b_s)                  the decoder's first state              [B, H]
///     step t:  c_t, α_t = BahdanauAttention(query: s_(t−1), keys: h)   α_t [B, N]: where word t looks
///              s_t      = GRUCell([E[y_(t−1)]; c_t], s_(t−1))          y_(−1) = <sos>            [B, H]
///              logits_t = W_o · [s_t; c_t] + b_o          over the ten digit words and <eos>     [B, 11]
///
/// Why local attention: with global self-attention the encoder is free to move what it knows about a digit to
/// tokens elsewhere (into a neighbour's cell, or the bottom row), so the decoder can read a digit without looking at
/// it; with a window of 2 patch columns each side a token's knowledge stays within a few pixels of where it came
/// from. On validation strips of held-back training rows this raised the 3-digit exact match from 0.90 (global,
/// 1-pixel border) to 0.96 (window 2, 3-pixel border), and kept the attention on the digit being named.
///
/// The column positions cover `maxDigits` cells (8·maxDigits/P columns); a strip of k ≤ maxDigits digits uses the
/// first 8k/P of them. Training is teacher-forced (``loss(strips:targets:)``); ``caption(_:)`` decodes greedily and
/// upsamples each α_t to the pixels, [8][8k] summing to 1.
public final class CaptionModel: Module {
    /// The model's shape (saved in checkpoints); `validate()` refuses sizes that cannot build a model.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Strips of up to this many digits (2...16; the model reads k in 1...maxDigits, the task uses 2…4).
        public var maxDigits = 4
        /// P: patches are P×P pixels (P divides 8).
        public var patch = 2
        /// c: each token also reads a border of c pixels around its patch (zeros outside the strip): with the default
        /// 3 a 2×2 patch token reads an 8×8 window centred on its patch.
        public var patchContext = 3
        /// D, the encoder width.
        public var dimension = 64
        /// Encoder blocks.
        public var layers = 3
        /// Attention heads per encoder block (`dimension` must be a multiple).
        public var heads = 4
        /// The hidden width of each encoder block's feed-forward network.
        public var feedForward = 128
        /// H, the decoder GRU's width.
        public var hidden = 128
        /// E, the word embedding width.
        public var embedding = 32
        /// A, the width inside the additive attention.
        public var attentionSize = 64
        /// Dropout inside the encoder blocks while training.
        public var dropout = 0.0
        /// Local self-attention in the encoder: a token attends only to tokens at most `window` patch columns to its
        /// left or right (every row); 0 attends everywhere. Local attention keeps what a token knows near where it
        /// is, so the decoder has to look at a digit to read it.
        public var window = 2
        /// The defaults of `attention caption train`.
        public init() {}

        /// Patch rows of the strip: 8 / P.
        public var patchRows: Int { DigitStrips.cell / patch }
        /// Patch columns of one digit cell.
        public var cellColumns: Int { DigitStrips.cell / patch }
        /// Tokens of a strip of k digits: N = (8/P)·(8k/P).
        public func tokens(digits k: Int) -> Int { patchRows * cellColumns * k }
        /// Pixels a token reads: (P + 2c)².
        public var tokenPixels: Int { (patch + 2 * patchContext) * (patch + 2 * patchContext) }

        /// Refuses sizes that cannot build a model, naming the field and its value.
        /// - Throws: `CaptionError.configuration`.
        public func validate() throws(CaptionError) {
            func need(_ ok: Bool, _ what: String) throws(CaptionError) { if !ok { throw .configuration(what) } }
            try need((2...16).contains(maxDigits), "maxDigits must be in 2...16, found \(maxDigits)")
            try need([1, 2, 4, 8].contains(patch), "patch \(patch) must divide 8 (1, 2, 4 or 8)")
            try need((0...4).contains(patchContext), "patchContext must be in 0...4, found \(patchContext)")
            try need((1...2048).contains(dimension) && heads >= 1 && dimension % heads == 0,
                     "dimension \(dimension) must be in 1...2048 and a multiple of heads \(heads)")
            try need((1...24).contains(layers), "layers must be in 1...24, found \(layers)")
            try need((1...8192).contains(feedForward), "feedForward must be in 1...8192, found \(feedForward)")
            try need((1...4096).contains(hidden) && (1...4096).contains(embedding) && (1...4096).contains(attentionSize),
                     "hidden \(hidden), embedding \(embedding) and attentionSize \(attentionSize) must be in 1...4096")
            try need((0..<1).contains(dropout), "dropout must be in [0, 1), found \(dropout)")
            try need((0...1024).contains(window), "window must be in 0...1024, found \(window)")
        }
    }

    /// Output ids 0…9 are the digits, 10 is <eos>; the decoder also reads id 11, <sos>.
    public static let endOfCaption = 10, startOfCaption = 11

    /// The shape this model was built with.
    public let configuration: Configuration
    /// A token's (P+2c)² pixels → D.
    public let patchEmbedding: Linear
    /// Learnt row positions, [8/P, D].
    public let rowPositions: Parameter        // [8/P, D]
    /// Learnt column positions over the whole strip, [8·maxDigits/P, D]: a strip longer than `maxDigits` has no positions.
    public let columnPositions: Parameter     // [8·maxDigits/P, D]
    /// The pre-norm encoder blocks, with local self-attention when `window` > 0.
    public let layers: [TransformerEncoderLayer]
    /// The encoder's final LayerNorm.
    public let norm: LayerNorm
    /// The decoder's first state from the mean encoder state, D → H.
    public let initialState: Linear           // D → H
    /// Word embeddings, [12, E]: the ten digits, `endOfCaption` and `startOfCaption`.
    public let wordEmbedding: Embedding       // [12, E]
    /// Bahdanau's additive attention of the decoder state (query, H) over the encoder states (keys, D), width A.
    public let attention: BahdanauAttention   // query H, keys D, width A
    /// The decoder GRU: previous word and attended context [E + D] → state H.
    public let decoder: GRUCell               // [E + D] → H
    /// The next-word logits from state and context, [H + D] → 11 (ten digits and `endOfCaption`).
    public let output: Linear                 // [H + D] → 11

    /// A freshly initialised model drawn from `rng` (same seed, same weights).
    /// - Throws: `CaptionError.configuration` when `Configuration/validate()` refuses `c`.
    public init(_ c: Configuration, rng: inout RandomGenerator) throws(CaptionError) {
        try c.validate()
        configuration = c
        let d = c.dimension
        patchEmbedding = Linear(inputSize: c.tokenPixels, outputSize: d, rng: &rng)
        rowPositions = Parameter(Tensor.randomNormal([c.patchRows, d], standardDeviation: 0.02, using: &rng))
        columnPositions = Parameter(Tensor.randomNormal([c.cellColumns * c.maxDigits, d], standardDeviation: 0.02, using: &rng))
        let layer = TransformerLayerConfiguration(modelDim: d, numHeads: c.heads, feedForwardDim: c.feedForward,
                                                  feedForward: .gelu, dropout: c.dropout, normPlacement: .pre)
        layers = TransformerEncoderLayer.stack(layer, count: c.layers, seedStride: 7919, rng: &rng)
        norm = LayerNorm([d])
        initialState = Linear(inputSize: d, outputSize: c.hidden, rng: &rng)
        wordEmbedding = Embedding(weight: Tensor.randomNormal([12, c.embedding], standardDeviation: 1 / Double(c.embedding).squareRoot(), using: &rng))
        attention = BahdanauAttention(queryDim: c.hidden, keyDim: d, hiddenSize: c.attentionSize, rng: &rng)
        decoder = GRUCell(inputSize: c.embedding + d, hiddenSize: c.hidden, rng: &rng)
        output = Linear(inputSize: c.hidden + d, outputSize: 11, rng: &rng)
    }

    /// The parameters that belong to no child layer: the position tables (checkpoint names).
    override public var ownParameters: [(String, Parameter)] {
        [("rowPositions", rowPositions), ("columnPositions", columnPositions)]
    }

    /// The layers in checkpoint order, encoder first.
    override public var children: [(String, Module)] {
        [("patchEmbedding", patchEmbedding)] + layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
            + [("norm", norm), ("initialState", initialState), ("wordEmbedding", wordEmbedding), ("attention", attention),
               ("decoder", decoder), ("output", output)]
    }

    /// Strips of k digits each (row-major 8 × 8k, values 0…16) → tokens [B, N, (P+2c)²] scaled to 0…1: token
    /// n = r·(8k/P) + j reads rows rP−c … rP+P+c−1 and columns jP−c … jP+P+c−1, zeros outside the strip.
    public func patches(_ strips: [[Double]], digits k: Int) -> Tensor {
        let c = configuration, p = c.patch, h = DigitStrips.cell, w = h * k, border = c.patchContext
        var values = [Double]()
        values.reserveCapacity(strips.count * c.tokens(digits: k) * c.tokenPixels)
        for strip in strips {
            precondition(strip.count == h * w, "CaptionModel: a strip has \(strip.count) pixels, expected \(h * w) for \(k) digits")
            for r in 0..<(h / p) { for col in 0..<(w / p) {
                for i in (r * p - border)..<(r * p + p + border) { for j in (col * p - border)..<(col * p + p + border) {
                    let inside = (0..<h).contains(i) && (0..<w).contains(j)
                    values.append(inside ? strip[i * w + j] / DigitImages.maximumValue : 0)
                } }
            } }
        }
        return Tensor(shape: [strips.count, c.tokens(digits: k), c.tokenPixels], doubles: values)
            .cast(to: patchEmbedding.weight.value.dtype)
    }

    /// The encoded batch: token states h [B, N, D], their attention projection [B, N, A], the first state [B, H].
    struct Encoded {
        let states: Tensor, projected: Tensor, initial: Tensor
    }

    /// Encodes strips that all hold k digits.
    func encode(_ strips: [[Double]], digits k: Int) -> Encoded {
        let c = configuration, d = c.dimension, b = strips.count, columns = c.cellColumns * k
        precondition(b > 0, "CaptionModel: no strips")
        precondition((1...c.maxDigits).contains(k), "CaptionModel: strips of \(k) digits, this model reads 1...\(c.maxDigits)")
        let grid = rowPositions.value.reshaped([c.patchRows, 1, d])
            + columnPositions.value.slice(axis: 0, 0..<columns).reshaped([1, columns, d])          // [8/P, 8k/P, D]
        var x = patchEmbedding(patches(strips, digits: k)) + grid.reshaped([1, c.patchRows * columns, d])   // [B, N, D]
        let mask = encoderMask(digits: k)
        for layer in layers { x = layer(x, mask: mask) }
        let states = norm(x)                                                                       // [B, N, D]
        let initial = initialState(states.mean(axis: 1)).tanh()                                    // [B, H]
        return Encoded(states: states, projected: attention.projectKeys(states), initial: initial)
    }

    /// The encoder's mask for strips of k digits: `.none`, or with a `window` the boolean [N, N] mask that lets
    /// token (r, j) attend to token (r', j') when |j − j'| ≤ window.
    func encoderMask(digits k: Int) -> AttentionMask {
        let c = configuration, columns = c.cellColumns * k, n = c.tokens(digits: k)
        guard c.window > 0, c.window < columns - 1 else { return .none }
        var allowed = [Bool](repeating: false, count: n * n)
        for i in 0..<n { for j in 0..<n { allowed[i * n + j] = abs(i % columns - j % columns) <= c.window } }
        return .boolean(BoolTensor(shape: [n, n], values: allowed))
    }

    /// One decoder step: previous ids [B] → (logits [B, 11], new state [B, H], attention over the tokens [B, N]).
    func step(_ previous: [Int], state: Tensor, _ e: Encoded) -> (logits: Tensor, state: Tensor, weights: Tensor) {
        AttendedWordDecoding.step(previous, state: state, projectedKeys: e.projected, values: e.states,
                                  attention: attention, embedding: wordEmbedding, cell: decoder, output: output)
    }

    /// Mean cross-entropy of every digit word and the final <eos> under teacher forcing; every strip of the batch
    /// holds `targets[b].count` = k digits, the same k for all. `labelSmoothing` ε spreads ε of each target's mass
    /// evenly over the 11 outputs.
    public func loss(strips: [[Double]], targets: [[Int]], labelSmoothing: Double = 0) -> Tensor {
        precondition(strips.count == targets.count && !targets.isEmpty, "CaptionModel: \(strips.count) strips for \(targets.count) captions")
        let k = targets[0].count
        precondition(targets.allSatisfy { $0.count == k }, "CaptionModel: a batch needs strips of one length")
        let e = encode(strips, digits: k)
        return AttendedWordDecoding.teacherForcedLoss(targets: targets, start: Self.startOfCaption, end: Self.endOfCaption,
                                                      initial: e.initial, labelSmoothing: labelSmoothing) { previous, state in
            let out = step(previous, state: state, e)
            return (out.logits, out.state)
        }
    }
}

/// Why a captioning model could not be built, trained or loaded, or a strip not read.
public enum CaptionError: Error, CustomStringConvertible, Equatable {
    /// A configuration that cannot build a model (the message names the field).
    case configuration(String)
    /// Data that cannot be captioned or trained on (the message names the source).
    case data(String)

    /// The message, prefixed by what failed.
    public var description: String {
        switch self {
        case .configuration(let m): return "caption model configuration: \(m)"
        case .data(let m): return m
        }
    }
}
