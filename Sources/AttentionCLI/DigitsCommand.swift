import ArgumentParser
import Foundation
import Models
import Training
import Visualization

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
            throw RuntimeError("\(path): no digits file; run Scripts/fetch-digits.sh once, or give --data FILE")
        }
        do { return try DigitImages(contentsOf: path, width: 8, requireLabels: true) } catch { throw RuntimeError(error.description) }
    }
}

struct DigitsTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a Vision Transformer on rows 0–1399.")

    @OptionGroup var data: DataOption
    @Option(help: "Write the trained model here (one safetensors file, written atomically).") var save: String?
    @Option(help: "Training steps (mini-batches of 64).") var steps: Int = 1500
    @Option(help: "Patch size P (P×P pixels; must divide 8).") var patch: Int = 2
    @Option(help: "Model width D.") var dimension: Int = 64
    @Option(help: "Encoder layers.") var layers: Int = 3
    @Option(help: "Attention heads.") var heads: Int = 4
    @Option(help: "Seed of the weights, batches and shifts (same seed, same model).") var seed: UInt64 = 1
    @Flag(help: "No progress on standard error.") var quiet = false
    @Flag(help: "Print a JSON summary instead of text.") var json = false

    func validate() throws {
        guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be in 1...1000000, got \(steps)") }
        guard [1, 2, 4, 8].contains(patch) else { throw ValidationError("--patch must divide 8 (1, 2, 4 or 8), got \(patch)") }
        guard (1...1024).contains(dimension), (1...64).contains(heads), dimension % heads == 0 else {
            throw ValidationError("--dimension \(dimension) must be in 1...1024 and a multiple of --heads \(heads) (1...64)")
        }
        guard (1...24).contains(layers) else { throw ValidationError("--layers must be in 1...24, got \(layers)") }
        if let save { try checkWritable(save, option: "--save") }
    }

    struct Summary: Encodable {
        let train_images: Int, parameters: Int, steps: Int, seconds: Double, validation_accuracy: Double?, test_accuracy: Double
        let saved: String?
    }

    func run() throws {
        let (train, test) = try data.load().standardSplit()
        var c = VisionTransformer.Configuration()
        c.patch = patch; c.dimension = dimension; c.layers = layers; c.heads = heads; c.feedForward = 2 * dimension
        var options = VisionTransformer.TrainingOptions()
        options.steps = steps; options.seed = seed
        let printer = ProgressPrinter(quiet: quiet)
        var validation: Double?
        let start = Date()
        let model: VisionTransformer
        do {
            model = try VisionTransformer.train(on: train, configuration: c, options: options) { p in
                if let v = p.validation { validation = v.value }
                if p.step % 10 == 0 || p.validation != nil { printer.report(p) }
            }
        } catch { throw RuntimeError("\(error)") }
        let seconds = Date().timeIntervalSince(start)
        let accuracy = model.accuracy(on: test)
        if let save { do { try model.save(to: save) } catch { throw RuntimeError(error.description) } }
        if json {
            try writeJSON(Summary(train_images: train.count, parameters: model.parameterCount, steps: steps,
                                  seconds: (seconds * 10).rounded() / 10, validation_accuracy: validation, test_accuracy: accuracy, saved: save))
            return
        }
        print("trained on \(train.count) images, \(model.parameterCount) parameters, \(steps) steps in \(String(format: "%.1f", seconds)) s")
        if let validation { print("validation accuracy \(String(format: "%.3f", validation))") }
        print("test accuracy \(String(format: "%.4f", accuracy)) on \(test.count) images never trained on")
        if let save { print("saved \(save)") }
    }
}

struct DigitsEval: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Accuracy of a saved model on the test split (rows 1400–1796).")

    @OptionGroup var data: DataOption
    @Option(help: "A model written by `digits train --save`.") var load: String
    @Flag(help: "Print {\"accuracy\", \"test_images\"} as JSON.") var json = false

    struct Report: Encodable { let test_images: Int, accuracy: Double }

    func run() throws {
        let model: VisionTransformer
        do { model = try VisionTransformer.load(from: load) } catch { throw RuntimeError(error.description) }
        let test = try data.load().standardSplit().test
        let accuracy = model.accuracy(on: test)
        if json { try writeJSON(Report(test_images: test.count, accuracy: accuracy)); return }
        print("\(test.count) test images, accuracy \(String(format: "%.4f", accuracy))")
    }
}

struct DigitsRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Classify images and show where the model looked.")

    @Option(help: "A model written by `digits train --save`.") var load: String
    @Option(help: "Rows of 64 comma-separated values 0–16 (a 65th column, a label, is ignored); '-' reads standard input.")
    var csv: String
    @Option(help: "Draw each image beside its attention rollout: .svg, .html, .png or .txt (several images: FILE-1.png, …).")
    var heatmap: String?
    @Flag(help: "Print {\"results\": [{\"cls_attention\", \"label\", \"probabilities\", \"rollout\"}]} as JSON.") var json = false

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap); try checkWritable(heatmap, option: "--heatmap") }
    }

    struct Output: Encodable {
        struct Item: Encodable { let label: Int, probabilities: [Double], cls_attention: [[[Double]]], rollout: [[Double]] }
        let results: [Item]
    }

    func run() throws {
        let model: VisionTransformer
        do { model = try VisionTransformer.load(from: load) } catch { throw RuntimeError(error.description) }
        let c = model.configuration
        let images: DigitImages
        do { images = try DigitImages(contentsOf: csv, height: c.imageHeight, width: c.imageWidth) } catch { throw RuntimeError(error.description) }
        let results = model.classify(images.pixels)
        if json {
            try writeJSON(Output(results: results.map {
                .init(label: $0.label, probabilities: $0.probabilities, cls_attention: $0.classAttention, rollout: $0.rollout)
            }))
        } else {
            for (k, r) in results.enumerated() {
                let known = images.labels[k].map { " (file says \($0))" } ?? ""
                print("image \(k + 1): \(r.label)  p = \(String(format: "%.3f", r.probabilities[r.label]))\(known)")
            }
        }
        if let heatmap {
            for (k, r) in results.enumerated() {
                let path = results.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                // The image (0…1) beside its rollout scaled to its maximum, one blank column between them.
                let top = r.rollout.joined().max() ?? 1
                let panel = (0..<c.imageHeight).map { row in
                    (0..<c.imageWidth).map { images.pixels[k][row * c.imageWidth + $0] / DigitImages.maximumValue } + [0]
                        + r.rollout[row].map { $0 / max(top, 1e-12) }
                }
                do {
                    try Heatmap(panel, title: "digit \(r.label): the image (left) and its attention rollout (right)", range: 0...1)
                        .write(to: URL(fileURLWithPath: path))
                } catch { throw RuntimeError("\(error)") }
                FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
            }
        }
    }
}
