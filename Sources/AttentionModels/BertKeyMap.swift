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
