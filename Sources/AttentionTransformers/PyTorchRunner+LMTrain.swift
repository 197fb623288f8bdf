import Attention
import Foundation
import AttentionTraining

/// `attention run lm-train`: training steps of a decoder-only language model, as PyTorch takes them.
///
/// The PyTorch model (weights file = its state dict; dropout 0):
///
///     x = tok_emb(tokens[:, :-1]) + pos_emb(arange(T − 1))
///     for layer in layers: x = layer(x, src_mask=causal, is_causal=True)    # nn.TransformerEncoderLayer, batch_first
///     logits = head(norm(x))
///     loss = F.cross_entropy(logits.reshape(-1, V), tokens[:, 1:].reshape(-1), label_smoothing=ε)
///     loss.backward(); clip_grad_norm_(params, clip_norm) if clip_norm > 0; AdamW.step()
///
/// Input `tokens` [B, T] I64 (T ≥ 2; no padding: every position is predicted). Options: `nhead` (required),
/// `norm_first`, `activation`, `label_smoothing`, `lr`, `betas` ("b1,b2"), `eps`, `weight_decay`, `steps`,
/// `clip_norm`, `layer_norm_eps`; `d_model`, `num_layers`, `dim_feedforward`, `context` are read from the weights
/// and, when given, must agree with them. Defaults are PyTorch's (AdamW lr 1e-3, betas 0.9,0.999, eps 1e-8,
/// weight_decay 0.01; no clipping, no smoothing; post-norm, relu; 1 step).
///
/// The run is computed in Float64 from the file's values (so it is the float32 problem solved without float32
/// rounding, like the reference). Out: `losses` [steps] (the loss of each step, before its update) and every
/// parameter after the last step under its PyTorch name.
extension RunContext {
    func lmTrain() throws -> [String: Tensor] {
        let tokens = try tokenMatrix("tokens")
        let (b, t) = (tokens.count, tokens[0].count)
        let checkpoint = try stateDict(as: .float64)
        func tensor(_ name: String, _ expected: String) throws -> Tensor {
            guard let x = checkpoint[name] else { throw RunnerError.missing(name, in: Self.weightsFile, expected: expected) }
            return x
        }
        let tok = try tensor("tok_emb.weight", "[V, d_model]"), pos = try tensor("pos_emb.weight", "[context, d_model]")
        guard tok.rank == 2, tok.shape[0] >= 1, tok.shape[1] >= 1 else {
            throw RunnerError.shape("tok_emb.weight", in: Self.weightsFile, expected: "[V, d_model]", found: tok.shape)
        }
        let (v, d) = (tok.shape[0], tok.shape[1])
        guard pos.rank == 2, pos.shape[1] == d, pos.shape[0] >= 1 else {
            throw RunnerError.shape("pos_emb.weight", in: Self.weightsFile, expected: "[context, d_model = \(d)]", found: pos.shape)
        }
        var layerCount = 0
        while checkpoint["layers.\(layerCount).linear1.weight"] != nil { layerCount += 1 }
        var ff = 1
        if layerCount > 0 {
            let up = checkpoint["layers.0.linear1.weight"]!
            guard up.rank == 2, up.shape[1] == d else {
                throw RunnerError.shape("layers.0.linear1.weight", in: Self.weightsFile, expected: "[dim_feedforward, d_model = \(d)]", found: up.shape)
            }
            ff = up.shape[0]
        }
        try agree("d_model", d, "tok_emb.weight")
        try agree("context", pos.shape[0], "pos_emb.weight")
        try agree("num_layers", layerCount, "the layers.N.* tensors")
        if layerCount > 0 { try agree("dim_feedforward", ff, "layers.0.linear1.weight") }
        let heads = try int("nhead")
        guard d % heads == 0 else { throw RunnerError("option 'nhead': \(heads) does not divide d_model \(d)") }
        let activation = (metadata["activation"] ?? "relu").lowercased().trimmingCharacters(in: .whitespaces)
        guard ["relu", "gelu"].contains(activation) else {
            throw RunnerError("option 'activation': expected \"relu\" or \"gelu\", found \"\(metadata["activation"]!)\"")
        }
        guard t >= 2 else { throw RunnerError.shape("tokens", in: Self.inputFile, expected: "[B, T] with T ≥ 2 (tokens[:, 1:] are predicted from tokens[:, :-1])", found: [b, t]) }
        guard t - 1 <= pos.shape[0] else {
            throw RunnerError.shape("tokens", in: Self.inputFile, expected: "[B, T] with T − 1 ≤ context = \(pos.shape[0]) (pos_emb.weight rows)", found: [b, t])
        }
        if let bad = tokens.joined().first(where: { $0 < 0 || $0 >= v }) {
            throw RunnerError("\(Self.inputFile): tensor 'tokens' holds id \(bad), outside the vocabulary 0..<\(v) (tok_emb.weight rows)")
        }
        let smoothing = try double("label_smoothing") ?? 0
        guard (0..<1).contains(smoothing) else { throw RunnerError("option 'label_smoothing': expected a value in [0, 1), found \(smoothing)") }
        let lr = try double("lr") ?? 1e-3, eps = try double("eps") ?? 1e-8, decay = try double("weight_decay") ?? 0.01
        guard lr >= 0 else { throw RunnerError("option 'lr': expected a value ≥ 0, found \(lr)") }
        guard eps >= 0 else { throw RunnerError("option 'eps': expected a value ≥ 0, found \(eps)") }
        guard decay >= 0 else { throw RunnerError("option 'weight_decay': expected a value ≥ 0, found \(decay)") }
        let (beta1, beta2) = try betas()
        let clip = try double("clip_norm") ?? 0
        guard clip >= 0 else { throw RunnerError("option 'clip_norm': expected a value ≥ 0 (0 = no clipping), found \(clip)") }
        let steps = try int("steps", default: 1)

        let config = CausalLanguageModel.Configuration(
            vocabularySize: v, context: pos.shape[0], modelDim: d, numHeads: heads, numLayers: layerCount,
            feedForwardDim: ff, activation: activation, normFirst: try bool("norm_first", default: false),
            layerNormEps: try double("layer_norm_eps") ?? 1e-5, dropout: 0)
        try checkKeyCount(t, tensor: "tokens", results: [[b, t, d]])
        try checkMemory(op: "lm-train", [("activations", [2 * (12 * max(layerCount, 1) + 4), b, t, d]),
                                         ("feed-forward activations", [4 * max(layerCount, 1), b, t, ff]),
                                         ("logits", [6, b, t, v])])
        var rng = RandomGenerator(seed: 0)
        let model = CausalLanguageModel(config, rng: &rng)
        model.convert(to: .float64)
        try load(checkpoint, model.pyTorchKeyMap, into: model)
        model.train()
        let inputs = tokens.map { Array($0.dropLast()) }, targets = tokens.flatMap { $0.dropFirst() }
        let optimizer = AdamW(parameters: model.parameters, learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: decay)
        var losses: [Double] = []
        for step in 1...steps {
            optimizer.zeroGradients()
            let logits = model(inputs)                                                  // [B, T − 1, V]
            let loss = Loss.crossEntropy(logits: logits.reshaped([b * (t - 1), v]), targets: targets, labelSmoothing: smoothing)
            let value = loss.doubles[0]
            guard value.isFinite else { throw RunnerError("lm-train: the loss of step \(step) is \(value); no output written") }
            losses.append(value)
            loss.backward()
            if clip > 0 { clipGradientNorm(optimizer.parameters, maxNorm: clip) }
            optimizer.step()
        }
        var out = model.pyTorchKeyMap.pyTorchStateDict(from: model.stateDict())
        out["losses"] = Tensor(shape: [steps], doubles: losses)
        return out
    }

    /// An I64 [B, T] input as rows of ids.
    func tokenMatrix(_ name: String) throws -> [[Int]] {
        guard let x = inputs[name] else { throw RunnerError.missing(name, in: Self.inputFile, expected: "I64 [B, T]") }
        guard case let .integer(shape, values, dtype) = x, dtype == "I64" else {
            throw RunnerError.dtype(name, in: Self.inputFile, expected: "I64", found: x.dtypeName)
        }
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1, values.count == shape[0] * shape[1] else {
            throw RunnerError.shape(name, in: Self.inputFile, expected: "[B, T] with B ≥ 1", found: shape)
        }
        return (0..<shape[0]).map { r in values[(r * shape[1])..<((r + 1) * shape[1])].map { Int($0) } }
    }

    /// The weights file as float tensors in `dtype` (F32 or F64 in the file).
    func stateDict(as dtype: DType) throws -> [String: Tensor] {
        guard let weights else { throw RunnerError("this op needs --weights (a PyTorch state dict in .safetensors)") }
        var out: [String: Tensor] = [:]
        for (name, t) in weights {
            guard case .float(let x, let d) = t, d == "F32" || d == "F64" else {
                throw RunnerError.dtype(name, in: Self.weightsFile, expected: "F32 or F64", found: t.dtypeName)
            }
            out[name] = x.cast(to: dtype)
        }
        return out
    }

    /// An optional integer option that must equal what the weights say.
    func agree(_ key: String, _ value: Int, _ source: String) throws {
        guard let text = metadata[key] else { return }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw RunnerError("option '\(key)': expected an integer, found \"\(text)\"")
        }
        guard n == value else { throw RunnerError("option '\(key)' is \(n) but \(source) in the weights implies \(value)") }
    }

    /// `betas` as "b1,b2" (brackets and spaces allowed: "(0.9, 0.999)"), each in [0, 1).
    func betas() throws -> (Double, Double) {
        guard let text = metadata["betas"] else { return (0.9, 0.999) }
        let parts = text.filter { !"()[] ".contains($0) }.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let b1 = Double(parts[0]), let b2 = Double(parts[1]), (0..<1).contains(b1), (0..<1).contains(b2) else {
            throw RunnerError("option 'betas': expected \"b1,b2\" with each in [0, 1), found \"\(text)\"")
        }
        return (b1, b2)
    }
}
