import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

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

/// The built-in corpus (fixed seed: the same sentences everywhere), or a TSV file read by the CLI's input layer.
func classificationCorpus(_ path: String?, split: String) throws -> [LabelledText] {
    if let path {
        let lines = try TextInput.lines(of: path, option: "--corpus").map { NumberedLines.Line(number: $0.number, text: $0.text) }
        do { return try LabelledText.readTSV(lines, source: TextInput.sourceName(path)) } catch { throw CLIError.data(error.description) }
    }
    let corpus = SentimentCorpus.generate()
    return (split == "train" ? corpus.train : corpus.test).map { LabelledText(label: $0.label, text: $0.text) }
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
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }   // before any work: a mistake costs nothing
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
        } catch { throw CLIError.data("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let test = corpus == nil ? model.evaluate(try classificationCorpus(nil, split: "test")).accuracy : nil
        if let save {
            do { try model.save(to: save) } catch { throw CLIError.io(error.description) }
        }
        if json {
            var pairs: [(String, JSONValue)] = [("examples", .int(examples.count)), ("labels", .strings(model.labels)),
                                               ("vocabulary", .int(model.vocabulary.count)), ("parameters", .int(model.parameterCount)),
                                               ("steps", .int(steps)), ("seconds", .double((seconds * 10).rounded() / 10))]
            if let validation { pairs.append(("validation_accuracy", .double(validation))) }
            if let test { pairs.append(("test_accuracy", .double(test))) }
            if let save { pairs.append(("saved", .string(save))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("trained on \(examples.count) examples, labels \(model.labels.joined(separator: ", ")), "
              + "\(model.vocabulary.count) words, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s")
        if let validation { Output.line("validation accuracy \(String(format: "%.3f", validation))") }
        if let test { Output.line("built-in held-out test accuracy \(String(format: "%.3f", test))") }
        if let save { Output.line("saved \(save)") }
    }
}

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
        for e in split == "train" ? corpus.train : corpus.test { Output.line("\(e.label)\t\(e.text)") }
    }
}

extension AttentionClassifier.EncoderKind: ExpressibleByArgument {}
