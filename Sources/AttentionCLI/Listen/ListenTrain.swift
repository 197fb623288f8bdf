import ArgumentParser
import Foundation
import AttentionAudio
import AttentionModels
import AttentionTraining
import AttentionVisualization

struct ListenTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a recogniser on the train split; report the held-out voice, clean and at 10 dB SNR.")

    @OptionGroup var data: SpeechDataOption
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (each a mini-batch of utterances with one word count).") var steps: Int = 1500
    @Option(name: .customLong("batch-size"), help: "Utterances per mini-batch.") var batchSize: Int = 32
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate (AdamW, warm-up + cosine decay).") var learningRate: Double = 2e-3
    @Option(help: "Encoder width D.") var dimension: Int = 96
    @Option(help: "Encoder layers.") var layers: Int = 2
    @Option(help: "Encoder attention heads.") var heads: Int = 4
    @Option(help: "Decoder GRU width H.") var hidden: Int = 128
    @Option(help: "Local encoder attention: a token attends to tokens at most W to its left (0: everywhere).") var window: Int = 1
    @Option(help: "… and to tokens at most L to its right.") var lookahead: Int = 1
    @Option(help: "Frames of context each token reads on each side of its own 4 frames.") var context: Int = 0
    @Option(help: "Seed of the weights and the batches (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        try Bounds.check([("--steps", steps, 1...1_000_000), ("--batch-size", batchSize, 1...4096), ("--layers", layers, 1...24),
                          ("--hidden", hidden, 1...4096), ("--window", window, 0...4096),
                          ("--context", context, 0...16), ("--lookahead", lookahead, 0...4096)])
        guard (1...1024).contains(dimension), (1...64).contains(heads), dimension % heads == 0 else {
            throw ValidationError("--dimension \(dimension) must be in 1...1024 and a multiple of --heads \(heads) (1...64)")
        }
        guard learningRate > 0, learningRate <= 10 else { throw ValidationError("--learning-rate must be in (0, 10], got \(learningRate)") }
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }
        let corpus = try data.load()
        var c = SpeechRecognizer.Configuration()
        c.dimension = dimension; c.layers = layers; c.heads = heads; c.feedForward = 2 * dimension; c.hidden = hidden; c.window = window
        c.context = context; c.lookahead = lookahead
        var options = SpeechRecognizer.TrainingOptions()
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.seed = seed
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?
        let start = Date()
        let model: SpeechRecognizer
        do {
            model = try SpeechRecognizer.train(on: corpus, configuration: c, options: options) { p in
                if let v = p.validation { validation = v.value }
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw CLIError.data("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let tests: [(String, SpeechRecognizer.Evaluation)]
        do { tests = try ["test-clean", "test-10db"].map { ($0, try model.evaluate(corpus, split: $0)) } } catch { throw CLIError.data("\(error)") }
        if let save { do { try model.save(to: save) } catch { throw CLIError.io(error.description) } }
        let trained = corpus.utterances(in: "train").count
        if json {
            var pairs: [(String, JSONValue)] = [("train_utterances", .int(trained)), ("parameters", .int(model.parameterCount)),
                                               ("steps", .int(steps)), ("seconds", .double((seconds * 10).rounded() / 10))]
            if let validation { pairs.append(("validation_word_accuracy", .double(validation))) }
            for (split, e) in tests {
                let key = split.replacingOccurrences(of: "-", with: "_")
                pairs += [("\(key)_word_error_rate", .double(e.wordErrorRate)), ("\(key)_alignment", .double(e.alignment))]
            }
            if let save { pairs.append(("saved", .string(save))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("trained on \(trained) utterances, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s (features included)")
        if let validation { Output.line("validation 1 − WER \(String(format: "%.4f", validation)) (held-back training utterances)") }
        for (split, e) in tests {
            Output.line("\(split): WER \(String(format: "%.4f", e.wordErrorRate)), alignment \(String(format: "%.4f", e.alignment)) on \(e.utterances) utterances of the held-out voice")
        }
        if let save { Output.line("saved \(save)") }
    }
}
