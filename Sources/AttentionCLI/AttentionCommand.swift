import ArgumentParser

@main
struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Attention mechanisms and Transformers on the CPU.",
        subcommands: [DemoCommand.self, BenchCommand.self]
    )
}
