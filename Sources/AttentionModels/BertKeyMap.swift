import Attention

/// Hugging Face BERT checkpoint names ↔ this package's parameter paths: the one place they meet.
public enum BertKeyMap {
    static let layerParts: [(ours: String, theirs: String)] = [
        ("query", "attention.self.query"), ("key", "attention.self.key"), ("value", "attention.self.value"),
        ("attentionOutput", "attention.output.dense"), ("attentionNorm", "attention.output.LayerNorm"),
        ("intermediate", "intermediate.dense"), ("output", "output.dense"), ("outputNorm", "output.LayerNorm"),
    ]
    static let embeddingParts: [(ours: String, theirs: String)] = [
        ("embeddings.words", "embeddings.word_embeddings"), ("embeddings.positions", "embeddings.position_embeddings"),
        ("embeddings.tokenTypes", "embeddings.token_type_embeddings"), ("embeddings.norm", "embeddings.LayerNorm"),
    ]

    /// The checkpoint name of one of our parameter paths, e.g. `layers.3.query.weight` →
    /// `encoder.layer.3.attention.self.query.weight`.
    public static func huggingFaceName(for path: String) -> String? {
        let leaf = path.hasSuffix(".weight") ? "weight" : path.hasSuffix(".bias") ? "bias" : nil
        guard let leaf else { return nil }
        let module = String(path.dropLast(leaf.count + 1))
        if let e = embeddingParts.first(where: { $0.ours == module }) { return "\(e.theirs).\(leaf)" }
        let pieces = module.split(separator: ".", maxSplits: 2).map(String.init)
        guard pieces.count == 3, pieces[0] == "layers", let p = layerParts.first(where: { $0.ours == pieces[2] }) else { return nil }
        return "encoder.layer.\(pieces[1]).\(p.theirs).\(leaf)"
    }
}

extension BertModel {
    /// The Hugging Face BERT names as a ``PyTorchKeyMap`` (one rename per parameter, e.g.
    /// `encoder.layer.3.attention.self.query.weight` → `layers.3.query.weight`), the form every other model
    /// family's key map has, so `ourStateDict(from:)` and the map helpers apply. Pitfall: checkpoints saved from
    /// `BertForPreTraining` prefix every name with `bert.`; ``load(huggingFace:)`` accepts both, this map names
    /// the unprefixed form (use `prefixed(pyTorch: "bert", swift: "")` for the other).
    public var pyTorchKeyMap: PyTorchKeyMap {
        PyTorchKeyMap(renames: namedParameters().map { path, _ in
            guard let name = BertKeyMap.huggingFaceName(for: path) else { preconditionFailure("BertKeyMap has no name for \(path)") }
            return (name, path)
        })
    }
}
