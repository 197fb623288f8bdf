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
