import ArgumentParser

@main
struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Attention mechanisms and Transformers on the CPU.",
        subcommands: [DemoCommand.self, BenchCommand.self, RunCommand.self, EmbedCommand.self, TokenizeCommand.self, SimilarityCommand.self, SearchCommand.self, TranslateCommand.self, ClassifyCommand.self, DigitsCommand.self]
    )
}
