import Attention
import Foundation

/// A tensor as it crosses the PyTorch boundary: floating data, booleans (masks) or integers, with the name of
/// its file dtype (for error messages).
public enum InteropTensor: Sendable {
    /// A floating-point tensor (read as Float32 or Float64) and its file dtype.
    case float(Tensor, dtype: String = "F32")
    /// A boolean tensor (masks).
    case bool(BoolTensor)
    /// An integer tensor (token ids, lengths) with its file dtype.
    case integer(shape: [Int], values: [Int64], dtype: String = "I64")

    /// The tensor's shape, whatever its kind.
    public var shape: [Int] {
        switch self {
        case .float(let t, _): return t.shape
        case .bool(let m): return m.shape
        case .integer(let shape, _, _): return shape
        }
    }

    /// The file's dtype name: F32, F64, BOOL, I64, ….
    public var dtypeName: String {
        switch self {
        case .float(_, let d): return d
        case .bool: return "BOOL"
        case .integer(_, _, let d): return d
        }
    }
}

/// Why a run was refused. Every message names the tensor or option, what was expected and what was found.
public struct RunnerError: Error, CustomStringConvertible, Equatable {
    /// What was refused: the tensor or option, expected and found.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }

    static func missing(_ name: String, in file: String, expected: String) -> RunnerError {
        RunnerError("\(file): missing tensor '\(name)' (expected \(expected))")
    }
    static func dtype(_ name: String, in file: String, expected: String, found: String) -> RunnerError {
        RunnerError("\(file): tensor '\(name)' has dtype \(found), expected \(expected)")
    }
    static func shape(_ name: String, in file: String, expected: String, found: [Int]) -> RunnerError {
        RunnerError("\(file): tensor '\(name)' has shape \(found), expected \(expected)")
    }
}

/// The conformance runner behind `attention run`: PyTorch's operations, with PyTorch's conventions, computed
/// by this library. Options are strings (the `__metadata__` of the input file); tensors are named as in PyTorch.
///
/// Ops and their tensors (batch first; masks BOOL or F32, float masks are added to the scores):
/// - `sdpa` (`F.scaled_dot_product_attention`): `query` [B, H, L, E], `key` [B, Hkv, S, E], `value`
///   [B, Hkv, S, Ev]; `attn_mask` broadcastable to [B, H, L, S], BOOL True = takes part; `grad_output`
///   [B, H, L, Ev]. Options `is_causal` (upper-left), `scale`, `enable_gqa`, `need_weights`. Out: `output`,
///   `weights` [B, H, L, S], `grad_query`, `grad_key`, `grad_value`.
/// - `mha` (`nn.MultiheadAttention`, batch_first): `query` [N, L, E], `key` [N, S, kdim], `value` [N, S, vdim];
///   `key_padding_mask` [N, S] (True = ignore); `attn_mask` [L, S] or [N·heads, L, S] (BOOL True = not allowed).
///   Options `num_heads`, `add_zero_attn`, `need_weights` (default true), `average_attn_weights` (default true),
///   `is_causal`. Weights: the module's state dict. Out: `output`, `weights` [N, L, S′] or [N, heads, L, S′].
/// - `encoder-layer` / `decoder-layer` (`nn.TransformerEncoderLayer` / `nn.TransformerDecoderLayer`,
///   batch_first): `src` (+ `src_mask`, `src_key_padding_mask`) or `tgt`, `memory` (+ `tgt_mask`, `memory_mask`,
///   `tgt_key_padding_mask`, `memory_key_padding_mask`); options `nhead`, `activation` (relu / gelu), `norm_first`,
///   `layer_norm_eps`, `is_causal` / `tgt_is_causal` / `memory_is_causal`, `batch_first` (default true).
///   The feed-forward width and biases come from the weights. Out: `output`.
/// - `seq2seq-train`: AdamW training of a translation Transformer (`src_emb`, `tgt_emb`, `nn.Transformer`,
///   `generator`) on `src` [B, S] / `tgt` [B, T] (I64); out: `losses` [steps] and the trained state dict (see
///   ``RunContext/seq2seqTrain()`` for every option).
/// - `lm-train`: AdamW steps of a decoder-only language model (`tok_emb`, `pos_emb`, `layers.N`, `norm`, `head`) on
///   `tokens` [B, T] I64; out `losses` [steps] and every parameter after the last step (see `lmTrain()`).
/// With `grad_output`, `mha` and the layers also return the gradients of their float inputs (`grad_<name>`).
///
/// Query rows with nothing to attend to (every key masked, or S = 0) give 0 (output, weights, gradients), where
/// PyTorch gives NaN (MHA with weights) or, without weights, the output bias. NaN and infinities in the inputs or
/// weights propagate as in PyTorch (a row with a NaN or +inf score is NaN in output and weights). Inputs too large
/// to compute are refused before any allocation: more than 2³¹ − 1 keys with a non-empty result, or results that
/// need more memory than the machine has (the message gives both figures).
public enum PyTorchRunner {
    /// The operations `run(op:inputs:metadata:weights:)` knows, as `attention run OP` names them.
    public static let operations = ["sdpa", "mha", "encoder-layer", "decoder-layer", "seq2seq-train", "lm-train"]

    /// Runs `op` and returns its outputs by name.
    public static func run(op: String, inputs: [String: InteropTensor], metadata: [String: String],
                           weights: [String: InteropTensor]? = nil) throws -> [String: Tensor] {
        let run = RunContext(inputs: inputs, metadata: metadata, weights: weights)
        // Training ops record gradients whatever the inputs hold.
        if op == "lm-train" { return try run.lmTrain() }
        return try withoutGradientsUnlessNeeded(op, inputs) {
            switch op {
            case "sdpa": return try run.sdpa()
            case "mha": return try run.mha()
            case "encoder-layer": return try run.encoderLayer()
            case "decoder-layer": return try run.decoderLayer()
            case "seq2seq-train": return try run.seq2seqTrain()
            default:
                throw RunnerError("unknown op '\(op)' (expected one of: \(operations.joined(separator: ", ")))")
            }
        }
    }

    /// Gradients are recorded only when the input asks for them (a `grad_output` tensor) or the op trains.
    private static func withoutGradientsUnlessNeeded<R>(_ op: String, _ inputs: [String: InteropTensor], _ body: () throws -> R) rethrows -> R {
        inputs["grad_output"] == nil && op != "seq2seq-train" ? try withoutGradients(body) : try body()
    }
}

/// One run's inputs, with typed accessors that throw the runner's errors.
struct RunContext {
    let inputs: [String: InteropTensor]
    let metadata: [String: String]
    let weights: [String: InteropTensor]?
    static let inputFile = "input", weightsFile = "weights"

    // MARK: Tensors

    /// A required F32 input of rank in `ranks`; `expected` describes the shape for messages.
    func float(_ name: String, ranks: Set<Int>, expected: String) throws -> Tensor {
        guard let t = inputs[name] else { throw RunnerError.missing(name, in: Self.inputFile, expected: "F32 \(expected)") }
        guard case .float(let x, let dtype) = t, dtype == "F32" else {
            throw RunnerError.dtype(name, in: Self.inputFile, expected: "F32", found: t.dtypeName)
        }
        guard ranks.contains(x.rank) else { throw RunnerError.shape(name, in: Self.inputFile, expected: expected, found: x.shape) }
        return x
    }

    /// An optional F32 input that must have exactly `shape`.
    func optionalFloat(_ name: String, shape: [Int], expected: String) throws -> Tensor? {
        guard inputs[name] != nil else { return nil }
        let x = try float(name, ranks: [shape.count], expected: expected)
        guard x.shape == shape else { throw RunnerError.shape(name, in: Self.inputFile, expected: "\(expected) = \(shape)", found: x.shape) }
        return x
    }

    /// An optional mask: BOOL, or F32 (added to the scores).
    func mask(_ name: String) throws -> InteropTensor? {
        guard let t = inputs[name] else { return nil }
        switch t {
        case .bool: return t
        case .float(_, let d) where d == "F32": return t
        default: throw RunnerError.dtype(name, in: Self.inputFile, expected: "BOOL or F32", found: t.dtypeName)
        }
    }

    /// The weights file as float tensors (PyTorch state-dict names).
    func stateDict() throws -> [String: Tensor] {
        guard let weights else { throw RunnerError("this op needs --weights (a PyTorch state dict in .safetensors)") }
        var out: [String: Tensor] = [:]
        for (name, t) in weights {
            guard case .float(let x, let dtype) = t, dtype == "F32" || dtype == "F64" else {
                throw RunnerError.dtype(name, in: Self.weightsFile, expected: "F32", found: t.dtypeName)
            }
            out[name] = x.cast(to: .float32)
        }
        return out
    }

    /// Loads a state dict through the module's key map, reporting PyTorch names.
    func load(_ checkpoint: [String: Tensor], _ map: PyTorchKeyMap, into module: Module) throws {
        do { try map.load(checkpoint, into: module) } catch let e as CheckpointError {
            throw RunnerError("\(Self.weightsFile): \(e.description)")
        }
    }

    // MARK: Options

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = metadata[key] else { return value }
        switch text.lowercased().trimmingCharacters(in: .whitespaces) {
        case "true", "1": return true
        case "false", "0", "none", "": return false
        default: throw RunnerError("option '\(key)': expected \"true\" or \"false\", found \"\(text)\"")
        }
    }

    func int(_ key: String, default value: Int? = nil) throws -> Int {
        guard let text = metadata[key] else {
            if let value { return value }
            throw RunnerError("missing option '\(key)' in the input's __metadata__ (expected an integer)")
        }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else {
            throw RunnerError("option '\(key)': expected a positive integer, found \"\(text)\"")
        }
        return n
    }

    func double(_ key: String) throws -> Double? {
        guard let text = metadata[key], text.lowercased() != "none", !text.isEmpty else { return nil }
        guard let x = Double(text.trimmingCharacters(in: .whitespaces)), x.isFinite else {
            throw RunnerError("option '\(key)': expected a decimal number, found \"\(text)\"")
        }
        return x
    }

    // MARK: PyTorch masks → AttentionMask

    /// `nn.MultiheadAttention`'s `attn_mask` (BOOL True = not allowed, or F32 added; [L, S] or [N·H, L, S]),
    /// `key_padding_mask` ([N, S], BOOL True = ignore, or F32 added) and `is_causal`, as PyTorch combines them:
    /// with `is_causal`, no padding mask and no weights, PyTorch ignores `attn_mask` and runs causal attention over
    /// all keys, appended bias/zero slots included (`coversExtraKeys`); otherwise it uses `attn_mask` (a hint
    /// without a mask is taken as the causal mask itself).
    func multiheadMask(attnMask: String, keyPaddingMask: String, isCausal: Bool, needWeights: Bool,
                       batch n: Int, heads h: Int, queryLength l: Int, keyLength s: Int) throws -> (AttentionMask, coversExtraKeys: Bool) {
        let padding = try mask(keyPaddingMask)
        let attn = try mask(attnMask)
        if isCausal && padding == nil && !needWeights { return (.causal(.upperLeft), true) }
        var parts: [AttentionMask] = []
        if let attn {
            let shape = attn.shape
            let target: [Int]
            if shape == [l, s] { target = [1, 1, l, s] }
            else if shape == [n * h, l, s] { target = [n, h, l, s] }
            else { throw RunnerError.shape(attnMask, in: Self.inputFile, expected: "[L, S] = \([l, s]) or [N·heads, L, S] = \([n * h, l, s])", found: shape) }
            switch attn {
            case .bool(let m): parts.append(.boolean(BoolTensor(shape: target, values: m.values.map { !$0 })))
            case .float(let t, _): parts.append(.additive(t.reshaped(target)))
            default: break
            }
        } else if isCausal {
            parts.append(.causal(.upperLeft))
        }
        if let padding {
            guard padding.shape == [n, s] else {
                throw RunnerError.shape(keyPaddingMask, in: Self.inputFile, expected: "[N, S] = \([n, s])", found: padding.shape)
            }
            switch padding {
            case .bool(let m): parts.append(.keyPaddingMask(!m))
            case .float(let t, _): parts.append(.additive(t.reshaped([n, 1, 1, s])))
            default: break
            }
        }
        return (parts.isEmpty ? .none : .all(parts), false)
    }
}
