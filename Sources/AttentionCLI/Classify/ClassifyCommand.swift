import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Text classification with attention pooling: train, evaluate, and see which words decided.",
        discussion: """
            A corpus is a UTF-8 file of 'label<TAB>text' lines (any labels, LF or CRLF, blank lines skipped; '-' reads \
            standard input). Without --corpus the built-in sentiment corpus is used: reviews generated from a small \
            grammar (negation, intensifiers, 'but' and 'although' contrasts) whose test split uses sentence frames never \
            seen in training. `attention classify corpus` writes it out.

            Example:
              attention classify train --save sentiment.safetensors
              attention classify eval --load sentiment.safetensors
              attention classify run --load sentiment.safetensors "the film was not good at all" --heatmap words.svg
            """,
        subcommands: [ClassifyTrain.self, ClassifyEval.self, ClassifyRun.self, ClassifyCorpus.self]
    )
}

/// The built-in corpus (fixed seed: the same sentences everywhere), or a TSV file read by the CLI's input layer.
func classificationCorpus(_ path: String?, split: String) throws -> [LabelledText] {
    if let path {
        let lines = try TextInput.lines(of: path, option: "--corpus").map { NumberedLines.Line(number: $0.number, text: $0.text) }
        do { return try LabelledText.readTSV(lines, source: TextInput.sourceName(path)) } catch { throw CLIError.data(error.description) }
    }
    let corpus = SentimentCorpus.generate()
    return (split == "train" ? corpus.train : corpus.test).map { LabelledText(label: $0.label, text: $0.text) }
}

/// FILE.ext → FILE-k.ext.
func numberedPath(_ path: String, _ k: Int) -> String {
    let url = URL(fileURLWithPath: path)
    let ext = url.pathExtension
    return url.deletingPathExtension().path + "-\(k)" + (ext.isEmpty ? "" : "." + ext)
}

extension AttentionClassifier.EncoderKind: ExpressibleByArgument {}
