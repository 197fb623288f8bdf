import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct CaptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Captions with attention over image regions: say the digits of a strip, one word per step, and show where each word looked.",
        discussion: """
            A strip is 2–4 UCI digit images (8×8, values 0–16) side by side, 8×8k pixels; its caption is the digits as \
            words ("three seven one"). A patch encoder with 2-D positions and local self-attention (--window) reads \
            the strip, and a GRU decoder with additive (Bahdanau) attention over the patches emits one word per step. Training strips are composed from \
            rows 0–1399 of the digits file (10 % of those rows are held back for validation), test strips only from \
            rows 1400–1796 (1,000 fixed strips of each length). Get the file once with Scripts/fetch-digits.sh, or give --data.

            Localisation is the share of emitted words whose attention centroid lies inside the 8×8 cell of the digit \
            the word names: word i is checked against cell i, columns 8i…8i+7 (a word past the last cell counts as not localised).

            Example:
              attention caption train --save caption.safetensors
              attention caption eval --load caption.safetensors --json
              attention caption run --load caption.safetensors --csv strips.csv --heatmap words.png
            """,
        subcommands: [CaptionTrain.self, CaptionEval.self, CaptionRun.self]
    )
}

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
    }

    func run() throws {
        if let save { try InputPaths.checkOutput(save, option: "--save") }   // before any work: a mistake costs nothing
        let images = try data.load()
        var c = CaptionModel.Configuration()
        c.patch = patch; c.patchContext = patchContext; c.dimension = dimension; c.layers = layers; c.heads = heads
        c.feedForward = 2 * dimension; c.hidden = hidden; c.dropout = dropout; c.window = window
        var options = CaptionModel.TrainingOptions()
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.seed = seed
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

struct CaptionEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Exact match and localisation of a saved captioner on the fixed test strips (rows 1400–1796).")

    @OptionGroup var data: DataOption
    @Option(help: "A model written by `caption train --save`.") var load: String
    @Option(help: "Digits per strip of the headline figures (2, 3 or 4); every length is also reported under per_length.")
    var digits: Int = 3
    @Flag(help: "Print {\"strips\", \"exact_match\", \"localisation\", \"word_accuracy\", \"per_length\"} as JSON.") var json = false

    func validate() throws {
        guard DigitStrips.lengths.contains(digits) else { throw ValidationError("--digits must be 2, 3 or 4, got \(digits)") }
    }

    func run() throws {
        let model = try loadCaptioner(load)
        let images = try data.load()
        let lengths = DigitStrips.lengths.filter { $0 <= model.configuration.maxDigits }
        guard lengths.contains(digits) else {
            throw CLIError.data("--digits \(digits): this model reads strips of at most \(model.configuration.maxDigits) digits")
        }
        let all = lengths.map { (k: $0, e: model.evaluate(DigitStrips.testStrips(images, digits: $0))) }
        let main = all.first { $0.k == digits }!.e
        if json {
            try printJSON(.ordered([
                ("strips", .int(main.strips)), ("exact_match", .double(main.exactMatch)), ("localisation", .double(main.localisation)),
                ("digits", .int(digits)), ("word_accuracy", .double(main.wordAccuracy)),
                ("per_length", .array(all.map { .ordered([("digits", .int($0.k)), ("strips", .int($0.e.strips)),
                                                          ("exact_match", .double($0.e.exactMatch)),
                                                          ("localisation", .double($0.e.localisation)),
                                                          ("word_accuracy", .double($0.e.wordAccuracy))]) })),
            ]))
            return
        }
        for (k, e) in all {
            Output.line("\(k)-digit test strips: \(e.strips) strips, exact match \(String(format: "%.4f", e.exactMatch)), "
                        + "localisation \(String(format: "%.4f", e.localisation)), word accuracy \(String(format: "%.4f", e.wordAccuracy))")
        }
    }
}

struct CaptionRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Caption strips of digits and show where each word looked.")

    @Option(help: "A model written by `caption train --save`.") var load: String
    @Option(help: "Rows of 64·k comma-separated values 0–16 (a strip of k digits, 8 rows of 8k, row-major; k = 2…4); '-' reads standard input.")
    var csv: String
    @Option(help: "Draw the strip and one panel per word, that word's attention over the strip: .png, .svg, .html or .txt (several strips: FILE-1.png, …).")
    var heatmap: String?
    @OptionGroup var scale: HeatmapScaleOption
    @Flag(help: "Print {\"results\": [{\"caption\": [words], \"attention\": [word][8][8k]}]} as JSON.") var json = false

    func validate() throws {
        if let heatmap { _ = try heatmapFormat(heatmap) }
    }

    func run() throws {
        if let heatmap { try InputPaths.checkOutput(heatmap, option: "--heatmap") }
        if csv != "-" { try InputPaths.checkFile(csv, option: "--csv") }   // a missing input is named before the model loads
        let model = try loadCaptioner(load)
        let lines = NumberedLines(lines: try TextInput.lines(of: csv, option: "--csv").map { .init(number: $0.number, text: $0.text) })
        let strips: [[Double]]
        do {
            strips = try DigitStrips.read(lines: lines, source: TextInput.sourceName(csv),
                                          supported: DigitStrips.lengths.lowerBound...min(DigitStrips.lengths.upperBound, model.configuration.maxDigits))
        } catch { throw CLIError.data("--csv \(error.description)") }
        let captions = model.caption(strips)
        // Every picture is made before any is written, so a failure leaves no file behind.
        var pictures: [(String, CaptionPicture)] = []
        if let heatmap {
            for (k, caption) in captions.enumerated() {
                let path = captions.count == 1 ? heatmap : numberedPath(heatmap, k + 1)
                do {
                    pictures.append((path, path.lowercased().hasSuffix(".txt") ? .text(try captionText(strips[k], caption))
                                                                               : .overlay(try captionOverlay(strips[k], caption))))
                } catch { throw CLIError.data("--heatmap: \(error)") }
            }
        }
        if json {
            try printJSON(.ordered([("results", .array(captions.map { c in
                .ordered([("caption", .strings(c.words)), ("attention", .array(c.attention.map { .array($0.map(JSONValue.doubles)) }))])
            }))]))
        } else {
            for (k, c) in captions.enumerated() {
                Output.line("strip \(k + 1): \(c.words.joined(separator: " "))\(c.reachedEnd ? "" : " (no end of caption)")")
            }
        }
        for (path, picture) in pictures {
            do {
                switch picture {
                case let .overlay(o): try o.write(to: URL(fileURLWithPath: path), pixelSize: 10, scale: scale.scale)
                case let .text(h): try h.write(to: URL(fileURLWithPath: path))
                }
            } catch { throw heatmapWriteError(error) }
            Console.note("wrote \(path)")
        }
    }

    enum CaptionPicture { case overlay(AttentionOverlay), text(Heatmap) }

    /// The strip, then one panel per word with that word's attention laid over the strip (the overlay's colours
    /// are scaled per panel, so each word's most attended pixels stand out whatever its peak weight).
    func captionOverlay(_ strip: [Double], _ caption: CaptionModel.Caption) throws -> AttentionOverlay {
        let height = DigitStrips.cell, width = strip.count / height
        let image = (0..<height).map { r in (0..<width).map { strip[r * width + $0] / DigitImages.maximumValue } }
        let none = image.map { $0.map { _ in 0.0 } }
        let said = caption.words.isEmpty ? "(nothing)" : caption.words.joined(separator: " ")
        return try AttentionOverlay(title: "caption: \(said)", panels: [.init(image: image, attention: none, caption: "the strip")]
            + caption.attention.enumerated().map { t, map in .init(image: image, attention: map, caption: "\(t + 1): \(caption.words[t])") })
    }

    /// For a terminal (.txt): the strip on top, then one block per word: the strip's strokes (a quarter of the
    /// brightness) under the word's attention scaled to its largest pixel (three quarters); a dark row between.
    func captionText(_ strip: [Double], _ caption: CaptionModel.Caption) throws -> Heatmap {
        let height = DigitStrips.cell, width = strip.count / height
        let image = (0..<height).map { r in (0..<width).map { strip[r * width + $0] / DigitImages.maximumValue } }
        var rows = image, labels = (0..<height).map { $0 == height / 2 ? "image" : "" }
        for (t, map) in caption.attention.enumerated() {
            let top = max(map.joined().max() ?? 1, 1e-12)
            rows.append([Double](repeating: 0, count: width)); labels.append("")
            for r in 0..<height {
                rows.append((0..<width).map { 0.25 * image[r][$0] + 0.75 * map[r][$0] / top })
                labels.append(r == height / 2 ? "\(t + 1): \(caption.words[t])" : "")
            }
        }
        let said = caption.words.isEmpty ? "(nothing)" : caption.words.joined(separator: " ")
        return try Heatmap(rows, rowLabels: labels, title: "caption: \(said) — the strip, then where each word looked", range: 0...1)
    }
}

func loadCaptioner(_ path: String) throws -> CaptionModel { try loadCheckpoint(path, CaptionModel.load(from:)) }
