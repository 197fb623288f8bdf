import AttentionSupport
import Attention
import Foundation
import AttentionSafeTensors
import AttentionText

/// How token vectors become one sentence vector (sentence-transformers' Pooling module).
public enum Pooling: String, Sendable, CaseIterable {
    /// Mean over the real (non-padding) tokens.
    case mean
    /// The first token ([CLS]).
    case cls
    /// Elementwise maximum over the real tokens.
    case max
    /// Sum over the real tokens divided by √(count).
    case meanSqrtLength
}

/// A sentence-transformers model folder (BERT + pooling + optional L2 normalisation) that turns sentences into vectors.
///
/// ```swift
/// let embedder = try SentenceEmbedder(directory: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let vectors = embedder.embed(["A man is eating food.", "Someone is eating."])   // 2 × 384, unit length
/// ```
public final class SentenceEmbedder {
    /// The BERT encoder.
    public let model: BertModel
    /// The WordPiece tokenizer of the folder.
    public let tokenizer: BertTokenizer
    /// How token states become one vector (from `1_Pooling/config.json`).
    public let pooling: Pooling
    /// Whether the vectors are L2-normalised (the folder has a `Normalize` module).
    public let normalizes: Bool
    /// The folder's name, for messages.
    public let name: String

    /// D, the length of each sentence vector.
    public var dimension: Int { model.config.hiddenSize }

    /// `precision`: what the linear layers compute in (`BertModel.setPrecision`; int8 and bf16 reduce all six
    /// matrices of every layer `defaultReducedSites`, unless `setPrecision(_:sites:)` is called with a list).
    public init(directory: URL, precision: InferencePrecision = .fp32) throws {
        name = directory.standardizedFileURL.lastPathComponent
        model = try BertModel.load(directory: directory)
        model.eval()
        do { tokenizer = try BertTokenizer(modelDirectory: directory.path) } catch {
            throw ModelLoadError.tokenizer(path: directory.path, reason: error.description)
        }
        guard tokenizer.vocabulary.count <= model.config.vocabSize else {
            throw ModelLoadError.invalidConfig(path: directory.path,
                                               reason: "\(ModelFolder.vocabularyName) has \(tokenizer.vocabulary.count) tokens, the model only \(model.config.vocabSize)")
        }
        (pooling, normalizes) = try Self.readModules(directory)
        if precision != .fp32 { setPrecision(precision) }
    }

    /// The linear layers at `sites` (default: `model.defaultReducedSites(for:)`) compute in `precision` from now on (BertModel.setPrecision); int8
    /// is calibrated on CalibrationText's sentences (tokenised with this embedder's tokenizer).
    public func setPrecision(_ precision: InferencePrecision, sites: Set<BertMatrixSite>? = nil) {
        model.setPrecision(precision, sites: sites, calibration: precision == .int8 ? tokenize(CalibrationText.sentences) : nil)
    }

    /// Pooling mode from `1_Pooling/config.json` (mean when absent) and whether `modules.json` lists a Normalize step.
    static func readModules(_ directory: URL) throws -> (Pooling, Bool) {
        /// The file's JSON (nil when absent), read by the package's one JSON reader.
        func json(_ url: URL) throws -> JSONValue? {
            guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
            do {
                return try StrictJSONParser.parseConfiguration(Array(data))
            } catch {
                throw ModelLoadError.invalidConfig(path: url.path, reason: "invalid JSON at byte \(error.offset): \(error.reason)")
            }
        }
        var modules: [JSONValue] = []
        let folder = ModelFolder(directory)
        let modulesURL = URL(fileURLWithPath: folder.modules)
        if let list = try json(modulesURL) {
            guard let array = list.array, array.allSatisfy({ if case .object = $0 { true } else { false } }) else {
                throw ModelLoadError.invalidConfig(path: modulesURL.path, reason: "expected a JSON array of module objects")
            }
            modules = array
        }
        let normalizes = modules.contains { $0["type"]?.string?.hasSuffix("Normalize") == true }
        let poolingFolder = modules.first { $0["type"]?.string?.hasSuffix("Pooling") == true }?["path"]?.string
        let poolingURL = URL(fileURLWithPath: folder.poolingConfig(moduleFolder: poolingFolder))
        guard let config = try json(poolingURL) else { return (.mean, normalizes) }
        guard case .object = config else {
            throw ModelLoadError.invalidConfig(path: poolingURL.path, reason: "expected a JSON object")
        }
        let modes: [(String, Pooling)] = [("pooling_mode_mean_tokens", .mean), ("pooling_mode_cls_token", .cls),
                                          ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLength)]
        let on = modes.filter { config[$0.0]?.bool == true }
        guard on.count == 1 else {
            throw ModelLoadError.unsupported(path: poolingURL.path, what: on.isEmpty ? "no pooling mode is enabled" : "several pooling modes at once (\(on.map(\.0)))")
        }
        return (on[0].1, normalizes)
    }

    /// One vector per sentence, in input order. Sentences are batched by similar length (less padding);
    /// `progress(done, total)` is called after each batch.
    public func embed(_ sentences: [String], batchSize: Int = 32, progress: ((Int, Int) -> Void)? = nil) -> [[Float]] {
        precondition(batchSize > 0, "embed: batchSize must be positive, got \(batchSize)")
        let encoded = tokenize(sentences)
        let order = encoded.indices.sorted { encoded[$0].count > encoded[$1].count }
        var out = [[Float]](repeating: [], count: sentences.count)
        var done = 0
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let batch = Array(order[start..<min(start + batchSize, order.count)])
            let vectors = withoutGradients { embedBatch(batch.map { encoded[$0] }) }
            for (i, v) in zip(batch, vectors) { out[i] = v }
            done += batch.count
            progress?(done, sentences.count)
        }
        return out
    }

    /// Token ids of every sentence, tokenised in parallel (chunks of 64 sentences; the order is kept).
    func tokenize(_ sentences: [String]) -> [[Int]] {
        if sentences.isEmpty { return [] }
        var out = [[Int]](repeating: [], count: sentences.count)
        let chunk = 64, chunks = (sentences.count + chunk - 1) / chunk
        let tokenizer = self.tokenizer
        out.withUnsafeMutableBufferPointer { buffer in
            let slots = SendablePointer(buffer.baseAddress!)
            sentences.withUnsafeBufferPointer { input in
                let texts = SendableConstPointer(input.baseAddress!)
                Parallel.forEach(chunks) { c in
                    for i in (c * chunk)..<min(sentences.count, (c + 1) * chunk) { slots.base[i] = tokenizer.encode(texts.base[i]) }
                }
            }
        }
        return out
    }

    /// ids per sentence (with [CLS]/[SEP]) → pooled, optionally normalised vectors.
    func embedBatch(_ ids: [[Int]]) -> [[Float]] {
        let b = ids.count, l = ids.map(\.count).max() ?? 0, d = dimension
        let lengths = ids.map(\.count)
        var flat = [Int](repeating: 0, count: b * l)
        for (i, row) in ids.enumerated() { for (j, id) in row.enumerated() { flat[i * l + j] = id } }
        let hidden = model(ids: flat, batch: b, length: l, lengths: lengths).scalars   // [B, L, D]
        return (0..<b).map { i in
            var v = [Float](repeating: 0, count: d)
            let n = lengths[i]
            switch pooling {
            case .cls:
                for k in 0..<d { v[k] = hidden[i * l * d + k] }
            case .max:
                for k in 0..<d { v[k] = (0..<n).map { hidden[(i * l + $0) * d + k] }.max() ?? 0 }
            case .mean, .meanSqrtLength:
                var sum = [Double](repeating: 0, count: d)
                for j in 0..<n { for k in 0..<d { sum[k] += Double(hidden[(i * l + j) * d + k]) } }
                let divisor = pooling == .mean ? Double(Swift.max(n, 1)) : Double(Swift.max(n, 1)).squareRoot()
                for k in 0..<d { v[k] = Float(sum[k] / divisor) }
            }
            if normalizes {
                // As torch.nn.functional.normalize: v / max(‖v‖, 1e-12).
                let norm = Swift.max(v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot(), 1e-12)
                v = v.map { Float(Double($0) / norm) }
            }
            return v
        }
    }
}
