import Foundation
import Attention
import AttentionAudio
import AttentionTraining
import AttentionTransformers

/// Listen, attend and spell (Chan et al., 2016) in miniature: a Transformer encoder reads log-mel frames, and a GRU
/// decoder with additive (Bahdanau) attention over the encoded frames writes the digit words one per step, each word
/// with its alignment over the audio. Read top to bottom:
///
///     log-mel [T, M] (100 frames/s), each bin minus its mean over the utterance, divided by 4
///     token j reads frames sj − c … sj + s − 1 + c (zeros outside): a strided 1-D convolution of
///     width s + 2c and stride s, written as one Linear over the stacked frames    [B, N, (s+2c)·M], N = ⌈T/s⌉
///     x = conv(frames) + sinusoidal position                                          [B, N, D]
///     h = LayerNorm(Encoder^L(x, padding ∧ −window ≤ j' − j ≤ lookahead))             [B, N, D]
///     s_0 = tanh(W_s · mean_{j < N_b} h_j + b_s)                                      [B, H]
///     step t:  c_t, α_t = BahdanauAttention(query: s_(t−1), keys: h, lengths N_b)     α_t [B, N]
///              s_t      = GRUCell([E[y_(t−1)]; c_t], s_(t−1))     y_(−1) = <sos>       [B, H]
///              logits_t = W_o · [s_t; c_t] + b_o                  ten words and <eos>  [B, 11]
///
/// The local window keeps what a token knows near where it was said, so the decoder has to look at a word to say
/// it, which is what makes α_t an alignment (the captioner's finding, `CaptionModel`). Token j covers frames
/// sj … sj + s − 1, whose centre is at (sj + (s − 1)/2) · 10 ms (librosa-centred frames: frame t is centred at t·hop).
public final class SpeechRecognizer: Module {
    /// The model's shape and its features (saved in checkpoints); `validate()` refuses what cannot be built.
    public struct Configuration: Sendable, Equatable, Codable {
        /// The features (16 kHz, 40 Slaney mels, 25 ms windows every 10 ms by default).
        public var features = LogMel.Configuration()
        /// s: frames per encoder token (the subsampling).
        public var stride = 4
        /// c: frames of context each side of a token's own s frames.
        public var context = 0
        /// D, the encoder width.
        public var dimension = 96
        /// Encoder blocks.
        public var layers = 2
        /// Attention heads per encoder block (`dimension` must be a multiple).
        public var heads = 4
        /// The hidden width of each encoder block's feed-forward network.
        public var feedForward = 192
        /// A token attends to tokens at most `window` tokens to its left and `lookahead` to its right (window 0:
        /// everywhere).
        public var window = 1
        /// Tokens to the right a token may attend to (see `window`).
        public var lookahead = 1
        /// H, the decoder GRU's width; E, the word embedding width; A, the width inside the additive attention.
        public var hidden = 128
        /// E, the word embedding width.
        public var embedding = 32
        /// A, the width inside the additive attention.
        public var attentionSize = 64
        /// Dropout inside the encoder blocks while training.
        public var dropout = 0.0
        /// Decoding stops after this many words even without <eos>.
        public var maxWords = 12
        /// The defaults of `attention listen train`.
        public init() {}

        /// Every key is optional (a missing one takes its default; `lookahead` defaults to `window`), so a
        /// checkpoint written before a field existed still loads as it was trained.
        public init(from decoder: Decoder) throws {
            let k = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try k.decodeIfPresent(T.self, forKey: key) ?? fallback }
            features = try value(.features, d.features); stride = try value(.stride, d.stride); context = try value(.context, d.context)
            dimension = try value(.dimension, d.dimension); layers = try value(.layers, d.layers); heads = try value(.heads, d.heads)
            feedForward = try value(.feedForward, d.feedForward); window = try value(.window, d.window)
            lookahead = try value(.lookahead, window); hidden = try value(.hidden, d.hidden)
            embedding = try value(.embedding, d.embedding); attentionSize = try value(.attentionSize, d.attentionSize)
            dropout = try value(.dropout, d.dropout); maxWords = try value(.maxWords, d.maxWords)
        }

        /// Inputs of one token: (s + 2c) frames of M mels.
        public var tokenInputs: Int { (stride + 2 * context) * features.mels }
        /// Encoder tokens of T frames: ⌈T / s⌉.
        public func tokens(frames: Int) -> Int { (frames + stride - 1) / stride }
        /// The time in seconds at the centre of token j.
        public func tokenCentre(_ j: Int) -> Double {
            (Double(stride * j) + Double(stride - 1) / 2) * Double(features.hop) / Double(features.sampleRate)
        }

        /// Refuses features and sizes that cannot build a model, naming the field and its value.
        /// - Throws: `SpeechError.configuration`.
        public func validate() throws(SpeechError) {
            func need(_ ok: Bool, _ what: String) throws(SpeechError) { if !ok { throw .configuration(what) } }
            let f = features
            try need(f.fftSize >= 2 && f.fftSize & (f.fftSize - 1) == 0 && f.fftSize <= 8192, "fftSize \(f.fftSize) must be a power of two in 2...8192")
            try need((1...f.fftSize).contains(f.window) && f.hop >= 1 && (1...256).contains(f.mels) && f.sampleRate >= 1000
                     && f.minimumFrequency >= 0 && f.maximumFrequency > f.minimumFrequency && f.floor > 0,
                     "features \(f) are not a usable log-mel configuration")
            try need((1...16).contains(stride) && (0...16).contains(context), "stride must be in 1...16 and context in 0...16, found \(stride), \(context)")
            try need((1...2048).contains(dimension) && heads >= 1 && dimension % heads == 0,
                     "dimension \(dimension) must be in 1...2048 and a multiple of heads \(heads)")
            try need((1...24).contains(layers) && (1...8192).contains(feedForward), "layers \(layers) in 1...24, feedForward \(feedForward) in 1...8192")
            try need((0...4096).contains(window) && (0...4096).contains(lookahead), "window and lookahead must be in 0...4096, found \(window), \(lookahead)")
            try need((1...4096).contains(hidden) && (1...4096).contains(embedding) && (1...4096).contains(attentionSize),
                     "hidden \(hidden), embedding \(embedding) and attentionSize \(attentionSize) must be in 1...4096")
            try need((0..<1).contains(dropout) && (1...100).contains(maxWords), "dropout in [0, 1) and maxWords in 1...100")
        }
    }

    /// The output words, index = id; id 10 is <eos>, and the decoder also reads id 11, <sos>.
    public static let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    /// The ids of <eos> (an output) and <sos> (read by the decoder at the first step).
    public static let endOfUtterance = 10, startOfUtterance = 11

    /// The shape this model was built with.
    public let configuration: Configuration
    /// The token embedding over (s + 2c) frames of M mels → D (a strided convolution written as a linear map).
    public let convolution: Linear             // (s+2c)·M → D
    /// The pre-norm encoder blocks with local self-attention.
    public let layers: [TransformerEncoderLayer]
    /// The encoder's final LayerNorm.
    public let norm: LayerNorm
    /// The decoder's first state from the mean encoder state, D → H.
    public let initialState: Linear            // D → H
    /// Word embeddings, [12, E]: ten digits, <eos> and <sos>.
    public let wordEmbedding: Embedding        // [12, E]
    /// Bahdanau's additive attention of the decoder state (query, H) over the encoder tokens (keys, D), width A.
    public let attention: BahdanauAttention    // query H, keys D, width A
    /// The decoder GRU: previous word and context [E + D] → state H.
    public let decoder: GRUCell                // [E + D] → H
    /// The next-word logits from state and context, [H + D] → 11.
    public let output: Linear                  // [H + D] → 11
    let logMel: LogMel

    /// A freshly initialised model drawn from `rng` (same seed, same weights).
    /// - Throws: `SpeechError.configuration` when `Configuration/validate()` refuses `c`.
    public init(_ c: Configuration, rng: inout RandomGenerator) throws(SpeechError) {
        try c.validate()
        configuration = c
        logMel = LogMel(c.features)
        let d = c.dimension
        convolution = Linear(inputSize: c.tokenInputs, outputSize: d, rng: &rng)
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

    /// The layers in checkpoint order, encoder first.
    override public var children: [(String, Module)] {
        [("convolution", convolution)] + layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
            + [("norm", norm), ("initialState", initialState), ("wordEmbedding", wordEmbedding), ("attention", attention),
               ("decoder", decoder), ("output", output)]
    }

    /// Log-mel features [T][M] of mono samples at any rate (resampled to the configured rate first).
    public func features(samples: [Float], sampleRate: Int) -> [[Double]] {
        logMel(Resampler.resample(samples, from: sampleRate, to: configuration.features.sampleRate))
    }

    /// Each mel bin minus its mean over the utterance, over 4: a gain of the recording becomes a constant in the
    /// log domain, and this removes it.
    public static func normalised(_ f: [[Double]]) -> [[Double]] {
        guard let m = f.first?.count, !f.isEmpty else { return f }
        let means = (0..<m).map { j in f.reduce(0) { $0 + $1[j] } / Double(f.count) }
        return f.map { row in (0..<m).map { (row[$0] - means[$0]) / 4 } }
    }

    /// The batch's stacked frames [B, N, (s+2c)·M] (N = the longest utterance's tokens; zeros past each one's end)
    /// and each utterance's token count.
    func stacked(_ batch: [[[Double]]]) -> (Tensor, [Int]) {
        let c = configuration, m = c.features.mels, width = c.stride + 2 * c.context
        let lengths = batch.map { c.tokens(frames: $0.count) }, n = lengths.max() ?? 0
        var values = [Double](repeating: 0, count: batch.count * n * width * m)
        for (b, frames) in batch.enumerated() {
            precondition(frames.allSatisfy { $0.count == m }, "SpeechRecognizer: frames of \(frames.first?.count ?? 0) mels, expected \(m)")
            for j in 0..<lengths[b] { for k in 0..<width {
                let t = c.stride * j - c.context + k
                guard t >= 0 && t < frames.count else { continue }
                let base = ((b * n + j) * width + k) * m
                for i in 0..<m { values[base + i] = frames[t][i] }
            } }
        }
        return (Tensor(shape: [batch.count, n, width * m], doubles: values).cast(to: convolution.weight.value.dtype), lengths)
    }

    /// Sinusoidal positions [N, D]: pe[j][2i] = sin(j / 10000^(2i/D)), pe[j][2i+1] = cos(…).
    func positions(_ n: Int) -> Tensor {
        let d = configuration.dimension
        var v = [Double](repeating: 0, count: n * d)
        for j in 0..<n { for i in 0..<d {
            let angle = Double(j) / pow(10_000, Double(i - i % 2) / Double(d))
            v[j * d + i] = i % 2 == 0 ? sin(angle) : cos(angle)
        } }
        return Tensor(shape: [n, d], doubles: v).cast(to: convolution.weight.value.dtype)
    }

    /// The encoded batch: states h [B, N, D], their attention projection [B, N, A], the first state [B, H], lengths.
    struct Encoded {
        let states: Tensor, projected: Tensor, initial: Tensor, lengths: [Int]
    }

    /// Encodes normalised features [B][T][M] (utterances may differ in T).
    func encode(_ batch: [[[Double]]]) -> Encoded {
        precondition(!batch.isEmpty && batch.allSatisfy { !$0.isEmpty }, "SpeechRecognizer: an empty batch or utterance")
        let c = configuration, d = c.dimension
        let (frames, lengths) = stacked(batch)
        let n = frames.shape[1], b = batch.count
        var x = convolution(frames) + positions(n).reshaped([1, n, d])                            // [B, N, D]
        var mask = AttentionMask.keyPadding(lengths: lengths)
        if c.window > 0 && (c.window < n - 1 || c.lookahead < n - 1) {
            mask = mask && .slidingWindow(left: c.window, right: c.lookahead, alignment: .upperLeft)
        }
        for layer in layers { x = layer(x, mask: mask) }
        let states = norm(x)                                                                    // [B, N, D]
        let valid = Tensor(shape: [b, n, 1], doubles: lengths.flatMap { l in (0..<n).map { $0 < l ? 1.0 / Double(l) : 0 } })
            .cast(to: states.dtype)
        let initial = initialState((states * valid).sum(axis: 1)).tanh()                        // [B, H]
        return Encoded(states: states, projected: attention.projectKeys(states), initial: initial, lengths: lengths)
    }

    /// One decoder step: previous ids [B] → (logits [B, 11], new state [B, H], attention over the tokens [B, N]).
    func step(_ previous: [Int], state: Tensor, _ e: Encoded) -> (logits: Tensor, state: Tensor, weights: Tensor) {
        AttendedWordDecoding.step(previous, state: state, projectedKeys: e.projected, values: e.states, lengths: e.lengths,
                                  attention: attention, embedding: wordEmbedding, cell: decoder, output: output)
    }

    /// Mean cross-entropy of every word and the final <eos> under teacher forcing; every utterance of the batch says
    /// `targets[b].count` = k words, the same k for all.
    public func loss(features batch: [[[Double]]], targets: [[Int]]) -> Tensor {
        precondition(batch.count == targets.count && !targets.isEmpty, "SpeechRecognizer: \(batch.count) utterances for \(targets.count) transcripts")
        let k = targets[0].count
        precondition(targets.allSatisfy { $0.count == k }, "SpeechRecognizer: a batch needs transcripts of one length")
        let e = encode(batch)
        return AttendedWordDecoding.teacherForcedLoss(targets: targets, start: Self.startOfUtterance, end: Self.endOfUtterance,
                                                      initial: e.initial) { previous, state in
            let out = step(previous, state: state, e)
            return (out.logits, out.state)
        }
    }
}

/// Why a speech model could not be built, trained or loaded, or its data read.
public enum SpeechError: Error, CustomStringConvertible, Equatable {
    /// A configuration that cannot build a model (the message names the field).
    case configuration(String)
    /// Audio or a corpus that cannot be used (the message names the file).
    case data(String)

    /// The message, prefixed by what failed.
    public var description: String {
        switch self {
        case .configuration(let m): return "speech model configuration: \(m)"
        case .data(let m): return m
        }
    }
}
