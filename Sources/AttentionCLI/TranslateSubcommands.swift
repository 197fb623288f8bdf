import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

/// The pairs of `--corpus`: a built-in name or a TSV file read by the CLI's input layer (file and line in errors).
func translationCorpus(_ name: String) throws -> [TranslationPair] {
    switch name {
    case "builtin:grammar": return GrammarCorpus.generate().train.map { TranslationPair(source: $0.french, target: $0.english) }
    case "builtin:grammar-test": return GrammarCorpus.generate().test.map { TranslationPair(source: $0.french, target: $0.english) }
    case "builtin:tutorial": return BahdanauTranslator.tutorialCorpus.map { TranslationPair(source: $0.french, target: $0.english) }
    default:
        if name.hasPrefix("builtin:") {
            throw CLIError.usage("--corpus \(name): no such built-in corpus (builtin:grammar, builtin:grammar-test, builtin:tutorial)")
        }
        let lines = try TextInput.lines(of: name, option: "--corpus")
        do {
            return try BahdanauTranslator.corpus(lines: lines.map { ($0.number, $0.text) }, source: "--corpus \(TextInput.sourceName(name))")
                .map { TranslationPair(source: $0.french, target: $0.english) }
        } catch { throw CLIError.data(error.description) }
    }
}

func loadTranslator(_ path: String) throws -> any Translator { try loadCheckpoint(path, TranslatorCheckpoint.load(from:)) }

extension TranslationArchitecture: ExpressibleByArgument {}

struct TranslateTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a translator on 'source<TAB>target' pairs and save it.")

    @Option(help: "Training pairs: a UTF-8 'source<TAB>target' file ('-': standard input) or builtin:grammar (default), builtin:tutorial.")
    var corpus = "builtin:grammar"
    @Option(help: "bahdanau (bidirectional GRU encoder, additive attention, GRU decoder) or transformer (encoder–decoder).")
    var architecture: TranslationArchitecture = .bahdanau
    @Option(help: "Mini-batch steps (default 2000; 1...1000000).") var steps: Int?
    @Option(help: "Passes over the training pairs instead of --steps.") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Pairs per mini-batch.") var batchSize = 32
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate of AdamW (warm-up, then cosine decay; default 3e-3 bahdanau, 1e-3 transformer).")
    var learningRate: Double?
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Seed of the weights, the validation split and the batches (same seed, same model, bit for bit).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        if let steps, !(1...1_000_000).contains(steps) { throw ValidationError("--steps must be in 1...1000000, got \(steps)") }
        if let epochs, !(1...10_000).contains(epochs) { throw ValidationError("--epochs must be in 1...10000, got \(epochs)") }
        if steps != nil && epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...4096, got \(batchSize)") }
        if let learningRate, !(learningRate > 0 && learningRate <= 10) {
            throw ValidationError("--learning-rate must be in (0, 10], got \(learningRate)")
        }
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }   // before any work: a mistake costs nothing
        let pairs = try translationCorpus(corpus)
        var options = TranslationTrainingOptions()
        options.architecture = architecture; options.steps = steps; options.epochs = epochs; options.batchSize = batchSize
        options.learningRate = learningRate; options.seed = seed
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?, steps = 0
        let start = Date()
        let model: any Translator
        do {
            model = try TranslationTraining.train(on: pairs, options: options) { p in
                if let v = p.validation { validation = v.value }
                steps = p.totalSteps
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw CLIError.data("training failed: \(error)") }
        let seconds = Date().timeIntervalSince(start)
        // The built-in training split has a held-out split of its own: report it.
        let heldOut = corpus == "builtin:grammar"
            ? TranslationEvaluation.evaluate(model, pairs: try translationCorpus("builtin:grammar-test")).exactMatch : nil
        if let save {
            do { try TranslatorCheckpoint.save(model, to: save) } catch { throw CLIError.io(error.description) }
        }
        if json {
            var fields: [(String, JSONValue)] = [
                ("architecture", .string(architecture.rawValue)), ("pairs", .int(pairs.count)),
                ("source_vocabulary", .int(model.sourceVocabulary.count)), ("target_vocabulary", .int(model.targetVocabulary.count)),
                ("parameters", .int(model.parameterCount)), ("steps", .int(steps)),
                ("seconds", .double((seconds * 10).rounded() / 10)), ("steps_per_second", .double((Double(steps) / seconds * 100).rounded() / 100)),
            ]
            if let validation { fields.append(("validation_exact_match", .double(validation))) }
            if let heldOut { fields.append(("held_out_exact_match", .double(heldOut))) }
            if let save { fields.append(("saved", .string(save))) }
            try printJSON(.ordered(fields))
            return
        }
        Output.line("trained a \(architecture.rawValue) translator on \(pairs.count) pairs (\(model.sourceVocabulary.count) source and "
            + "\(model.targetVocabulary.count) target words, \(model.parameterCount) parameters): \(steps) steps in "
            + "\(String(format: "%.1f", seconds)) s (\(String(format: "%.2f", Double(steps) / seconds)) steps/s)")
        if let validation { Output.line("validation exact match \(String(format: "%.3f", validation))") }
        if let heldOut { Output.line("built-in held-out (builtin:grammar-test) exact match \(String(format: "%.3f", heldOut))") }
        if let save { Output.line("saved \(save)") }
    }
}

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

struct TranslateCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Write a built-in corpus as 'french<TAB>english' lines.")

    @Option(help: "builtin:grammar (training split), builtin:grammar-test (held-out split) or builtin:tutorial.")
    var name = "builtin:grammar"

    func run() throws {
        guard name.hasPrefix("builtin:") else { throw CLIError.usage("--name \(name): give a built-in corpus name (builtin:…)") }
        for p in try translationCorpus(name) { Output.line("\(p.source)\t\(p.target)") }
    }
}
