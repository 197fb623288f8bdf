import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct TranslateRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Translate sentences with a saved translator and show its alignments.")

    @Option(help: "A model written by `translate train --save`.") var load: String
    @Option(help: "Beam width (1: greedy).") var beam = 1
    @Option(help: "Also write each alignment as a picture: .png, .svg, .html or .txt (several sentences: FILE-1.svg, FILE-2.svg, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(name: .customLong("all-heads"), help: "Transformer: add \"cross_attention\" [layer][head][row][column] to the JSON.")
    var allHeads = false
    @Flag(help: "Print {\"translations\": [{\"source\", \"target\", \"alignment\"}]} as JSON (target ends with <eos>).") var json = false
    @Flag(help: "No \"wrote FILE\" lines.") var quiet = false
    @Argument(help: "Sentences to translate (words the model does not know become <unk>, with a warning).") var sentences: [String] = []

    static let maxLength = 30

    func validate() throws {
        if sentences.isEmpty { throw ValidationError("give at least one SENTENCE to translate") }
        guard (1...64).contains(beam) else { throw ValidationError("--beam must be in 1...64, got \(beam)") }
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        let pictures = heatmap.map { h in sentences.indices.map { sentences.count == 1 ? h : numberedPath(h, $0 + 1) } } ?? []
        for path in pictures { try InputPaths.checkOutput(path, option: "--heatmap") }
        let model = try loadTranslator(load)
        if allHeads && !(model is TransformerTranslator) { Console.warning("--all-heads: a bahdanau model has one attention; nothing added") }
        // 30 words, or more for a long sentence (twice its words and 5).
        let limit = max(Self.maxLength, 2 * (sentences.map { WordVocabulary.words(in: $0).count }.max() ?? 0) + 5)
        let results = model.translations(of: sentences, maxLength: limit, beam: beam)
        for (k, (sentence, r)) in zip(sentences, results).enumerated() {
            let which = "sentence \(k + 1) (\"\(sentence)\")"
            if r.sourceWords.isEmpty { throw CLIError.data("\(which) has no words to translate") }
            if !r.unknownWords.isEmpty {
                Console.warning("\(which): not in the model's vocabulary, translated as <unk>: \(r.unknownWords.joined(separator: " "))")
            }
            if !r.reachedEnd { Console.warning("\(which): stopped at the length limit of \(limit) words without <eos>") }
        }
        let maps = try results.map { r in
            do {
                return try Heatmap(r.alignment, rowLabels: r.rowLabels, columnLabels: r.sourceWords,
                                   title: "\(model is TransformerTranslator ? "Transformer cross-attention (last layer, mean of heads)" : "Bahdanau alignment"): \(r.sourceWords.joined(separator: " "))",
                                   range: 0...1)
            } catch { throw CLIError.data("the alignment cannot be drawn: \(error)") }
        }
        if json {
            try printJSON(.ordered([("translations", .array(results.map { r in
                var fields: [(String, JSONValue)] = [("source", .strings(r.sourceWords)), ("target", .strings(r.rowLabels)),
                                                     ("alignment", .array(r.alignment.map(JSONValue.doubles)))]
                if allHeads, let heads = r.crossAttention {
                    fields.append(("cross_attention", .array(heads.map { .array($0.map { .array($0.map(JSONValue.doubles)) }) })))
                }
                return .ordered(fields)
            }))]))
        } else {
            for (r, map) in zip(results, maps) {
                Output.line("\(r.sourceWords.joined(separator: " "))  →  \(r.words.joined(separator: " "))")
                Output.line(map.terminal(ansi: Console.stdoutIsTerminal))
            }
        }
        for (path, map) in zip(pictures, maps) {
            do { try map.write(to: URL(fileURLWithPath: path), scale: scale.scale) } catch { throw heatmapWriteError(error) }
            if !quiet { Console.note("wrote \(path)") }
        }
    }
}
