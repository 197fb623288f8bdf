import ArgumentParser
import Foundation
import AttentionModels
import AttentionTraining
import AttentionTransformers

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
