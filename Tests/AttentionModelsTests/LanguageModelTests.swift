import Foundation
import Testing
import Attention
import AttentionTraining
import AttentionTransformers
@testable import AttentionModels

/// The character language model application: vocabulary, the addition corpus, the held-out split, training,
/// and checkpoints that generate exactly as before saving.
struct LanguageModelTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attention-lm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let text = CharacterLanguageModel.text(lines: [
        "注意力机制是深度学习中的一种方法。", "the cat sat on the mat", "the dog sat on the log", "café crème, s'il vous plaît",
        "the cat ate the rat", "注意力分布与加权平均", "the dog ate the frog", "🙂 the end",
    ])

    static func tinyOptions(steps: Int = 40) -> CharacterLanguageModel.TrainingOptions {
        var o = CharacterLanguageModel.TrainingOptions()
        o.steps = steps; o.batchSize = 4; o.context = 16; o.modelDim = 16; o.numHeads = 2; o.numLayers = 2; o.feedForwardDim = 32
        o.validationEvery = 20; o.warmupSteps = 5; o.learningRate = 5e-3
        return o
    }

    @Test("Characters, not bytes: Chinese, accents and an emoji are one id each, in scalar order; unknown ones are named")
    func vocabulary() throws {
        let v = CharacterVocabulary(building: "中a文é🙂a\n")
        #expect(v.characters == ["\n", "a", "é", "中", "文", "🙂"])
        let ids = try v.encode("文a🙂\né", source: "t")
        #expect(ids == [4, 1, 5, 0, 2])
        #expect(v.decode(ids) == "文a🙂\né")
        #expect(throws: LanguageModelError.unknownCharacter(source: "p", character: "z", line: 2, column: 2, vocabularySize: 6)) {
            try v.encode("a\naz", source: "p")
        }
        #expect(throws: LanguageModelError.self) { try CharacterVocabulary(characters: ["a", "a"]) }
        #expect(throws: LanguageModelError.self) { try CharacterVocabulary(characters: ["ab"]) }
    }

    @Test("The addition corpus: 8,100 sums, a fixed 243 held out and never in the training text")
    func additionCorpus() {
        let c = AdditionCorpus()
        #expect(c.train.count + c.heldOut.count == 8100 && c.heldOut.count == 243)
        #expect(Set(c.train).isDisjoint(with: Set(c.heldOut)))
        let lines = Set(c.trainingText.split(separator: "\n").map(String.init))
        #expect(lines.count == c.train.count && c.heldOut.allSatisfy { !lines.contains($0.line) })
        #expect(AdditionCorpus().heldOut == c.heldOut, "the split is fixed")
        #expect(c.heldOut.allSatisfy { (10...99).contains($0.a) && (10...99).contains($0.b) })
        #expect(AdditionCorpus.Pair(a: 47, b: 85).line == "47+85=132")
    }

    @Test("The held-out tail is whole lines the training head does not contain")
    func split() {
        let (train, held) = CharacterLanguageModel.split(Self.text, validationFraction: 0.25)
        #expect(train + held == Self.text)
        #expect(held == "the dog ate the frog\n🙂 the end\n")
        #expect(CharacterLanguageModel.split("one line\n", validationFraction: 0.25) == ("one line\n", ""))
    }

    @Test("Training lowers held-out bits per character; a saved model generates and scores exactly as before")
    func trainSaveLoad() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var reports: [TrainingProgress] = []
        let (lm, held) = try CharacterLanguageModel.train(on: Self.text, source: "t", options: Self.tinyOptions()) { reports.append($0) }
        #expect(reports.count == 40 && reports.compactMap(\.validation).count == 2)
        #expect(reports.last!.loss < reports.first!.loss)
        let bits = try lm.bitsPerCharacter(held, source: "held")
        #expect(bits.characters == held.count && bits.bits.isFinite)
        let path = dir.appendingPathComponent("lm.safetensors").path
        try lm.save(to: path)
        let back = try CharacterLanguageModel.load(from: path)
        #expect(back.configuration == lm.configuration && back.vocabulary == lm.vocabulary)
        let strategies: [SamplingStrategy] = [.greedy, .sample(temperature: 0.9, topK: 5, topP: 0.95, seed: 3)]
        for s in strategies {
            let before = try lm.complete("the ", maxTokens: 30, strategy: s)
            #expect(before.count == 30)
            #expect(try back.complete("the ", maxTokens: 30, strategy: s) == before)
            #expect(try lm.complete("the ", maxTokens: 30, strategy: s, useCache: false) == before)
        }
        #expect(try back.bitsPerCharacter(held, source: "held") == bits)
        // Same seed, same model: training is bit-identical.
        let again = try CharacterLanguageModel.train(on: Self.text, source: "t", options: Self.tinyOptions()).model
        #expect(again.model.stateDict().mapValues(\.doubles) == lm.model.stateDict().mapValues(\.doubles))
    }

    @Test("Bad corpora, prompts and checkpoints are named errors")
    func errors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: LanguageModelError.emptyCorpus(source: "e")) { try CharacterLanguageModel.train(on: "", source: "e") }
        let (lm, _) = try CharacterLanguageModel.train(on: Self.text, source: "t", options: Self.tinyOptions(steps: 2))
        #expect(throws: LanguageModelError.self) { try lm.complete("the Zebra", maxTokens: 3) }
        let path = dir.appendingPathComponent("lm.safetensors").path
        try lm.save(to: path)
        // Truncated: the header promises more bytes than there are.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir.appendingPathComponent("cut.safetensors").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(throws: AttentionModels.CheckpointError.self) { try CharacterLanguageModel.load(from: cut) }
        // Another task's checkpoint.
        let other = dir.appendingPathComponent("other.safetensors").path
        var rng = RandomGenerator(seed: 1)
        try Checkpoint.write(Linear(inputSize: 2, outputSize: 2, rng: &rng), task: "classify", metadata: [:], to: other)
        #expect(throws: AttentionModels.CheckpointError.wrongTask(path: other, expected: "lm", found: "classify")) { try CharacterLanguageModel.load(from: other) }
        let text = dir.appendingPathComponent("notes.txt").path
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: AttentionModels.CheckpointError.self) { try CharacterLanguageModel.load(from: text) }
    }
}
