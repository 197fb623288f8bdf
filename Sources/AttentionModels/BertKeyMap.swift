import Attention

/// Hugging Face BERT checkpoint names ↔ this package's parameter paths, as ``PyTorchKeyMap``s built the way every
/// other model family builds its map: each block has its map (``BertEmbeddings/pyTorchKeyMap``,
/// ``BertLayer/pyTorchKeyMap``) and the model composes them under prefixes (`embeddings`, `encoder.layer.N` ↔
/// `layers.N`). Loading (`BertModel.load(huggingFace:)`) reads the checkpoint through that one map.
public enum BertKeyMap {
    /// One encoder layer: each child (a `Linear` or a `LayerNorm`, all with biases) under its checkpoint prefix.
    static let layer = renames([
        ("query", "attention.self.query"), ("key", "attention.self.key"), ("value", "attention.self.value"),
        ("attentionOutput", "attention.output.dense"), ("attentionNorm", "attention.output.LayerNorm"),
        ("intermediate", "intermediate.dense"), ("output", "output.dense"), ("outputNorm", "output.LayerNorm"),
    ], leaves: ["weight", "bias"])

    /// The embeddings block, inside `embeddings`: three tables (weights only) and the LayerNorm over their sum.
    static let embeddings = renames([("words", "word_embeddings"), ("positions", "position_embeddings"),
                                     ("tokenTypes", "token_type_embeddings")], leaves: ["weight"])
        + renames([("norm", "LayerNorm")], leaves: ["weight", "bias"])

    /// `leaves` of each (ours, theirs) child, renamed under the two prefixes, in the children's order.
    private static func renames(_ children: [(ours: String, theirs: String)], leaves: [String]) -> PyTorchKeyMap {
        children.reduce(PyTorchKeyMap()) { map, child in
            map + PyTorchKeyMap(renames: leaves.map { ($0, $0) }).prefixed(pyTorch: child.theirs, swift: child.ours)
        }
    }

    /// The checkpoint name of one of our parameter paths, e.g. `layers.3.query.weight` →
    /// `encoder.layer.3.attention.self.query.weight`: a look-up in the map of the block the path is in.
    public static func huggingFaceName(for path: String) -> String? {
        let pieces = path.split(separator: ".", maxSplits: 2).map(String.init)
        if pieces.count == 3, pieces[0] == "layers", let index = Int(pieces[1]), index >= 0, String(index) == pieces[1] {
            return layer.prefixed(pyTorch: "encoder.layer.\(index)", swift: "layers.\(index)").pyTorchName(for: path)
        }
        return embeddings.prefixed(pyTorch: "embeddings", swift: "embeddings").pyTorchName(for: path)
    }
}

extension BertEmbeddings {
    /// The block's checkpoint names relative to `embeddings` (`word_embeddings.weight` → `words.weight`, …).
    public var pyTorchKeyMap: PyTorchKeyMap { BertKeyMap.embeddings }
}

extension BertLayer {
    /// The layer's checkpoint names relative to `encoder.layer.N` (`attention.self.query.weight` → `query.weight`, …).
    public var pyTorchKeyMap: PyTorchKeyMap { BertKeyMap.layer }
}

extension BertModel {
    /// The Hugging Face BERT names as a ``PyTorchKeyMap`` (one rename per parameter, e.g.
    /// `encoder.layer.3.attention.self.query.weight` → `layers.3.query.weight`), composed from the blocks' maps as
    /// `CausalLanguageModel` composes its layers', so `ourStateDict(from:)` and the map helpers apply. Pitfall:
    /// checkpoints saved from `BertForPreTraining` prefix every name with `bert.`; ``load(huggingFace:)`` accepts
    /// both, this map names the unprefixed form (use `prefixed(pyTorch: "bert", swift: "")` for the other).
    public var pyTorchKeyMap: PyTorchKeyMap {
        layers.enumerated().reduce(embeddings.pyTorchKeyMap.prefixed(pyTorch: "embeddings", swift: "embeddings")) { map, layer in
            map + layer.element.pyTorchKeyMap.prefixed(pyTorch: "encoder.layer.\(layer.offset)", swift: "layers.\(layer.offset)")
        }
    }
}
