import Attention
import Foundation
import AttentionTraining

/// `seq2seq-train`: the training loop of a PyTorch translation Transformer, step for step.
///
/// Input `src` [B, S] and `tgt` [B, T] (I64; tgt[:, 0] is BOS, T ≥ 2). Options: `d_model`, `nhead`,
/// `num_encoder_layers`, `num_decoder_layers`, `dim_feedforward`, `norm_first`, `activation` (relu / gelu),
/// `pad_id`, `label_smoothing`, `lr`, `betas` ("b1,b2"), `eps`, `weight_decay`, `steps`, `clip_norm` (0 = off),
/// `layer_norm_eps` (default 1e-5). Weights: the state dict of `src_emb`, `tgt_emb`, `transformer`
/// (`nn.Transformer`, batch_first, dropout 0) and `generator`. Each step: logits of
/// emb·√d_model + sinusoidal positions through the Transformer with a causal target mask and the pad masks
/// (src == pad_id for the encoder and the memory, tgt_in == pad_id for the decoder), cross-entropy against
/// tgt[:, 1:] ignoring pad_id, backward, `clip_grad_norm_` when clip_norm > 0, AdamW. Out: `losses` [steps] and
/// every parameter after the last step under its PyTorch name.
extension RunContext {
    /// An I64 input of rank 2, as rows of ids.
    func idRows(_ name: String, expected: String) throws -> (rows: [[Int]], shape: [Int]) {
        guard let t = inputs[name] else { throw RunnerError.missing(name, in: Self.inputFile, expected: "I64 \(expected)") }
        guard case let .integer(shape, values, dtype) = t, dtype == "I64" else {
            throw RunnerError.dtype(name, in: Self.inputFile, expected: "I64", found: t.dtypeName)
        }
        guard shape.count == 2, shape[0] > 0, shape[1] > 0 else { throw RunnerError.shape(name, in: Self.inputFile, expected: expected, found: shape) }
        let n = shape[1]
        return ((0..<shape[0]).map { r in values[(r * n)..<((r + 1) * n)].map { Int(clamping: $0) } }, shape)
    }

    /// A required integer option ≥ `minimum`.
    func count(_ key: String, minimum: Int = 1) throws -> Int {
        guard let text = metadata[key] else { throw RunnerError("missing option '\(key)' in the input's __metadata__ (expected an integer ≥ \(minimum))") }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= minimum else {
            throw RunnerError("option '\(key)': expected an integer ≥ \(minimum), found \"\(text)\"")
        }
        return n
    }

    /// A decimal option in `range`, `value` when absent.
    func number(_ key: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        let x = try double(key) ?? value
        guard range.contains(x) else { throw RunnerError("option '\(key)': expected a number in \(range.lowerBound)…\(range.upperBound), found \(x)") }
        return x
    }

    /// A weights tensor of a given shape.
    func weight(_ checkpoint: [String: Tensor], _ name: String, rank: Int, expected: String) throws -> Tensor {
        guard let t = checkpoint[name] else { throw RunnerError.missing(name, in: Self.weightsFile, expected: "F32 \(expected)") }
        guard t.rank == rank else { throw RunnerError.shape(name, in: Self.weightsFile, expected: expected, found: t.shape) }
        return t
    }

    func seq2seqTrain() throws -> [String: Tensor] {
        let (src, srcShape) = try idRows("src", expected: "[B, S] with B, S ≥ 1")
        let (tgt, tgtShape) = try idRows("tgt", expected: "[B, T] with B ≥ 1, T ≥ 2")
        let b = srcShape[0]
        guard tgtShape[0] == b, tgtShape[1] >= 2 else {
            throw RunnerError.shape("tgt", in: Self.inputFile, expected: "[B, T] with B = \(b) (as src) and T ≥ 2 (BOS and a label)", found: tgtShape)
        }
        let d = try count("d_model"), heads = try count("nhead")
        let encoderLayers = try count("num_encoder_layers", minimum: 0), decoderLayers = try count("num_decoder_layers", minimum: 0)
        let ff = try count("dim_feedforward"), steps = try count("steps"), pad = try count("pad_id", minimum: 0)
        guard d % heads == 0 else { throw RunnerError("option 'nhead': \(heads) does not divide d_model \(d)") }
        let kind: FeedForward.Kind
        switch (metadata["activation"] ?? "relu").lowercased() {
        case "relu": kind = .relu
        case "gelu": kind = .gelu
        case let other: throw RunnerError("option 'activation': expected \"relu\" or \"gelu\", found \"\(other)\"")
        }
        let smoothing = try number("label_smoothing", default: 0, in: 0...0.999_999)
        let lr = try number("lr", default: 1e-3, in: 0...1e6), eps = try number("eps", default: 1e-8, in: 0...1e6)
        let decay = try number("weight_decay", default: 0.01, in: 0...1e6), clip = try number("clip_norm", default: 0, in: 0...1e300)
        let normEps = try number("layer_norm_eps", default: 1e-5, in: 0...1)
        let betas = (metadata["betas"] ?? "0.9,0.999").split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard betas.count == 2, let b1 = betas[0], let b2 = betas[1], (0..<1).contains(b1), (0..<1).contains(b2) else {
            throw RunnerError("option 'betas': expected \"b1,b2\" with both in [0, 1), found \"\(metadata["betas"] ?? "")\"")
        }

        let checkpoint = try stateDict()
        let srcTable = try weight(checkpoint, "src_emb.weight", rank: 2, expected: "[source vocabulary, d_model]")
        let tgtTable = try weight(checkpoint, "tgt_emb.weight", rank: 2, expected: "[target vocabulary, d_model]")
        for (name, t) in [("src_emb.weight", srcTable), ("tgt_emb.weight", tgtTable)] where t.shape[1] != d || t.shape[0] == 0 {
            throw RunnerError.shape(name, in: Self.weightsFile, expected: "[vocabulary ≥ 1, d_model = \(d)]", found: t.shape)
        }
        let (vs, vt) = (srcTable.shape[0], tgtTable.shape[0])
        try checkIDs(src, name: "src", vocabulary: vs, embedding: "src_emb.weight")
        try checkIDs(tgt, name: "tgt", vocabulary: vt, embedding: "tgt_emb.weight")
        // Rows whose queries would see no key: PyTorch gives the attention output bias there, this library 0
        // (ARCHITECTURE: fully masked rows), so the runs could not agree; refused instead of silently differing.
        if let r = src.firstIndex(where: { $0.allSatisfy { $0 == pad } }) {
            throw RunnerError("\(Self.inputFile): tensor 'src' row \(r) is all pad_id (\(pad)): its encoder queries see no key")
        }
        if let r = tgt.firstIndex(where: { $0[0] == pad }) {
            throw RunnerError("\(Self.inputFile): tensor 'tgt' row \(r) starts with pad_id (\(pad)); expected BOS (a token that is not pad)")
        }
        guard tgt.contains(where: { $0.dropFirst().contains { $0 != pad } }) else {
            throw RunnerError("\(Self.inputFile): tensor 'tgt' has no label: every tgt[:, 1:] is pad_id (\(pad)); PyTorch's loss is 0/0 = NaN")
        }
        for layer in 0..<max(encoderLayers, decoderLayers) {
            let prefix = layer < encoderLayers ? "transformer.encoder.layers.\(layer)" : "transformer.decoder.layers.\(layer)"
            let up = try weight(checkpoint, "\(prefix).linear1.weight", rank: 2, expected: "[dim_feedforward, d_model]")
            guard up.shape == [ff, d] else {
                throw RunnerError.shape("\(prefix).linear1.weight", in: Self.weightsFile, expected: "[dim_feedforward, d_model] = \([ff, d])", found: up.shape)
            }
        }
        let (s, t) = (srcShape[1], tgtShape[1] - 1)
        try checkKeyCount(max(s, t), tensor: s >= t ? "src" : "tgt", results: [[b, max(s, t)]])
        // Activations kept for the backward pass: about 16 [B, max(S, T), max(D, F)] tensors per layer, the
        // attention statistics, and the logits with their softmax.
        let width = max(d, ff), layers = max(1, encoderLayers + 2 * decoderLayers)
        try checkMemory(op: "seq2seq-train", [("activations", [16 * layers, b, max(s, t), width]), ("logits", [4, b, t, vt])])

        let c = TransformerLayerConfiguration(modelDim: d, numHeads: heads, feedForwardDim: ff, feedForward: kind, dropout: 0,
                                              normPlacement: try bool("norm_first", default: false) ? .pre : .post,
                                              layerNormEps: normEps, bias: true)
        var rng = RandomGenerator(seed: 0)
        let model = Seq2SeqTransformer(sourceVocabulary: vs, targetVocabulary: vt, layer: c, encoderLayers: encoderLayers,
                                       decoderLayers: decoderLayers, padID: pad, rng: &rng)
        try load(checkpoint, model.pyTorchKeyMap, into: model)
        model.train()
        let optimizer = AdamW(parameters: model.parameters, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: decay)
        var losses: [Double] = []
        for step in 0..<steps {
            optimizer.zeroGradients()
            let loss = model.teacherForcedLoss(sources: src, targets: tgt, labelSmoothing: smoothing)
            let value = loss.doubles[0]
            guard value.isFinite else { throw RunnerError("seq2seq-train: the loss of step \(step + 1) is \(value) (weights or inputs too large)") }
            losses.append(value)
            loss.backward()
            if clip > 0 { clipGradientNorm(optimizer.parameters, maxNorm: clip) }
            optimizer.step()
        }
        var out = model.pyTorchKeyMap.pyTorchStateDict(from: Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.value) }))
        out["losses"] = Tensor(shape: [steps], doubles: losses)
        return out
    }

    /// Every id in 0..<vocabulary, or an error naming the position.
    private func checkIDs(_ rows: [[Int]], name: String, vocabulary: Int, embedding: String) throws {
        for (r, row) in rows.enumerated() {
            if let j = row.firstIndex(where: { $0 < 0 || $0 >= vocabulary }) {
                throw RunnerError("\(Self.inputFile): tensor '\(name)'[\(r), \(j)] = \(row[j]) is outside the vocabulary 0..<\(vocabulary) (\(Self.weightsFile): \(embedding))")
            }
        }
    }
}
