import Testing
@testable import AttentionModels

struct BertKeyMapTests {
    @Test func theBertMapIsAPyTorchKeyMapThatRoundTripsAStateDict() throws {
        let model = BertModel(config: BertConfig(vocabSize: 10, hiddenSize: 4, numHiddenLayers: 2, numAttentionHeads: 2,
                                                 intermediateSize: 8, maxPositionEmbeddings: 6), seed: 5)
        let map = model.pyTorchKeyMap
        // Hand-written checkpoint names (Hugging Face's BertModel state dict).
        #expect(map.pyTorchNames.contains("encoder.layer.1.attention.self.query.weight"))
        #expect(map.pyTorchNames.contains("embeddings.LayerNorm.bias"))
        #expect(map.pyTorchNames.count == model.namedParameters().count)
        let checkpoint = Dictionary(uniqueKeysWithValues: model.namedParameters().map { (BertKeyMap.huggingFaceName(for: $0.0)!, $0.1.value) })
        let ours = try map.ourStateDict(from: checkpoint)
        for (path, p) in model.namedParameters() { #expect(ours[path]?.doubles == p.value.doubles, "\(path)") }
        var extra = checkpoint
        extra["pooler.dense.weight"] = checkpoint["embeddings.LayerNorm.bias"]
        let error = #expect(throws: (any Error).self) { _ = try map.ourStateDict(from: extra) }
        #expect(error.map { "\($0)" } == "unexpected tensors (the model has no such parameter): pooler.dense.weight")
    }
}
