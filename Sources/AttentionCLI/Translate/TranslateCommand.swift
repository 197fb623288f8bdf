import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionVisualization

struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate with attention: train, evaluate and run saved translators, or train the tutorial's translator and translate.",
        discussion: """
            With SENTENCE arguments (no subcommand): trains on a small French → English corpus (the built-in tutorial corpus, or --corpus with one \
            'french<TAB>english' pair per line), then translates each SENTENCE greedily and shows where the decoder \
            looked at every step: the alignment matrix, rows = English words produced, columns = French words. \
            Training is seeded: the same arguments give the same model and the same output.

            Example: attention translate "je suis étudiant ." --heatmap alignment.svg

            The subcommands train a translator on a corpus (a bidirectional-GRU Bahdanau model or a Transformer), save \
            it, evaluate it (exact match, BLEU) and translate with it. Built-in corpora: builtin:grammar (French → \
            English pairs from a small grammar: agreement, negation, noun–adjective order; the default), \
            builtin:grammar-test (its held-out split: noun–adjective pairs never seen in training) and \
            builtin:tutorial (the 42 tutorial pairs).

              attention translate train --architecture transformer --save fr-en.safetensors
              attention translate eval --load fr-en.safetensors --corpus builtin:grammar-test --json
              attention translate run --load fr-en.safetensors --heatmap a.svg "la voiture bleue ne mange pas la pomme ."
            """,
        subcommands: [TranslateSentences.self, TranslateTrain.self, TranslateEval.self, TranslateRun.self, TranslateCorpus.self],
        defaultSubcommand: TranslateSentences.self
    )

}

/// The format of a heatmap file from its extension, as a validation error naming the option.
func heatmapFormat(_ path: String) throws -> HeatmapFormat {
    do { return try HeatmapFormat(url: URL(fileURLWithPath: path)) } catch {
        throw ValidationError("--heatmap \(path): \(error)")
    }
}

/// A failed heatmap write as an I/O error (the disk, the folder), anything else as a data error.
func heatmapWriteError(_ error: HeatmapError) -> CLIError {
    if case .writeFailed = error { return .io("--heatmap: \(error)") }
    return .data("--heatmap: \(error)")
}
