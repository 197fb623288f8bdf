import Foundation
import FuzzSupport
@testable import AttentionModels

/// libFuzzer entry point for a model folder's metadata (Models/BertLoading.swift, Models/SentenceEmbedder.swift): the
/// first byte picks the file the rest of the input becomes — `config.json` (the BERT configuration), `modules.json`
/// (the sentence-transformers pipeline) or `1_Pooling/config.json` (the pooling mode).
///
/// Any input must be read or refused with a `ModelLoadError` naming the file. Beyond "no crash": an accepted
/// configuration is one a model can be built from — positive sizes, `hidden_size` a multiple of the heads, a
/// positive finite LayerNorm epsilon, a known activation — and building its (weightless) model gives that many layers.
@_cdecl("LLVMFuzzerTestOneInput")
public func modelConfigFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let folder = URL(fileURLWithPath: Folder.path)
    for name in ["config.json", "modules.json", "1_Pooling/config.json"] { FuzzSupport.remove("bert/" + name) }
    switch data[0] % 3 {
    case 0:
        let path = FuzzSupport.write(body, to: "bert/config.json")
        let config: BertConfig
        do {
            config = try BertConfig(contentsOf: URL(fileURLWithPath: path))
        } catch {
            FuzzSupport.check("\(error)".hasPrefix(path), "the error does not name the file: \(error)")
            return 0
        }
        FuzzSupport.check(config.vocabSize > 0 && config.hiddenSize > 0 && config.numAttentionHeads > 0
                          && config.intermediateSize > 0 && config.maxPositionEmbeddings > 0 && config.typeVocabSize > 0
                          && config.numHiddenLayers >= 0, "a size is not positive: \(config)")
        FuzzSupport.check(config.hiddenSize % config.numAttentionHeads == 0, "hidden_size is not a multiple of the heads")
        FuzzSupport.check(config.layerNormEps > 0 && config.layerNormEps.isFinite, "layer_norm_eps \(config.layerNormEps)")
        FuzzSupport.check(config.activation != nil, "unknown activation accepted")
        let model = BertModel.placeholder(config: config)
        FuzzSupport.check(model.layers.count == config.numHiddenLayers, "the model has \(model.layers.count) layers")
    case 1:
        FuzzSupport.write(body, to: "bert/modules.json")
        readModules(folder)
    default:
        FuzzSupport.write(body, to: "bert/1_Pooling/config.json")
        readModules(folder)
    }
    return 0
}

private func readModules(_ folder: URL) {
    do {
        _ = try SentenceEmbedder.readModules(folder)
    } catch {
        FuzzSupport.check("\(error)".hasPrefix(folder.path), "the error does not name the file: \(error)")
    }
}

enum Folder {
    static let path: String = {
        let p = FuzzSupport.scratch + "/bert"
        try! FileManager.default.createDirectory(atPath: p + "/1_Pooling", withIntermediateDirectories: true)
        return p
    }()
}
