import Attention
import Foundation
import AttentionText

/// What can be wrong with the text given to ``AttentionExplainer``.
public enum ExplainError: Error, Equatable, CustomStringConvertible {
    /// `which` ("TEXT", "SECOND_TEXT") is empty or holds nothing the tokenizer keeps (only spaces or control characters).
    case emptyText(which: String)

    /// The message, naming the empty text.
    public var description: String {
        switch self {
        case let .emptyText(which): return "\(which) is empty: it has no tokens (give some words)"
        }
    }
}

/// Every attention weight of a BERT model for one text or sentence pair, as Hugging Face's `output_attentions=True`
/// returns them, with the tokens they are between.
public struct AttentionExplanation: Sendable {
    /// The WordPiece tokens, [CLS] and [SEP] included.
    public let tokens: [String]
    /// Their vocabulary ids.
    public let inputIDs: [Int]
    /// Segment ids: 0 for `[CLS]`, the first text and its `[SEP]`, 1 for the second text and its `[SEP]`.
    public let tokenTypeIDs: [Int]
    /// [layer][head][query][key]; each row sums to 1.
    public let attentions: [[[[Float]]]]
    /// Tokens the encoding would have had without truncation (special tokens included); equals `tokens.count` when
    /// nothing was cut.
    public let untruncatedLength: Int

    /// True when the text was cut to the model's longest input.
    public var wasTruncated: Bool { untruncatedLength > tokens.count }

    /// An explanation from its parts (`AttentionExplainer/explain(_:_:)` makes these).
    public init(tokens: [String], inputIDs: [Int], tokenTypeIDs: [Int], attentions: [[[[Float]]]], untruncatedLength: Int) {
        self.tokens = tokens; self.inputIDs = inputIDs; self.tokenTypeIDs = tokenTypeIDs
        self.attentions = attentions; self.untruncatedLength = untruncatedLength
    }

    /// One layer's weights averaged over its heads, [query][key], in Float64.
    public func headAverage(layer: Int) -> [[Double]] { Self.headAverage(attentions[layer]) }

    static func headAverage(_ heads: [[[Float]]]) -> [[Double]] {
        let n = heads.first?.count ?? 0, s = heads.first?.first?.count ?? 0
        var out = [[Double]](repeating: [Double](repeating: 0, count: s), count: n)
        for head in heads { for q in 0..<n { for k in 0..<s { out[q][k] += Double(head[q][k]) } } }
        let h = Double(max(heads.count, 1))
        return out.map { $0.map { $0 / h } }
    }

    /// The tokens each query token attends to most in `layer` (default: the last), averaged over heads: for every
    /// token, up to `count` (key index, weight) pairs, heaviest first (ties: the earlier key first).
    public func topAttended(layer: Int? = nil, count: Int = 3) -> [[(key: Int, weight: Double)]] {
        guard !attentions.isEmpty else { return tokens.map { _ in [] } }
        return headAverage(layer: layer ?? attentions.count - 1).map { row in
            Array(row.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
                .prefix(count).map { (key: $0.offset, weight: $0.element) })
        }
    }

    /// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): for each layer l,
    /// Âₗ = rownorm(0.5·mean_heads(Aₗ) + 0.5·I) (the identity stands for the residual connection), and
    /// Rₗ = Âₗ · Rₗ₋₁ with R₀ = I. Returns R₁ … R_L, [layer][query][key]: entry (q, k) of Rₗ is how much of token k
    /// reaches position q after layer l. Rows of each Rₗ sum to 1.
    public var rollout: [[[Double]]] { Self.rollout(attentions) }

    /// ``rollout`` of any weights [layer][head][query][key] (square per layer). The products run in Float64 through
    /// TensorCore's matmul (a 512-token model is 6 products of 512 × 512 matrices).
    public static func rollout(_ attentions: [[[[Float]]]]) -> [[[Double]]] {
        var out: [[[Double]]] = []
        var current: Tensor?                                                     // [L, L] Float64
        for layer in attentions {
            let n = layer.first?.count ?? 0
            var a = [Double](repeating: 0, count: n * n)
            for head in layer {
                precondition(head.count == n, "rollout: every head of a layer needs \(n) rows, got \(head.count)")
                for (q, row) in head.enumerated() {
                    precondition(row.count == n, "rollout: layer weights must be square, got \(n) × \(row.count)")
                    for k in 0..<n { a[q * n + k] += Double(row[k]) }
                }
            }
            let heads = Double(max(layer.count, 1))
            for q in 0..<n {
                var sum = 0.0
                for k in 0..<n {
                    a[q * n + k] = 0.5 * a[q * n + k] / heads + (q == k ? 0.5 : 0)
                    sum += a[q * n + k]
                }
                if sum > 0 { for k in 0..<n { a[q * n + k] /= sum } }
            }
            let step = Tensor(shape: [n, n], doubles: a)
            let next = current.map { step.matmul($0) } ?? step
            current = next
            let flat = next.doubles
            out.append((0..<n).map { q in Array(flat[(q * n)..<((q + 1) * n)]) })
        }
        return out
    }
}

/// A BERT model folder (Hugging Face or sentence-transformers: config.json, model.safetensors, vocab.txt or
/// tokenizer.json) opened to look at its attention.
///
/// ```swift
/// let explainer = try AttentionExplainer(directory: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let e = try explainer.explain("The cat sat.", "It was tired.")
/// e.attentions.count        // 6 layers, each [12 heads][L][L]
/// ```
public final class AttentionExplainer {
    /// The BERT encoder.
    public let model: BertModel
    /// The WordPiece tokenizer of the folder.
    public let tokenizer: BertTokenizer

    /// Loads the model and its tokenizer with the loaders' named errors (``ModelLoadError``).
    public init(directory: URL) throws {
        model = try BertModel.load(directory: directory)
        model.eval()
        do { tokenizer = try BertTokenizer(modelDirectory: directory.path) } catch {
            throw ModelLoadError.tokenizer(path: directory.path, reason: error.description)
        }
        guard tokenizer.vocabulary.count <= model.config.vocabSize else {
            throw ModelLoadError.invalidConfig(path: directory.path,
                                               reason: "the vocabulary has \(tokenizer.vocabulary.count) tokens, the model only \(model.config.vocabSize)")
        }
    }

    /// The longest input the model takes: its `max_position_embeddings` (512 for all-MiniLM-L6-v2), the limit of
    /// Hugging Face's `truncation=True` for that folder.
    public var maxLength: Int { model.config.maxPositionEmbeddings }

    /// Tokenises `text` (and `second`, as a pair: `[CLS] text [SEP] second [SEP]` with token types 0 and 1), cuts it
    /// to `maxLength` (nil: ``maxLength``) the way Hugging Face's `truncation=True` does, and runs the model once,
    /// keeping every layer's weights. Throws ``ExplainError/emptyText(which:)`` for a text without tokens.
    public func explain(_ text: String, _ second: String? = nil, maxLength: Int? = nil) throws -> AttentionExplanation {
        if tokenizer.tokenize(text).isEmpty { throw ExplainError.emptyText(which: "TEXT") }
        if let second, tokenizer.tokenize(second).isEmpty { throw ExplainError.emptyText(which: "SECOND_TEXT") }
        let limit = max(maxLength ?? self.maxLength, second == nil ? 2 : 3)
        let encoding = tokenizer.encode(pair: text, second, maxLength: limit)
        let ids = encoding.inputIDs, n = ids.count
        let weights = withoutGradients {
            model.forward(ids: ids, batch: 1, length: n, lengths: [n], tokenTypes: encoding.tokenTypeIDs, outputAttentions: true).attentions
        }
        let attentions = weights.map { w -> [[[Float]]] in                      // w [1, H, L, L]
            let flat = w.contiguous().scalars, h = w.shape[1]
            return (0..<h).map { head in (0..<n).map { q in Array(flat[((head * n) + q) * n ..< ((head * n) + q + 1) * n]) } }
        }
        return AttentionExplanation(tokens: tokenizer.tokens(for: ids), inputIDs: ids, tokenTypeIDs: encoding.tokenTypeIDs,
                                    attentions: attentions, untruncatedLength: encoding.untruncatedLength)
    }
}
