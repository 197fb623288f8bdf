import ArgumentParser
import Foundation
import AttentionModels
import AttentionTraining
import AttentionTransformers

struct LMGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Continue a prompt with a saved language model, streaming characters as they are chosen.")

    @Option(help: "A model written by `lm train --save`.") var load: String
    @Option(help: "The text to continue (empty: start at a line start).") var prompt: String
    @Option(name: .customLong("max-tokens"), help: "Characters to generate.") var maxTokens: Int = 200
    @Option(help: "Softmax temperature; 0 is greedy (always the most likely character).") var temperature: Double = 0.8
    @Option(name: .customLong("top-k"), help: "Sample among the K most likely characters only.") var topK: Int?
    @Option(name: .customLong("top-p"), help: "Sample among the most likely characters whose probabilities reach P (nucleus).") var topP: Double?
    @Option(help: "Seed of the sampling (same seed, same text).") var seed: UInt64 = 1
    @Flag(help: "Print {\"prompt\", \"completion\"} as JSON instead of streaming.") var json = false

    func validate() throws {
        guard (0...100_000).contains(maxTokens) else { throw ValidationError("--max-tokens must be in 0...100000, got \(maxTokens)") }
        guard temperature >= 0, temperature.isFinite, temperature <= 100 else { throw ValidationError("--temperature must be in [0, 100], got \(temperature)") }
        if let topK { guard topK >= 1 else { throw ValidationError("--top-k must be ≥ 1, got \(topK)") } }
        if let topP { guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1], got \(topP)") } }
    }

    func run() throws {
        let lm = try loadLanguageModel(load)
        let strategy: SamplingStrategy = temperature == 0 ? .greedy : .sample(temperature: temperature, topK: topK, topP: topP, seed: seed)
        // Checked before anything is printed, so a bad prompt writes nothing to standard output.
        do { _ = try lm.vocabulary.encode(prompt, source: "--prompt") } catch { throw CLIError.data(error.description) }
        let completion: String
        do {
            completion = try lm.complete(prompt, maxTokens: maxTokens, strategy: strategy, onText: json ? nil : { piece in
                Output.text(piece)
                Output.flush()
            })
        } catch { throw CLIError.data(error.description) }
        if json {
            try printJSON(.ordered([("prompt", .string(prompt)), ("completion", .string(completion))]))
        } else if !completion.hasSuffix("\n") {
            Output.line("")
        }
    }
}
