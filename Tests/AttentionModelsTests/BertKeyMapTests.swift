import Foundation
import Testing
import Attention
import AttentionSafeTensors
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

struct BertKeyMapLoadingTests {
    static let config = BertConfig(vocabSize: 10, hiddenSize: 4, numHiddenLayers: 2, numAttentionHeads: 2,
                                   intermediateSize: 8, maxPositionEmbeddings: 6)

    @Test("the map renames every parameter once, in parameter order, and names the blocks as Hugging Face does")
    func oneRenamePerParameterInOrder() {
        let model = BertModel(config: Self.config, seed: 1)
        let renames = model.pyTorchKeyMap.entries.map { entry -> (String, String) in
            guard case let .rename(a, b) = entry else { Issue.record("not a rename: \(entry)"); return ("", "") }
            return (a, b)
        }
        #expect(renames.map(\.1) == model.namedParameters().map(\.0))
        // Hand-written: the first and last names of the embeddings block and of layer 1.
        #expect(renames.first! == ("embeddings.word_embeddings.weight", "embeddings.words.weight"))
        #expect(renames[4] == ("embeddings.LayerNorm.bias", "embeddings.norm.bias"))
        #expect(renames.last! == ("encoder.layer.1.output.LayerNorm.bias", "layers.1.outputNorm.bias"))
        #expect(BertKeyMap.huggingFaceName(for: "layers.0.attentionOutput.bias") == "encoder.layer.0.attention.output.dense.bias")
        #expect(BertKeyMap.huggingFaceName(for: "layers.x.query.weight") == nil)
        #expect(BertKeyMap.huggingFaceName(for: "layers.1.query") == nil)
    }

    @Test("a checkpoint whose names carry BertForPreTraining's bert. prefix loads through the same map")
    func loadsPrefixedNames() throws {
        let source = BertModel(config: Self.config, seed: 2)
        var writer = SafeTensorsWriter()
        for (name, tensor) in source.pyTorchKeyMap.pyTorchStateDict(from: source.stateDict()) { try writer.add("bert." + name, tensor) }
        try writer.add("cls.predictions.bias", Tensor.zeros([10]))   // a head the encoder ignores
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bert-prefix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.safetensors").path
        try writer.write(to: path)
        let target = BertModel(config: Self.config, seed: 3)
        try target.load(huggingFace: SafeTensorsFile(contentsOf: path))
        for ((name, a), (_, b)) in zip(source.namedParameters(), target.namedParameters()) {
            #expect(a.value.doubles == b.value.doubles, "\(name)")
        }
    }
}
