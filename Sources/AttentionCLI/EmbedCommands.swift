import ArgumentParser
import Foundation
import Models
import Text

/// Options shared by the commands that read a sentence-transformers model folder.
struct ModelOptions: ParsableArguments {
    @Option(help: "A sentence-transformers model folder (config.json, model.safetensors, vocab.txt, modules.json).")
    var model: String

    var url: URL { URL(fileURLWithPath: model) }

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--model \(model): no such directory")
        }
    }
}

/// Reads sentences from arguments or a file (one per line), never both empty.
struct SentenceInput: ParsableArguments {
    @Option(help: "Read one sentence per line from this file (in addition to any TEXT arguments).")
    var file: String?

    @Argument(help: "Sentences.")
    var text: [String] = []

    func sentences() throws -> [String] {
        var out = text
        if let file { out += try readLines(file, option: "--file") }
        if out.isEmpty { throw ValidationError("no sentences: give TEXT arguments or --file") }
        return out
    }
}

/// Prints a progress bar on stderr for long inputs (only when stderr is a terminal or the input is large).
struct ProgressBar {
    let total: Int
    let enabled: Bool
    init(total: Int) {
        self.total = total
        enabled = total >= 64
    }
    func update(_ done: Int) {
        guard enabled else { return }
        let width = 30, filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// The lines of a UTF-8 text file (a final newline does not make an extra empty line; CRLF is accepted).
func readLines(_ path: String, option: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(option) \(path): cannot read the file") }
    guard let content = String(data: data, encoding: .utf8) else { throw ValidationError("\(option) \(path): not valid UTF-8") }
    var lines = content.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    if lines.last == "" { lines.removeLast() }
    return lines
}

func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// `{"model": …, "dimension": D, "embeddings": [[…], …]}` written directly: each value is the shortest decimal
/// that reads back as the same Float32 (JSONSerialization went through Double, printing 17 digits, and took a
/// tenth of a second for 512 vectors).
func printEmbeddingsJSON(model: String, dimension: Int, vectors: [[Float]]) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    let name = String(decoding: try encoder.encode(model), as: UTF8.self)   // the model name as a JSON string literal
    var out = "{\"model\":" + name + ",\"dimension\":\(dimension),\"embeddings\":["
    out.reserveCapacity(out.utf8.count + vectors.count * dimension * 12)
    for (i, v) in vectors.enumerated() {
        if i > 0 { out += "," }
        out += "["
        for (j, x) in v.enumerated() {
            guard x.isFinite else { throw RuntimeError("embedding \(i) has a non-finite value \(x) at index \(j)") }
            if j > 0 { out += "," }
            out += x.description
        }
        out += "]"
    }
    out += "]}"
    print(out)
}

func loadEmbedder(_ options: ModelOptions) throws -> SentenceEmbedder {
    do { return try SentenceEmbedder(directory: options.url) } catch let error as ModelLoadError {
        throw RuntimeError(error.description)
    }
}

/// An error printed as its message alone, with exit code 1.
struct RuntimeError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Sentence embeddings from a sentence-transformers model folder (e.g. all-MiniLM-L6-v2).",
        discussion: "Get the model with Scripts/fetch-minilm.sh. Vectors are printed in input order."
    )
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var input: SentenceInput
    @Option(help: "Sentences per forward pass.") var batchSize: Int = 32
    @Flag(help: "Print {\"model\", \"dimension\", \"embeddings\"} as one JSON object.") var json = false

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
    }

    func run() throws {
        let sentences = try input.sentences()
        let embedder = try loadEmbedder(modelOptions)
        let bar = ProgressBar(total: sentences.count)
        let vectors = embedder.embed(sentences, batchSize: batchSize) { done, _ in bar.update(done) }
        if json {
            try printEmbeddingsJSON(model: embedder.name, dimension: embedder.dimension, vectors: vectors)
        } else {
            for (s, v) in zip(sentences, vectors) {
                print("\(s)\t[" + v.map { String(format: "%.6f", $0) }.joined(separator: ", ") + "]")
            }
        }
    }
}

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "WordPiece token ids (with [CLS] and [SEP]) as the model's tokenizer produces them."
    )
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var input: SentenceInput
    @Flag(help: "Print {\"input_ids\": [[…], …]} as one JSON object.") var json = false

    func run() throws {
        let sentences = try input.sentences()
        let tokenizer: BertTokenizer
        do { tokenizer = try BertTokenizer(modelDirectory: modelOptions.model) } catch {
            throw RuntimeError(error.description)
        }
        let ids = sentences.map { tokenizer.encode($0) }
        if json {
            try printJSON(["input_ids": ids])
        } else {
            for row in ids { print(tokenizer.tokens(for: row).joined(separator: " ") + "\t" + row.map(String.init).joined(separator: " ")) }
        }
    }
}

struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Cosine similarity between every pair of sentences."
    )
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var input: SentenceInput
    @Flag(help: "Print {\"sentences\", \"similarity\": [[…]]} as JSON.") var json = false

    func run() throws {
        let sentences = try input.sentences()
        let embedder = try loadEmbedder(modelOptions)
        let v = embedder.embed(sentences)
        let matrix = v.map { a in v.map { b in cosine(a, b) } }
        if json {
            try printJSON(["sentences": sentences, "similarity": matrix])
        } else {
            for (i, row) in matrix.enumerated() {
                print(row.map { String(format: "%6.3f", $0) }.joined(separator: " ") + "  \(sentences[i])")
            }
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "The corpus lines most similar to a query (cosine similarity of sentence embeddings)."
    )
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "A file with one document per line.") var corpus: String
    @Option(name: .shortAndLong, help: "How many results.") var top: Int = 5
    @Flag(help: "Print [{\"line\", \"text\", \"score\"}] as JSON.") var json = false
    @Argument(help: "The query.") var query: String

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be positive, got \(top)") }
    }

    func run() throws {
        let documents = try readLines(corpus, option: "--corpus")
        guard !documents.isEmpty else { throw ValidationError("--corpus \(corpus): the file has no lines") }
        let embedder = try loadEmbedder(modelOptions)
        let bar = ProgressBar(total: documents.count)
        let vectors = embedder.embed(documents) { done, _ in bar.update(done) }
        let q = embedder.embed([query])[0]
        let scores: [(line: Int, score: Double)] = vectors.enumerated().map { (line: $0.offset, score: cosine(q, $0.element)) }
        let ranked = scores.sorted { a, b in a.score > b.score || (a.score == b.score && a.line < b.line) }.prefix(top)
        if json {
            let rows: [[String: Any]] = ranked.map { r in ["line": r.line + 1, "text": documents[r.line], "score": r.score] }
            try printJSON(rows)
        } else {
            for r in ranked { print(String(format: "%.4f", r.score) + "  \(r.line + 1): \(documents[r.line])") }
        }
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
    return dot / Swift.max((na * nb).squareRoot(), 1e-12)
}
