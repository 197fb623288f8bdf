import ArgumentParser
import Foundation
import AttentionModels
import AttentionTraining
import AttentionTransformers

struct LMEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Bits per character of a saved language model on a text it was not trained on.")

    @Option(help: "A model written by `lm train --save`.") var load: String
    @Option(help: "Text to score ('-': standard input; builtin:addition: its held-out sums).") var corpus: String
    @Flag(help: "Print {\"characters\", \"bits_per_character\"} (+ \"completion_accuracy\" for builtin:addition) as JSON.") var json = false

    func run() throws {
        let lm = try loadLanguageModel(load)
        let (text, source) = try languageModelCorpus(corpus, heldOut: true)
        let result: (bits: Double, characters: Int)
        var accuracy: Double?
        do {
            result = try lm.bitsPerCharacter(text, source: source)
            if corpus == AdditionCorpus.name { accuracy = try lm.completionAccuracy(AdditionCorpus().heldOut) }
        } catch { throw CLIError.data(error.description) }
        if json {
            var pairs: [(String, JSONValue)] = [("characters", .int(result.characters)), ("bits_per_character", .double(result.bits))]
            if let accuracy { pairs.append(("completion_accuracy", .double(accuracy))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("\(result.characters) characters, \(String(format: "%.4f", result.bits)) bits per character")
        if let accuracy { Output.line("held-out sums completed correctly (greedy): \(String(format: "%.4f", accuracy))") }
    }
}
