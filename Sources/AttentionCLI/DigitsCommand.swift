import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct DigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "A Vision Transformer on the UCI handwritten digits: train, evaluate on the test split, see where it looks.",
        discussion: """
            The data are the 1,797 8×8 images of scikit-learn's digits.csv (values 0–16, label in a 65th column). \
            Get them once with Scripts/fetch-digits.sh (into ~/.cache/attention/digits/digits.csv), or give --data. \
            Rows 0–1399 train (10 % of them validate as training goes); rows 1400–1796 are the test split, never trained on.

            Example:
              attention digits train --save vit.safetensors
              attention digits eval --load vit.safetensors --json
              attention digits run --load vit.safetensors --csv some-digits.csv --heatmap where.png
            """,
        subcommands: [DigitsTrain.self, DigitsEval.self, DigitsRun.self]
    )
}

struct DataOption: ParsableArguments {
    @Option(help: "The digits CSV (default: $ATTENTION_DIGITS or ~/.cache/attention/digits/digits.csv from Scripts/fetch-digits.sh).")
    var data: String?

    func load() throws -> DigitImages {
        let path = data ?? DigitImages.defaultPath
        if data == nil && !FileManager.default.fileExists(atPath: path) {
            throw CLIError.noInput("\(path): no digits file; run Scripts/fetch-digits.sh once, or give --data FILE")
        }
        return try readImages(path, option: "--data", height: 8, width: 8, requireLabels: true)
    }
}

struct DigitsTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a Vision Transformer on rows 0–1399.")

    @OptionGroup var data: DataOption
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (mini-batches of 64).") var steps: Int = 2500
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

struct DigitsEval: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Accuracy of a saved model on the test split (rows 1400–1796).")

    @OptionGroup var data: DataOption
    @Option(help: "A model written by `digits train --save`.") var load: String
    @Flag(help: "Print {\"test_images\", \"accuracy\"} as JSON.") var json = false

    func run() throws {
        let model: VisionTransformer
        model = try loadVision(load)
        let test = try data.load().standardSplit().test
        let accuracy = model.accuracy(on: test)
        if json { try printJSON(.ordered([("test_images", .int(test.count)), ("accuracy", .double(accuracy))])); return }
        Output.line("\(test.count) test images, accuracy \(String(format: "%.4f", accuracy))")
    }
}

struct DigitsRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Classify images and show where the model looked.")

    @Option(help: "A model written by `digits train --save`.") var load: String
    @Option(help: "Rows of 64 comma-separated values 0–16 (a 65th column, a label, is ignored); '-' reads standard input.")
    var csv: String
    @Option(help: "Draw each image with its attention rollout over it: .png, .svg, .html, or .txt for the numbers (several images: FILE-1.png, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(help: "Print {\"results\": [{\"label\", \"probabilities\", \"cls_attention\" [layer][head][patch], \"rollout\" [8][8]}]} as JSON.") var json = false

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        if csv != "-" { try InputPaths.checkFile(csv, option: "--csv") }   // a missing input is named before the model loads
        let model: VisionTransformer
        model = try loadVision(load)
        let c = model.configuration
        let images: DigitImages
        images = try readImages(csv, option: "--csv", height: c.imageHeight, width: c.imageWidth, requireLabels: false)
        let results = model.classify(images.pixels)
        if json {
            try printJSON(.ordered([("results", .array(results.map { r in
                .ordered([("label", .int(r.label)), ("probabilities", .doubles(r.probabilities)),
                          ("cls_attention", .array(r.classAttention.map { .array($0.map(JSONValue.doubles)) })),
                          ("rollout", .array(r.rollout.map(JSONValue.doubles)))])
            }))]))
        } else {
            for (k, r) in results.enumerated() {
                let known = images.labels[k].map { " (file says \($0))" } ?? ""
                Output.line("image \(k + 1): \(r.label)  p = \(String(format: "%.3f", r.probabilities[r.label]))\(known)")
            }
        }
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                // The digit with its attention rollout over it, beside the plain digit for reference.
                let image = (0..<c.imageHeight).map { row in
                    (0..<c.imageWidth).map { images.pixels[k][row * c.imageWidth + $0] / DigitImages.maximumValue }
                }
                let none = image.map { $0.map { _ in 0.0 } }
                do {
                    if path.lowercased().hasSuffix(".txt") {
                        try Heatmap(r.rollout, title: "digit \(r.label): attention rollout over the pixels").write(to: URL(fileURLWithPath: path))
                    } else {
                        try AttentionOverlay(title: "digit \(r.label) (p = \(String(format: "%.2f", r.probabilities[r.label])))",
                                             panels: [.init(image: image, attention: none, caption: "image"),
                                                      .init(image: image, attention: r.rollout, caption: "attention rollout")])
                            .write(to: URL(fileURLWithPath: path), scale: scale.scale)
                    }
                } catch { throw heatmapWriteError(error) }
                Console.note("wrote \(path)")
            }
        }
    }
}

/// Image rows through the CLI's input layer (files, '-', pipes; missing or folder paths are exit 66).
func readImages(_ path: String, option: String, height: Int, width: Int, requireLabels: Bool) throws -> DigitImages {
    let lines = NumberedLines(lines: try TextInput.lines(of: path, option: option).map { .init(number: $0.number, text: $0.text) })
    do {
        return try DigitImages(lines: lines, source: TextInput.sourceName(path), height: height, width: width, requireLabels: requireLabels)
    } catch { throw CLIError.data("\(option) \(error.description)") }
}

/// A checkpoint through `load`: a missing path or a folder is exit 66, a file that is not the right checkpoint 1.
func loadCheckpoint<M>(_ path: String, _ load: (String) throws(CheckpointError) -> M) throws -> M {
    try InputPaths.checkFile(path, option: "--load")
    do { return try load(path) } catch { throw CLIError.data("--load \(error.description)") }
}

func loadClassifier(_ path: String) throws -> AttentionClassifier { try loadCheckpoint(path, AttentionClassifier.load(from:)) }
func loadVision(_ path: String) throws -> VisionTransformer { try loadCheckpoint(path, VisionTransformer.load(from:)) }
