import Foundation
import Testing
@testable import AttentionText

struct ModelFolderTests {
    @Test("every file of a model folder is the folder path, a slash and the name sentence-transformers uses")
    func pathsOfTheLayout() {
        let folder = ModelFolder(path: "/models/mini/")
        #expect(folder.path == "/models/mini")
        #expect(folder.config == "/models/mini/config.json")
        #expect(folder.weights == "/models/mini/model.safetensors")
        #expect(folder.pickleWeights == "/models/mini/pytorch_model.bin")
        #expect(folder.vocabulary == "/models/mini/vocab.txt")
        #expect(folder.tokenizer == "/models/mini/tokenizer.json")
        #expect(folder.tokenizerConfig == "/models/mini/tokenizer_config.json")
        #expect(folder.sentenceConfig == "/models/mini/sentence_bert_config.json")
        #expect(folder.modules == "/models/mini/modules.json")
        #expect(ModelFolder(URL(fileURLWithPath: "/models/mini")) == folder)
        #expect(ModelFolder(path: "/").config == "/config.json")
    }

    @Test("the pooling config sits in the folder modules.json names, else in 1_Pooling")
    func poolingConfig() {
        let folder = ModelFolder(path: "/models/mini")
        #expect(folder.poolingConfig(moduleFolder: nil) == "/models/mini/1_Pooling/config.json")
        #expect(folder.poolingConfig(moduleFolder: "2_Pooling") == "/models/mini/2_Pooling/config.json")
        #expect(folder.poolingConfig(moduleFolder: "2_Pooling/") == "/models/mini/2_Pooling/config.json")
    }
}
