import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

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
