import ArgumentParser
import Foundation
import AttentionModels
import AttentionTraining
import AttentionTransformers

struct LMCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Write the built-in addition corpus (training or held-out lines).")

    @Option(help: "Which split: train (the sums trained on) or held-out (the 3 % never seen).") var split: String = "train"

    func validate() throws {
        guard ["train", "held-out"].contains(split) else { throw ValidationError("--split must be train or held-out, got \(split)") }
    }

    func run() throws {
        let corpus = AdditionCorpus()
        for p in split == "train" ? corpus.train : corpus.heldOut { Output.line(p.line) }
    }
}
