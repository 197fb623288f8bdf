import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct CaptionTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a captioner on strips composed from rows 0–1399; report the 3-digit test strips.")

    @OptionGroup var data: DataOption
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (each a fresh mini-batch of strips of one length, 2–4 digits).") var steps: Int = 2500
    @Option(name: .customLong("batch-size"), help: "Strips per mini-batch.") var batchSize: Int = 32
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate (AdamW, warm-up + cosine decay).") var learningRate: Double = 2e-3
    @Option(help: "Patch size P (P×P pixels; must divide 8).") var patch: Int = 2
    @Option(name: .customLong("patch-context"), help: "Border of pixels each token also reads around its patch.") var patchContext: Int = 3
    @Option(help: "Encoder width D.") var dimension: Int = 64
    @Option(help: "Encoder layers.") var layers: Int = 3
    @Option(help: "Encoder attention heads.") var heads: Int = 4
    @Option(help: "Decoder GRU width H.") var hidden: Int = 128
    @Option(help: "Dropout inside the encoder blocks while training.") var dropout: Double = 0
    @Option(help: "Local encoder attention: a patch attends to patches at most W columns left or right (0: everywhere).")
    var window: Int = 2
    @Option(help: "Largest random shift of each training digit, in pixels (0...4).") var shift: Double = 1
    @Option(help: "Largest random rotation of each training digit, in degrees (0...45).") var rotation: Double = 12
    @Option(help: "Random ink intensity of each training digit: pixels times a factor in 1 ± X, clipped to 0–16 ([0, 1)).")
    var intensity: Double = 0
    @Option(name: .customLong("label-smoothing"), help: "Label smoothing of the word cross-entropy ([0, 1)).")
    var labelSmoothing: Double = 0
    @Option(help: "Seed of the weights, strips and augmentation (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        try Bounds.check([("--steps", steps, 1...1_000_000), ("--batch-size", batchSize, 1...4096), ("--layers", layers, 1...24),
                          ("--patch-context", patchContext, 0...4), ("--hidden", hidden, 1...4096), ("--window", window, 0...1024)])
        guard [1, 2, 4, 8].contains(patch) else { throw ValidationError("--patch must divide 8 (1, 2, 4 or 8), got \(patch)") }
        guard (1...1024).contains(dimension), (1...64).contains(heads), dimension % heads == 0 else {
            throw ValidationError("--dimension \(dimension) must be in 1...1024 and a multiple of --heads \(heads) (1...64)")
        }
        guard learningRate > 0, learningRate <= 10 else { throw ValidationError("--learning-rate must be in (0, 10], got \(learningRate)") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
        guard (0...4).contains(shift), (0...45).contains(rotation) else {
            throw ValidationError("--shift must be in 0...4 and --rotation in 0...45, got \(shift) and \(rotation)")
        }
        guard (0..<1).contains(intensity), (0..<1).contains(labelSmoothing) else {
            throw ValidationError("--intensity and --label-smoothing must be in [0, 1), got \(intensity) and \(labelSmoothing)")
        }
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }   // before any work: a mistake costs nothing
        let images = try data.load()
        var c = CaptionModel.Configuration()
        c.patch = patch; c.patchContext = patchContext; c.dimension = dimension; c.layers = layers; c.heads = heads
        c.feedForward = 2 * dimension; c.hidden = hidden; c.dropout = dropout; c.window = window
        var options = CaptionModel.TrainingOptions()
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.seed = seed
        options.shift = shift; options.rotation = rotation; options.intensity = intensity; options.labelSmoothing = labelSmoothing
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?
        let start = Date()
        let model: CaptionModel
        do {
            model = try CaptionModel.train(on: images, configuration: c, options: options) { p in
                if let v = p.validation { validation = v.value }
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw CLIError.data("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let test = model.evaluate(DigitStrips.testStrips(images, digits: 3))
        if let save { do { try model.save(to: save) } catch { throw CLIError.io(error.description) } }
        let trainRows = DigitStrips.trainingRows(images).count
        if json {
            var pairs: [(String, JSONValue)] = [("train_images", .int(trainRows)), ("parameters", .int(model.parameterCount)),
                                               ("steps", .int(steps)), ("seconds", .double((seconds * 10).rounded() / 10))]
            if let validation { pairs.append(("validation_exact_match", .double(validation))) }
            pairs += [("test_strips", .int(test.strips)), ("test_exact_match", .double(test.exactMatch)),
                      ("test_localisation", .double(test.localisation))]
            if let save { pairs.append(("saved", .string(save))) }
            try printJSON(.ordered(pairs))
            return
        }
        Output.line("trained on strips of \(trainRows) digit images, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s")
        if let validation { Output.line("validation exact match \(String(format: "%.3f", validation)) (3-digit strips of held-back training rows)") }
        Output.line("3-digit test strips: exact match \(String(format: "%.4f", test.exactMatch)), localisation \(String(format: "%.4f", test.localisation)) on \(test.strips) strips never trained on")
        if let save { Output.line("saved \(save)") }
    }
}
