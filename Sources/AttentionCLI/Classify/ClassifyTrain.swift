import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

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
