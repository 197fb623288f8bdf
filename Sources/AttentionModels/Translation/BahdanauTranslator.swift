import Attention
import AttentionText
import AttentionTraining

/// The translator of Bahdanau, Cho & Bengio (2015), "Neural machine translation by jointly learning to align and
/// translate": a **bidirectional** GRU encoder, additive attention, and a GRU decoder fed the context.
///
///     annotations: h_j      = [GRU→(x)_j ; GRU←(x)_j]                      [B, S, 2H]  (each direction over the real words)
///     start:       s_0      = tanh(W_s · GRU←(x)_1)                        [B, H]
///     step t:      c_t, α_t = BahdanauAttention(query: s_(t−1), keys: h)     α_t [B, S]: the alignment row of step t
///                  s_t      = GRUCell([E_tgt[y_(t−1)]; c_t], s_(t−1))
///                  logits_t = W_o [s_t; c_t; E_tgt[y_(t−1)]] + b_o           [B, V]  (the paper's output reads s, c and y)
///
/// Sizes: embedding E, hidden H per direction and in the decoder, attention width A. Ids use the
/// ``WordVocabulary`` specials (`<pad>` 0, `<sos>` 1, `<eos>` 2, `<unk>` 3). Batches of any lengths: padding is
/// masked in the attention (weight 0) and in the loss (ignored). Training is teacher-forced
/// (``loss(sources:targets:)``); ``translation(of:maxLength:)`` decodes greedily and returns the alignment.
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let model = BahdanauTranslator(sourceVocabulary: fr, targetVocabulary: en, embedding: 32, hidden: 64, rng: &rng)
/// let trainer = Trainer(optimizer: Adam(parameters: model.parameters, learningRate: 0.01))
/// for _ in 0..<300 { try trainer.step { model.loss(sources: french, targets: english) } }
/// let result = model.translation(of: "je suis étudiant .")   // words, alignment, rowLabels, reachedEnd
/// ```
public final class BahdanauTranslator: Module, Translator {
    /// What `Translator/translation(of:maxLength:)` returns.
    public typealias Translation = TranslationResult

    /// The French and English words, in id order (ids 0–3 are the special tokens).
    public let sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary
    /// Word embeddings of each side, [V_src, E] and [V_tgt, E].
    public let sourceEmbedding: Embedding, targetEmbedding: Embedding
    /// The two directions of the encoder, each E → H; the annotations are their states side by side, [B, S, 2H].
    public let forwardEncoder: GRU, backwardEncoder: GRU
    /// W_s: the backward encoder's state after the first word → the decoder's first state.
    public let bridge: Linear
    /// The additive score vᵀ tanh(W·s + U·h) of the decoder state s (H) over the annotations h (2H).
    public let attention: BahdanauAttention
    /// The decoder GRU: previous word and context [E + 2H] → state H.
    public let decoder: GRUCell
    /// The next-word logits from state, context and previous word, [3H + E] → V_tgt.
    public let output: Linear

    /// A freshly initialised translator drawn from `rng`: embedding E, hidden H per direction, attention width A (default H).
    /// Non-positive sizes stop with a precondition naming them.
    public init(sourceVocabulary: WordVocabulary, targetVocabulary: WordVocabulary, embedding: Int = 32, hidden: Int = 64,
                attentionSize: Int? = nil, rng: inout RandomGenerator) {
        precondition(embedding > 0 && hidden > 0, "BahdanauTranslator: embedding \(embedding) and hidden \(hidden) must be positive")
        self.sourceVocabulary = sourceVocabulary
        self.targetVocabulary = targetVocabulary
        let scale = 1 / Double(embedding).squareRoot()
        sourceEmbedding = Embedding(weight: Tensor.randomNormal([sourceVocabulary.count, embedding], standardDeviation: scale, using: &rng))
        targetEmbedding = Embedding(weight: Tensor.randomNormal([targetVocabulary.count, embedding], standardDeviation: scale, using: &rng))
        forwardEncoder = GRU(inputSize: embedding, hiddenSize: hidden, rng: &rng)
        backwardEncoder = GRU(inputSize: embedding, hiddenSize: hidden, rng: &rng)
        bridge = Linear(inputSize: hidden, outputSize: hidden, rng: &rng)
        attention = BahdanauAttention(queryDim: hidden, keyDim: 2 * hidden, hiddenSize: attentionSize ?? hidden, rng: &rng)
        decoder = GRUCell(inputSize: embedding + 2 * hidden, hiddenSize: hidden, rng: &rng)
        output = Linear(inputSize: 3 * hidden + embedding, outputSize: targetVocabulary.count, rng: &rng)
    }

    /// The layers in checkpoint order.
    override public var children: [(String, Module)] {
        [("sourceEmbedding", sourceEmbedding), ("targetEmbedding", targetEmbedding), ("forwardEncoder", forwardEncoder),
         ("backwardEncoder", backwardEncoder), ("bridge", bridge), ("attention", attention), ("decoder", decoder),
         ("output", output)]
    }

    /// H, the decoder's width (the annotations are 2H wide).
    public var hidden: Int { decoder.hiddenSize }

    /// The encoded batch: annotations [B, S, 2H], their attention projection, the first decoder state [B, H], lengths.
    struct Encoded {
        let outputs: Tensor, projected: Tensor, state: Tensor, lengths: [Int]

        /// The same batch with its rows picked (repeats allowed): beams share one sentence.
        func rows(_ r: [Int]) -> Encoded {
            Encoded(outputs: outputs.indexSelect(axis: 0, r), projected: projected.indexSelect(axis: 0, r),
                    state: state.indexSelect(axis: 0, r), lengths: r.map { lengths[$0] })
        }
    }

    /// Encodes source id sequences (each non-empty), padded to the longest.
    func encode(_ sources: [[Int]]) -> Encoded {
        precondition(!sources.isEmpty && sources.allSatisfy { !$0.isEmpty }, "BahdanauTranslator: every source needs at least one id")
        let b = sources.count, s = sources.map(\.count).max()!, lengths = sources.map(\.count), h = hidden
        func padded(_ rows: [[Int]]) -> [Int] { rows.flatMap { $0 + [Int](repeating: WordVocabulary.pad, count: s - $0.count) } }
        let (ahead, _) = forwardEncoder(sourceEmbedding(padded(sources), shape: [b, s]))                    // [B, S, H]
        // The backward direction reads each sentence's own words reversed, so padding never comes first.
        let (behind, _) = backwardEncoder(sourceEmbedding(padded(sources.map { $0.reversed() }), shape: [b, s]))
        let back = (0..<b).flatMap { i in (0..<s).flatMap { j in
            [Int](repeating: j < lengths[i] ? lengths[i] - 1 - j : j, count: h) } }
        let outputs = Tensor.concatenate([ahead, behind.gather(axis: 1, indices: back, count: s)], axis: 2)  // [B, S, 2H]
        // The backward state after the whole sentence (its first word), as in the paper's s_0.
        let first = (0..<b).flatMap { i in [Int](repeating: lengths[i] - 1, count: h) }
        let state = bridge(behind.gather(axis: 1, indices: first, count: 1).reshaped([b, h])).tanh()
        return Encoded(outputs: outputs, projected: attention.projectKeys(outputs), state: state, lengths: lengths)
    }

    /// One decoder step: previous ids [B] → (logits [B, V], new state [B, H], alignment row [B, S]).
    func step(_ previous: [Int], state: Tensor, _ e: Encoded) -> (logits: Tensor, state: Tensor, weights: Tensor) {
        let (context, weights) = attention(query: state, projectedKeys: e.projected, values: e.outputs, lengths: e.lengths)
        let embedded = targetEmbedding(previous, shape: [previous.count])                                   // [B, E]
        let next = decoder(Tensor.concatenate([embedded, context], axis: 1), hidden: state)                 // [B, H]
        let logits = output(Tensor.concatenate([next, context, embedded], axis: 1))                         // [B, V]
        return (logits, next, weights)
    }

    /// Mean cross-entropy of the target words (and `<eos>`) under teacher forcing, padding ignored. sources and
    /// targets are id sequences without specials; the decoder reads `<sos>` + target and predicts target + `<eos>`.
    public func loss(sources: [[Int]], targets: [[Int]], labelSmoothing: Double = 0) -> Tensor {
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
        return Loss.crossEntropy(logits: Tensor.concatenate(logits, axis: 0), targets: expected, ignoreIndex: WordVocabulary.pad,
                                 labelSmoothing: labelSmoothing)
    }

    /// Greedy decoding of a batch: per source, the ids produced (without `<eos>`), one alignment row per step
    /// (the `<eos>` step included when it was reached) and whether `<eos>` was reached.
    public func greedy(_ sources: [[Int]], maxLength: Int) -> [DecodedTranslation] {
        withoutGradients {
            let e = encode(sources), b = sources.count
            var state = e.state, previous = [Int](repeating: WordVocabulary.start, count: b)
            var ids = [[Int]](repeating: [], count: b), rows = [[[Double]]](repeating: [], count: b)
            var ended = [Bool](repeating: false, count: b)
            for _ in 0..<maxLength where ended.contains(false) {
                let out = step(previous, state: state, e)
                state = out.state
                let weights = out.weights.cast(to: .float64).doubles, s = out.weights.shape[1]
                previous = out.logits.argmax(axis: 1)
                for i in 0..<b where !ended[i] {
                    rows[i].append(Array(weights[(i * s)..<(i * s + e.lengths[i])]))
                    if previous[i] == WordVocabulary.end { ended[i] = true } else { ids[i].append(previous[i]) }
                }
            }
            return (0..<b).map { DecodedTranslation(ids: ids[$0], alignment: rows[$0], reachedEnd: ended[$0]) }
        }
    }

    /// Beam search for one source (`beam` hypotheses kept by summed log-probability, finished ones ranked by
    /// log-probability / length); the best hypothesis with its alignment rows.
    public func beamSearch(_ source: [Int], beam k: Int, maxLength: Int) -> DecodedTranslation {
        precondition(k >= 1, "BahdanauTranslator.beamSearch: beam \(k) must be ≥ 1")
        return withoutGradients {
            let e = encode([source]).rows([Int](repeating: 0, count: k))
            var state = e.state
            var beams: [(ids: [Int], rows: [[Double]], logp: Double)] = [([], [], 0)] + Array(repeating: ([], [], -.infinity), count: k - 1)
            var finished: [(result: DecodedTranslation, score: Double)] = []
            for length in 1...max(maxLength, 1) {
                let out = step(beams.map { $0.ids.last ?? WordVocabulary.start }, state: state, e)
                let logp = out.logits.logSoftmax(axis: 1).cast(to: .float64).doubles, v = out.logits.shape[1]
                let weights = out.weights.cast(to: .float64).doubles, s = source.count
                var candidates: [(score: Double, beam: Int, token: Int)] = []
                for (b, beamState) in beams.enumerated() where beamState.logp > -.infinity {
                    for t in 0..<v { candidates.append((beamState.logp + logp[b * v + t], b, t)) }
                }
                candidates.sort { $0.score > $1.score || ($0.score == $1.score && ($0.beam, $0.token) < ($1.beam, $1.token)) }
                var next: [(ids: [Int], rows: [[Double]], logp: Double)] = [], parents: [Int] = []
                for c in candidates where next.count < k {
                    let rows = beams[c.beam].rows + [Array(weights[(c.beam * s)..<((c.beam + 1) * s)])]
                    if c.token == WordVocabulary.end {
                        finished.append((DecodedTranslation(ids: beams[c.beam].ids, alignment: rows, reachedEnd: true), c.score / Double(length)))
                    } else {
                        next.append((beams[c.beam].ids + [c.token], rows, c.score)); parents.append(c.beam)
                    }
                }
                finished.sort { $0.score > $1.score }
                let bestLive = next.map(\.logp).max().map { $0 / Double(length) } ?? -.infinity
                if next.isEmpty || (finished.count >= k && bestLive <= finished[k - 1].score) { break }
                if length == maxLength {
                    for n in next { finished.append((DecodedTranslation(ids: n.ids, alignment: n.rows, reachedEnd: false), n.logp / Double(length))) }
                    break
                }
                while next.count < k { next.append((next[0].ids, next[0].rows, -.infinity)); parents.append(parents[0]) }
                state = out.state.indexSelect(axis: 0, parents)
                beams = next
            }
            // Finished hypotheses first; one cut at the length limit only when none finished.
            finished.sort { ($0.result.reachedEnd ? 1 : 0, $0.score) > ($1.result.reachedEnd ? 1 : 0, $1.score) }
            return finished.first?.result ?? DecodedTranslation(ids: [], alignment: [], reachedEnd: false)
        }
    }

    /// The alignment rows [T + 1, S] the model computes while reading `target` (teacher forcing): row t is where
    /// it looks to produce target word t (the last row: `<eos>`).
    public func teacherForcedAlignment(source: [Int], target: [Int]) -> [[Double]] {
        withoutGradients {
            let e = encode([source])
            var state = e.state, rows: [[Double]] = []
            for previous in [WordVocabulary.start] + target {
                let out = step([previous], state: state, e)
                state = out.state
                rows.append(out.weights.cast(to: .float64).doubles)
            }
            return rows
        }
    }

    /// Greedy (`beam` ≤ 1) or beam-search decoding of each source sentence (word ids), at most `maxLength` words each.
    public func decode(_ sources: [[Int]], maxLength: Int, beam: Int) -> [DecodedTranslation] {
        beam <= 1 ? greedy(sources, maxLength: maxLength) : sources.map { beamSearch($0, beam: beam, maxLength: maxLength) }
    }
}
