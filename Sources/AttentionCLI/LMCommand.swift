import ArgumentParser
import Foundation
import AttentionModels
import AttentionTraining
import AttentionTransformers

struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "A character-level causal Transformer language model: train, measure bits per character, generate.",
        discussion: """
            A corpus is a UTF-8 text file (LF, CRLF or CR line ends; '-' reads standard input). The model reads \
            Unicode characters, not bytes, so any script works; each line is followed by a newline character. \
            --corpus builtin:addition is the built-in corpus: the lines a+b=c for every pair of two-digit numbers, \
            with a fixed 3 % of the pairs held out of training; `attention lm corpus` writes it out, and `lm eval` on \
            it also reports how many held-out prompts 'a+b=' the model completes correctly (greedy).

            Example:
              attention lm train --corpus builtin:addition --save add.safetensors
              attention lm eval --load add.safetensors --corpus builtin:addition --json
              attention lm generate --load add.safetensors --prompt "47+38=" --temperature 0 --max-tokens 4
            """,
        subcommands: [LMTrain.self, LMEval.self, LMGenerate.self, LMCorpus.self]
    )
}

/// A corpus named on the command line: the built-in addition corpus (training or held-out lines) or a text file
/// read by the CLI's input layer (blank lines kept: they are text too).
func languageModelCorpus(_ path: String, heldOut: Bool) throws -> (text: String, source: String) {
    if path == AdditionCorpus.name {
        let corpus = AdditionCorpus()
        return (heldOut ? corpus.heldOutText : corpus.trainingText, path)
    }
    let lines = try TextInput.lines(of: path, option: "--corpus", skippingBlank: false).map(\.text)
    let source = "--corpus \(TextInput.sourceName(path))"
    guard lines.contains(where: { !$0.isEmpty }) else { throw CLIError.data(LanguageModelError.emptyCorpus(source: source).description) }
    return (CharacterLanguageModel.text(lines: lines), source)
}

func loadLanguageModel(_ path: String) throws -> CharacterLanguageModel { try loadCheckpoint(path, CharacterLanguageModel.load(from:)) }

struct LMTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a character-level causal Transformer language model on a text corpus.")

    @Option(help: "Training text ('-': standard input; builtin:addition: the built-in sums).") var corpus: String
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (batches of windows).") var steps: Int = 2000
    @Option(help: "Characters the model reads at once (learned positions).") var context: Int = 64
    @Option(name: .customLong("batch-size"), help: "Windows per batch.") var batchSize: Int = 32
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate (AdamW, warm-up + cosine decay).") var learningRate: Double = 3e-3
    @Option(name: .customLong("model-dim"), help: "Model width d_model.") var modelDim: Int = 64
    @Option(help: "Attention heads (must divide --model-dim).") var heads: Int = 4
    @Option(help: "Transformer layers (pre-norm, GELU).") var layers: Int = 2
    @Option(help: "Seed of the weights and the batches (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be in 1...1000000, got \(steps)") }
        guard (1...4096).contains(context) else { throw ValidationError("--context must be in 1...4096, got \(context)") }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...4096, got \(batchSize)") }
        guard learningRate > 0, learningRate <= 1 else { throw ValidationError("--learning-rate must be in (0, 1], got \(learningRate)") }
        guard (1...4096).contains(modelDim) else { throw ValidationError("--model-dim must be in 1...4096, got \(modelDim)") }
        guard heads >= 1, modelDim % heads == 0 else { throw ValidationError("--heads must divide --model-dim \(modelDim), got \(heads)") }
        guard (0...64).contains(layers) else { throw ValidationError("--layers must be in 0...64, got \(layers)") }
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }   // before any work: a mistake costs nothing
        let (text, source) = try languageModelCorpus(corpus, heldOut: false)
        var o = CharacterLanguageModel.TrainingOptions()
        o.steps = steps; o.context = context; o.batchSize = batchSize; o.learningRate = learningRate
        o.modelDim = modelDim; o.numHeads = heads; o.numLayers = layers; o.feedForwardDim = 4 * modelDim; o.seed = seed
        let printer = ProgressPrinter(quiet: quiet)
        let start = Date()
        let trained: (model: CharacterLanguageModel, validation: String)
        do {
            trained = try CharacterLanguageModel.train(on: text, source: source, options: o) { p in
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch let e as LanguageModelError { throw CLIError.data(e.description) } catch { throw CLIError.data("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let lm = trained.model
        let heldOut = trained.validation.isEmpty ? nil : try? lm.bitsPerCharacter(trained.validation, source: source)
        var accuracy: Double?
        if corpus == AdditionCorpus.name { accuracy = try? lm.completionAccuracy(AdditionCorpus().heldOut) }
        if let save {
            do { try lm.save(to: save) } catch { throw CLIError.io(error.description) }
        }
        let steadyRate = Double(steps) / max(seconds, 1e-9)
        if json {
            var pairs: [(String, JSONValue)] = [("characters", .int(text.count)), ("vocabulary", .int(lm.vocabulary.count)),
                                               ("parameters", .int(lm.model.parameterCount)), ("steps", .int(steps)),
                                               ("seconds", .double((seconds * 10).rounded() / 10)),
                                               ("steps_per_second", .double((steadyRate * 100).rounded() / 100))]
            if let heldOut { pairs.append(("held_out_bits_per_character", .double(heldOut.bits))) }
            if let accuracy { pairs.append(("completion_accuracy", .double(accuracy))) }
            if let save { pairs.append(("saved", .string(save))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("trained on \(text.count) characters (\(lm.vocabulary.count) distinct), \(lm.model.parameterCount) parameters, "
                    + "\(steps) steps in \(String(format: "%.1f", seconds)) s (\(String(format: "%.2f", steadyRate)) steps/s)")
        if let heldOut { Output.line("held-out bits per character \(String(format: "%.4f", heldOut.bits)) over \(heldOut.characters) characters") }
        if let accuracy { Output.line("held-out sums completed correctly (greedy): \(String(format: "%.4f", accuracy))") }
        if let save { Output.line("saved \(save)") }
    }
}

struct LMEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Bits per character of a saved language model on a text it was not trained on.")

    @Option(help: "A model written by `lm train --save`.") var load: String
    @Option(help: "Text to score ('-': standard input; builtin:addition: its held-out sums).") var corpus: String
    @Flag(help: "Print {\"characters\", \"bits_per_character\"} (+ \"completion_accuracy\" for builtin:addition) as JSON.") var json = false

    func run() throws {
        let lm = try loadLanguageModel(load)
        let (text, source) = try languageModelCorpus(corpus, heldOut: true)
        let result: (bits: Double, characters: Int)
        var accuracy: Double?
        do {
            result = try lm.bitsPerCharacter(text, source: source)
            if corpus == AdditionCorpus.name { accuracy = try lm.completionAccuracy(AdditionCorpus().heldOut) }
        } catch { throw CLIError.data(error.description) }
        if json {
            var pairs: [(String, JSONValue)] = [("characters", .int(result.characters)), ("bits_per_character", .double(result.bits))]
            if let accuracy { pairs.append(("completion_accuracy", .double(accuracy))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("\(result.characters) characters, \(String(format: "%.4f", result.bits)) bits per character")
        if let accuracy { Output.line("held-out sums completed correctly (greedy): \(String(format: "%.4f", accuracy))") }
    }
}

struct LMGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Continue a prompt with a saved language model, streaming characters as they are chosen.")

    @Option(help: "A model written by `lm train --save`.") var load: String
    @Option(help: "The text to continue (empty: start at a line start).") var prompt: String
    @Option(name: .customLong("max-tokens"), help: "Characters to generate.") var maxTokens: Int = 200
    @Option(help: "Softmax temperature; 0 is greedy (always the most likely character).") var temperature: Double = 0.8
    @Option(name: .customLong("top-k"), help: "Sample among the K most likely characters only.") var topK: Int?
    @Option(name: .customLong("top-p"), help: "Sample among the most likely characters whose probabilities reach P (nucleus).") var topP: Double?
    @Option(help: "Seed of the sampling (same seed, same text).") var seed: UInt64 = 1
    @Flag(help: "Print {\"prompt\", \"completion\"} as JSON instead of streaming.") var json = false

    func validate() throws {
        guard (0...100_000).contains(maxTokens) else { throw ValidationError("--max-tokens must be in 0...100000, got \(maxTokens)") }
        guard temperature >= 0, temperature.isFinite, temperature <= 100 else { throw ValidationError("--temperature must be in [0, 100], got \(temperature)") }
        if let topK { guard topK >= 1 else { throw ValidationError("--top-k must be ≥ 1, got \(topK)") } }
        if let topP { guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1], got \(topP)") } }
    }

    func run() throws {
        let lm = try loadLanguageModel(load)
        let strategy: SamplingStrategy = temperature == 0 ? .greedy : .sample(temperature: temperature, topK: topK, topP: topP, seed: seed)
        // Checked before anything is printed, so a bad prompt writes nothing to standard output.
        do { _ = try lm.vocabulary.encode(prompt, source: "--prompt") } catch { throw CLIError.data(error.description) }
        let completion: String
        do {
            completion = try lm.complete(prompt, maxTokens: maxTokens, strategy: strategy, onText: json ? nil : { piece in
                Output.text(piece)
                Output.flush()
            })
        } catch { throw CLIError.data(error.description) }
        if json {
            try printJSON(.ordered([("prompt", .string(prompt)), ("completion", .string(completion))]))
        } else if !completion.hasSuffix("\n") {
            Output.line("")
        }
    }
}

struct LMCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Write the built-in addition corpus (training or held-out lines).")

    @Option(help: "Which split: train (the sums trained on) or held-out (the 3 % never seen).") var split: String = "train"

    func validate() throws {
        guard ["train", "held-out"].contains(split) else { throw ValidationError("--split must be train or held-out, got \(split)") }
    }

    func run() throws {
        let corpus = AdditionCorpus()
        for p in split == "train" ? corpus.train : corpus.heldOut { Output.line(p.line) }
    }
}
