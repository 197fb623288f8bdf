import ArgumentParser
import Foundation
import AttentionModels
import AttentionVisualization

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a BERT model's attention for a text or a sentence pair: every layer and head, and rollout.",
        discussion: """
            Runs the model folder's BERT (e.g. all-MiniLM-L6-v2) once and keeps every attention weight, as Hugging \
            Face's output_attentions=True. Two texts are encoded as a pair, [CLS] TEXT [SEP] SECOND_TEXT [SEP], with \
            token types 0 and 1 as the folder's tokenizer makes them. Inputs longer than the model's \
            max_position_embeddings (512 for all-MiniLM-L6-v2) are cut as Hugging Face's truncation=True does (a pair: \
            the longer text first), with a warning.

            Without --json or --html, prints for each token the tokens it attends to most in the last layer, averaged \
            over the heads. --html writes one self-contained page (no network access) with a head view, a model view \
            of every layer × head, and attention rollout (Abnar & Zuidema 2020).

            Example: attention explain --model ~/.cache/attention/all-MiniLM-L6-v2 --html explain.html "The cat sat on the mat." "It was tired."
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Also write the head view, model view and rollout as one self-contained HTML file (written atomically; its folder must exist).")
    var html: String?
    @Flag(help: "Print {\"tokens\", \"attentions\" [layer][head][query][key], \"input_ids\", \"token_type_ids\"} as one JSON object.")
    var json = false
    @Option(help: "Tokens listed per token in the terminal output (1...64).") var top: Int = 3

    @Argument(help: "The text to explain.") var text: String
    @Argument(help: "A second text: the pair is encoded as [CLS] TEXT [SEP] SECOND_TEXT [SEP].") var secondText: String?

    func validate() throws {
        try Bounds.check([("--top", top, 1...64)])
    }

    func run() throws {
        _ = try modelOptions.folder()
        if let html {
            guard URL(fileURLWithPath: html).pathExtension.lowercased().hasPrefix("htm") else {
                throw CLIError.usage("--html \(html): give a file name ending in .html")
            }
            try InputPaths.checkOutput(html, option: "--html")
        }
        // Refused before the model is loaded; texts of only control characters are caught by the tokenizer below.
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw CLIError.usage(ExplainError.emptyText(which: "TEXT").description) }
        if let secondText, secondText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw CLIError.usage(ExplainError.emptyText(which: "SECOND_TEXT").description)
        }
        let explainer: AttentionExplainer
        do { explainer = try AttentionExplainer(directory: try modelOptions.folder()) } catch let error as CLIError { throw error } catch {
            throw CLIError.data("\(error)")
        }
        let e: AttentionExplanation
        do { e = try explainer.explain(text, secondText) } catch let error as ExplainError { throw CLIError.usage(error.description) }
        if e.wasTruncated {
            Console.warning("the input has \(e.untruncatedLength) tokens, more than the model's \(explainer.maxLength): cut to \(e.tokens.count)"
                            + (secondText == nil ? " (the end of TEXT was dropped)" : " (the longer text was cut first)"))
        }
        if let html {
            let view: AttentionView
            do {
                view = try AttentionView(title: "Attention of \(URL(fileURLWithPath: modelOptions.model).standardizedFileURL.lastPathComponent)",
                                         tokens: e.tokens, tokenTypes: secondText == nil ? [] : e.tokenTypeIDs,
                                         attentions: e.attentions, rollout: e.rollout)
            } catch { throw CLIError.data("the attention cannot be drawn: \(error)") }
            do { try view.write(to: URL(fileURLWithPath: html)) } catch {
                if case .writeFailed = error { throw CLIError.io("--html: \(error)") }
                throw CLIError.data("--html: \(error)")
            }
            if !json { Console.note("wrote \(html)") }
        }
        if json {
            try printJSON(.object([
                "tokens": .strings(e.tokens),
                "attentions": .array(e.attentions.map { layer in .array(layer.map { head in .array(head.map(JSONValue.floats)) }) }),
                "input_ids": .ints(e.inputIDs),
                "token_type_ids": .ints(e.tokenTypeIDs),
            ]))
        } else if html == nil {
            let topTokens = e.topAttended(count: top)
            Output.line("Layer \(e.attentions.count) of \(e.attentions.count), mean of \(e.attentions.last?.count ?? 0) heads: each token → the tokens it attends to most")
            let width = min(e.tokens.map(\.count).max() ?? 0, 16)
            for (token, list) in zip(e.tokens, topTokens) {
                let pad = String(repeating: " ", count: max(0, width - token.count))
                Output.line(pad + token + " → " + list.map { "\(e.tokens[$0.key]) " + String(format: "%.2f", $0.weight) }.joined(separator: ", "))
            }
        }
    }
}
