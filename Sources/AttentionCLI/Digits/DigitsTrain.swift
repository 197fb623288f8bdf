import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct DigitsTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a Vision Transformer on rows 0–1399.")

    @OptionGroup var data: DataOption
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (mini-batches of 64).") var steps: Int = 5000
    @Option(help: "Patch size P (P×P pixels; must divide 8).") var patch: Int = 2
    @Option(name: .customLong("patch-context"), help: "Border of pixels each token also reads around its patch (0: the plain ViT).")
    var patchContext: Int = 1
    @Option(help: "Model width D.") var dimension: Int = 64
    @Option(help: "Encoder layers.") var layers: Int = 3
    @Option(help: "Attention heads.") var heads: Int = 4
    @Option(help: "Dropout inside the encoder blocks while training.") var dropout: Double = 0
    @Option(name: .customLong("label-smoothing"), help: "Label smoothing of the training loss.") var labelSmoothing: Double = 0
    @Option(name: .customLong("average-decay"),
            help: "Decay of the moving average of the weights that training returns (0: the last step's weights).")
    var averageDecay: Double = 0.999
    @Option(help: "Seed of the weights, batches and shifts (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        guard (0..<1).contains(averageDecay) else { throw ValidationError("--average-decay must be in [0, 1), got \(averageDecay)") }
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be in 1...1000000, got \(steps)") }
        guard [1, 2, 4, 8].contains(patch) else { throw ValidationError("--patch must divide 8 (1, 2, 4 or 8), got \(patch)") }
        guard (1...1024).contains(dimension), (1...64).contains(heads), dimension % heads == 0 else {
            throw ValidationError("--dimension \(dimension) must be in 1...1024 and a multiple of --heads \(heads) (1...64)")
        }
        guard (1...24).contains(layers) else { throw ValidationError("--layers must be in 1...24, got \(layers)") }
        guard (0...4).contains(patchContext) else { throw ValidationError("--patch-context must be in 0...4, got \(patchContext)") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
        guard (0..<1).contains(labelSmoothing) else { throw ValidationError("--label-smoothing must be in [0, 1), got \(labelSmoothing)") }
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }   // before any work: a mistake costs nothing
        let (train, test) = try data.load().standardSplit()
        var c = VisionTransformer.Configuration()
        c.patch = patch; c.patchContext = patchContext; c.dimension = dimension; c.layers = layers; c.heads = heads; c.feedForward = 2 * dimension; c.dropout = dropout
        var options = VisionTransformer.TrainingOptions()
        options.steps = steps; options.seed = seed; options.labelSmoothing = labelSmoothing; options.averageDecay = averageDecay
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?
        let start = Date()
        let model: VisionTransformer
        do {
            model = try VisionTransformer.train(on: train, configuration: c, options: options) { p in
                if let v = p.validation { validation = v.value }
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw CLIError.data("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let accuracy = model.accuracy(on: test)
        if let save { do { try model.save(to: save) } catch { throw CLIError.io(error.description) } }
        if json {
            var pairs: [(String, JSONValue)] = [("train_images", .int(train.count)), ("parameters", .int(model.parameterCount)),
                                               ("steps", .int(steps)), ("seconds", .double((seconds * 10).rounded() / 10))]
            if let validation { pairs.append(("validation_accuracy", .double(validation))) }
            pairs += [("test_images", .int(test.count)), ("test_accuracy", .double(accuracy))]
            if let save { pairs.append(("saved", .string(save))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("trained on \(train.count) images, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s")
        if let validation { Output.line("validation accuracy \(String(format: "%.3f", validation))") }
        Output.line("test accuracy \(String(format: "%.4f", accuracy)) on \(test.count) images never trained on")
        if let save { Output.line("saved \(save)") }
    }
}
