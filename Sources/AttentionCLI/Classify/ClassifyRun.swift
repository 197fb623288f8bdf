import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct ClassifyRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Classify texts and show the attention weight of every word.")

    @Option(help: "A model written by `classify train --save`.") var load: String
    @Option(help: "Read one text per line from this file ('-': standard input; blank lines skipped).") var file: String?
    @Option(help: "Draw the word weights: .svg, .html, .png or .txt (several texts: FILE-1.svg, FILE-2.svg, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(help: "Print {\"results\": [{\"text\", \"label\", \"probabilities\", \"tokens\", \"attention\"}]} as JSON.") var json = false
    @Argument(help: "Texts to classify.") var texts: [String] = []

    func validate() throws {
        if texts.isEmpty && file == nil { throw ValidationError("give TEXT arguments or --file") }
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        let model: AttentionClassifier
        model = try loadClassifier(load)
        var all = texts
        if let file {
            all += try TextInput.lines(of: file, option: "--file").map(\.text)
        }
        let results = model.classify(all)
        for r in results where r.truncated {
            Console.warning("\"\(r.text.prefix(40))…\" has more than \(model.configuration.maxLength) words; only the first \(model.configuration.maxLength) were read")
        }
        if json {
            try printJSON(.ordered([("results", .array(results.map { r in
                .ordered([("text", .string(r.text)), ("label", .string(r.label)),
                          ("probabilities", .ordered(zip(model.labels, r.probabilities).map { ($0, .double($1)) })),
                          ("tokens", .strings(r.tokens)), ("attention", .doubles(r.attention))])
            }))]))
        } else {
            let ansi = isatty(STDOUT_FILENO) == 1
            for r in results {
                let p = r.probabilities.max() ?? 0
                Output.line("\(r.label) (\(String(format: "%.3f", p)))  \(shaded(r, ansi: ansi))")
            }
        }
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                do {
                    try Heatmap([r.attention], rowLabels: [r.label], columnLabels: r.tokens,
                                title: "attention pooling: \(r.label)", range: 0...1).write(to: URL(fileURLWithPath: path), scale: scale.scale)
                } catch { throw CLIError.data("\(error)") }
                Console.note("wrote \(path)")
            }
        }
    }

    /// Each word on a background as dark as its weight is large (a terminal), or `word(0.42)` for weights ≥ 0.05.
    func shaded(_ r: AttentionClassifier.Result, ansi: Bool) -> String {
        let top = r.attention.max() ?? 1
        return zip(r.tokens, r.attention).map { word, w in
            if ansi {
                let level = Int(255 - 180 * (w / max(top, 1e-9)))
                return "\u{1B}[48;2;255;\(level);\(level)m\u{1B}[30m\(word)\u{1B}[0m"
            }
            return w >= 0.05 ? "\(word)(\(String(format: "%.2f", w)))" : word
        }.joined(separator: " ")
    }
}
