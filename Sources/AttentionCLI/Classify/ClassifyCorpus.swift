import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct ClassifyCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Write the built-in sentiment corpus as 'label<TAB>text' lines.")

    @Option(help: "Which split: train (sentence frames of training) or test (held-out frames).") var split: String = "train"
    @Option(help: "Seed of the generator (the built-in corpus is seed 1).") var seed: UInt64 = 1

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test, got \(split)") }
    }

    func run() throws {
        let corpus = SentimentCorpus.generate(seed: seed)
        for e in split == "train" ? corpus.train : corpus.test { Output.line("\(e.label)\t\(e.text)") }
    }
}
