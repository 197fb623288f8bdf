import ArgumentParser
import Foundation
import AttentionAudio
import AttentionModels
import AttentionTraining
import AttentionVisualization

struct ListenEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Word error rate and alignment of a saved recogniser on a test split (held-out voice).")

    @OptionGroup var data: SpeechDataOption
    @Option(help: "A model written by `listen train --save`.") var load: String
    @Option(help: "The split of the headline figures: test-clean or test-10db (both are reported under per_split).")
    var split: String = "test-clean"
    @Flag(help: "Print {\"utterances\", \"word_error_rate\", \"alignment\", \"split\", \"per_split\"} as JSON.") var json = false

    func validate() throws {
        guard ["test-clean", "test-10db"].contains(split) else { throw ValidationError("--split must be test-clean or test-10db, got \(split)") }
    }

    func run() throws {
        let model = try loadCheckpoint(load, SpeechRecognizer.load(from:))
        let corpus = try data.load()
        let all: [(String, SpeechRecognizer.Evaluation)]
        do { all = try ["test-clean", "test-10db"].map { ($0, try model.evaluate(corpus, split: $0)) } } catch { throw CLIError.data("\(error)") }
        let main = all.first { $0.0 == split }!.1
        if json {
            try printJSON(.ordered([
                ("utterances", .int(main.utterances)), ("word_error_rate", .double(main.wordErrorRate)),
                ("alignment", .double(main.alignment)), ("split", .string(split)),
                ("per_split", .array(all.map { .ordered([("split", .string($0.0)), ("utterances", .int($0.1.utterances)),
                                                         ("word_error_rate", .double($0.1.wordErrorRate)),
                                                         ("alignment", .double($0.1.alignment))]) })),
            ]))
            return
        }
        for (s, e) in all {
            Output.line("\(s): \(e.utterances) utterances, WER \(String(format: "%.4f", e.wordErrorRate)), alignment \(String(format: "%.4f", e.alignment)) (\(e.words) words)")
        }
    }
}
