import ArgumentParser
import Foundation
import AttentionModels

struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Cosine similarity between every pair of sentences."
    )
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var input: SentenceInput
    @Flag(help: "Print {\"sentences\", \"similarity\": [[…]]} as JSON.") var json = false

    func run() throws {
        _ = try modelOptions.folder()
        let sentences = try input.sentences()
        let embedder = try loadEmbedder(modelOptions, precision: precisionOptions)
        warnAboutTruncation(sentences, tokenizer: embedder.tokenizer)
        let v = embedder.embed(sentences.map(\.text))
        let matrix = SentenceEmbedder.similarityMatrix(v)
        if json {
            try printJSON(.object(["sentences": .strings(sentences.map(\.text)), "similarity": .array(matrix.map(JSONValue.doubles))]))
        } else {
            for (i, row) in matrix.enumerated() {
                Output.line(row.map { String(format: "%6.3f", $0) }.joined(separator: " ") + "  \(sentences[i].text)")
            }
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "The corpus lines most similar to a query (cosine similarity of sentence embeddings).",
        discussion: "Blank corpus lines are skipped; results name the line number in the corpus file."
    )
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @Option(help: "A file with one document per line, - for standard input.") var corpus: String
    @Option(name: .shortAndLong, help: "How many results (1...100000).") var top: Int = 5
    @Flag(help: "Print [{\"line\", \"text\", \"score\"}] as JSON.") var json = false
    @Flag(help: "No progress bar.") var quiet = false
    @Argument(help: "The query.") var query: String

    func validate() throws {
        try Bounds.check([("--top", top, 1...100_000)])
    }

    func run() throws {
        _ = try modelOptions.folder()
        let documents = try TextInput.lines(of: corpus, option: "--corpus")
        guard !documents.isEmpty else { throw CLIError.data("--corpus \(TextInput.sourceName(corpus)): no lines with text") }
        let embedder = try loadEmbedder(modelOptions, precision: precisionOptions)
        let query = InputLine(source: "QUERY argument", number: 1, text: query)
        warnAboutTruncation(documents + [query], tokenizer: embedder.tokenizer)
        let bar = ProgressBar(total: documents.count, quiet: quiet)
        let vectors = embedder.embed(documents.map(\.text)) { done, _ in bar.update(done) }
        let q = embedder.embed([query.text])[0]
        let ranked = SentenceEmbedder.rank(query: q, corpus: vectors, top: top)
        if json {
            try printJSON(.array(ranked.map { r in
                .object(["line": .int(documents[r.index].number), "text": .string(documents[r.index].text), "score": .double(r.score)])
            }))
        } else {
            for r in ranked { Output.line(String(format: "%.4f", r.score) + "  \(documents[r.index].number): \(documents[r.index].text)") }
        }
    }
}
