import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct TranslateEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Exact match and BLEU of a saved translator on pairs it was not trained on.")

    @Option(help: "A model written by `translate train --save`.") var load: String
    @Option(help: "Test pairs: a 'source<TAB>target' file ('-': standard input) or builtin:grammar-test (default), builtin:grammar, builtin:tutorial.")
    var corpus = "builtin:grammar-test"
    @Option(help: "Beam width (1: greedy).") var beam = 1
    @Flag(help: "Print {\"pairs\", \"exact_match\", \"bleu\"} (and, on builtin:grammar-test, \"alignment_crossing\", \"alignment_probes\") as JSON.")
    var json = false

    func validate() throws {
        guard (1...64).contains(beam) else { throw ValidationError("--beam must be in 1...64, got \(beam)") }
    }

    func run() throws {
        let model = try loadTranslator(load)
        let pairs = try translationCorpus(corpus)
        let e = TranslationEvaluation.evaluate(model, pairs: pairs, beam: beam)
        // The grammar's held-out split knows where the word order flips; other corpora do not.
        let crossing = corpus == "builtin:grammar-test"
            ? TranslationEvaluation.alignmentAccuracy(model, examples: GrammarCorpus.generate().test) : nil
        if json {
            var fields: [(String, JSONValue)] = [("pairs", .int(e.pairs)), ("exact_match", .double(e.exactMatch)), ("bleu", .double(e.bleu))]
            if let crossing { fields += [("alignment_crossing", .double(crossing.accuracy)), ("alignment_probes", .int(crossing.probes))] }
            try printJSON(.ordered(fields))
            return
        }
        Output.line("\(e.pairs) pairs, exact match \(String(format: "%.4f", e.exactMatch)), BLEU \(String(format: "%.2f", e.bleu))")
        if let crossing {
            Output.line("alignment crosses where the order flips in \(String(format: "%.4f", crossing.accuracy)) of \(crossing.probes) noun–adjective probes")
        }
    }
}
