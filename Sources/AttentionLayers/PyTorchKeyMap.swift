import AttentionTensorCore

/// Errors when a checkpoint's tensors do not fit a model. Names are the checkpoint's own (PyTorch) key names.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The checkpoint lacks a tensor the model needs (its checkpoint name).
    case missingTensor(String)
    /// The checkpoint holds tensors the model has no parameter for.
    case unexpectedTensors([String])
    /// A checkpoint tensor whose shape differs from its parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    /// The message, naming the tensor.
    public var description: String {
        switch self {
        case .missingTensor(let name): return "missing tensor \(name)"
        case .unexpectedTensors(let names): return "unexpected tensors (the model has no such parameter): \(names.joined(separator: ", "))"
        case let .shapeMismatch(name, expected, found): return "tensor \(name): expected shape \(expected), found \(found)"
        }
    }
}

/// The translation between a model family's checkpoint key names (PyTorch's `in_proj_weight`, `linear1.bias`, …)
/// and our parameter paths (`inputProjection.weight`, `feedForward.upProjection.bias`, …): the one place each
/// family's names live.
///
/// An entry is a rename, or a split of one checkpoint tensor into consecutive pieces along its first axis
/// (PyTorch keeps one `in_proj_bias` even when q, k and v have separate weights). Maps compose: a layer's map is
/// its sub-modules' maps under prefixes.
public struct PyTorchKeyMap: Sendable {
    /// One checkpoint tensor's destination.
    public enum Entry: Sendable {
        /// The checkpoint tensor `pyTorch` is our parameter `swift`.
        case rename(pyTorch: String, swift: String)
        /// Rows of the checkpoint tensor, in order, to our parameters: (name, row count).
        case split(pyTorch: String, parts: [(swift: String, rows: Int)])
    }

    /// The entries, in order.
    public private(set) var entries: [Entry]

    /// A map of `entries`.
    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// Renames `pyTorch` → `swift` for each pair.
    public init(renames: [(String, String)]) { self.init(renames.map { .rename(pyTorch: $0.0, swift: $0.1) }) }

    /// The same map for a sub-module stored under `pyTorch` / `swift` prefixes (each without the trailing dot).
    public func prefixed(pyTorch: String, swift: String) -> PyTorchKeyMap {
        func p(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
        return PyTorchKeyMap(entries.map {
            switch $0 {
            case let .rename(a, b): return .rename(pyTorch: p(pyTorch, a), swift: p(swift, b))
            case let .split(a, parts): return .split(pyTorch: p(pyTorch, a), parts: parts.map { (p(swift, $0.swift), $0.rows) })
            }
        })
    }

    /// The entries of `a` then those of `b`.
    public static func + (a: PyTorchKeyMap, b: PyTorchKeyMap) -> PyTorchKeyMap { PyTorchKeyMap(a.entries + b.entries) }

    /// Checkpoint names this map reads.
    public var pyTorchNames: [String] {
        entries.map { if case let .rename(a, _) = $0 { return a } else if case let .split(a, _) = $0 { return a }; return "" }
    }

    /// The checkpoint name that is renamed to our parameter `swift`, nil when no rename names it (a split piece
    /// has no checkpoint tensor of its own).
    public func pyTorchName(for swift: String) -> String? {
        for case let .rename(a, b) in entries where b == swift { return a }
        return nil
    }

    /// Our state dict from a checkpoint's tensors. Every mapped tensor must be present; with `strict`, nothing
    /// else may be. Split tensors must have exactly the rows of their pieces.
    public func ourStateDict(from checkpoint: [String: Tensor], strict: Bool = true) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for entry in entries {
            switch entry {
            case let .rename(a, b):
                guard let t = checkpoint[a] else { throw CheckpointError.missingTensor(a) }
                out[b] = t
            case let .split(a, parts):
                guard let t = checkpoint[a] else { throw CheckpointError.missingTensor(a) }
                let rows = parts.map(\.rows).reduce(0, +)
                guard t.rank >= 1, t.shape[0] == rows else {
                    throw CheckpointError.shapeMismatch(name: a, expected: [rows] + t.shape.dropFirst(), found: t.shape)
                }
                var start = 0
                for part in parts {
                    out[part.swift] = t.slice(axis: 0, start..<(start + part.rows)).contiguous()
                    start += part.rows
                }
            }
        }
        if strict {
            let known = Set(pyTorchNames)
            let extra = checkpoint.keys.filter { !known.contains($0) }.sorted()
            if !extra.isEmpty { throw CheckpointError.unexpectedTensors(extra) }
        }
        return out
    }

    /// A checkpoint (PyTorch names) from our state dict: the inverse of ``ourStateDict(from:strict:)``.
    public func pyTorchStateDict(from ours: [String: Tensor]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for entry in entries {
            switch entry {
            case let .rename(a, b):
                if let t = ours[b] { out[a] = t }
            case let .split(a, parts):
                let pieces = parts.compactMap { ours[$0.swift] }
                if pieces.count == parts.count { out[a] = Tensor.concatenate(pieces, axis: 0) }
            }
        }
        return out
    }

    /// Loads a checkpoint into `module`: translates the names, checks every shape (errors name the checkpoint's
    /// tensor), then loads strictly. Nothing changes on error.
    public func load(_ checkpoint: [String: Tensor], into module: Module) throws {
        let ours = try ourStateDict(from: checkpoint)
        let params = Dictionary(uniqueKeysWithValues: module.namedParameters())
        for entry in entries {
            switch entry {
            case let .rename(a, b):
                guard let p = params[b] else { throw CheckpointError.unexpectedTensors([a]) }
                if p.value.shape != ours[b]!.shape {
                    throw CheckpointError.shapeMismatch(name: a, expected: p.value.shape, found: ours[b]!.shape)
                }
            case let .split(a, parts):
                var expected: [Int]? = nil
                for part in parts {
                    guard let p = params[part.swift] else { throw CheckpointError.unexpectedTensors([a]) }
                    expected = expected.map { [$0[0] + p.value.shape[0]] + $0.dropFirst() } ?? p.value.shape
                }
                let found = checkpoint[a]!.shape
                if let expected, expected != found { throw CheckpointError.shapeMismatch(name: a, expected: expected, found: found) }
            }
        }
        let mapped = Set(ours.keys)
        if let missing = module.namedParameters().map(\.0).first(where: { !mapped.contains($0) }) {
            throw CheckpointError.missingTensor("(no checkpoint name maps to parameter \(missing))")
        }
        try module.load(stateDict: ours)
    }
}
