import AttentionLayers
import AttentionTensorCore

/// PyTorch `nn.MultiheadAttention` checkpoints: the key map and the options a state dict implies.
extension MultiHeadAttention {
    /// Our parameter paths ↔ `nn.MultiheadAttention`'s state-dict keys:
    ///
    /// | PyTorch | ours |
    /// |---|---|
    /// | `in_proj_weight`, `in_proj_bias` (kdim = vdim = E) | `inputProjection.weight`, `inputProjection.bias` |
    /// | `q_proj_weight`, `k_proj_weight`, `v_proj_weight` | `queryProjection.weight`, `keyProjection.weight`, `valueProjection.weight` |
    /// | `in_proj_bias` (kdim or vdim ≠ E: one tensor, rows q, k, v) | `queryProjection.bias`, `keyProjection.bias`, `valueProjection.bias` |
    /// | `bias_k`, `bias_v` | `biasKey`, `biasValue` |
    /// | `out_proj.weight`, `out_proj.bias` | `outputProjection.weight`, `outputProjection.bias` |
    /// | `gate_proj.weight`, `gate_proj.bias` (no PyTorch counterpart) | `gateProjection.weight`, `gateProjection.bias` |
    public var pyTorchKeyMap: PyTorchKeyMap {
        let c = configuration
        var entries: [PyTorchKeyMap.Entry] = []
        if c.isPacked {
            entries.append(.rename(pyTorch: "in_proj_weight", swift: "inputProjection.weight"))
            if c.bias { entries.append(.rename(pyTorch: "in_proj_bias", swift: "inputProjection.bias")) }
        } else {
            entries += [.rename(pyTorch: "q_proj_weight", swift: "queryProjection.weight"),
                        .rename(pyTorch: "k_proj_weight", swift: "keyProjection.weight"),
                        .rename(pyTorch: "v_proj_weight", swift: "valueProjection.weight")]
            if c.bias {
                entries.append(.split(pyTorch: "in_proj_bias", parts: [("queryProjection.bias", c.embedDim),
                                                                        ("keyProjection.bias", c.kvDim),
                                                                        ("valueProjection.bias", c.kvDim)]))
            }
        }
        if c.addBiasKV {
            entries += [.rename(pyTorch: "bias_k", swift: "biasKey"), .rename(pyTorch: "bias_v", swift: "biasValue")]
        }
        entries.append(.rename(pyTorch: "out_proj.weight", swift: "outputProjection.weight"))
        if c.bias { entries.append(.rename(pyTorch: "out_proj.bias", swift: "outputProjection.bias")) }
        if c.outputGate {
            entries += [.rename(pyTorch: "gate_proj.weight", swift: "gateProjection.weight"),
                        .rename(pyTorch: "gate_proj.bias", swift: "gateProjection.bias")]
        }
        return PyTorchKeyMap(entries)
    }

    /// The configuration an `nn.MultiheadAttention` state dict implies (keys under `prefix`, e.g. "self_attn."):
    /// E from `out_proj.weight`, kdim/vdim from the separate projections, `bias` from `in_proj_bias`,
    /// `add_bias_kv` from `bias_k`. The head count is not in the weights; `add_zero_attn` neither.
    public static func pyTorchConfiguration(_ checkpoint: [String: Tensor], prefix: String = "", numHeads: Int,
                                            addZeroAttention: Bool = false) throws -> Configuration {
        guard let out = checkpoint[prefix + "out_proj.weight"] else { throw CheckpointError.missingTensor(prefix + "out_proj.weight") }
        guard out.rank == 2, out.shape[0] == out.shape[1], out.shape[0] > 0 else {
            throw CheckpointError.shapeMismatch(name: prefix + "out_proj.weight", expected: [out.shape.first ?? 0, out.shape.first ?? 0], found: out.shape)
        }
        let e = out.shape[0]
        var keyDim = e, valueDim = e
        if checkpoint[prefix + "in_proj_weight"] == nil {
            func width(_ name: String) throws -> Int {
                guard let t = checkpoint[prefix + name] else { throw CheckpointError.missingTensor(prefix + "in_proj_weight") }
                guard t.rank == 2, t.shape[0] == e else {
                    throw CheckpointError.shapeMismatch(name: prefix + name, expected: [e, t.shape.last ?? 0], found: t.shape)
                }
                return t.shape[1]
            }
            _ = try width("q_proj_weight")
            keyDim = try width("k_proj_weight")
            valueDim = try width("v_proj_weight")
            if keyDim == e && valueDim == e {
                // PyTorch only stores separate weights when a width differs; keep its layout by forcing it.
                throw CheckpointError.missingTensor(prefix + "in_proj_weight")
            }
        }
        return Configuration(embedDim: e, numHeads: numHeads, keyDim: keyDim, valueDim: valueDim,
                             bias: checkpoint[prefix + "in_proj_bias"] != nil, addBiasKV: checkpoint[prefix + "bias_k"] != nil,
                             addZeroAttention: addZeroAttention)
    }
}
