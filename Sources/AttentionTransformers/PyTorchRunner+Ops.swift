import Attention

/// The four ops of ``PyTorchRunner``: each validates its tensors, translates PyTorch's conventions into ours
/// and calls the library (no math here beyond reshaping).
extension RunContext {
    /// `F.scaled_dot_product_attention`.
    func sdpa() throws -> [String: Tensor] {
        var q = try float("query", ranks: [3, 4], expected: "[B, H, L, E]")
        var k = try float("key", ranks: [q.rank], expected: q.rank == 4 ? "[B, Hkv, S, E]" : "[B, S, E]")
        var v = try float("value", ranks: [q.rank], expected: q.rank == 4 ? "[B, Hkv, S, Ev]" : "[B, S, Ev]")
        let unheaded = q.rank == 3
        // [B, L, E] inputs are one head.
        if unheaded { (q, k, v) = (q.unsqueezed(1), k.unsqueezed(1), v.unsqueezed(1)) }
        let (b, h, l, e) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (hkv, s, ev) = (k.shape[1], k.shape[2], v.shape[3])
        guard k.shape[0] == b, k.shape[3] == e else {
            throw RunnerError.shape("key", in: Self.inputFile, expected: "[B, Hkv, S, E] with B = \(b), E = \(e)", found: k.shape)
        }
        guard v.shape[0] == b, v.shape[1] == hkv, v.shape[2] == s else {
            throw RunnerError.shape("value", in: Self.inputFile, expected: "[B, Hkv, S, Ev] with B = \(b), Hkv = \(hkv), S = \(s)", found: v.shape)
        }
        guard h >= 1 else { throw RunnerError.shape("query", in: Self.inputFile, expected: "[B, H, L, E] with H ≥ 1 heads", found: q.shape) }
        guard hkv >= 1 else { throw RunnerError.shape("key", in: Self.inputFile, expected: "[B, Hkv, S, E] with Hkv ≥ 1 heads", found: k.shape) }
        let gqa = try bool("enable_gqa", default: false)
        guard h % hkv == 0, hkv == h || hkv == 1 || gqa else {
            throw RunnerError.shape("key", in: Self.inputFile,
                                    expected: "Hkv = H = \(h)" + (gqa ? " or a divisor of it" : " (or a divisor of it with enable_gqa=true)"), found: k.shape)
        }
        var parts: [AttentionMask] = []
        if try bool("is_causal", default: false) { parts.append(.causal(.upperLeft)) }
        if let m = try mask("attn_mask") {
            let target = [b, h, l, s]
            let shape = unheaded && m.shape.count >= 3 ? Array(m.shape.dropLast(2)) + [1] + m.shape.suffix(2) : m.shape
            guard shape.count <= 4, Shape.broadcast(shape, target) == target else {
                throw RunnerError.shape("attn_mask", in: Self.inputFile,
                                        expected: "broadcastable to [B, H, L, S] = \(unheaded ? [b, l, s] : target)", found: m.shape)
            }
            switch m {
            case .bool(let x): parts.append(.boolean(BoolTensor(shape: shape, values: x.values)))
            case .float(let t, _): parts.append(.additive(t.reshaped(shape)))
            default: break
            }
        }
        let grad = try optionalFloat("grad_output", shape: unheaded ? [b, l, ev] : [b, h, l, ev],
                                     expected: unheaded ? "[B, L, Ev]" : "[B, H, L, Ev]")
        let needWeights = try bool("need_weights", default: false)
        let results = [[b, h, l, ev]] + (needWeights ? [[b, h, l, s]] : [])
        try checkKeyCount(s, tensor: "key", results: results)
        try checkMemory(op: "sdpa", [("output", results[0])] + (needWeights ? [("weights", results[1])] : [])
                            + (grad == nil ? [] : [("grad_query", q.shape), ("grad_key", k.shape), ("grad_value", v.shape)]))
        let leaves = grad == nil ? [q, k, v] : [q, k, v].map { $0.requiringGradient() }
        let (o, w) = scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2],
                                               mask: parts.isEmpty ? .none : .all(parts), scale: try double("scale"),
                                               needsWeights: needWeights)
        func back(_ x: Tensor) -> Tensor { unheaded ? x.squeezed(1) : x }
        var out = ["output": back(o)]
        if let w { out["weights"] = back(w) }
        if let grad {
            let g = Autograd.gradients(of: o, withRespectTo: leaves, seed: unheaded ? grad.unsqueezed(1) : grad)
            (out["grad_query"], out["grad_key"], out["grad_value"]) = (back(g[0]), back(g[1]), back(g[2]))
        }
        return out
    }

    /// `nn.MultiheadAttention` with `batch_first=True`.
    func mha() throws -> [String: Tensor] {
        var q = try float("query", ranks: [2, 3], expected: "[N, L, E]")
        var k = try float("key", ranks: [q.rank], expected: "[N, S, kdim]")
        var v = try float("value", ranks: [q.rank], expected: "[N, S, vdim]")
        let unbatched = q.rank == 2
        if unbatched { (q, k, v) = (q.unsqueezed(0), k.unsqueezed(0), v.unsqueezed(0)) }
        let (n, l, e, s) = (q.shape[0], q.shape[1], q.shape[2], k.shape[1])
        let checkpoint = try stateDict()
        let heads = try int("num_heads")
        var config: MultiHeadAttention.Configuration
        do {
            config = try MultiHeadAttention.pyTorchConfiguration(checkpoint, numHeads: heads,
                                                                 addZeroAttention: try bool("add_zero_attn", default: false))
        } catch let error as CheckpointError { throw RunnerError("\(Self.weightsFile): \(error.description)") }
        guard config.embedDim == e else {
            throw RunnerError.shape("query", in: Self.inputFile, expected: "[N, L, E] with E = \(config.embedDim) (out_proj.weight)", found: q.shape)
        }
        guard e % heads == 0 else { throw RunnerError("option 'num_heads': \(heads) does not divide embed_dim \(e)") }
        guard k.shape[0] == n, k.shape[2] == config.keyDim else {
            throw RunnerError.shape("key", in: Self.inputFile, expected: "[N, S, kdim] with N = \(n), kdim = \(config.keyDim)", found: k.shape)
        }
        guard v.shape[0] == n, v.shape[1] == s, v.shape[2] == config.valueDim else {
            throw RunnerError.shape("value", in: Self.inputFile, expected: "[N, S, vdim] with N = \(n), S = \(s), vdim = \(config.valueDim)", found: v.shape)
        }
        var rng = RandomGenerator(seed: 0)
        let module = MultiHeadAttention(config, rng: &rng)
        module.eval()
        try load(checkpoint, module.pyTorchKeyMap, into: module)
        let needWeights = try bool("need_weights", default: true)
        let average = try bool("average_attn_weights", default: true)
        let (mask, covers) = try multiheadMask(attnMask: "attn_mask", keyPaddingMask: "key_padding_mask",
                                               isCausal: try bool("is_causal", default: false), needWeights: needWeights,
                                               batch: n, heads: heads, queryLength: l, keyLength: s)
        let grad = try optionalFloat("grad_output", shape: unbatched ? [l, e] : [n, l, e], expected: unbatched ? "[L, E]" : "[N, L, E]")
        let keys = s + config.extraKeys, copies = grad == nil ? 1 : 2
        try checkKeyCount(keys, tensor: "key", results: [[n, l, e]] + (needWeights ? [[n, heads, l, keys]] : []))
        // About four copies of the query and key projections (projected, split into heads), the per-head weights
        // and their average; twice that with gradients.
        try checkMemory(op: "mha", [("projections", [8 * copies, n, max(l, keys), e])]
                            + (needWeights ? [("weights", [(average ? 2 : 1) * copies, n, heads, l, keys])] : []))
        let leaves = grad == nil ? [q, k, v] : [q, k, v].map { $0.requiringGradient() }
        let (o, w) = module(query: leaves[0], key: leaves[1], value: leaves[2], mask: mask,
                            weights: needWeights ? (average ? .averaged : .perHead) : .none, maskCoversExtraKeys: covers)
        func back(_ x: Tensor) -> Tensor { unbatched ? x.squeezed(0) : x }
        var out = ["output": back(o)]
        if let w { out["weights"] = back(w) }
        if let grad {
            let g = Autograd.gradients(of: o, withRespectTo: leaves, seed: unbatched ? grad.unsqueezed(0) : grad)
            (out["grad_query"], out["grad_key"], out["grad_value"]) = (back(g[0]), back(g[1]), back(g[2]))
        }
        return out
    }

    /// The layer configuration a PyTorch layer's state dict and the options imply.
    func layerConfiguration(_ checkpoint: [String: Tensor]) throws -> TransformerLayerConfiguration {
        guard let up = checkpoint["linear1.weight"] else { throw RunnerError.missing("linear1.weight", in: Self.weightsFile, expected: "F32 [dim_feedforward, d_model]") }
        guard up.rank == 2 else { throw RunnerError.shape("linear1.weight", in: Self.weightsFile, expected: "[dim_feedforward, d_model]", found: up.shape) }
        let heads = try int("nhead")
        guard up.shape[1] % heads == 0 else { throw RunnerError("option 'nhead': \(heads) does not divide d_model \(up.shape[1])") }
        let kind: FeedForward.Kind
        switch (metadata["activation"] ?? "relu").lowercased() {
        case "relu": kind = .relu
        case "gelu": kind = .gelu
        case let other: throw RunnerError("option 'activation': expected \"relu\" or \"gelu\", found \"\(other)\"")
        }
        return TransformerLayerConfiguration(modelDim: up.shape[1], numHeads: heads, feedForwardDim: up.shape[0], feedForward: kind,
                                             dropout: 0, normPlacement: try bool("norm_first", default: false) ? .pre : .post,
                                             layerNormEps: try double("layer_norm_eps") ?? 1e-5, bias: checkpoint["linear1.bias"] != nil)
    }

    /// A [N, T, D] sequence input (or [T, N, D] when `batch_first` is false), returned batch first.
    func sequence(_ name: String, modelDim d: Int, batch: Int? = nil) throws -> Tensor {
        let batchFirst = try bool("batch_first", default: true)
        let layout = batchFirst ? "[N, T, d_model]" : "[T, N, d_model]"
        var x = try float(name, ranks: [2, 3], expected: layout)
        if x.rank == 2 { x = x.unsqueezed(batchFirst ? 0 : 1) }
        if !batchFirst { x = x.transposed(0, 1).contiguous() }
        guard x.shape[2] == d, batch == nil || x.shape[0] == batch else {
            throw RunnerError.shape(name, in: Self.inputFile, expected: "\(layout) with d_model = \(d)" + (batch.map { ", N = \($0)" } ?? ""),
                                    found: inputs[name]!.shape)
        }
        return x
    }

    /// Undoes ``sequence(_:modelDim:batch:)``'s layout change for an output.
    func restoreLayout(_ x: Tensor, like name: String) throws -> Tensor {
        let y = try bool("batch_first", default: true) ? x : x.transposed(0, 1).contiguous()
        let original = inputs[name]!.shape
        return original.count == 2 ? y.reshaped(original) : y
    }

    /// `nn.TransformerEncoderLayer`.
    func encoderLayer() throws -> [String: Tensor] {
        let checkpoint = try stateDict()
        let c = try layerConfiguration(checkpoint)
        let src = try sequence("src", modelDim: c.modelDim)
        let (n, l) = (src.shape[0], src.shape[1])
        try checkLayer("encoder-layer", keys: l, keyTensor: "src", rows: [n, l], config: c)
        var rng = RandomGenerator(seed: 0)
        let layer = TransformerEncoderLayer(c, rng: &rng)
        layer.eval()
        try load(checkpoint, layer.pyTorchKeyMap, into: layer)
        let causal = try bool("is_causal", default: false) || bool("src_is_causal", default: false)
        let (mask, _) = try multiheadMask(attnMask: "src_mask", keyPaddingMask: "src_key_padding_mask", isCausal: causal,
                                          needWeights: false, batch: n, heads: c.numHeads, queryLength: l, keyLength: l)
        let grad = try inputs["grad_output"] == nil ? nil : sequence("grad_output", modelDim: c.modelDim, batch: n)
        let x = grad == nil ? src : src.requiringGradient()
        let y = layer(x, mask: mask)
        var out = ["output": try restoreLayout(y, like: "src")]
        if let grad {
            guard grad.shape == y.shape else { throw RunnerError.shape("grad_output", in: Self.inputFile, expected: "the shape of src", found: inputs["grad_output"]!.shape) }
            out["grad_src"] = try restoreLayout(Autograd.gradients(of: y, withRespectTo: [x], seed: grad)[0], like: "src")
        }
        return out
    }

    /// `nn.TransformerDecoderLayer`.
    func decoderLayer() throws -> [String: Tensor] {
        let checkpoint = try stateDict()
        let c = try layerConfiguration(checkpoint)
        let tgt = try sequence("tgt", modelDim: c.modelDim)
        let (n, l) = (tgt.shape[0], tgt.shape[1])
        let memory = try sequence("memory", modelDim: c.modelDim, batch: n)
        let s = memory.shape[1]
        try checkLayer("decoder-layer", keys: max(l, s), keyTensor: s > l ? "memory" : "tgt", rows: [n, max(l, s)], config: c)
        var rng = RandomGenerator(seed: 0)
        let layer = TransformerDecoderLayer(c, rng: &rng)
        layer.eval()
        try load(checkpoint, layer.pyTorchKeyMap, into: layer)
        let (selfMask, _) = try multiheadMask(attnMask: "tgt_mask", keyPaddingMask: "tgt_key_padding_mask",
                                              isCausal: try bool("tgt_is_causal", default: false), needWeights: false,
                                              batch: n, heads: c.numHeads, queryLength: l, keyLength: l)
        let (memoryMask, _) = try multiheadMask(attnMask: "memory_mask", keyPaddingMask: "memory_key_padding_mask",
                                                isCausal: try bool("memory_is_causal", default: false), needWeights: false,
                                                batch: n, heads: c.numHeads, queryLength: l, keyLength: s)
        let grad = try inputs["grad_output"] == nil ? nil : sequence("grad_output", modelDim: c.modelDim, batch: n)
        let (x, m) = grad == nil ? (tgt, memory) : (tgt.requiringGradient(), memory.requiringGradient())
        let y = layer(x, memory: m, selfAttentionMask: selfMask, memoryMask: memoryMask)
        var out = ["output": try restoreLayout(y, like: "tgt")]
        if let grad {
            guard grad.shape == y.shape else { throw RunnerError.shape("grad_output", in: Self.inputFile, expected: "the shape of tgt", found: inputs["grad_output"]!.shape) }
            let g = Autograd.gradients(of: y, withRespectTo: [x, m], seed: grad)
            out["grad_tgt"] = try restoreLayout(g[0], like: "tgt")
            out["grad_memory"] = try restoreLayout(g[1], like: "memory")
        }
        return out
    }
}
