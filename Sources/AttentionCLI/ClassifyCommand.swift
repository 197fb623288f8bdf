import ArgumentParser
import Foundation
import Models
import Text
import Training
import Visualization

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Text classification with attention pooling: train, evaluate, and see which words decided.",
        discussion: """
            A corpus is a UTF-8 file of 'label<TAB>text' lines (any labels, LF or CRLF, blank lines skipped; '-' reads \
            standard input). Without --corpus the built-in sentiment corpus is used: reviews generated from a small \
            grammar (negation, intensifiers, 'but' and 'although' contrasts) whose test split uses sentence frames never \
            seen in training. `attention classify corpus` writes it out.

            Example:
              attention classify train --save sentiment.safetensors
              attention classify eval --load sentiment.safetensors
              attention classify run --load sentiment.safetensors "the film was not good at all" --heatmap words.svg
            """,
        subcommands: [ClassifyTrain.self, ClassifyEval.self, ClassifyRun.self, ClassifyCorpus.self]
    )
}

/// The built-in corpus (fixed seed: the same sentences everywhere), or a TSV file.
func classificationCorpus(_ path: String?, split: String) throws -> [LabelledText] {
    if let path {
        do { return try LabelledText.readTSV(path: path) } catch { throw RuntimeError(error.description) }
    }
    let corpus = SentimentCorpus.generate()
    return (split == "train" ? corpus.train : corpus.test).map { LabelledText(label: $0.label, text: $0.text) }
}

/// Refuses an output path whose folder is missing or that names a folder, before any long work starts.
func checkWritable(_ path: String, option: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("\(option) \(path): is a folder; give a file name")
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(option) \(path): the folder \(folder) does not exist")
    }
}

func writeJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct ClassifyTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a classifier (embeddings → GRU or Transformer encoder → attention pooling → linear).")

    @Option(help: "Training corpus, 'label<TAB>text' lines ('-': standard input; default: the built-in sentiment training split).")
    var corpus: String?
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Encoder: gru (bidirectional) or transformer.") var encoder: AttentionClassifier.EncoderKind = .gru
    @Option(help: "Attention pooling scorer: additive or scaled-dot.") var scorer: String = "additive"
    @Option(help: "Training steps (mini-batches).") var steps: Int = 600
    @Option(name: .customLong("batch-size"), help: "Examples per mini-batch.") var batchSize: Int = 32
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate (AdamW, warm-up + cosine decay).") var learningRate: Double = 3e-3
    @Option(help: "Embedding width E.") var embedding: Int = 32
    @Option(help: "GRU hidden width per direction (the Transformer uses E).") var hidden: Int = 32
    @Option(help: "Transformer layers.") var layers: Int = 2
    @Option(name: .customLong("word-dropout"), help: "Probability of reading a training word as <unk> (robustness to unseen words).")
    var wordDropout: Double = 0.1
    @Option(help: "Seed of the weights, batches and word dropout (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be in 1...1000000, got \(steps)") }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...4096, got \(batchSize)") }
        guard learningRate > 0, learningRate <= 10 else { throw ValidationError("--learning-rate must be in (0, 10], got \(learningRate)") }
        guard (0..<1).contains(wordDropout) else { throw ValidationError("--word-dropout must be in [0, 1), got \(wordDropout)") }
        guard ["additive", "scaled-dot"].contains(scorer) else { throw ValidationError("--scorer must be additive or scaled-dot, got \(scorer)") }
        if let save { try checkWritable(save, option: "--save") }
    }

    struct Summary: Encodable {
        let examples: Int, labels: [String], vocabulary: Int, parameters: Int, steps: Int, seconds: Double
        let validation_accuracy: Double?, test_accuracy: Double?, saved: String?
    }

    func run() throws {
        let examples = try classificationCorpus(corpus, split: "train")
        var config = AttentionClassifier.Configuration()
        config.encoder = encoder; config.scorer = scorer; config.embedding = embedding; config.hidden = hidden; config.layers = layers
        var options = AttentionClassifier.TrainingOptions()
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.seed = seed; options.wordDropout = wordDropout
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?
        let start = Date()
        let model: AttentionClassifier
        do {
            model = try AttentionClassifier.train(on: examples, configuration: config, options: options) { p in
                if let v = p.validation { validation = v.value }
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw RuntimeError("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let test = corpus == nil ? model.evaluate(try classificationCorpus(nil, split: "test")).accuracy : nil
        if let save {
            do { try model.save(to: save) } catch { throw RuntimeError(error.description) }
        }
        let summary = Summary(examples: examples.count, labels: model.labels, vocabulary: model.vocabulary.count,
                              parameters: model.parameterCount, steps: steps, seconds: (seconds * 10).rounded() / 10,
                              validation_accuracy: validation, test_accuracy: test, saved: save)
        if json { try writeJSON(summary); return }
        print("trained on \(examples.count) examples, labels \(model.labels.joined(separator: ", ")), "
              + "\(model.vocabulary.count) words, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s")
        if let validation { print("validation accuracy \(String(format: "%.3f", validation))") }
        if let test { print("built-in held-out test accuracy \(String(format: "%.3f", test))") }
        if let save { print("saved \(save)") }
    }
}

struct ClassifyEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Accuracy of a saved classifier on a labelled corpus it was not trained on.")

    @Option(help: "A model written by `classify train --save`.") var load: String
    @Option(help: "Test corpus, 'label<TAB>text' lines ('-': standard input; default: the built-in held-out split).")
    var corpus: String?
    @Flag(help: "Print {\"accuracy\", \"examples\", \"key_word_attention\", \"per_label\"} as JSON.") var json = false

    struct Report: Encodable {
        struct PerLabel: Encodable { let label: String, examples: Int, accuracy: Double }
        let examples: Int, accuracy: Double, per_label: [PerLabel], unknown_labels: Int
        /// Built-in corpus only: the mean attention mass on the words that decide the label.
        let key_word_attention: Double?
    }

    func run() throws {
        let model: AttentionClassifier
        do { model = try AttentionClassifier.load(from: load) } catch { throw RuntimeError(error.description) }
        let examples = try classificationCorpus(corpus, split: "test")
        let e = model.evaluate(examples)
        let key = corpus == nil ? model.keyWordAttention(SentimentCorpus.generate().test) : nil
        let report = Report(examples: e.examples, accuracy: e.accuracy,
                            per_label: e.perLabel.map { .init(label: $0.label, examples: $0.examples, accuracy: $0.accuracy) },
                            unknown_labels: e.unknownLabels, key_word_attention: key)
        if json { try writeJSON(report); return }
        print("\(e.examples) examples, accuracy \(String(format: "%.4f", e.accuracy))")
        for l in e.perLabel { print("  \(l.label): \(l.examples) examples, accuracy \(String(format: "%.4f", l.accuracy))") }
        if e.unknownLabels > 0 { print("  \(e.unknownLabels) examples have labels the model was not trained on") }
        if let key { print("mean attention on the deciding words: \(String(format: "%.3f", key))") }
    }
}

struct ClassifyRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Classify texts and show the attention weight of every word.")

    @Option(help: "A model written by `classify train --save`.") var load: String
    @Option(help: "Read one text per line from this file ('-': standard input; blank lines skipped).") var file: String?
    @Option(help: "Draw the word weights: .svg, .html, .png or .txt (several texts: FILE-1.svg, FILE-2.svg, …).")
    var heatmap: String?
    @Flag(help: "Print {\"results\": [{\"attention\", \"label\", \"probabilities\", \"text\", \"tokens\"}]} as JSON.") var json = false
    @Argument(help: "Texts to classify.") var texts: [String] = []

    func validate() throws {
        if texts.isEmpty && file == nil { throw ValidationError("give TEXT arguments or --file") }
        if let heatmap { _ = try heatmapFormat(heatmap); try checkWritable(heatmap, option: "--heatmap") }
    }

    struct Output: Encodable {
        struct Item: Encodable {
            let text: String, label: String, probabilities: [String: Double], tokens: [String], attention: [Double]
        }
        let results: [Item]
    }

    func run() throws {
        let model: AttentionClassifier
        do { model = try AttentionClassifier.load(from: load) } catch { throw RuntimeError(error.description) }
        var all = texts
        if let file {
            do { all += try NumberedLines(contentsOf: file).lines.map(\.text) } catch { throw RuntimeError(error.description) }
        }
        let results = model.classify(all)
        for r in results where r.truncated {
            FileHandle.standardError.write(Data("warning: \"\(r.text.prefix(40))…\" has more than \(model.configuration.maxLength) words; only the first \(model.configuration.maxLength) were read\n".utf8))
        }
        if json {
            try writeJSON(Output(results: results.map {
                .init(text: $0.text, label: $0.label, probabilities: Dictionary(uniqueKeysWithValues: zip(model.labels, $0.probabilities)),
                      tokens: $0.tokens, attention: $0.attention)
            }))
        } else {
            let ansi = isatty(STDOUT_FILENO) == 1
            for r in results {
                let p = r.probabilities.max() ?? 0
                print("\(r.label) (\(String(format: "%.3f", p)))  \(shaded(r, ansi: ansi))")
            }
        }
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                do {
                    try Heatmap([r.attention], rowLabels: [r.label], columnLabels: r.tokens,
                                title: "attention pooling: \(r.label)", range: 0...1).write(to: URL(fileURLWithPath: path))
                } catch { throw RuntimeError("\(error)") }
                FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
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

/// FILE.ext → FILE-k.ext.
func numberedPath(_ path: String, _ k: Int) -> String {
    let url = URL(fileURLWithPath: path)
    let ext = url.pathExtension
    return url.deletingPathExtension().path + "-\(k)" + (ext.isEmpty ? "" : "." + ext)
}

struct ClassifyCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Write the built-in sentiment corpus as 'label<TAB>text' lines.")

    @Option(help: "Which split: train (sentence frames of training) or test (held-out frames).") var split: String = "train"
    @Option(help: "Seed of the generator (the built-in corpus is seed 1).") var seed: UInt64 = 1

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test, got \(split)") }
    }

    func run() throws {
        let corpus = SentimentCorpus.generate(seed: seed)
        FileHandle.standardOutput.write(Data(SentimentCorpus.tsv(split == "train" ? corpus.train : corpus.test).utf8))
    }
}

extension AttentionClassifier.EncoderKind: ExpressibleByArgument {}
