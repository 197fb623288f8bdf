import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct ClassifyEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Accuracy of a saved classifier on a labelled corpus it was not trained on.")

    @Option(help: "A model written by `classify train --save`.") var load: String
    @Option(help: "Test corpus, 'label<TAB>text' lines ('-': standard input; default: the built-in held-out split).")
    var corpus: String?
    @Flag(help: "Print {\"examples\", \"accuracy\", \"per_label\", \"unknown_labels\", \"key_word_attention\" (built-in corpus)} as JSON.") var json = false

    func run() throws {
        let model: AttentionClassifier
        model = try loadClassifier(load)
        let examples = try classificationCorpus(corpus, split: "test")
        let e = model.evaluate(examples)
        let key = corpus == nil ? model.keyWordAttention(SentimentCorpus.generate().test) : nil
        if json {
            var pairs: [(String, JSONValue)] = [
                ("examples", .int(e.examples)), ("accuracy", .double(e.accuracy)),
                ("per_label", .array(e.perLabel.map { .ordered([("label", .string($0.label)), ("examples", .int($0.examples)),
                                                              ("accuracy", .double($0.accuracy))]) })),
                ("unknown_labels", .int(e.unknownLabels)),
            ]
            if let key { pairs.append(("key_word_attention", .double(key))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("\(e.examples) examples, accuracy \(String(format: "%.4f", e.accuracy))")
        for l in e.perLabel { Output.line("  \(l.label): \(l.examples) examples, accuracy \(String(format: "%.4f", l.accuracy))") }
        if e.unknownLabels > 0 { Output.line("  \(e.unknownLabels) examples have labels the model was not trained on") }
        if let key { Output.line("mean attention on the deciding words: \(String(format: "%.3f", key))") }
    }
}
