import Foundation
import Testing
import Attention
import Models
import Visualization

/// The README's training-and-heatmap example: if it stops compiling or stops translating, this fails.
struct ReadmeTrainingExampleTests {
    @Test func readmeTranslatorExample() throws {
        let model = try BahdanauTranslator.train(on: BahdanauTranslator.tutorialCorpus, steps: 150)
        let (english, alignment) = model.translate("je suis étudiant .")
        #expect(english.joined(separator: " ") == "i am a student .")
        let map = try Heatmap(alignment, rowLabels: english + ["<eos>"], columnLabels: ["je", "suis", "étudiant", "."])
        #expect(map.terminal().split(separator: "\n").count >= english.count + 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: url) }
        try map.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("étudiant"))
    }
}
