import ArgumentParser
import Foundation
import Attention
import AttentionModels
import AttentionText
import AttentionSupport

/// Options shared by the commands that read a sentence-transformers model folder.
struct ModelOptions: ParsableArguments {
    @Option(help: """
        A sentence-transformers model folder. Required: \(ModelFolder.configName), \(ModelFolder.weightsName), and \
        \(ModelFolder.vocabularyName) or \(ModelFolder.tokenizerName). Optional: \(ModelFolder.modulesName) (lists the \
        Normalize step; without it vectors are not normalised), \(ModelFolder.defaultPoolingFolder)/\(ModelFolder.configName) \
        (pooling mode; mean when absent), \(ModelFolder.sentenceConfigName) (max_seq_length), \
        \(ModelFolder.tokenizerConfigName).
        """)
    var model: String

    /// The folder, checked to exist and be a folder.
    func folder() throws(CLIError) -> URL {
        try InputPaths.checkFolder(model, option: "--model")
        return URL(fileURLWithPath: model)
    }
}

/// The number format of the linear layers (embed, similarity, search).
struct PrecisionOptions: ParsableArguments {
    @Option(help: "What the linear layers compute in: fp32 (default), bf16 (bfloat16 weights; on CPUs with AVX512_BF16 the activations are rounded to bfloat16 too and the products summed in fp32 at twice the fp32 rate) or int8 (int8 weights per channel and activations per token; LayerNorm, softmax, GELU and attention stay fp32).")
    var precision: String = "fp32"

    @Option(help: "With --precision bf16|int8: which matrices to reduce, e.g. all, output, 3.intermediate, 0 (comma-separated; ROLE = query, key, value, attention-output, intermediate, output). Default: all for bf16, all but output for int8.")
    var reducedMatrices: String?

    func parsed() throws(CLIError) -> InferencePrecision {
        guard let p = InferencePrecision(rawValue: precision) else {
            throw .usage("--precision: expected fp32, bf16 or int8, found '\(precision)'")
        }
        if reducedMatrices != nil && p == .fp32 { throw .usage("--reduced-matrices needs --precision bf16 or int8") }
        return p
    }
}

/// Reads sentences from arguments, a file or standard input (one per line, blank lines skipped), never none.
struct SentenceInput: ParsableArguments {
    @Option(help: "Read one sentence per line from this file, - for standard input (in addition to any TEXT arguments; blank lines are skipped).")
    var file: String?

    @Argument(help: "Sentences.")
    var text: [String] = []

    /// The sentences in order: the TEXT arguments, then the file's non-blank lines.
    func sentences() throws(CLIError) -> [InputLine] {
        var out = text.enumerated().map { InputLine(source: "TEXT argument", number: $0.offset + 1, text: $0.element) }
        if let file { out += try TextInput.lines(of: file, option: "--file") }
        if out.isEmpty { throw .usage(file == nil ? "no sentences: give TEXT arguments or --file" : "--file \(TextInput.sourceName(file!)): no sentences (every line is blank)") }
        return out
    }
}

/// The model folder as a `SentenceEmbedder`, with a warning when modules.json is missing (the pipeline is then
/// guessed: pooling from 1_Pooling/config.json or mean, and no normalisation).
func loadEmbedder(_ options: ModelOptions, precision: PrecisionOptions? = nil) throws(CLIError) -> SentenceEmbedder {
    let folder = try options.folder()
    let chosen = try precision?.parsed() ?? .fp32
    let embedder: SentenceEmbedder
    do { embedder = try SentenceEmbedder(directory: folder) } catch { throw .data("\(error)") }
    if chosen != .fp32 {
        var sites: Set<BertMatrixSite>? = nil
        if let list = precision?.reducedMatrices {
            do { sites = try embedder.model.matrixSites(parsing: list) } catch { throw .usage("--reduced-matrices: \(error.description)") }
        }
        embedder.setPrecision(chosen, sites: sites)
    }
    if !FileManager.default.fileExists(atPath: ModelFolder(folder).modules) {
        Console.warning("\(options.model) has no modules.json: assuming \(embedder.pooling) pooling and "
                        + (embedder.normalizes ? "normalised vectors" : "no normalisation (vectors are not unit length)"))
    }
    return embedder
}

/// One warning line for the inputs longer than the tokenizer's maximum length (they are cut, as in
/// sentence-transformers, and the user should know).
func warnAboutTruncation(_ sentences: [InputLine], tokenizer: BertTokenizer) {
    let limit = tokenizer.maxLength
    let long = sentences.compactMap { s -> String? in
        let n = tokenizer.encode(s.text, maxLength: .max).count
        return n > limit ? "\(s.location) (\(n) tokens)" : nil
    }
    guard !long.isEmpty else { return }
    let shown = long.prefix(3).joined(separator: ", ") + (long.count > 3 ? ", and \(long.count - 3) more" : "")
    Console.warning("\(long.count) input(s) longer than the model's \(limit) tokens were cut to the first \(limit): \(shown)")
}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Sentence embeddings from a sentence-transformers model folder (e.g. all-MiniLM-L6-v2).",
        discussion: "Get the model with Scripts/fetch-minilm.sh. Vectors are printed in input order."
    )
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var input: SentenceInput
    @Option(help: "Sentences per forward pass (1...4096).") var batchSize: Int = 32
    @Flag(help: "Print {\"model\", \"dimension\", \"embeddings\", \"texts\"} as one JSON object.") var json = false
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        try Bounds.check([("--batch-size", batchSize, 1...4096)])
    }

    func run() throws {
        _ = try modelOptions.folder()
        let sentences = try input.sentences()
        let embedder = try loadEmbedder(modelOptions, precision: precisionOptions)
        warnAboutTruncation(sentences, tokenizer: embedder.tokenizer)
        let bar = ProgressBar(total: sentences.count, quiet: quiet)
        let vectors = embedder.embed(sentences.map(\.text), batchSize: batchSize) { done, _ in bar.update(done) }
        if json {
            try printJSON(.object(["model": .string(embedder.name), "dimension": .int(embedder.dimension),
                                   "embeddings": .array(vectors.map { .floats($0) }),
                                   "texts": .strings(sentences.map(\.text))]))
        } else {
            var line: [UInt8] = []
            for (s, v) in zip(sentences, vectors) {
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: s.text.utf8)
                line.append(contentsOf: "\t[".utf8)
                for (k, x) in v.enumerated() {
                    if k > 0 { line.append(contentsOf: ", ".utf8) }
                    FixedDecimal.append(x, digits: 6, to: &line)  // "%.6f", byte for byte
                }
                line.append(UInt8(ascii: "]"))
                Output.line(String(decoding: line, as: UTF8.self))
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
    @Flag(help: "Print {\"input_ids\": [[…], …], \"tokens\": [[…], …]} as one JSON object.") var json = false

    func run() throws {
        let folder = try modelOptions.folder()
        let sentences = try input.sentences()
        let tokenizer: BertTokenizer
        do { tokenizer = try BertTokenizer(modelDirectory: folder.path) } catch { throw CLIError.data(error.description) }
        warnAboutTruncation(sentences, tokenizer: tokenizer)
        let ids = sentences.map { tokenizer.encode($0.text) }
        let tokens = ids.map { tokenizer.tokens(for: $0) }
        if json {
            try printJSON(.object(["input_ids": .array(ids.map(JSONValue.ints)), "tokens": .array(tokens.map(JSONValue.strings))]))
        } else {
            for (row, t) in zip(ids, tokens) { Output.line(t.joined(separator: " ") + "\t" + row.map(String.init).joined(separator: " ")) }
        }
    }
}
