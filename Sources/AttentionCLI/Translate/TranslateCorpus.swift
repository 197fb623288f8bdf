import ArgumentParser
import Foundation
import AttentionModels
import AttentionText
import AttentionTraining
import AttentionVisualization

struct TranslateCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Write a built-in corpus as 'french<TAB>english' lines.")

    @Option(help: "builtin:grammar (training split), builtin:grammar-test (held-out split) or builtin:tutorial.")
    var name = "builtin:grammar"

    func run() throws {
        guard name.hasPrefix("builtin:") else { throw CLIError.usage("--name \(name): give a built-in corpus name (builtin:…)") }
        for p in try translationCorpus(name) { Output.line("\(p.source)\t\(p.target)") }
    }
}
