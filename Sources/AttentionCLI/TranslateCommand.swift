import ArgumentParser
import Foundation
import Models
import Text
import Visualization

struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Train the tutorial's Bahdanau translator (GRU encoder-decoder with additive attention) and translate.",
        discussion: """
            Trains from scratch on a small French → English corpus (the built-in tutorial corpus, or --corpus with one \
            'french<TAB>english' pair per line), then translates each SENTENCE greedily and shows where the decoder \
            looked at every step: the alignment matrix, rows = English words produced, columns = French words. \
            Training is seeded: the same arguments give the same model and the same output.

            Example: attention translate "je suis étudiant ." --heatmap alignment.svg
            """
    )

    @Option(help: "A UTF-8 file of 'french<TAB>english' lines (default: the built-in 42-pair tutorial corpus).")
    var corpus: String?

    @Option(help: "Training steps (full-batch Adam).") var steps: Int = 150
    @Option(help: "Seed of the initial weights.") var seed: UInt64 = 7
    @Option(help: "Also write each alignment as a picture: .png, .svg, .html or .txt (several sentences: FILE-1.svg, FILE-2.svg, …).")
    var heatmap: String?
    @Flag(help: "Print one JSON object {\"translations\": [{\"source\", \"translation\", \"alignment\"}]} instead of text.")
    var json = false

    @Argument(help: "French sentences to translate (words outside the corpus become <unk>).")
    var sentences: [String] = []

    func validate() throws {
        guard (1...100_000).contains(steps) else { throw ValidationError("--steps must be in 1...100000, got \(steps)") }
        if sentences.isEmpty { throw ValidationError("give at least one SENTENCE to translate") }
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        let pairs: [(french: String, english: String)]
        if let corpus {
            do { pairs = try BahdanauTranslator.readCorpus(path: corpus) } catch { throw RuntimeError(error.description) }
        } else {
            pairs = BahdanauTranslator.tutorialCorpus
        }
        let bar = ProgressBar(total: steps)
        let model: BahdanauTranslator
        do {
            model = try BahdanauTranslator.train(on: pairs, steps: steps, seed: seed) { step, _ in
                if step % 10 == 0 || step == steps { bar.update(step) }
            }
        } catch { throw RuntimeError("\(error)") }
        let results = sentences.map { sentence in
            let (words, alignment) = model.translate(sentence)
            return Translation(source: sentence, words: words, alignment: alignment)
        }
        if json {
            let objects: [[String: Any]] = results.map {
                ["source": $0.source, "translation": $0.words.joined(separator: " "), "alignment": $0.alignment]
            }
            try printJSON(["translations": objects])
        } else {
            for r in results {
                print("\(r.source)  →  \(r.words.joined(separator: " "))")
                if let map = try? alignmentHeatmap(r) {
                    print(map.terminal(ansi: isatty(STDOUT_FILENO) == 1))
                }
            }
        }
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numbered(heatmap, k + 1)
                do { try alignmentHeatmap(r).write(to: URL(fileURLWithPath: path)) } catch { throw RuntimeError("\(error)") }
                FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
            }
        }
    }

    /// One sentence's result: the words produced and the alignment [words + <eos>, source words].
    struct Translation {
        let source: String, words: [String], alignment: [[Double]]
    }

    /// Rows: the English words and <eos>; columns: the French words.
    func alignmentHeatmap(_ r: Translation) throws -> Heatmap {
        try Heatmap(r.alignment, rowLabels: r.words + ["<eos>"], columnLabels: WordVocabulary.words(in: r.source),
                    title: "Bahdanau alignment: \(r.source)", range: 0...1)
    }

    /// FILE.ext → FILE-k.ext.
    func numbered(_ path: String, _ k: Int) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        return url.deletingPathExtension().path + "-\(k)" + (ext.isEmpty ? "" : "." + ext)
    }
}

/// The format of a heatmap file from its extension, as a validation error naming the option.
func heatmapFormat(_ path: String) throws -> HeatmapFormat {
    do { return try HeatmapFormat(url: URL(fileURLWithPath: path)) } catch {
        throw ValidationError("--heatmap \(path): \(error)")
    }
}
