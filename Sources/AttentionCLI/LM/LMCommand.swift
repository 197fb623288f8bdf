import ArgumentParser
import Foundation
import AttentionModels
import AttentionTraining
import AttentionTransformers

struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "A character-level causal Transformer language model: train, measure bits per character, generate.",
        discussion: """
            A corpus is a UTF-8 text file (LF, CRLF or CR line ends; '-' reads standard input). The model reads \
            Unicode characters, not bytes, so any script works; each line is followed by a newline character. \
            --corpus builtin:addition is the built-in corpus: the lines a+b=c for every pair of two-digit numbers, \
            with a fixed 3 % of the pairs held out of training; `attention lm corpus` writes it out, and `lm eval` on \
            it also reports how many held-out prompts 'a+b=' the model completes correctly (greedy).

            Example:
              attention lm train --corpus builtin:addition --save add.safetensors
              attention lm eval --load add.safetensors --corpus builtin:addition --json
              attention lm generate --load add.safetensors --prompt "47+38=" --temperature 0 --max-tokens 4
            """,
        subcommands: [LMTrain.self, LMEval.self, LMGenerate.self, LMCorpus.self]
    )
}

/// A corpus named on the command line: the built-in addition corpus (training or held-out lines) or a text file
/// read by the CLI's input layer (blank lines kept: they are text too).
func languageModelCorpus(_ path: String, heldOut: Bool) throws -> (text: String, source: String) {
    if path == AdditionCorpus.name {
        let corpus = AdditionCorpus()
        return (heldOut ? corpus.heldOutText : corpus.trainingText, path)
    }
    let lines = try TextInput.lines(of: path, option: "--corpus", skippingBlank: false).map(\.text)
    let source = "--corpus \(TextInput.sourceName(path))"
    guard lines.contains(where: { !$0.isEmpty }) else { throw CLIError.data(LanguageModelError.emptyCorpus(source: source).description) }
    return (CharacterLanguageModel.text(lines: lines), source)
}

func loadLanguageModel(_ path: String) throws -> CharacterLanguageModel { try loadCheckpoint(path, CharacterLanguageModel.load(from:)) }
