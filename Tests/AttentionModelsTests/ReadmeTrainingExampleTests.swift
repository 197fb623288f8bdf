import Foundation
import Testing
import Attention
import AttentionModels
import AttentionVisualization

/// The README's training-and-heatmap example: if it stops compiling or stops translating, this fails.
struct ReadmeTrainingExampleTests {
    @Test func readmeTranslatorExample() throws {
        let model = try BahdanauTranslator.train(on: BahdanauTranslator.tutorialCorpus, steps: 150)
        let result = model.translation(of: "je suis étudiant .")
        #expect(result.words.joined(separator: " ") == "i am a student .")
        let map = try Heatmap(result.alignment, rowLabels: result.rowLabels, columnLabels: ["je", "suis", "étudiant", "."])
        #expect(map.terminal().split(separator: "\n").count >= result.words.count + 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: url) }
        try map.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("étudiant"))
    }

    /// Issue 15 item 4: with a length limit the decoder cannot finish within, the recipe still draws: no <eos> row.
    @Test func readmeRecipeWithoutEndOfSentence() throws {
        let model = try BahdanauTranslator.train(on: BahdanauTranslator.tutorialCorpus, steps: 150)
        let result = model.translation(of: "je suis étudiant .", maxLength: 2)   // "i am" fits; "a student . <eos>" does not
        #expect(result.words == ["i", "am"] && !result.reachedEnd)
        #expect(result.rowLabels == ["i", "am"] && result.alignment.count == 2)
        _ = try Heatmap(result.alignment, rowLabels: result.rowLabels, columnLabels: ["je", "suis", "étudiant", "."])
        let finished = model.translation(of: "je suis étudiant .")
        #expect(finished.reachedEnd && finished.rowLabels.last == "<eos>" && finished.alignment.count == 6)
        let (words, alignment) = model.translate("je suis étudiant .", maxLength: 2)   // the tuple API is unchanged
        #expect(words == result.words && alignment == result.alignment)
    }
}
