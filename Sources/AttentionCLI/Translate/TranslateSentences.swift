import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionVisualization

/// `attention translate SENTENCE...`: the tutorial path, unchanged (train on the built-in corpus, then translate).
struct TranslateSentences: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentences",
        abstract: "Train the tutorial's translator on a small corpus, then translate SENTENCE... (the default: `attention translate SENTENCE...`).")

    @Option(help: "A UTF-8 file of 'french<TAB>english' lines, - for standard input (default: the built-in 42-pair tutorial corpus).")
    var corpus: String?

    @Option(help: "Training steps (full-batch Adam; 1...100000).") var steps: Int = 150
    @Option(help: "Seed of the initial weights.") var seed: UInt64 = 3
    @Option(help: "Also write each alignment as a picture: .png, .svg, .html or .txt (several sentences: FILE-1.svg, FILE-2.svg, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(help: "Print one JSON object {\"translations\": [{\"source\", \"translation\", \"alignment\", \"stopped_at_length_limit\", \"unknown_words\"}]} instead of text.")
    var json = false
    @Flag(help: "No progress bar and no \"wrote FILE\" lines.") var quiet = false

    @Argument(help: "French sentences to translate (words outside the corpus become <unk>, with a warning).")
    var sentences: [String] = []

    /// The longest translation: the decoder stops here when it has not produced <eos>.
    static let maxLength = 30

    func validate() throws {
        try Bounds.check([("--steps", steps, 1...100_000)])
        if sentences.isEmpty { throw ValidationError("give at least one SENTENCE to translate") }
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        // Everything that can be refused is refused before training.
        let pictures = heatmap.map { h in sentences.indices.map { sentences.count == 1 ? h : numbered(h, $0 + 1) } } ?? []
        for path in pictures { try InputPaths.checkOutput(path, option: "--heatmap") }
        let pairs: [(french: String, english: String)]
        if let corpus {
            let lines = try TextInput.lines(of: corpus, option: "--corpus")
            do { pairs = try BahdanauTranslator.corpus(lines: lines.map { ($0.number, $0.text) }, source: "--corpus \(TextInput.sourceName(corpus))") }
            catch { throw CLIError.data(error.description) }
        } else {
            pairs = BahdanauTranslator.tutorialCorpus
        }
        let bar = ProgressBar(total: steps, quiet: quiet)
        let model: BahdanauTranslator
        do {
            model = try BahdanauTranslator.train(on: pairs, steps: steps, seed: seed) { step, _ in
                if step % 10 == 0 || step == steps { bar.update(step) }
            }
        } catch { throw CLIError.data("training failed: \(error)") }
        let results = sentences.map { model.translation(of: $0, maxLength: Self.maxLength) }
        for (k, (sentence, r)) in zip(sentences, results).enumerated() {
            let which = "sentence \(k + 1) (\"\(sentence)\")"
            if !r.unknownWords.isEmpty {
                Console.warning("\(which): not in the training corpus, translated as <unk>: \(r.unknownWords.joined(separator: " "))")
            }
            if !r.reachedEnd { Console.warning("\(which): stopped at the length limit of \(Self.maxLength) words without <eos>") }
        }
        let maps = try zip(sentences, results).map { try alignmentHeatmap(source: $0, $1) }
        if json {
            try printJSON(.object(["translations": .array(zip(sentences, results).map { sentence, r in
                .object(["source": .string(sentence), "translation": .string(r.words.joined(separator: " ")),
                         "alignment": .array(r.alignment.map(JSONValue.doubles)), "stopped_at_length_limit": .bool(!r.reachedEnd),
                         "unknown_words": .strings(r.unknownWords)])
            })]))
        } else {
            for ((sentence, r), map) in zip(zip(sentences, results), maps) {
                Output.line("\(sentence)  →  \(r.words.joined(separator: " "))")
                if !r.reachedEnd { Output.line("(stopped at the length limit of \(Self.maxLength) words: no <eos>)") }
                Output.line(map.terminal(ansi: Console.stdoutIsTerminal))
            }
        }
        for (path, map) in zip(pictures, maps) {
            do { try map.write(to: URL(fileURLWithPath: path), scale: scale.scale) } catch { throw heatmapWriteError(error) }
            if !quiet { Console.note("wrote \(path)") }
        }
    }

    /// Rows: the English words (and <eos> when produced); columns: the French words.
    func alignmentHeatmap(source: String, _ r: TranslationResult) throws -> Heatmap {
        do {
            return try Heatmap(r.alignment, rowLabels: r.rowLabels, columnLabels: WordVocabulary.words(in: source),
                               title: "Bahdanau alignment: \(source)", range: 0...1)
        } catch { throw CLIError.data("the alignment of \"\(source)\" cannot be drawn: \(error)") }
    }

    /// FILE.ext → FILE-k.ext.
    func numbered(_ path: String, _ k: Int) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        return url.deletingPathExtension().path + "-\(k)" + (ext.isEmpty ? "" : "." + ext)
    }
}
